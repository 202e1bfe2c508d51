/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Futures and fork/join in one frame, each forked task run exactly once:
 * - a future spawned between a fork and its join, and released (its entry
 *   sits above the fork in the deque: the join must run it, then take the
 *   fork back, not take the future instead);
 * - futures spawned and awaited between a fork and its join;
 * - a wait inside the frame (a blocking future) that helps: it may run the
 *   frame's own forks out of join order, and their joins must see that;
 * - a fork above a public future when a wait helps (take() must not drop
 *   the private part).
 * On 1 worker (no thief to hide mistakes) and on 2.
 */
#include "test.h"

#include <stdatomic.h>
#include <time.h>

typedef struct {
	skua_task task;
	int id;
} rec;

static _Atomic int runs[4];
static _Atomic int future_runs;
static _Atomic int flag;
static skua_pool *P;

static void msleep(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

static void rec_run(skua_worker *w, skua_task *t)
{
	(void)w;
	rec *r = (rec *)t;
	atomic_fetch_add(&runs[r->id], 1);
	if (r->id == 1)
		atomic_store(&flag, 1);
}

static void *count_future(void *a)
{
	atomic_fetch_add(&future_runs, 1);
	return a;
}

static void *blk_sleep(void *a)
{
	msleep(20);
	return a;
}

/* Waits until the frame's own fork B has run: only helping can run it. */
static void *blk_wait_flag(void *a)
{
	(void)a;
	for (int i = 0; i < 5000 && !atomic_load(&flag); i++)
		msleep(1);
	return (void *)(intptr_t)atomic_load(&flag);
}

static void reset(void)
{
	for (int i = 0; i < 4; i++)
		atomic_store(&runs[i], 0);
	atomic_store(&future_runs, 0);
	atomic_store(&flag, 0);
}

/* A future released between a fork and its join. */
static void scenario_release(skua_worker *w, void *arg)
{
	(void)arg;
	rec a = { .id = 0 };
	skua_future *f;
	skua_fork(w, &a.task, rec_run);
	ASSERT_OK(skua_spawn(P, count_future, NULL, &f));
	ASSERT_OK(skua_future_release(f));
	skua_join(w, &a.task);
	ASSERT_EQ(atomic_load(&runs[0]), 1);
}

/* Futures spawned and awaited between a fork and its join. */
static void scenario_get(skua_worker *w, void *arg)
{
	(void)arg;
	rec a = { .id = 0 };
	skua_future *f1, *f2;
	void *r1, *r2;
	skua_fork(w, &a.task, rec_run);
	ASSERT_OK(skua_spawn(P, count_future, (void *)1, &f1));
	ASSERT_OK(skua_spawn(P, count_future, (void *)2, &f2));
	ASSERT_OK(skua_future_get(f1, &r1));
	ASSERT_OK(skua_future_get(f2, &r2));
	ASSERT_EQ((intptr_t)r1 + (intptr_t)r2, 3);
	ASSERT_OK(skua_future_release(f1));
	ASSERT_OK(skua_future_release(f2));
	skua_join(w, &a.task);
	ASSERT_EQ(atomic_load(&runs[0]), 1);
}

/* A wait that helps may run the frame's own forks first. */
static void scenario_help(skua_worker *w, void *arg)
{
	(void)arg;
	rec a = { .id = 0 }, b = { .id = 1 };
	skua_future *f, *g;
	void *r;
	skua_fork(w, &a.task, rec_run);
	skua_fork(w, &b.task, rec_run);
	ASSERT_OK(skua_spawn(P, count_future, NULL, &f)); /* exposes a, b */
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_spawn_blocking(P, blk_wait_flag, NULL, &g));
	ASSERT_OK(skua_future_get(g, &r));
	ASSERT_EQ((intptr_t)r, 1); /* b ran while we waited */
	skua_join(w, &b.task);
	skua_join(w, &a.task);
	ASSERT_EQ(atomic_load(&runs[0]), 1);
	ASSERT_EQ(atomic_load(&runs[1]), 1);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_future_release(g));
}

/* A private fork above a public future while a wait helps. */
static void scenario_private(skua_worker *w, void *arg)
{
	(void)arg;
	rec a = { .id = 0 };
	skua_future *f, *g;
	ASSERT_OK(skua_spawn(P, count_future, NULL, &f));
	skua_fork(w, &a.task, rec_run);
	ASSERT_OK(skua_spawn_blocking(P, blk_sleep, NULL, &g));
	ASSERT_OK(skua_future_get(g, NULL));
	skua_join(w, &a.task);
	ASSERT_EQ(atomic_load(&runs[0]), 1);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_future_release(g));
}

/* Scenario s, 20 times on 1 worker (no thief to hide mistakes) and on 2;
 * futures: how many future runs it must see. */
static void run_scenario(void (*scenario)(skua_worker *, void *),
    int futures)
{
	for (unsigned n = 1; n <= 2; n++) {
		for (int rep = 0; rep < 20; rep++) {
			reset();
			skua_config cfg;
			skua_config_init(&cfg);
			cfg.workers = n;
			ASSERT_OK(skua_pool_create(&cfg, &P));
			ASSERT_OK(skua_pool_run(P, scenario, NULL));
			ASSERT_OK(skua_pool_destroy(P));
			if (atomic_load(&future_runs) != futures)
				FAIL("on %u workers: %d future runs", n,
				    atomic_load(&future_runs));
		}
		printf("on %u workers: ok\n", n);
	}
}

TEST_CASE(released_future_between_fork_and_join)
{
	run_scenario(scenario_release, 1);
}

TEST_CASE(futures_awaited_between_fork_and_join)
{
	run_scenario(scenario_get, 2);
}

TEST_CASE(helping_wait_runs_frame_forks_out_of_order)
{
	run_scenario(scenario_help, 1);
}

TEST_CASE(fork_above_public_future_keeps_private_part)
{
	run_scenario(scenario_private, 1);
}

static const struct test_case cases[] = {
	TEST_ENTRY(released_future_between_fork_and_join),
	TEST_ENTRY(futures_awaited_between_fork_and_join),
	TEST_ENTRY(helping_wait_runs_frame_forks_out_of_order),
	TEST_ENTRY(fork_above_public_future_keeps_private_part),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
