/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Blocking tasks, the cases an independent review found broken:
 * - a task forks a child, then blocks (begin/read/end) waiting for it on
 *   the only worker: the compensating spare must see the private fork;
 * - a blocking job waits for a blocking job spawned after it, far below
 *   the cap: two jobs must never share one thread;
 * - skua_pool_destroy from a blocking job returns -EDEADLK;
 * - outside threads waiting on a future while the pool is destroyed do not
 *   touch the freed pool (ASan checks it).
 */
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

static int fds[2];

static void writer(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
	ASSERT_EQ(write(fds[1], "x", 1), 1);
}

static void fork_then_block(skua_worker *w, void *arg)
{
	(void)arg;
	skua_task c;
	char b;
	skua_fork(w, &c, writer);
	ASSERT_OK(skua_blocking_begin());
	ssize_t n = read(fds[0], &b, 1);
	ASSERT_OK(skua_blocking_end());
	skua_join(w, &c);
	ASSERT_EQ(n, 1);
}

static sem_t sem;

static void *job_a(void *a)
{
	(void)a;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	return (void *)(intptr_t)(sem_timedwait(&sem, &ts) == 0);
}

static void *job_b(void *a)
{
	sem_post(&sem);
	return a;
}

static void *nop(void *a)
{
	return a;
}

static void *destroy_own(void *a)
{
	return (void *)(intptr_t)skua_pool_destroy(a);
}

static void *slow(void *a)
{
	usleep(2000);
	return a;
}

static void *waiter(void *a)
{
	ASSERT_OK(skua_future_get(a, NULL));
	return NULL;
}

TEST_CASE(spare_sees_private_fork_of_blocked_task)
{
	skua_pool *p = test_pool(1);
	for (int i = 0; i < 20; i++) {
		ASSERT_EQ(pipe(fds), 0);
		ASSERT_OK(skua_pool_run(p, fork_then_block, NULL));
		close(fds[0]);
		close(fds[1]);
	}
	ASSERT_OK(skua_pool_destroy(p));
	printf("fork then block on 1 worker: ok\n");
}

TEST_CASE(blocking_job_waits_for_later_job_on_own_thread)
{
	skua_pool *p;
	for (int i = 0; i < test_scale(40, 10); i++) {
		p = test_pool(1);
		ASSERT_EQ(sem_init(&sem, 0, 0), 0);
		skua_future *f0, *fa, *fb;
		void *r;
		/* One idle blocking thread first. */
		ASSERT_OK(skua_spawn_blocking(p, nop, NULL, &f0));
		ASSERT_OK(skua_future_get(f0, NULL));
		ASSERT_OK(skua_future_release(f0));
		usleep(500);
		ASSERT_OK(skua_spawn_blocking(p, job_a, NULL, &fa));
		ASSERT_OK(skua_spawn_blocking(p, job_b, NULL, &fb));
		ASSERT_OK(skua_future_get(fa, &r));
		ASSERT_EQ((intptr_t)r, 1); /* B ran while A waited */
		ASSERT_OK(skua_future_get(fb, NULL));
		ASSERT_OK(skua_future_release(fa));
		ASSERT_OK(skua_future_release(fb));
		ASSERT_OK(skua_pool_destroy(p));
		sem_destroy(&sem);
	}
	printf("a blocking job waiting for a later one: ok\n");
}

TEST_CASE(destroy_from_blocking_job_is_edeadlk)
{
	skua_pool *p;
	p = test_pool(1);
	skua_future *f;
	void *r;
	ASSERT_OK(skua_spawn_blocking(p, destroy_own, p, &f));
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_EQ((intptr_t)r, -EDEADLK);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_pool_destroy(p));
	printf("destroy from a blocking job: -EDEADLK\n");
}

TEST_CASE(outside_waiters_survive_destroy)
{
	skua_pool *p;
	skua_future *f;
	for (int i = 0; i < test_scale(100, 20); i++) {
		p = test_pool(1);
		ASSERT_OK(skua_spawn(p, slow, NULL, &f));
		enum { W = 8 };
		pthread_t t[W];
		for (int k = 0; k < W; k++)
			ASSERT_EQ(pthread_create(&t[k], NULL, waiter, f), 0);
		usleep(500);
		ASSERT_OK(skua_pool_destroy(p));
		for (int k = 0; k < W; k++)
			pthread_join(t[k], NULL);
		ASSERT_EQ(skua_future_done(f), 1);
		ASSERT_OK(skua_future_release(f));
	}
	printf("outside waiters during destroy: ok\n");
}

static const struct test_case cases[] = {
	TEST_ENTRY(spare_sees_private_fork_of_blocked_task),
	TEST_ENTRY(blocking_job_waits_for_later_job_on_own_thread),
	TEST_ENTRY(destroy_from_blocking_job_is_edeadlk),
	TEST_ENTRY(outside_waiters_survive_destroy),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
