/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernels/kernels.h - the reference kernels, serial and on skua, in one
 * internal static library (skua_kernels, not installed) that skua-bench,
 * the Google Benchmark harness and bench/soak.c in bench/, and the tests
 * (tests/test.h, tests/trace/) link, so that each kernel, fork/join fib
 * above all, is written once and checked the same way everywhere.
 *
 * Every kernel is plain C (the fork/join fast path in skua/task.h is C-only),
 * so the C++ Google Benchmark harness in bench/ calls them through this
 * header too.  The workloads are those of /work/shared/BENCHMARKS.md:
 *
 *   fib n       fork per call, no cut-off
 *   nqueens n   one task per valid placement at every level, no cut-off
 *               (a bit-mask board)
 *   nqueens-array n  the same task structure on the peers' array board,
 *               copied per child and rescanned per placement (Lace's and
 *               BOTS' kernel)
 *   utree Q     the unbalanced splitmix64 tree (root state 39, 2000
 *               children; other nodes 5 children with probability Q ppm)
 *   primes N    trial division over [1, N), a parallel reduce
 *   map n       y = 3*x + y over n doubles, a parallel loop (memory bound)
 *   matmul n    C += A*B, n x n doubles, recursive blocked fork/join
 *
 * The serial kernels are the plain serial C code of BENCHMARKS.md, built
 * with the same flags (-O2) as the library, with no runtime at all.
 */
#ifndef SKUA_KERNELS_H
#define SKUA_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "skua.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The numbers of BENCHMARKS.md. */
#define SKB_UTREE_SEED 39u
#define SKB_UTREE_ROOT_CHILDREN 2000
#define SKB_UTREE_Q 199970u
#define SKB_UTREE_NODES 14081686u

/* Monotonic clock in seconds. */
double skb_now(void);

/* fib */
long skb_fib_serial(int n);
/* fib(n) by fork/join from inside a task, one fork per call: the kernel
 * that the tests, the trace test and the microbenchmarks fork. */
long skb_fib_fj(skua_worker *w, int n);
/* Its task record, for code that forks a whole fib itself:
 * skua_fork(w, &t.task, skb_fib_task_run) computes t.r = fib(t.n). */
typedef struct skb_fib_task {
	skua_task task;
	int n;
	long r;
} skb_fib_task;
void skb_fib_task_run(skua_worker *w, skua_task *t);
long skb_fib_skua(skua_pool *p, int n); /* <0: a skua error code */
uint64_t skb_fib_forks(int n);           /* forks of fib(n) = fib calls/2 */

/* nqueens */
long skb_queens_serial(int n);
long skb_queens_skua(skua_pool *p, int n);
uint64_t skb_queens_forks(int n);        /* valid partial placements */
long skb_queens_known(int n);            /* OEIS A000170, -1 if unknown */

/* nqueens on the peers' array board: a[i] is the column of row i's queen;
 * each child gets its own copy of the board (alloca in the parent's
 * frame) with one more row, kept only if skb_queens_ok: 1 if none of the
 * n queens in a[0..n) attack each other.  The one check for every form:
 * kernels/, skua-bench's peers, bench/forkjoin_peers.c and its Lace twin. */
static inline int skb_queens_ok(int n, const char *a)
{
	for (int i = 0; i < n; i++) {
		char p = a[i];
		for (int j = i + 1; j < n; j++) {
			char q = a[j];
			if (q == p || q == p - (j - i) || q == p + (j - i))
				return 0;
		}
	}
	return 1;
}
long skb_queens_array_serial(int n);
/* From inside a task on worker w (as skb_fib_fj): the typed fork/join
 * form, and the skua/autotask.h form's root (autotask.c). */
long skb_queens_array_fj(skua_worker *w, int n);
long skb_queens_array_auto_fj(skua_worker *w, int n);
/* On pool p; < 0: a skua error code (-EINVAL unless 1 <= n <= 32). */
long skb_queens_array_skua(skua_pool *p, int n);
long skb_queens_array_auto(skua_pool *p, int n);

/* utree */
/* Inline, so that every form of utree (serial, skua, autotask, OpenMP,
 * TBB) compiles the same node body wherever it lives. */
static inline uint64_t skb_splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}
long skb_utree_serial(uint32_t q);
long skb_utree_skua(skua_pool *p, uint32_t q);
/* autotask.c: the same three kernels with skua/autotask.h. */
long skb_fib_auto(skua_pool *p, int n);
long skb_queens_auto(skua_pool *p, int n);
long skb_utree_auto(skua_pool *p, uint32_t q);

/* matmul: C[n*n] += A*B, row major. */
#ifdef __cplusplus
#define SKB_RESTRICT __restrict__
#else
#define SKB_RESTRICT restrict
#endif
void skb_matmul_serial(size_t n, const double *SKB_RESTRICT a,
    const double *SKB_RESTRICT b, double *SKB_RESTRICT c);
int skb_matmul_skua(skua_pool *p, size_t n, const double *a, const double *b,
    double *c);
/* The leaf kernel on a block (shared with the OpenMP and TBB versions). */
void skb_matmul_block(const double *SKB_RESTRICT a,
    const double *SKB_RESTRICT b, double *SKB_RESTRICT c, size_t m,
    size_t nn, size_t k, size_t ld);
/* Leaves: at most LEAF rows of C and of B (the inner dimension) and
 * LEAF_N columns, so that the innermost loop runs long and vectorised. */
#define SKB_MATMUL_LEAF 32
#define SKB_MATMUL_LEAF_N 256
/*
 * The recursive decomposition shared by skua, OpenMP and TBB: what to do
 * with C[m x n] += A[m x k] * B[k x n].  Columns and rows of C split in
 * parallel (disjoint outputs), the inner dimension k in sequence (both
 * halves add into the same C).
 */
enum { SKB_MM_LEAF, SKB_MM_SPLIT_N, SKB_MM_SPLIT_M, SKB_MM_SPLIT_K };
static inline int skb_matmul_split(size_t m, size_t n, size_t k)
{
	if (m <= SKB_MATMUL_LEAF && n <= SKB_MATMUL_LEAF_N &&
	    k <= SKB_MATMUL_LEAF)
		return SKB_MM_LEAF;
	if (n > SKB_MATMUL_LEAF_N && n / 4 >= m && n / 4 >= k)
		return SKB_MM_SPLIT_N;
	if (m >= k && m > SKB_MATMUL_LEAF)
		return SKB_MM_SPLIT_M;
	if (k > SKB_MATMUL_LEAF)
		return SKB_MM_SPLIT_K;
	return SKB_MM_SPLIT_N;
}

/* primes */
int skb_is_prime(uint64_t n);
long skb_primes_serial(uint64_t n);
long skb_primes_sieve(uint64_t n);       /* an independent check */
/* map: y[i] = a*x[i] + y[i] */
void skb_map_serial(size_t n, double a, const double *x, double *y);

/* Data-parallel versions (skua/parallel.h); chunk 0 is auto. */
long skb_primes_skua(skua_pool *p, uint64_t n, size_t chunk);
int skb_map_skua(skua_pool *p, size_t n, double a, const double *x,
    double *y, size_t chunk);
/* The call sites' names, for SKUA_CHUNK_SIZE_<SITE>. */
#define SKB_SITE_PRIMES "primes"
#define SKB_SITE_MAP "map"

#ifdef __cplusplus
}
#endif
#endif
