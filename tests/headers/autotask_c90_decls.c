/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/headers/autotask_c90_decls.c - compiled only, with
 * -Wdeclaration-after-statement -Werror added (tests/headers.cmake): a
 * project that keeps declarations first (git's DEVELOPER flags, kernel
 * style) can declare a task whose own body does too.  NAME_sync declared
 * its timer after its early returns, a warning in every such file that
 * the user could not move.
 */
#include "skua.h"

SKUA_TASK_1(long, dfib, int, n)
{
	SKUA_FRAME(dfib) a;
	long b;

	if (n < 2)
		return n;
	SKUA_SPAWN(dfib, &a, n - 1);
	b = SKUA_CALL(dfib, n - 2);
	return SKUA_SYNC(dfib, &a) + b;
}

long skua_test_headers_c90_use(void);
long skua_test_headers_c90_use(void)
{
	return dfib_seq(10);
}
