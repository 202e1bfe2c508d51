/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/imap_bench.c - skua_imap against skua_parallel_map over a
 * materialised array, and primes below 10^6 through imap (issue 14).
 *
 *   cc -O2 -std=gnu11 -I include docs/data/src/imap_bench.c \
 *       BUILD/libskua.a -ljemalloc -lpthread -o /tmp/imap_bench
 *   /tmp/imap_bench [items] [rounds]      (default 10^7, 5)
 *
 * Prints, at 1 and 2 workers, the median items per second of: a cheap
 * item (x / 2) through skua_imap with windows 64 and 4096, through
 * skua_imap_unordered with 4096, and skua_parallel_map over the same items
 * already in an array; then primes below 10^6 by trial division through
 * skua_imap (window 1024) and skua_parallel_map, with the RSS after each.
 */
#include <skua.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

static long rss_kib(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * 4;
}

struct gen {
	uintptr_t next, end;
	uint64_t sum;
};

static int next(void *ctx, void **item)
{
	struct gen *g = ctx;
	if (g->next == g->end)
		return SKUA_IMAP_END;
	*item = (void *)g->next++;
	return 0;
}

static void *half(void *item, void *ctx)
{
	(void)ctx;
	return (void *)((uintptr_t)item / 2);
}

static int prime_test(uintptr_t n)
{
	if (n < 2)
		return 0;
	for (uintptr_t d = 2; d * d <= n; d++)
		if (n % d == 0)
			return 0;
	return 1;
}

static void *is_prime(void *item, void *ctx)
{
	(void)ctx;
	return (void *)(uintptr_t)prime_test((uintptr_t)item);
}

static int add(void *item, void *result, size_t seq, void *ctx)
{
	(void)item;
	(void)seq;
	((struct gen *)ctx)->sum += (uintptr_t)result;
	return 0;
}

static void half_map(const void *in, void *out, void *ctx)
{
	(void)ctx;
	*(uint64_t *)out = *(const uint64_t *)in / 2;
}

static void prime_map(const void *in, void *out, void *ctx)
{
	(void)ctx;
	*(uint64_t *)out = (uint64_t)prime_test((uintptr_t)*(const uint64_t *)in);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

enum { IMAP64, IMAP4K, UNORD4K, MAP, PRIMES_IMAP, PRIMES_MAP, NROWS };
static const char *row_name[] = { "imap window 64", "imap window 4096",
	"imap_unordered 4096", "parallel_map (array)",
	"primes<1e6 imap 1024", "primes<1e6 parallel_map" };

/* One timed run of row r; returns seconds, *check the answer. */
static double run(skua_pool *p, int r, size_t n, uint64_t *in, uint64_t *out,
    uint64_t *check)
{
	struct gen g = { 0, r >= PRIMES_IMAP ? 1000000 : n, 0 };
	double t0 = now();
	if (r == MAP || r == PRIMES_MAP) {
		size_t m = (size_t)g.end;
		skua_parallel_map(p, in, out, m, 8, 8, r == MAP ? half_map :
		    prime_map, NULL, NULL);
		for (size_t i = 0; i < m; i++)
			g.sum += out[i];
	} else if (r == UNORD4K) {
		skua_imap_unordered(p, next, half, add, &g, 4096);
	} else {
		skua_imap(p, next, r == PRIMES_IMAP ? is_prime : half, add, &g,
		    r == IMAP64 ? 64 : r == PRIMES_IMAP ? 1024 : 4096);
	}
	double dt = now() - t0;
	*check = g.sum;
	return dt;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	if (n < 1000000)
		n = 1000000;
	if (rounds < 1 || rounds > 64)
		rounds = 5;
	uint64_t *in = malloc(n * 8), *out = malloc(n * 8);
	if (in == NULL || out == NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		in[i] = i;
	printf("%zu items, median of %d rounds, items/s (RSS after)\n", n,
	    rounds);
	for (unsigned w = 1; w <= 2; w++) {
		skua_config cfg;
		skua_pool *p;
		skua_config_init(&cfg);
		cfg.workers = w;
		if (skua_pool_create(&cfg, &p) != 0)
			return 1;
		double t[NROWS][64];
		uint64_t want[NROWS];
		for (int k = 0; k < rounds; k++)
			for (int r = 0; r < NROWS; r++) {
				uint64_t c;
				t[r][k] = run(p, r, n, in, out, &c);
				if (k == 0)
					want[r] = c;
				else if (c != want[r])
					return 2;
			}
		for (int r = 0; r < NROWS; r++) {
			qsort(t[r], (size_t)rounds, sizeof t[r][0], cmp);
			double m = t[r][rounds / 2];
			size_t items = r >= PRIMES_IMAP ? 1000000 : n;
			printf("%u workers  %-24s %8.2f M items/s  %.4f s  "
			    "answer %llu\n", w, row_name[r], items / m / 1e6, m,
			    (unsigned long long)want[r]);
		}
		printf("%u workers  RSS %ld KiB (the arrays: %zu KiB)\n", w,
		    rss_kib(), 2 * n * 8 / 1024);
		skua_pool_destroy(p);
	}
	free(in);
	free(out);
	return 0;
}
