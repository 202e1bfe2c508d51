/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/omp.c - the workloads on OpenMP, for --compare.
 *
 * The same decompositions as skua's: a task per fork (fib, nqueens,
 * nqueens-array, utree, matmul, with taskwait as the join), a reduction loop for primes (dynamic
 * schedule, since the cost per element grows), a static loop for map.
 * Built with -fopenmp when CMake found OpenMP; otherwise every function is
 * a stub and skb_omp_available() says 0.
 */
#include "peers.h"
#include "kernels.h"

#ifdef _OPENMP
#include <alloca.h>
#include <omp.h>
#include <string.h>

int skb_omp_available(void)
{
	return 1;
}

static long fib_t(int n)
{
	if (n < 2)
		return n;
	long a, b;
#pragma omp task shared(a) firstprivate(n)
	a = fib_t(n - 1);
	b = fib_t(n - 2);
#pragma omp taskwait
	return a + b;
}

long skb_omp_fib(unsigned threads, int n)
{
	long r = 0;
#pragma omp parallel num_threads(threads)
#pragma omp single
	r = fib_t(n);
	return r;
}

static long queens_t(int n, int row, uint32_t cols, uint32_t d1, uint32_t d2)
{
	if (row == n)
		return 1;
	long counts[32];
	int k = 0;
	for (int c = 0; c < n; c++) {
		uint32_t bc = 1u << c, b1 = 1u << (row + c),
		    b2 = 1u << (row - c + n - 1);
		if ((cols & bc) || (d1 & b1) || (d2 & b2))
			continue;
		long *out = &counts[k++];
#pragma omp task firstprivate(out, n, row, cols, d1, d2, bc, b1, b2)
		*out = queens_t(n, row + 1, cols | bc, d1 | b1, d2 | b2);
	}
#pragma omp taskwait
	long total = 0;
	for (int i = 0; i < k; i++)
		total += counts[i];
	return total;
}

long skb_omp_queens(unsigned threads, int n)
{
	long r = 0;
#pragma omp parallel num_threads(threads)
#pragma omp single
	r = queens_t(n, 0, 0, 0, 0);
	return r;
}

/* The array board: a task per valid child (BENCHMARKS.md's structure, as
 * skua's and Lace's forms; BOTS' own kernel makes a task per column and
 * checks in the child), each with its own copy of the board (alloca in
 * this frame, alive until the taskwait), then one taskwait. */
static long queens_array_t(int n, int j, const char *a)
{
	if (n == j)
		return 1;
	long counts[32];
	int k = 0;
	for (int i = 0; i < n; i++) {
		char *b = alloca((size_t)j + 1);
		memcpy(b, a, (size_t)j);
		b[j] = (char)i;
		if (!skb_queens_ok(j + 1, b))
			continue;
		long *out = &counts[k++];
#pragma omp task firstprivate(out, n, j, b)
		*out = queens_array_t(n, j + 1, b);
	}
#pragma omp taskwait
	long total = 0;
	for (int i = 0; i < k; i++)
		total += counts[i];
	return total;
}

long skb_omp_queens_array(unsigned threads, int n)
{
	char empty[1] = { 0 };
	long r = 0;
#pragma omp parallel num_threads(threads)
#pragma omp single
	r = queens_array_t(n, 0, empty);
	return r;
}

static long utree_t(uint64_t s, uint32_t q)
{
	long n = 1;
	if (skb_splitmix64(s) % 1000000u < q) {
		long c[5];
		for (int i = 0; i < 5; i++) {
			uint64_t cs = skb_splitmix64(s ^ ((uint64_t)(i + 1) *
			    0x9E3779B97F4A7C15ULL));
			long *out = &c[i];
#pragma omp task firstprivate(out, cs, q)
			*out = utree_t(cs, q);
		}
#pragma omp taskwait
		for (int i = 0; i < 5; i++)
			n += c[i];
	}
	return n;
}

long skb_omp_utree(unsigned threads, uint32_t q)
{
	static long c[SKB_UTREE_ROOT_CHILDREN];
	long r = 1;
#pragma omp parallel num_threads(threads)
#pragma omp single
	{
		for (int i = 0; i < SKB_UTREE_ROOT_CHILDREN; i++) {
			uint64_t cs = skb_splitmix64(SKB_UTREE_SEED ^
			    ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL));
			long *out = &c[i];
#pragma omp task firstprivate(out, cs, q)
			*out = utree_t(cs, q);
		}
#pragma omp taskwait
		for (int i = 0; i < SKB_UTREE_ROOT_CHILDREN; i++)
			r += c[i];
	}
	return r;
}

long skb_omp_primes(unsigned threads, uint64_t n)
{
	long count = 0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1024) \
	reduction(+ : count)
	for (uint64_t i = 1; i < n; i++)
		count += skb_is_prime(i);
	return count;
}

void skb_omp_map(unsigned threads, size_t n, double a, const double *x,
    double *y)
{
#pragma omp parallel for num_threads(threads) schedule(static)
	for (size_t i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

static void mm_t(const double *a, const double *b, double *c, size_t m,
    size_t n, size_t k, size_t ld)
{
	size_t h;

	switch (skb_matmul_split(m, n, k)) {
	case SKB_MM_LEAF:
		skb_matmul_block(a, b, c, m, n, k, ld);
		break;
	case SKB_MM_SPLIT_N:
		h = n / 2;
#pragma omp task firstprivate(a, b, c, m, h, k, ld)
		mm_t(a, b, c, m, h, k, ld);
		mm_t(a, b + h, c + h, m, n - h, k, ld);
#pragma omp taskwait
		break;
	case SKB_MM_SPLIT_M:
		h = m / 2;
#pragma omp task firstprivate(a, b, c, h, n, k, ld)
		mm_t(a, b, c, h, n, k, ld);
		mm_t(a + h * ld, b, c + h * ld, m - h, n, k, ld);
#pragma omp taskwait
		break;
	default:
		h = k / 2;
		mm_t(a, b, c, m, n, h, ld);
		mm_t(a + h, b + h * ld, c, m, n, k - h, ld);
		break;
	}
}

void skb_omp_matmul(unsigned threads, size_t n, const double *a,
    const double *b, double *c)
{
#pragma omp parallel num_threads(threads)
#pragma omp single
	mm_t(a, b, c, n, n, n, n);
}

#else /* !_OPENMP */

int skb_omp_available(void) { return 0; }
long skb_omp_fib(unsigned t, int n) { (void)t, (void)n; return -1; }
long skb_omp_queens(unsigned t, int n) { (void)t, (void)n; return -1; }
long skb_omp_queens_array(unsigned t, int n) { (void)t, (void)n; return -1; }
long skb_omp_utree(unsigned t, uint32_t q) { (void)t, (void)q; return -1; }
long skb_omp_primes(unsigned t, uint64_t n) { (void)t, (void)n; return -1; }
void skb_omp_map(unsigned t, size_t n, double a, const double *x, double *y)
{
	(void)t, (void)n, (void)a, (void)x, (void)y;
}
void skb_omp_matmul(unsigned t, size_t n, const double *a, const double *b,
    double *c)
{
	(void)t, (void)n, (void)a, (void)b, (void)c;
}

#endif
