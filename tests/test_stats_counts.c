/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua_pool_stats against what happened (docs/api.md, "Statistics"):
 * idle_ns of a pool idle through a phase is that phase (the stretch a
 * worker is in counts up to the read: a copy before and after a phase,
 * subtracted, read 0 ms for 500 ms of two idle workers); and in a
 * fork/join run, counted by the tasks themselves, every fork that ran on
 * another worker than its parent's is one steal and one stolen join; and
 * a worker's idle_ns never goes down from one read to the next.
 * Usage: test_stats_counts [CASE]
 */
#include "test.h"

#include <skua/future.h>
#include <skua/stats.h>
#include <skua/task.h>

#include <pthread.h>
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

/* A reader beside workers that end and begin idle stretches all the time
 * (a future at a time from outside, so they wake, run it and sleep
 * again): each worker's idle_ns never goes down from one read to the
 * next, or "a copy before and after a phase, subtracted" wraps around.
 * (A review found reads that went down by whole stretches, up to
 * milliseconds: idle_ns loaded before a stretch's end added it and
 * idle_since after that end cleared it.) */
static _Atomic int reading_done;
static _Atomic long idle_decreases;

static void *read_idle_until_done(void *arg)
{
	skua_pool *p = arg;
	skua_worker_stats prev[2], cur[2];
	memset(prev, 0, sizeof prev);
	while (!atomic_load(&reading_done)) {
		ASSERT_OK(skua_pool_stats(p, cur, 2, NULL));
		for (int i = 0; i < 2; i++) {
			if (cur[i].idle_ns < prev[i].idle_ns)
				atomic_fetch_add(&idle_decreases, 1);
			prev[i] = cur[i];
		}
	}
	return NULL;
}

TEST_CASE(idle_ns_never_goes_down)
{
	skua_pool *p = test_pool(2);
	pthread_t t;
	atomic_store(&reading_done, 0);
	atomic_store(&idle_decreases, 0);
	ASSERT_EQ(pthread_create(&t, NULL, read_idle_until_done, p), 0);
	uint64_t end = test_now_ns() + 1500000000u;
	for (unsigned i = 0; test_now_ns() < end; i++) {
		skua_future *f;
		ASSERT_OK(skua_spawn(p, nothing, NULL, &f));
		ASSERT_OK(skua_future_get(f, NULL));
		ASSERT_OK(skua_future_release(f));
		if (i % 8 == 0)
			usleep(20); /* long enough for a worker to park */
	}
	atomic_store(&reading_done, 1);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	long d = atomic_load(&idle_decreases);
	if (d != 0)
		FAIL("a worker's idle_ns went down in %ld reads", d);
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(idle_ns_counts_a_stretch_still_open),
	TEST_ENTRY(stolen_forks_are_steals_and_stolen_joins),
	TEST_ENTRY(idle_ns_never_goes_down),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
