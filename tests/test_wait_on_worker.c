/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a worker does while it waits (get, wait_all, wait_any, a loop on
 * another pool): it helps its own pool whatever pool the futures belong
 * to, it first makes its frame's private forks runnable, wait_any returns
 * the lowest done index, a long wait sleeps instead of spinning, and a
 * wait for the task that runs below the waiter on its stack is -EDEADLK.
 * Each case would hang or fail on the code before the fix (issue 10,
 * bugs 2, 3 and 6); waits for events are bounded, so a wrong scheduler
 * fails a check instead of hanging (the watchdog catches the rest).
 */
#include "test.h"
#include "worker.h" /* the demand flag, for one case */

#include <errno.h>
#include <time.h>

#define WAIT_MS 3000 /* how long a task waits for an event before failing */

static _Atomic int flag_a, flag_b, release_q;

static void reset(void)
{
	atomic_store(&flag_a, 0);
	atomic_store(&flag_b, 0);
	atomic_store(&release_q, 0);
}

static skua_pool *pool_p, *pool_q;

/* ---- bug 2: the first future belongs to another pool ------------------ */

static void *set_a(void *arg)
{
	(void)arg;
	atomic_store(&flag_a, 1);
	return NULL;
}

/* fq: done once fp ran (bounded); its result says whether it saw that. */
static void *wait_for_a(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)test_spin_until(&flag_a, WAIT_MS);
}

static void *wait_for_release(void *arg)
{
	(void)arg;
	test_spin_until(&release_q, WAIT_MS);
	return NULL;
}

static void *all_other_first(void *arg)
{
	(void)arg;
	skua_future *fp, *fq;
	ASSERT_OK(skua_spawn(pool_p, set_a, NULL, &fp));
	ASSERT_OK(skua_spawn(pool_q, wait_for_a, NULL, &fq));
	skua_future *fs[2] = { fq, fp };
	ASSERT_OK(skua_future_wait_all(fs, 2));
	void *saw;
	ASSERT_OK(skua_future_get(fq, &saw));
	ASSERT(saw != NULL); /* fp ran while we waited for fq first */
	skua_future_release(fp);
	skua_future_release(fq);
	return NULL;
}

static void *any_other_first(void *arg)
{
	(void)arg;
	skua_future *fp, *fq;
	ASSERT_OK(skua_spawn(pool_p, set_a, NULL, &fp));
	ASSERT_OK(skua_spawn(pool_q, wait_for_release, NULL, &fq));
	skua_future *fs[2] = { fq, fp };
	size_t index = 99;
	ASSERT_OK(skua_future_wait_any(fs, 2, &index));
	/* fp finishes here while fq still waits for its release. */
	ASSERT_EQ(index, 1);
	ASSERT_EQ(skua_future_done(fq), 0);
	atomic_store(&release_q, 1);
	ASSERT_OK(skua_future_get(fq, NULL));
	skua_future_release(fp);
	skua_future_release(fq);
	return NULL;
}

static void run_on_p(skua_fn fn)
{
	pool_p = test_pool(1);
	pool_q = test_pool(1);
	reset();
	skua_future *f;
	ASSERT_OK(skua_spawn(pool_p, fn, NULL, &f));
	ASSERT_OK(skua_future_get(f, NULL));
	skua_future_release(f);
	ASSERT_OK(skua_pool_destroy(pool_q));
	ASSERT_OK(skua_pool_destroy(pool_p));
}

TEST_CASE(wait_all_other_pool_first)
{
	run_on_p(all_other_first);
}

TEST_CASE(wait_any_other_pool_first)
{
	run_on_p(any_other_first);
}

/* ---- bug 3: a private fork stays invisible while its frame waits ------ */

static void b_run(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
	atomic_store(&flag_b, 1);
}

static void *wait_for_b(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)test_spin_until(&flag_b, WAIT_MS);
}

static void *started_then_wait_for_b(void *arg)
{
	(void)arg;
	atomic_store(&flag_a, 1);
	return (void *)(intptr_t)test_spin_until(&flag_b, WAIT_MS);
}

/* fork(B), then a blocking job that waits for B, then get of that job. */
static void fork_then_blocking_get(skua_worker *w, void *arg)
{
	(void)arg;
	skua_task b;
	skua_future *g;
	void *saw;
	skua_fork(w, &b, b_run);
	ASSERT_OK(skua_spawn_blocking(skua_worker_pool(w), wait_for_b, NULL,
	    &g));
	ASSERT_OK(skua_future_get(g, &saw));
	skua_join(w, &b);
	ASSERT(saw != NULL);
	skua_future_release(g);
}

TEST_CASE(private_fork_blocking_get)
{
	for (unsigned workers = 1; workers <= 2; workers++) {
		skua_pool *p = test_pool(workers);
		for (int round = 0; round < 5; round++) {
			reset();
			ASSERT_OK(skua_pool_run(p, fork_then_blocking_get,
			    NULL));
		}
		ASSERT_OK(skua_pool_destroy(p));
	}
}

