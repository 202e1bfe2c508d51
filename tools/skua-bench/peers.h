/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/peers.h - the same workloads on OpenMP (gcc's libgomp)
 * and oneTBB, for --compare.  Each is compiled only when the build found
 * the peer; the *_available() functions say which were.
 */
#ifndef SKUA_BENCH_PEERS_H
#define SKUA_BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

int skb_omp_available(void);
long skb_omp_fib(unsigned threads, int n);
long skb_omp_queens(unsigned threads, int n);
long skb_omp_queens_array(unsigned threads, int n);
long skb_omp_utree(unsigned threads, uint32_t q);
long skb_omp_primes(unsigned threads, uint64_t n);
void skb_omp_map(unsigned threads, size_t n, double a, const double *x,
    double *y);
void skb_omp_matmul(unsigned threads, size_t n, const double *a,
    const double *b, double *c);

int skb_tbb_available(void);
long skb_tbb_fib(unsigned threads, int n);
long skb_tbb_queens(unsigned threads, int n);
long skb_tbb_queens_array(unsigned threads, int n);
long skb_tbb_utree(unsigned threads, uint32_t q);
long skb_tbb_primes(unsigned threads, uint64_t n);
void skb_tbb_map(unsigned threads, size_t n, double a, const double *x,
    double *y);
void skb_tbb_matmul(unsigned threads, size_t n, const double *a,
    const double *b, double *c);

#ifdef __cplusplus
}
#endif
#endif
