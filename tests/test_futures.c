/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Futures: spawned from 4 outside threads at once, gathered with
 * wait_all, taken as they complete with wait_any, spawned and awaited from
 * inside tasks (nested), awaited by several threads at once; error codes.
 */
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

static void *square(void *arg)
{
	uintptr_t x = (uintptr_t)arg;
	return (void *)(x * x);
}

static _Atomic long ran;

static void *count_and_return(void *arg)
{
	atomic_fetch_add(&ran, 1);
	return arg;
}

struct submitter {
	skua_pool *pool;
	unsigned id;
	long sum;
};

static void *submitter_main(void *a)
{
	struct submitter *s = a;
	enum { N = 500 };
	skua_future *fs[N];
	for (uintptr_t i = 0; i < N; i++)
		ASSERT_OK(skua_spawn(s->pool, square,
		    (void *)(i + s->id * 1000), &fs[i]));
	ASSERT_OK(skua_future_wait_all(fs, N));
	for (uintptr_t i = 0; i < N; i++) {
		void *r;
		ASSERT_EQ(skua_future_done(fs[i]), 1);
		ASSERT_OK(skua_future_get(fs[i], &r));
		uintptr_t x = i + s->id * 1000;
		ASSERT_EQ((uintptr_t)r, x * x);
		s->sum += (long)(uintptr_t)r;
		ASSERT_OK(skua_future_release(fs[i]));
	}
	return NULL;
}

/* A task that spawns children and gathers them: nested futures. */
static void *tree(void *arg)
{
	uintptr_t depth = (uintptr_t)arg;
	if (depth == 0)
		return (void *)1;
	skua_pool *p = skua_worker_pool(skua_worker_current());
	ASSERT(p != NULL);
	skua_future *a, *b;
	ASSERT_OK(skua_spawn(p, tree, (void *)(depth - 1), &a));
	ASSERT_OK(skua_spawn(p, tree, (void *)(depth - 1), &b));
	void *ra, *rb;
	ASSERT_OK(skua_future_get(b, &rb));
	ASSERT_OK(skua_future_get(a, &ra));
	skua_future_release(a);
	skua_future_release(b);
	return (void *)((uintptr_t)ra + (uintptr_t)rb);
}

static void *slow_value(void *arg)
{
	usleep((useconds_t)(uintptr_t)arg);
	return arg;
}

struct getter {
	skua_future *f;
	void *r;
};

static void *getter_main(void *a)
{
	struct getter *g = a;
	ASSERT_OK(skua_future_get(g->f, &g->r));
	return NULL;
}