/* A future already running elsewhere waits for B, forked after it. */
static void fork_then_get_running(skua_worker *w, void *arg)
{
	(void)arg;
	skua_future *f;
	void *saw;
	skua_task b;
	ASSERT_OK(skua_spawn(skua_worker_pool(w), started_then_wait_for_b,
	    NULL, &f));
	/* Another worker must take f: we only spin, we run nothing. */
	ASSERT(test_spin_until(&flag_a, WAIT_MS));
	/* Let the idle third worker park, and forget its old request, so
	 * that no thief asks for B: only the wait itself can expose it. */
	usleep(5000);
	atomic_store(&((struct skua__whot *)w)->demand, 0);
	skua_fork(w, &b, b_run);
	ASSERT_OK(skua_future_get(f, &saw));
	skua_join(w, &b);
	ASSERT(saw != NULL);
	skua_future_release(f);
}

TEST_CASE(private_fork_get_running)
{
	skua_pool *p = test_pool(3);
	for (int round = 0; round < 5; round++) {
		reset();
		ASSERT_OK(skua_pool_run(p, fork_then_get_running, NULL));
	}
	ASSERT_OK(skua_pool_destroy(p));
}

static _Atomic int body_saw;

static void body_wait_for_b(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	for (size_t i = lo; i < hi; i++)
		atomic_fetch_add(&body_saw, test_spin_until(&flag_b, WAIT_MS));
}

/* A loop on another pool whose body waits for our private fork. */
static void fork_then_loop_elsewhere(skua_worker *w, void *arg)
{
	(void)arg;
	skua_task b;
	skua_fork(w, &b, b_run);
	ASSERT_OK(skua_parallel_for(pool_q, 0, 4, NULL, body_wait_for_b,
	    NULL));
	skua_join(w, &b);
}

TEST_CASE(private_fork_loop_other_pool)
{
	pool_p = test_pool(1);
	pool_q = test_pool(1);
	reset();
	atomic_store(&body_saw, 0);
	ASSERT_OK(skua_pool_run(pool_p, fork_then_loop_elsewhere, NULL));
	ASSERT_EQ(atomic_load(&body_saw), 4);
	ASSERT_OK(skua_pool_destroy(pool_q));
	ASSERT_OK(skua_pool_destroy(pool_p));
}

/* ---- bug 6: wait_any returns the lowest done index -------------------- */

/* fs[0]: runs elsewhere, done once fs[1] has started. */
static void *first_waits_second(void *arg)
{
	(void)arg;
	atomic_store(&flag_a, 1);
	test_spin_until(&flag_b, WAIT_MS);
	return NULL;
}

static skua_future *lowest_fs[2];

/* fs[1]: run inline by the waiter; returns once fs[0] is done. */
static void *second_waits_first(void *arg)
{
	(void)arg;
	atomic_store(&flag_b, 1);
	uint64_t end = test_now_ns() + (uint64_t)WAIT_MS * 1000000u;
	while (skua_future_done(lowest_fs[0]) != 1 && test_now_ns() < end)
		;
	return NULL;
}

static void wait_any_lowest(skua_worker *w, void *arg)
{
	(void)arg;
	skua_pool *p = skua_worker_pool(w);
	ASSERT_OK(skua_spawn(p, first_waits_second, NULL, &lowest_fs[0]));
	ASSERT(test_spin_until(&flag_a, WAIT_MS)); /* running elsewhere */
	ASSERT_OK(skua_spawn(p, second_waits_first, NULL, &lowest_fs[1]));
	size_t index = 99;
	ASSERT_OK(skua_future_wait_any(lowest_fs, 2, &index));
	/* Both are done by now: the lowest index is the answer. */
	ASSERT_EQ(skua_future_done(lowest_fs[0]), 1);
	ASSERT_EQ(index, 0);
	ASSERT_OK(skua_future_wait_all(lowest_fs, 2));
	skua_future_release(lowest_fs[0]);
	skua_future_release(lowest_fs[1]);
}

TEST_CASE(wait_any_lowest_index)
{
	skua_pool *p = test_pool(2);
	for (int round = 0; round < 5; round++) {
		reset();
		ASSERT_OK(skua_pool_run(p, wait_any_lowest, NULL));
	}
	ASSERT_OK(skua_pool_destroy(p));
}

/* ---- a long wait on a worker sleeps ------------------------------------ */

static void *sleep_300ms(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 300000000 };
	nanosleep(&ts, NULL);
	return NULL;
}

static double thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double waiter_cpu_ms;

static void get_blocking_job(skua_worker *w, void *arg)
{
	(void)arg;
	skua_future *g;
	ASSERT_OK(skua_spawn_blocking(skua_worker_pool(w), sleep_300ms, NULL,
	    &g));
	double c0 = thread_cpu_ms();
	ASSERT_OK(skua_future_get(g, NULL));
	waiter_cpu_ms = thread_cpu_ms() - c0;
	skua_future_release(g);
}

