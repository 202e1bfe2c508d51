/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/clock_cost.c - what the automatic chunker's clock read
 * costs: clock_gettime(CLOCK_MONOTONIC), the call behind lib/alloc.c's
 * skua__now_ns, 10^7 times in a row on each of `threads` threads at once
 * (the chunker reads it once per chunk on every worker).  Prints ns per
 * read, the best of 5 runs; set beside the automatic chunk's time
 * (SKUA_PAR_CHUNK_TARGET_NS, 10 us; skua-bench profile shows a site's
 * median) it gives the clock's share of chunk time.
 *
 * usage: clock_cost [threads]
 * Build: cc -O2 -std=gnu11 docs/data/src/clock_cost.c -lpthread -o /tmp/clock_cost
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define READS 10000000

static volatile uint64_t sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *reader(void *arg)
{
	uint64_t sum = 0;
	double t0 = now();
	for (int i = 0; i < READS; i++) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sum += (uint64_t)ts.tv_nsec;
	}
	*(double *)arg = (now() - t0) * 1e9 / READS;
	sink = sum;
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	double best = 1e9;
	if (n < 1 || n > 256)
		return 2;
	for (int r = 0; r < 5; r++) {
		pthread_t th[256];
		double ns[256], worst = 0;
		for (int i = 0; i < n; i++)
			pthread_create(&th[i], NULL, reader, &ns[i]);
		for (int i = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			if (ns[i] > worst)
				worst = ns[i];
		}
		if (worst < best)
			best = worst;
	}
	printf("clock_gettime(CLOCK_MONOTONIC): %.1f ns per read on each of "
	    "%d threads (best of 5); %.2f%% of a 10 us chunk\n", best, n,
	    best / 10000.0 * 100);
	return 0;
}
