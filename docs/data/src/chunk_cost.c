/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/chunk_cost.c - what one fixed chunk costs the splitter:
 * skua_parallel_for over 2*10^7 elements with opts.chunk = 1 and 4 and an
 * empty body, on a pool of `workers` (1 by default, where nothing is ever
 * split, so only the per-chunk path is timed).  Prints ns per chunk per
 * worker, the median of 9 runs after one warm-up.
 *
 * usage: chunk_cost [workers]
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/chunk_cost.c \
 *            build-docs/libskua.a -ljemalloc -lpthread -o /tmp/chunk_cost
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

static volatile size_t sink;

static void body(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	sink += hi - lo;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	static const size_t chunks[] = { 1, 4 };
	const size_t n = 20000000;
	skua_config cfg;
	skua_pool *p;

	skua_config_init(&cfg);
	cfg.workers = workers;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		skua_par_opts o;
		double t[9];
		skua_par_opts_init(&o);
		o.chunk = chunks[c];
		for (int r = 0; r < 10; r++) {
			double t0 = now();
			if (skua_parallel_for(p, 0, n, &o, body, NULL) != 0)
				return 1;
			if (r > 0)
				t[r - 1] = now() - t0;
		}
		qsort(t, 9, sizeof t[0], cmp);
		printf("chunk %zu, %u workers: %.2f ns per chunk\n", chunks[c],
		    workers, t[4] * 1e9 * workers / (double)(n / chunks[c]));
	}
	return skua_pool_destroy(p);
}
