/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * primes.c - count the primes below N by trial division, serially and with
 * skua_parallel_reduce, and print both times and the speedup.
 *
 *     usage: primes [N [workers]]      (N defaults to 10^6: 78498 primes)
 *
 * The cost of an element grows with it (trial division up to sqrt(n)), so
 * equal static chunks are unbalanced; automatic chunking splits on demand.
 * The call site is named "primes": SKUA_CHUNK_SIZE_PRIMES=<auto|N> tunes it.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: builds with -std=c11 too */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

static int is_prime(size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 2; i * i <= n; i++)
		if (n % i == 0)
			return 0;
	return 1;
}

/* Fold the numbers [lo, hi) into *acc, a count. */
static void count_primes(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	long c = 0;
	for (size_t n = lo; n < hi; n++)
		c += is_prime(n);
	*(long *)acc += c;
}

static void add(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
	skua_config cfg;
	skua_pool *pool;
	int rc;

	skua_config_init(&cfg);
	cfg.workers = argc > 2 ? (unsigned)atoi(argv[2]) : 0;
	if ((rc = skua_pool_create(&cfg, &pool)) != 0) {
		fprintf(stderr, "skua_pool_create: %s\n", skua_strerror(rc));
		return 1;
	}

	double t0 = now();
	long serial = 0;
	count_primes(0, n, &serial, NULL);
	double t1 = now();

	skua_par_opts opts;
	skua_par_opts_init(&opts);
	opts.site = "primes";
	long zero = 0, parallel = 0;
	rc = skua_parallel_reduce(pool, 0, n, &opts, sizeof zero, &zero,
	    count_primes, add, NULL, &parallel);
	double t2 = now();
	if (rc != 0) {
		fprintf(stderr, "skua_parallel_reduce: %s\n", skua_strerror(rc));
		return 1;
	}

	printf("primes below %zu: %ld (serial %ld)\n", n, parallel, serial);
	printf("serial   %.4f s\n", t1 - t0);
	printf("parallel %.4f s on %u workers, speedup %.2fx\n", t2 - t1,
	    skua_pool_workers(pool), (t1 - t0) / (t2 - t1));
	skua_pool_destroy(pool);

	/* Known answers (docs/benchmarks.md). */
	long want = n == 1000000 ? 78498 : n == 2000000 ? 148933 :
	    n == 10000000 ? 664579 : serial;
	if (parallel != serial || serial != want) {
		printf("FAIL: expected %ld\n", want);
		return 1;
	}
	printf("OK\n");
	return 0;
}
