/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/first_loop_cpu.c - where the first loop's extra
 * milliseconds go (docs/optimization-guide.md, "Few fixed chunks"): 2
 * chunks of ~76 ms (50000 elements of ~1.5 us) on a 2-worker pool created
 * just before; for each of `rounds` fresh pools, prints the loop's time and
 * when and on which CPU (sched_getcpu) each chunk started.
 *
 * usage: first_loop_cpu [rounds [iters]]   (default 12, 950 spin iterations
 *        per element)
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/first_loop_cpu.c \
 *            build-docs/libskua.a -ljemalloc -lpthread -o /tmp/first_loop_cpu
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

#define N 100000

static unsigned iters = 950;
static volatile double sink;
static double t_start, started[2];
static int cpu[2];

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void body(size_t lo, size_t hi, void *ctx)
{
	int id = lo < N / 2 ? 0 : 1;
	(void)ctx;
	started[id] = now() - t_start;
	cpu[id] = sched_getcpu();
	double s = 0;
	for (size_t i = lo; i < hi; i++) {
		double a = 1.0;
		for (unsigned k = 0; k < iters; k++)
			a = a * 1.0000001 + 1e-9;
		s += a;
	}
	sink = s;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 12;
	if (argc > 2)
		iters = (unsigned)atoi(argv[2]);
	for (int r = 0; r < rounds; r++) {
		skua_config cfg;
		skua_pool *p;
		skua_par_opts o;
		skua_config_init(&cfg);
		cfg.workers = 2;
		if (skua_pool_create(&cfg, &p) != 0)
			return 1;
		skua_par_opts_init(&o);
		o.chunk = N / 2;
		t_start = now();
		int mc = sched_getcpu();
		if (skua_parallel_for(p, 0, N, &o, body, NULL) != 0)
			return 1;
		double t = now() - t_start;
		printf("%6.1f ms  caller on cpu %d; chunk 0 at %5.2f ms on cpu "
		    "%d, chunk 1 at %5.2f ms on cpu %d\n", t * 1e3, mc,
		    started[0] * 1e3, cpu[0], started[1] * 1e3, cpu[1]);
		skua_pool_destroy(p);
	}
	return 0;
}
