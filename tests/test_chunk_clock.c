/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The automatic chunk's target time follows the clock's cost (issue 11):
 * where a clock read costs more than 1% of SKUA_PAR_CHUNK_TARGET_NS the
 * target is raised to 100 reads, so the chunker's one read per chunk stays
 * under 1% of the chunk's time.
 */
#include "test.h"

#include "parallel.h"

/* The rule, exactly. */
TEST_CASE(target_rule)
{
	ASSERT_EQ(skua__par_chunk_target_for(0), SKUA_PAR_CHUNK_TARGET_NS);
	ASSERT_EQ(skua__par_chunk_target_for(25), SKUA_PAR_CHUNK_TARGET_NS);
	ASSERT_EQ(skua__par_chunk_target_for(SKUA_PAR_CHUNK_TARGET_NS / 100),
	    SKUA_PAR_CHUNK_TARGET_NS);
	ASSERT_EQ(skua__par_chunk_target_for(SKUA_PAR_CHUNK_TARGET_NS / 100 + 1),
	    (SKUA_PAR_CHUNK_TARGET_NS / 100 + 1) * 100);
	ASSERT_EQ(skua__par_chunk_target_for(2000), 200000); /* a syscall clock */
	ASSERT_EQ(skua__par_chunk_target_for(UINT64_MAX), 100000000);
	ASSERT_EQ(skua__par_chunk_target_for(UINT64_MAX / 50), 100000000);
}

static void body(size_t lo, size_t hi, void *ctx)
{
	__atomic_fetch_add((size_t *)ctx, hi - lo, __ATOMIC_RELAXED);
}

/* This process's target is the rule applied to a measured read, and an
 * automatic loop under it still covers its range exactly once. */
TEST_CASE(target_measured)
{
	skua_pool *p = test_pool(2);
	size_t n = 0;
	ASSERT_OK(skua_parallel_for(p, 0, 1000000, NULL, body, &n));
	ASSERT_EQ(n, 1000000);
	uint64_t t = skua__par_chunk_target();
	ASSERT(t >= SKUA_PAR_CHUNK_TARGET_NS && t <= 100000000);
	ASSERT_EQ(skua__par_chunk_target(), t); /* measured once */
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(target_rule),
	TEST_ENTRY(target_measured),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
