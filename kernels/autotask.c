/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernels/autotask.c - fib, nqueens (bit-mask and array board) and utree
 * written with skua/autotask.h (the automatic sequential cut-off), for the
 * `fib 35 auto`, `nqueens 13 auto` and `utree auto` rows of --report
 * (issue 12) and bench/forkjoin_peers.c's "skua auto" rows.  The same
 * kernels as forkjoin.c's, so the answers and the serial baselines are the
 * same.
 */
#include "kernels.h"

#include <alloca.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

SKUA_TASK_1(long, skb_afib, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(skb_afib) a;
	SKUA_SPAWN(skb_afib, &a, n - 1);
	long b = SKUA_CALL(skb_afib, n - 2);
	return SKUA_SYNC(skb_afib, &a) + b;
}

/* The bit-mask board of forkjoin.c's queens. */
SKUA_TASK_5(long, skb_aqueens, int, n, int, row, uint32_t, cols, uint32_t,
    d1, uint32_t, d2)
{
	if (row == n)
		return 1;
	/* At most n <= 16 children (the board's bits).  Sized to that, not
	 * to a round bound: the serial clone keeps this array too, and at
	 * [32] its stack frames (14 KB per call as gcc inlines 8 levels) made
	 * it 1.055x hand-written serial against 1.00-1.04x at [14]
	 * (docs/optimization-guide.md). */
	SKUA_FRAME(skb_aqueens) kids[16];
	int k = 0;
	for (int c = 0; c < n; c++) {
		uint32_t bc = 1u << c, b1 = 1u << (row + c),
		    b2 = 1u << (row - c + n - 1);
		if ((cols & bc) || (d1 & b1) || (d2 & b2))
			continue;
		SKUA_SPAWN(skb_aqueens, &kids[k], n, row + 1, cols | bc,
		    d1 | b1, d2 | b2);
		k++;
	}
	long total = 0;
	while (k > 0) {
		k--;
		total += SKUA_SYNC(skb_aqueens, &kids[k]);
	}
	return total;
}

/* The peers' array board, copied per child (forkjoin.c's qa_fj). */
SKUA_TASK_3(long, skb_aqueens_array, int, n, int, j, char *, a)
{
	if (n == j)
		return 1;
	SKUA_FRAME(skb_aqueens_array) kids[32];
	int k = 0;
	for (int i = 0; i < n; i++) {
		char *b = alloca((size_t)j + 1);
		memcpy(b, a, (size_t)j);
		b[j] = (char)i;
		if (!skb_queens_ok(j + 1, b))
			continue;
		SKUA_SPAWN(skb_aqueens_array, &kids[k], n, j + 1, b);
		k++;
	}
	long res = 0;
	while (k-- > 0)
		res += SKUA_SYNC(skb_aqueens_array, &kids[k]);
	return res;
}

long skb_queens_array_auto_fj(skua_worker *w, int n)
{
	char empty[1] = { 0 };
	return SKUA_ROOT(skb_aqueens_array, w, n, 0, empty);
}

SKUA_TASK_2(long, skb_autree, uint64_t, s, uint32_t, q)
{
	long count = 1;
	if (skb_splitmix64(s) % 1000000u >= q)
		return count;
	SKUA_FRAME(skb_autree) kids[5];
	for (int i = 0; i < 5; i++)
		SKUA_SPAWN(skb_autree, &kids[i], skb_splitmix64(s ^
		    ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL)), q);
	for (int i = 4; i >= 0; i--)
		count += SKUA_SYNC(skb_autree, &kids[i]);
	return count;
}

enum auto_kernel { AK_FIB, AK_QUEENS, AK_QUEENS_ARRAY, AK_UTREE };

struct auto_call {
	enum auto_kernel kernel;
	int n;
	uint32_t q;
	long r;
	SKUA_FRAME(skb_autree) *roots; /* utree: SKB_UTREE_ROOT_CHILDREN */
};

/* utree's root: its children as spawns of the root's frame, depth 0. */
static long utree_root(skua_worker *w, struct auto_call *c)
{
	long n = 1;
	for (int i = 0; i < SKB_UTREE_ROOT_CHILDREN; i++)
		skb_autree_spawn(w, 0, 0, &c->roots[i], skb_splitmix64(
		    SKB_UTREE_SEED ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL)),
		    c->q);
	for (int i = SKB_UTREE_ROOT_CHILDREN - 1; i >= 0; i--)
		n += skb_autree_sync(w, 0, &c->roots[i]);
	return n;
}

static void auto_entry(skua_worker *w, void *arg)
{
	struct auto_call *c = arg;
	switch (c->kernel) {
	case AK_FIB: c->r = SKUA_ROOT(skb_afib, w, c->n); break;
	case AK_QUEENS: c->r = SKUA_ROOT(skb_aqueens, w, c->n, 0, 0, 0, 0); break;
	case AK_QUEENS_ARRAY: c->r = skb_queens_array_auto_fj(w, c->n); break;
	case AK_UTREE: c->r = utree_root(w, c); break;
	}
}

static long auto_run(skua_pool *p, struct auto_call *c)
{
	int rc = skua_pool_run(p, auto_entry, c);
	return rc != 0 ? rc : c->r;
}

long skb_fib_auto(skua_pool *p, int n)
{
	struct auto_call c = { .kernel = AK_FIB, .n = n };
	return auto_run(p, &c);
}

long skb_queens_auto(skua_pool *p, int n)
{
	if (n < 1 || n > 16)
		return -EINVAL;
	struct auto_call c = { .kernel = AK_QUEENS, .n = n };
	return auto_run(p, &c);
}

long skb_queens_array_auto(skua_pool *p, int n)
{
	if (n < 1 || n > 32)
		return -EINVAL;
	struct auto_call c = { .kernel = AK_QUEENS_ARRAY, .n = n };
	return auto_run(p, &c);
}

long skb_utree_auto(skua_pool *p, uint32_t q)
{
	struct auto_call c = { .kernel = AK_UTREE, .q = q };
	c.roots = calloc(SKB_UTREE_ROOT_CHILDREN, sizeof *c.roots);
	if (c.roots == NULL)
		return -ENOMEM;
	long r = auto_run(p, &c);
	free(c.roots);
	return r;
}
