/* SPDX-License-Identifier: BSD-2-Clause */
/* tools/skua-bench/tbb_none.c - stubs when the build did not find oneTBB. */
#include "peers.h"

int skb_tbb_available(void) { return 0; }
long skb_tbb_fib(unsigned t, int n) { (void)t, (void)n; return -1; }
long skb_tbb_queens(unsigned t, int n) { (void)t, (void)n; return -1; }
long skb_tbb_queens_array(unsigned t, int n) { (void)t, (void)n; return -1; }
long skb_tbb_utree(unsigned t, uint32_t q) { (void)t, (void)q; return -1; }
long skb_tbb_primes(unsigned t, uint64_t n) { (void)t, (void)n; return -1; }
void skb_tbb_map(unsigned t, size_t n, double a, const double *x, double *y)
{
	(void)t, (void)n, (void)a, (void)x, (void)y;
}
void skb_tbb_matmul(unsigned t, size_t n, const double *a, const double *b,
    double *c)
{
	(void)t, (void)n, (void)a, (void)b, (void)c;
}
