/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua_pool_stats against what happened (docs/api.md, "Statistics"):
 * idle_ns of a pool idle through a phase is that phase (the stretch a
 * worker is in counts up to the read: a copy before and after a phase,
 * subtracted, read 0 ms for 500 ms of two idle workers); and in a
 * fork/join run, counted by the tasks themselves, every fork that ran on
 * another worker than its parent's is one steal and one stolen join.
 * Usage: test_stats_counts [CASE]
 */
#include "test.h"

#include <skua/future.h>
#include <skua/stats.h>
#include <skua/task.h>

#include <stdatomic.h>
#include <unistd.h>

static void *nothing(void *arg)
{
	return arg;
}

TEST_CASE(idle_ns_counts_a_stretch_still_open)
{
	enum { WORKERS = 2, IDLE_MS = 300 };
	skua_pool *p = test_pool(WORKERS);
	skua_future *f;
	ASSERT_OK(skua_spawn(p, nothing, NULL, &f));
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_future_release(f));
	skua_worker_stats a, b;
	ASSERT_OK(skua_pool_stats(p, NULL, 0, &a));
	uint64_t t0 = test_now_ns();
	usleep(IDLE_MS * 1000);
	ASSERT_OK(skua_pool_stats(p, NULL, 0, &b));
	uint64_t wall = test_now_ns() - t0;
	/* Idle the whole time, as the clock says (a little over: the reads
	 * take their clock after t0 and before the end). */
	uint64_t idle = b.idle_ns - a.idle_ns;
	if (idle < wall * WORKERS * 9 / 10 || idle > wall * WORKERS + 2000000)
		FAIL("idle %.1f ms over %.1f ms of %d idle workers", idle / 1e6,
		    wall / 1e6, WORKERS);
	ASSERT_OK(skua_pool_destroy(p));
}

static _Atomic long moved;

struct node {
	skua_task task;
	int n;
	unsigned parent;
};

static void tree(skua_worker *w, int n);

static void node_run(skua_worker *w, skua_task *t)
{
	struct node *x = (struct node *)t;
	if (skua_worker_index(w) != x->parent)
		atomic_fetch_add_explicit(&moved, 1, memory_order_relaxed);
	tree(w, x->n);
}

static void tree(skua_worker *w, int n)
{
	if (n < 2) {
		test_spin_us(1);
		return;
	}
	struct node a = { .n = n - 1, .parent = skua_worker_index(w) };
	skua_fork(w, &a.task, node_run);
	tree(w, n - 2);
	skua_join(w, &a.task);
}

static void tree_entry(skua_worker *w, void *arg)
{
	tree(w, *(int *)arg);
}

TEST_CASE(stolen_forks_are_steals_and_stolen_joins)
{
	enum { RUNS = 10 };
	skua_pool *p = test_pool(4);
	int n = (int)test_scale(16, 12);
	for (int i = 0; i < RUNS; i++)
		ASSERT_OK(skua_pool_run(p, tree_entry, &n));
	skua_worker_stats t;
	ASSERT_OK(skua_pool_stats(p, NULL, 0, &t));
	long m = atomic_load(&moved);
	if ((long)t.steals != m || (long)t.joins_stolen != m)
		FAIL("%ld forks ran away from their parent: steals %llu, "
		    "joins_stolen %llu", m, (unsigned long long)t.steals,
		    (unsigned long long)t.joins_stolen);
	/* The runs' entries (futures from outside), and the stolen forks. */
	ASSERT_EQ((long)t.tasks_run, m + RUNS);
	ASSERT(t.steal_attempts >= t.steals);
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(idle_ns_counts_a_stretch_still_open),
	TEST_ENTRY(stolen_forks_are_steals_and_stolen_joins),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
