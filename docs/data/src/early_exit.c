/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/early_exit.c - a search that stops at its first hit
 * (skua_parallel_for_try) against the full loop (issue 14).
 *
 *   cc -O2 -std=gnu11 -I include docs/data/src/early_exit.c \
 *       BUILD/libskua.a -ljemalloc -lpthread -o /tmp/early_exit
 *   /tmp/early_exit [n] [rounds]      (default 10^8, 7; 2 workers)
 *
 * The property is "a[i] == key" over a pseudo-random array; the hit is at
 * index 1000.  Prints the median time of the search with the hit, of the
 * same search with no hit (the full loop), and their ratio.
 */
#include <skua.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct search {
	const uint32_t *a;
	uint32_t key;
};

static int body(size_t lo, size_t hi, void *ctx)
{
	const struct search *s = ctx;
	for (size_t i = lo; i < hi; i++)
		if (s->a[i] == s->key)
			return (int)(i + 1);
	return 0;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	if (n < 2000 || rounds < 1 || rounds > 64)
		return 2;
	uint32_t *a = malloc(n * sizeof *a);
	if (a == NULL)
		return 1;
	uint64_t x = 88172645463325252ull;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		a[i] = (uint32_t)(x % 0xFFFFFFF0u); /* never 0xFFFFFFFx */
	}
	a[1000] = 0xFFFFFFF1u;
	skua_config cfg;
	skua_pool *p;
	skua_config_init(&cfg);
	cfg.workers = 2;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	double hit[64], miss[64];
	for (int r = 0; r < rounds; r++) {
		struct search s = { a, 0xFFFFFFF1u }, m = { a, 0xFFFFFFF2u };
		double t0 = now();
		int rc = skua_parallel_for_try(p, 0, n, NULL, body, &s);
		double t1 = now();
		int rm = skua_parallel_for_try(p, 0, n, NULL, body, &m);
		double t2 = now();
		if (rc != 1001 || rm != 0)
			return 3;
		hit[r] = t1 - t0;
		miss[r] = t2 - t1;
	}
	qsort(hit, (size_t)rounds, sizeof hit[0], cmp);
	qsort(miss, (size_t)rounds, sizeof miss[0], cmp);
	printf("%zu elements, 2 workers, medians of %d: hit at 1000 %.3f ms, "
	    "no hit (the full loop) %.3f ms, ratio %.4f\n", n, rounds,
	    hit[rounds / 2] * 1e3, miss[rounds / 2] * 1e3,
	    hit[rounds / 2] / miss[rounds / 2]);
	skua_pool_destroy(p);
	free(a);
	return 0;
}
