/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/headers/autotask_partial.c - compiled only, with gcc and clang at
 * -std=c11 -Wall -Wextra -pedantic -Werror (tests/headers.cmake): tasks
 * that use only some of SPAWN, SYNC and CALL leave generated helpers
 * unused, which must not warn (clang's -Wunused-function did, for every
 * task but one using all three).
 */
#include "skua.h"

/* SPAWN and SYNC, no CALL (nqueens' shape). */
SKUA_TASK_2(long, count_down, int, n, int, k)
{
	if (n == 0)
		return 1;
	SKUA_FRAME(count_down) f;
	SKUA_SPAWN(count_down, &f, n - 1, k);
	return SKUA_SYNC(count_down, &f);
}

/* CALL only. */
SKUA_TASK_1(long, depth, int, n)
{
	return n == 0 ? 0 : 1 + SKUA_CALL(depth, n - 1);
}

/* All three. */
SKUA_TASK_1(long, fib, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(fib) a;
	SKUA_SPAWN(fib, &a, n - 1);
	long b = SKUA_CALL(fib, n - 2);
	return SKUA_SYNC(fib, &a) + b;
}

long skua_test_headers_use(void);
long skua_test_headers_use(void)
{
	return count_down_seq(3, 0) + depth_seq(3) + fib_seq(10);
}
