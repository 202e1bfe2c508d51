/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A lock inside tasks (issue 15, docs/api.md "Locks inside tasks"): the
 * documented wrapper, task_lock(), which takes a contended pthread mutex
 * inside skua_blocking_begin/end, and the failure it prevents.
 *
 * The shape, on a fresh 2-worker pool: task H takes mutex M, spawns T1,
 * T2 and C (in that order, onto its own deque), and waits for C's result
 * inside blocking_begin/end (the documented way to hold a lock across a
 * wait: it runs nothing, and a spare takes H's place).  T1 and T2 want M.
 * The two threads free to run tasks (the other worker and H's spare)
 * steal the oldest entries first, T1 and T2, and block in M; C is queued
 * behind them and nobody is left to run it, so H never lets go of M:
 * - with a plain pthread_mutex_lock the pool is stuck (H's timed wait
 *   gives up after 300 ms, C never started; H then gives up M itself so
 *   the test can end);
 * - with task_lock each blocked T counts as blocking, spares run C, and H
 *   gets its result at once.
 * The join rule (a task that holds a lock across a fork and join runs,
 * inside the join, only the child's own work) is test_join_isolation's.
 */
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>

/* The documented wrapper (docs/api.md, docs/from-python.md "Lock"): an
 * uncontended lock costs one trylock; a contended one lets the pool start
 * a compensating worker while this one sleeps in the mutex. */
static void task_lock(pthread_mutex_t *m)
{
	if (pthread_mutex_trylock(m) == 0)
		return;
	int rc = skua_blocking_begin(); /* -EAGAIN at the cap: block anyway */
	pthread_mutex_lock(m);
	if (rc == 0)
		skua_blocking_end();
}

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static bool wrapped;
static _Atomic int c_ran, t_waiting;

static void *t_fn(void *arg)
{
	(void)arg;
	atomic_fetch_add(&t_waiting, 1);
	if (wrapped)
		task_lock(&m);
	else
		pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	return NULL;
}

static void *c_fn(void *arg)
{
	(void)arg;
	atomic_store(&c_ran, 1);
	return (void *)(intptr_t)42;
}

/* H: returns the result of its timed wait for C with M held. */
static void *h_fn(void *arg)
{
	skua_pool *p = arg;
	skua_future *t1, *t2, *c;
	void *v = NULL;

	pthread_mutex_lock(&m);
	ASSERT_OK(skua_spawn(p, t_fn, NULL, &t1));
	ASSERT_OK(skua_spawn(p, t_fn, NULL, &t2));
	ASSERT_OK(skua_spawn(p, c_fn, NULL, &c));
	ASSERT_OK(skua_blocking_begin());
	int rc = skua_future_get_timeout(c, &v, wrapped ? 30000000000u :
	    300000000u);
	ASSERT_OK(skua_blocking_end());
	pthread_mutex_unlock(&m);
	if (rc == 0)
		ASSERT_EQ((intptr_t)v, 42);
	skua_future *all[3] = { t1, t2, c };
	ASSERT_OK(skua_future_wait_all(all, 3));
	for (int i = 0; i < 3; i++)
		skua_future_release(all[i]);
	return (void *)(intptr_t)rc;
}

static int run_shape(bool use_wrapper)
{
	wrapped = use_wrapper;
	atomic_store(&c_ran, 0);
	atomic_store(&t_waiting, 0);
	skua_pool *p = test_pool(2); /* fresh: no spare left from before */
	skua_future *h;
	void *v;
	ASSERT_OK(skua_spawn(p, h_fn, p, &h));
	ASSERT_OK(skua_future_get(h, &v));
	skua_future_release(h);
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(atomic_load(&c_ran), 1);
	ASSERT_EQ(atomic_load(&t_waiting), 2);
	return (int)(intptr_t)v;
}

/* The failure: plain pthread_mutex_lock in T1 and T2. */
TEST_CASE(unwrapped_lock_stalls)
{
	int rounds = (int)test_scale(5, 2);
	for (int r = 0; r < rounds; r++)
		ASSERT_EQ(run_shape(false), -ETIMEDOUT);
	printf("plain mutex: C never ran while H held M (%d of %d rounds)\n",
	    rounds, rounds);
}

/* The fix: task_lock in T1 and T2. */
TEST_CASE(wrapped_lock_finishes)
{
	int rounds = (int)test_scale(50, 10);
	uint64_t t0 = test_now_ns();
	for (int r = 0; r < rounds; r++)
		ASSERT_OK(run_shape(true));
	printf("task_lock: %d of %d rounds finished, %.2f ms each\n", rounds,
	    rounds, (test_now_ns() - t0) / 1e6 / rounds);
}

/* The uncontended path is a trylock: no compensation, no spare. */
static void *count_locked(void *arg)
{
	long *counter = arg;
	for (int i = 0; i < 1000; i++) {
		task_lock(&m);
		(*counter)++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

TEST_CASE(wrapper_counts_exactly)
{
	skua_pool *p = test_pool(2);
	long counter = 0;
	skua_future *f[8];
	for (int i = 0; i < 8; i++)
		ASSERT_OK(skua_spawn(p, count_locked, &counter, &f[i]));
	ASSERT_OK(skua_future_wait_all(f, 8));
	for (int i = 0; i < 8; i++)
		skua_future_release(f[i]);
	ASSERT_EQ(counter, 8000);
	ASSERT_OK(skua_pool_destroy(p));
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		TEST_ENTRY(unwrapped_lock_stalls),
		TEST_ENTRY(wrapped_lock_finishes),
		TEST_ENTRY(wrapper_counts_exactly),
		TEST_END,
	};
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
