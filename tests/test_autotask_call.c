/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/autotask.h: a SKUA_CALL below the cut runs its child's subtree as the
 * serial clone, like a SPAWN, and is timed like one: a serial subtree over
 * 32 targets always counts as a sample (skua/bits/autotask.h), whether it
 * came from SPAWN or CALL.  Before the fix CALL called NAME_seq directly,
 * untimed, so a large CALL-ed subtree below a cut learned from its small
 * spawned siblings was never seen: it ran serially in every run after the
 * first, for good (the fib idiom, SPAWN some children and CALL the last,
 * on a tree whose called child is the big one).
 */
#include "test.h"

static uint64_t spin(uint64_t s, long n)
{
	for (long i = 0; i < n; i++)
		s = (s ^ (s >> 29)) * 0xBF58476D1CE4E5B9ULL + (uint64_t)i;
	return s;
}

#define LEAVES 256
static long big_iters;
static _Atomic int big_serial; /* runs of the big child as the serial clone */

/* kind 0: a leaf of well under the target; 1: one piece of many targets;
 * 2: the root, LEAVES spawned leaves and the big piece CALL-ed, all at
 * depth 1. */
SKUA_TASK_2(long, askew, int, kind, uint64_t, s)
{
	if (kind == 0)
		return (long)(spin(s, 50) & 1);
	if (kind == 1) {
		if (skua__seq) /* the machinery's name: which clone runs */
			atomic_fetch_add(&big_serial, 1);
		return (long)(spin(s, big_iters) & 1) + 1000000;
	}
	SKUA_FRAME(askew) kids[LEAVES];
	for (int i = 0; i < LEAVES; i++)
		SKUA_SPAWN(askew, &kids[i], 0, s + (uint64_t)i);
	long total = SKUA_CALL(askew, 1, s);
	for (int i = LEAVES - 1; i >= 0; i--)
		total += SKUA_SYNC(askew, &kids[i]);
	return total;
}

static void run_root(skua_worker *w, void *arg)
{
	*(long *)arg = SKUA_ROOT(askew, w, 2, 99);
}

TEST_CASE(large_call_below_the_cut_is_sampled)
{
	/* Some ms serially: far over 32 targets (0.32 ms) on any machine. */
	big_iters = test_scale(3000000, 1000000);
	long want = askew_seq(2, 99);
	ASSERT(want >= 1000000);
	atomic_store(&big_serial, 0); /* the serial clone just counted one */
	/* One worker: no thief, so no demand and every join inline. */
	skua_pool *p = test_pool(1);
	int runs = 8;
	for (int k = 0; k < runs; k++) {
		long r = 0;
		ASSERT_OK(skua_pool_run(p, run_root, &r));
		ASSERT_EQ(r, want);
	}
	ASSERT_OK(skua_pool_destroy(p));
	/* Run 1 forks everything and learns a cut at depth 1 from the
	 * leaves' joins; run 2 then runs the big child serially, and that
	 * sample must move the cut off depth 1, so later runs fork it.  Not
	 * counted, it stayed serial in runs 2..8 (7 of 8). */
	int serial = atomic_load(&big_serial);
	printf("big child serial in %d of %d runs, cut %u\n", serial, runs,
	    atomic_load(&askew_auto.cut));
	ASSERT(serial <= 3);
}

static const struct test_case cases[] = {
	TEST_ENTRY(large_call_below_the_cut_is_sampled),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
