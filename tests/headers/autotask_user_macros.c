/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/headers/autotask_user_macros.c - compiled only (tests/headers.cmake):
 * the autotask macros expand in the user's file, after the user's own
 * macros, so their attributes must be spelled __unused__ and
 * __always_inline__: with `unused` and `always_inline`, a program that
 * defines those words as macros (a common shorthand) did not compile.
 */
#define unused __attribute__((unused))
#define always_inline inline __attribute__((always_inline))
#include "skua.h"

SKUA_TASK_1(long, mfib, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(mfib) a;
	SKUA_SPAWN(mfib, &a, n - 1);
	long b = SKUA_CALL(mfib, n - 2);
	return SKUA_SYNC(mfib, &a) + b;
}

long skua_test_headers_macros_use(void);
long skua_test_headers_macros_use(void)
{
	return mfib_seq(10);
}