TEST_CASE(four_outside_threads_spawn_at_once)
{
	skua_pool *p = test_pool(2);
	/* 4 outside threads at once. */
	struct submitter s[4];
	pthread_t th[4];
	for (unsigned i = 0; i < 4; i++) {
		s[i] = (struct submitter){ p, i, 0 };
		ASSERT_EQ(pthread_create(&th[i], NULL, submitter_main, &s[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		long want = 0;
		for (long k = 0; k < 500; k++)
			want += (k + i * 1000) * (k + i * 1000);
		ASSERT_EQ(s[i].sum, want);
	}
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(wait_any_yields_every_future_once)
{
	skua_pool *p = test_pool(2);
	/* as_completed: every future comes out exactly once. */
	enum { M = 64 };
	skua_future *fs[M];
	int got[M] = { 0 };
	for (uintptr_t i = 0; i < M; i++)
		ASSERT_OK(skua_spawn(p, slow_value, (void *)((M - i) * 50), &fs[i]));
	for (int k = 0; k < M; k++) {
		size_t idx = SIZE_MAX;
		ASSERT_OK(skua_future_wait_any(fs, M, &idx));
		ASSERT(idx < M);
		ASSERT_EQ(skua_future_done(fs[idx]), 1);
		void *r;
		ASSERT_OK(skua_future_get(fs[idx], &r));
		ASSERT_EQ((uintptr_t)r, (M - idx) * 50);
		got[idx]++;
		ASSERT_OK(skua_future_release(fs[idx]));
		fs[idx] = NULL;
	}
	for (int i = 0; i < M; i++)
		ASSERT_EQ(got[i], 1);
	size_t idx;
	ASSERT_EQ(skua_future_wait_any(fs, M, &idx), -EINVAL); /* all NULL */
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(futures_spawned_and_awaited_inside_tasks)
{
	skua_pool *p = test_pool(2);
	/* Nested: 2^10 leaves through futures spawned inside tasks. */
	skua_future *root;
	void *r;
	ASSERT_OK(skua_spawn(p, tree, (void *)10, &root));
	ASSERT_OK(skua_future_get(root, &r));
	ASSERT_EQ((uintptr_t)r, 1024);
	ASSERT_OK(skua_future_release(root));
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(several_threads_wait_on_one_future)
{
	skua_pool *p = test_pool(2);
	pthread_t th[3];
	/* Several threads wait on one future. */
	skua_future *shared;
	ASSERT_OK(skua_spawn(p, slow_value, (void *)20000, &shared));
	struct getter g[3];
	for (int i = 0; i < 3; i++) {
		g[i] = (struct getter){ shared, NULL };
		ASSERT_EQ(pthread_create(&th[i], NULL, getter_main, &g[i]), 0);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		ASSERT_EQ((uintptr_t)g[i].r, 20000);
	}
	ASSERT_OK(skua_future_release(shared));
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(released_unrun_future_still_runs_once)
{
	skua_pool *p = test_pool(2);
	/* Released before it ran: it still runs exactly once. */
	atomic_store(&ran, 0);
	for (int i = 0; i < 1000; i++) {
		skua_future *f;
		ASSERT_OK(skua_spawn(p, count_and_return, NULL, &f));
		ASSERT_OK(skua_future_release(f));
	}
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(atomic_load(&ran), 1000); /* destroy waited for them */
}

TEST_CASE(null_arguments_are_einval)
{
	skua_pool *p = test_pool(2);
	void *r;
	size_t idx;
	/* Errors. */
	skua_future *f = (skua_future *)1;
	ASSERT_EQ(skua_spawn(NULL, square, NULL, &f), -EINVAL);
	ASSERT(f == NULL);
	ASSERT_EQ(skua_spawn(p, NULL, NULL, &f), -EINVAL);
	ASSERT_EQ(skua_spawn(p, square, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_future_get(NULL, &r), -EINVAL);
	ASSERT_EQ(skua_future_done(NULL), -EINVAL);
	ASSERT_EQ(skua_future_release(NULL), -EINVAL);
	ASSERT_EQ(skua_future_wait_all(NULL, 3), -EINVAL);
	ASSERT_EQ(skua_future_wait_all(NULL, 0), 0);
	ASSERT_EQ(skua_future_wait_any(NULL, 3, &idx), -EINVAL);
	skua_future *one[2] = { NULL, NULL };
	ASSERT_EQ(skua_future_wait_all(one, 2), -EINVAL);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(outside_wait_any_across_two_pools)
{
	skua_pool *p = test_pool(2);
	size_t idx;
	/* An outside thread waits on futures of two pools at once. */
	skua_pool *q = test_pool(1);
	skua_future *two[2];
	ASSERT_OK(skua_spawn(p, slow_value, (void *)300000, &two[0]));
	ASSERT_OK(skua_spawn(q, slow_value, (void *)10000, &two[1]));
	ASSERT_OK(skua_future_wait_any(two, 2, &idx));
	ASSERT_EQ(idx, 1);
	ASSERT_OK(skua_future_wait_all(two, 2));
	ASSERT_OK(skua_future_release(two[0]));
	ASSERT_OK(skua_future_release(two[1]));
	ASSERT_OK(skua_pool_destroy(q));
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(four_outside_threads_spawn_at_once),
	TEST_ENTRY(wait_any_yields_every_future_once),
	TEST_ENTRY(futures_spawned_and_awaited_inside_tasks),
	TEST_ENTRY(several_threads_wait_on_one_future),
	TEST_ENTRY(released_unrun_future_still_runs_once),
	TEST_ENTRY(null_arguments_are_einval),
	TEST_ENTRY(outside_wait_any_across_two_pools),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
