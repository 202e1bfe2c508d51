/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/workloads.c - the workload table: each workload's
 * sizes, its setup and answer check, and one run function of one
 * signature (long (wl_state *, const skb_exec *)) that calls the kernel
 * (kernels/, peers.h) for the phase's runner: serial, skua, OpenMP, TBB.
 */
#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* fib */
static int fib_setup(wl_state *s)
{
	long a = 0, b = 1;
	for (long i = 0; i < s->size; i++) {
		long t = a + b;
		a = b;
		b = t;
	}
	s->expected = a;
	return 0;
}

/* nqueens, and nqueens-array (the same answers) */
static int queens_setup(wl_state *s)
{
	s->expected = skb_queens_known((int)s->size);
	return 0;
}

/* utree: size is Q in parts per million. */
static int utree_setup(wl_state *s)
{
	/* Known for the reference Q; otherwise the serial run's answer. */
	s->expected = s->size == SKB_UTREE_Q ? (long)SKB_UTREE_NODES : -2;
	return 0;
}

/* primes */
static int primes_setup(wl_state *s)
{
	switch (s->size) {
	case 1000000: s->expected = 78498; break;
	case 2000000: s->expected = 148933; break;
	case 10000000: s->expected = 664579; break;
	default: s->expected = skb_primes_sieve((uint64_t)s->size); break;
	}
	return s->expected < 0 ? -1 : 0;
}

