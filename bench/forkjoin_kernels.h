/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/forkjoin_kernels.h - what bench/forkjoin_peers.c's kernels share
 * with their Lace forms: the queens check of the array board (Lace's and
 * BOTS's), kernels.h's skb_queens_ok, and the utree shape of
 * tools/skua-bench (seed 39, 2000 root children, 5 children with
 * probability q / 10^6; q = 199970 gives 14081686 nodes).
 */
#ifndef FORKJOIN_KERNELS_H
#define FORKJOIN_KERNELS_H

#include <stdint.h>

#include "kernels.h" /* skb_queens_ok: one check for skua's and Lace's */

#define FJK_TREE_SEED 39u
#define FJK_TREE_ROOTS 2000
#define FJK_TREE_ARITY 5
#define FJK_TREE_Q 199970u
#define FJK_TREE_NODES 14081686L

static inline uint64_t fjk_mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static inline uint64_t fjk_tree_child(uint64_t s, int i)
{
	return fjk_mix(s ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL));
}

static inline int fjk_tree_has_children(uint64_t s, uint32_t q)
{
	return fjk_mix(s) % 1000000u < q;
}

/* bench/forkjoin_lace.c, with -DSKUA_LACE_DIR */
void fj_lace_start(unsigned workers);
void fj_lace_stop(void);
void fj_lace_resume(void);
void fj_lace_suspend(void);
long fj_lace_fib(int n);
long fj_lace_queens(int n);
long fj_lace_tree(uint32_t q);

#endif