/* A resource count, not a timing: the waiting worker's own CPU time over
 * a 300 ms wait (it was ~300 ms of spinning and yielding before). */
TEST_CASE(long_wait_sleeps)
{
	skua_pool *p = test_pool(2);
	ASSERT_OK(skua_pool_run(p, get_blocking_job, NULL));
	printf("worker CPU over a 300 ms wait: %.1f ms\n", waiter_cpu_ms);
	ASSERT(waiter_cpu_ms < 100);
	/* The pool still computes after its worker slept in a wait. */
	struct fib_call c = { .n = 20 };
	ASSERT_OK(skua_pool_run(p, fib_entry, &c));
	ASSERT_EQ(c.r, 6765);
	ASSERT_OK(skua_pool_destroy(p));
}

/* ---- a wait for the task that the wait runs inside ----------------------
 * x's task waits for a blocking job; its wait runs y, which waits for x:
 * x resumes only once y returns, so y's untimed wait could never end.  It
 * is -EDEADLK at once (get, wait_all, wait_any, a timeout of UINT64_MAX
 * or one that wraps the clock, as UINT64_MAX - 1: neither gives up),
 * where it hung; a timed wait still just times out.  x then finishes. */
static skua_pool *dag_pool;
static skua_future *dag_x;
static _Atomic int dag_x_started, dag_y_started, dag_y_rc[6];

/* Returns once y has started (not after a fixed 20 ms, as before: a
 * loaded host that held x's thread that long between this spawn and its
 * wait let x's get return first, and y's then returned 0). */
static void *short_job(void *arg)
{
	test_spin_until(&dag_y_started, WAIT_MS);
	return arg;
}

static void *dag_x_task(void *arg)
{
	skua_future *j;
	atomic_store(&dag_x_started, 1);
	/* Until y is queued: then our wait finds it. */
	ASSERT(test_spin_until(&flag_a, WAIT_MS));
	ASSERT_OK(skua_spawn_blocking(dag_pool, short_job, arg, &j));
	void *r = NULL;
	ASSERT_OK(skua_future_get(j, &r));
	skua_future_release(j);
	return r;
}

static void *dag_y_task(void *arg)
{
	int kind = (int)(intptr_t)arg;
	size_t idx = 0;
	int rc;
	atomic_store(&dag_y_started, 1);
	if (kind == 0)
		rc = skua_future_get(dag_x, NULL);
	else if (kind == 1)
		rc = skua_future_wait_all(&dag_x, 1);
	else if (kind == 2)
		rc = skua_future_wait_any(&dag_x, 1, &idx);
	else if (kind == 3)
		rc = skua_future_get_timeout(dag_x, NULL, UINT64_MAX);
	else if (kind == 5) /* now + it wraps: no deadline either */
		rc = skua_future_wait_all_timeout(&dag_x, 1, UINT64_MAX - 1);
	else
		rc = skua_future_get_timeout(dag_x, NULL, 1000000);
	if (kind == 2)
		ASSERT_EQ(idx, SIZE_MAX);
	atomic_store(&dag_y_rc[kind], rc);
	return NULL;
}

TEST_CASE(wait_for_the_task_below_is_edeadlk)
{
	for (int kind = 0; kind < 6; kind++) {
		reset();
		dag_pool = test_pool(1);
		atomic_store(&dag_x_started, 0);
		atomic_store(&dag_y_started, 0);
		atomic_store(&dag_y_rc[kind], 1);
		skua_future *y;
		ASSERT_OK(skua_spawn(dag_pool, dag_x_task, (void *)7, &dag_x));
		ASSERT(test_spin_until(&dag_x_started, WAIT_MS));
		ASSERT_OK(skua_spawn(dag_pool, dag_y_task,
		    (void *)(intptr_t)kind, &y));
		atomic_store(&flag_a, 1);
		void *r = NULL;
		/* A hang of y (and so of x) fails here, not in the watchdog. */
		ASSERT_OK(skua_future_get_timeout(y, NULL, 5000000000u));
		ASSERT_EQ(atomic_load(&dag_y_rc[kind]),
		    kind != 4 ? -EDEADLK : -ETIMEDOUT);
		ASSERT_OK(skua_future_get_timeout(dag_x, &r, 5000000000u));
		ASSERT(r == (void *)7);
		skua_future_release(y);
		skua_future_release(dag_x);
		ASSERT_OK(skua_pool_destroy(dag_pool));
	}
}

static const struct test_case cases[] = {
	TEST_ENTRY(wait_all_other_pool_first),
	TEST_ENTRY(wait_any_other_pool_first),
	TEST_ENTRY(private_fork_blocking_get),
	TEST_ENTRY(private_fork_get_running),
	TEST_ENTRY(private_fork_loop_other_pool),
	TEST_ENTRY(wait_any_lowest_index),
	TEST_ENTRY(long_wait_sleeps),
	TEST_ENTRY(wait_for_the_task_below_is_edeadlk),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
