/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * futures.c - concurrent.futures in C:
 *
 *     futs = [executor.submit(job, i) for i in range(8)]
 *     results = [f.result() for f in futs]          # gather
 *     for f in as_completed(futs): print(f.result())  # as they complete
 *
 * skua_spawn() submits, skua_future_wait_all() gathers and
 * skua_future_wait_any() takes whichever is done first.  Each job counts the
 * primes in its own slice of [0, 8 * 10^5); the slices get dearer further
 * up, so the cheap ones tend to complete first.
 */
#include <stdint.h>
#include <stdio.h>

#include "skua.h"

#define JOBS 8
#define SLICE 100000

static int is_prime(size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 2; i * i <= n; i++)
		if (n % i == 0)
			return 0;
	return 1;
}

static void *job(void *arg)
{
	size_t k = (size_t)(uintptr_t)arg;
	long c = 0;
	for (size_t n = k * SLICE; n < (k + 1) * SLICE; n++)
		c += is_prime(n);
	return (void *)(uintptr_t)c;
}

static int submit_all(skua_pool *pool, skua_future **fs)
{
	for (size_t k = 0; k < JOBS; k++) {
		int rc = skua_spawn(pool, job, (void *)(uintptr_t)k, &fs[k]);
		if (rc != 0) {
			fprintf(stderr, "skua_spawn: %s\n", skua_strerror(rc));
			return rc;
		}
	}
	return 0;
}

int main(void)
{
	skua_pool *pool;
	skua_future *fs[JOBS];
	long gathered[JOBS], total = 0, total2 = 0;
	int rc;

	if ((rc = skua_pool_create(NULL, &pool)) != 0) {
		fprintf(stderr, "skua_pool_create: %s\n", skua_strerror(rc));
		return 1;
	}

	/* Gather: wait for all, read the results in submission order. */
	if (submit_all(pool, fs) != 0)
		return 1;
	if ((rc = skua_future_wait_all(fs, JOBS)) != 0)
		return 1;
	printf("gathered:");
	for (size_t k = 0; k < JOBS; k++) {
		void *r;
		skua_future_get(fs[k], &r);
		gathered[k] = (long)(uintptr_t)r;
		total += gathered[k];
		printf(" %ld", gathered[k]);
		skua_future_release(fs[k]);
	}
	printf("\ntotal %ld\n", total);

	/* As completed: take the done ones, NULL them out, repeat. */
	if (submit_all(pool, fs) != 0)
		return 1;
	int bad = 0;
	for (size_t left = JOBS; left > 0; left--) {
		size_t i;
		void *r;
		if ((rc = skua_future_wait_any(fs, JOBS, &i)) != 0)
			return 1;
		skua_future_get(fs[i], &r);
		printf("completed: job %zu -> %ld\n", i, (long)(uintptr_t)r);
		if ((long)(uintptr_t)r != gathered[i])
			bad = 1;
		total2 += (long)(uintptr_t)r;
		skua_future_release(fs[i]);
		fs[i] = NULL;
	}
	skua_pool_destroy(pool);
	/* pi(800000) = 63951 */
	if (bad || total != 63951 || total2 != total) {
		printf("FAIL\n");
		return 1;
	}
	printf("as completed: total %ld\nOK\n", total2);
	return 0;
}
