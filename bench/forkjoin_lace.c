/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/forkjoin_lace.c - the Lace side of bench/forkjoin_peers.c: the
 * same three kernels in Lace's SPAWN/CALL/SYNC (its benchmarks' shapes).
 * Built only with -DSKUA_LACE_DIR=<a Lace checkout>; Lace's code is never
 * part of skua.
 */
#include <lace.h>
#include <stdint.h>
#include <string.h>
#include <alloca.h>

#include "forkjoin_kernels.h"

TASK_1(int, lfib, int, n)
{
	if (n < 2)
		return n;
	SPAWN(lfib, n - 1);
	int k = CALL(lfib, n - 2);
	int m = SYNC(lfib);
	return m + k;
}

TASK_3(long, lqueens, int, n, int, j, char *, a)
{
	if (n == j)
		return 1;
	int k = 0;
	for (int i = 0; i < n; i++) {
		char *b = alloca((size_t)j + 1);
		memcpy(b, a, (size_t)j);
		b[j] = (char)i;
		if (skb_queens_ok(j + 1, b)) {
			k++;
			SPAWN(lqueens, n, j + 1, b);
		}
	}
	long res = 0;
	for (int i = 0; i < k; i++)
		res += SYNC(lqueens);
	return res;
}

TASK_2(long, ltree, uint64_t, s, uint32_t, q)
{
	long n = 1;
	if (fjk_tree_has_children(s, q)) {
		for (int i = 0; i < FJK_TREE_ARITY; i++)
			SPAWN(ltree, fjk_tree_child(s, i), q);
		for (int i = 0; i < FJK_TREE_ARITY; i++)
			n += SYNC(ltree);
	}
	return n;
}

TASK_1(long, lforest, uint32_t, q)
{
	long n = 1;
	for (int i = 0; i < FJK_TREE_ROOTS; i++)
		SPAWN(ltree, fjk_tree_child(FJK_TREE_SEED, i), q);
	for (int i = 0; i < FJK_TREE_ROOTS; i++)
		n += SYNC(ltree);
	return n;
}

void fj_lace_start(unsigned workers)
{
	lace_start(workers, 1u << 20);
	lace_suspend(); /* its idle workers spin: asleep while others run */
}

void fj_lace_resume(void)
{
	lace_resume();
}

void fj_lace_suspend(void)
{
	lace_suspend();
}

void fj_lace_stop(void)
{
	lace_resume();
	lace_stop();
}

long fj_lace_fib(int n)
{
	return RUN(lfib, n);
}

long fj_lace_queens(int n)
{
	return RUN(lqueens, n, 0, NULL);
}

long fj_lace_tree(uint32_t q)
{
	return RUN(lforest, q);
}