/* map: y = 3*x + y; after r runs y = y0 + 3*r*x, exact in doubles. */
#define MAP_A 3.0
static int map_setup(wl_state *s)
{
	size_t n = (size_t)s->size;
	s->x = malloc(n * sizeof(double));
	s->y = malloc(n * sizeof(double));
	if (s->x == NULL || s->y == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		s->x[i] = (double)(i % 7);
	s->expected = -1;
	return 0;
}
static void map_begin(wl_state *s)
{
	size_t n = (size_t)s->size;
	for (size_t i = 0; i < n; i++)
		s->y[i] = (double)(i % 5);
	s->runs = 0;
}
static int map_check(wl_state *s, char *msg, size_t len)
{
	size_t n = (size_t)s->size;
	for (size_t i = 0; i < n; i++) {
		double want = (double)(i % 5) + MAP_A * s->runs * (double)(i % 7);
		if (s->y[i] != want) {
			snprintf(msg, len, "y[%zu] = %.17g, expected %.17g after "
			    "%d runs", i, s->y[i], want, s->runs);
			return -1;
		}
	}
	return 0;
}

/* matmul: C += A*B with small integers, so every sum is exact. */
static int matmul_setup(wl_state *s)
{
	size_t n = (size_t)s->size;
	s->a = malloc(n * n * sizeof(double));
	s->b = malloc(n * n * sizeof(double));
	s->c = malloc(n * n * sizeof(double));
	s->ref = calloc(n * n, sizeof(double));
	if (s->a == NULL || s->b == NULL || s->c == NULL || s->ref == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			s->a[i * n + j] = (double)((int)((i * 7 + j * 3) % 11) - 5);
			s->b[i * n + j] = (double)((int)((i * 5 + j * 13) % 9) - 4);
		}
	skb_progress("matmul %zu: serial reference product", n);
	skb_matmul_serial(n, s->a, s->b, s->ref);
	s->expected = -1;
	return 0;
}
static void matmul_begin(wl_state *s)
{
	memset(s->c, 0, (size_t)s->size * (size_t)s->size * sizeof(double));
	s->runs = 0;
}
static int matmul_check(wl_state *s, char *msg, size_t len)
{
	size_t n = (size_t)s->size;
	for (size_t i = 0; i < n * n; i++) {
		double want = s->runs * s->ref[i];
		if (s->c[i] != want) {
			snprintf(msg, len, "C[%zu][%zu] = %.17g, expected %.17g "
			    "(%d runs of C += A*B)", i / n, i % n, s->c[i],
			    want, s->runs);
			return -1;
		}
	}
	return 0;
}

static void free_arrays(wl_state *s)
{
	free(s->x);
	free(s->y);
	free(s->a);
	free(s->b);
	free(s->c);
	free(s->ref);
	s->x = s->y = s->a = s->b = s->c = s->ref = NULL;
}


/* ---- one kernel signature: a workload run on the phase's runner --- */

static long fib_run(wl_state *s, const skb_exec *x)
{
	int n = (int)s->size;
	switch (x->runner) {
	case SKB_SERIAL: return skb_fib_serial(n);
	case SKB_SKUA: return skb_fib_skua(x->pool, n);
	case SKB_OPENMP: return skb_omp_fib(x->threads, n);
	case SKB_TBB: return skb_tbb_fib(x->threads, n);
	}
	return -EINVAL;
}

static long queens_run(wl_state *s, const skb_exec *x)
{
	int n = (int)s->size;
	switch (x->runner) {
	case SKB_SERIAL: return skb_queens_serial(n);
	case SKB_SKUA: return skb_queens_skua(x->pool, n);
	case SKB_OPENMP: return skb_omp_queens(x->threads, n);
	case SKB_TBB: return skb_tbb_queens(x->threads, n);
	}
	return -EINVAL;
}

/* The peers' array board, copied per child: Lace's and BOTS' kernel. */
static long queens_array_run(wl_state *s, const skb_exec *x)
{
	int n = (int)s->size;
	switch (x->runner) {
	case SKB_SERIAL: return skb_queens_array_serial(n);
	case SKB_SKUA: return skb_queens_array_skua(x->pool, n);
	case SKB_OPENMP: return skb_omp_queens_array(x->threads, n);
	case SKB_TBB: return skb_tbb_queens_array(x->threads, n);
	}
	return -EINVAL;
}

static long utree_run(wl_state *s, const skb_exec *x)
{
	uint32_t q = (uint32_t)s->size;
	switch (x->runner) {
	case SKB_SERIAL: return skb_utree_serial(q);
	case SKB_SKUA: return skb_utree_skua(x->pool, q);
	case SKB_OPENMP: return skb_omp_utree(x->threads, q);
	case SKB_TBB: return skb_tbb_utree(x->threads, q);
	}
	return -EINVAL;
}

static long primes_run(wl_state *s, const skb_exec *x)
{
	uint64_t n = (uint64_t)s->size;
	switch (x->runner) {
	case SKB_SERIAL: return skb_primes_serial(n);
	case SKB_SKUA: return skb_primes_skua(x->pool, n, x->chunk);
	case SKB_OPENMP: return skb_omp_primes(x->threads, n);
	case SKB_TBB: return skb_tbb_primes(x->threads, n);
	}
	return -EINVAL;
}

/* map and matmul have no scalar answer: each run is counted, and the
 * phase checks y or C once at its end (map_check, matmul_check). */
static long map_run(wl_state *s, const skb_exec *x)
{
	size_t n = (size_t)s->size;
	long rc = 0;
	switch (x->runner) {
	case SKB_SERIAL: skb_map_serial(n, MAP_A, s->x, s->y); break;
	case SKB_SKUA:
		rc = skb_map_skua(x->pool, n, MAP_A, s->x, s->y, x->chunk);
		break;
	case SKB_OPENMP: skb_omp_map(x->threads, n, MAP_A, s->x, s->y); break;
	case SKB_TBB: skb_tbb_map(x->threads, n, MAP_A, s->x, s->y); break;
	}
	s->runs++;
	return rc;
}

static long matmul_run(wl_state *s, const skb_exec *x)
{
	size_t n = (size_t)s->size;
	long rc = 0;
	switch (x->runner) {
	case SKB_SERIAL: skb_matmul_serial(n, s->a, s->b, s->c); break;
	case SKB_SKUA: rc = skb_matmul_skua(x->pool, n, s->a, s->b, s->c); break;
	case SKB_OPENMP: skb_omp_matmul(x->threads, n, s->a, s->b, s->c); break;
	case SKB_TBB: skb_tbb_matmul(x->threads, n, s->a, s->b, s->c); break;
	}
	s->runs++;
	return rc;
}

workload skb_workloads[SKB_NWORKLOADS] = {
	{ "fib", "n: fib(n), one fork per call", 35, 2, 45, false,
	  fib_setup, NULL, fib_run, NULL, NULL, 0 },
	{ "nqueens", "n: queens on an n x n board", 12, 4, 16, false,
	  queens_setup, NULL, queens_run, NULL, NULL, 0 },
	{ "nqueens-array", "n: queens on an n x n board, the board copied per "
	  "child (Lace's and BOTS' kernel)", 12, 4, 16, false, queens_setup,
	  NULL, queens_array_run, NULL, NULL, 0 },
	{ "utree", "Q: branching probability in ppm (199970 is the reference)",
	  SKB_UTREE_Q, 0, 199990, false, utree_setup, NULL, utree_run, NULL,
	  NULL, 0 },
	{ "primes", "N: count the primes below N", 2000000, 2, 1000000000L,
	  true, primes_setup, NULL, primes_run, NULL, NULL, 0 },
	{ "map", "n: doubles in x and y (24 bytes moved per element)",
	  10000000, 1, 1L << 31, true, map_setup, free_arrays, map_run,
	  map_begin, map_check, 0 },
	{ "matmul", "n: n x n doubles", 512, 1, 4096, false, matmul_setup,
	  free_arrays, matmul_run, matmul_begin, matmul_check, 0 },
};

int skb_workload_index(const char *name)
{
	for (int i = 0; i < SKB_NWORKLOADS; i++)
		if (strcmp(skb_workloads[i].name, name) == 0)
			return i;
	return -1;
}
