/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Nesting and entry points: a parallel for inside a parallel for's body, a
 * reduce inside fork/join tasks and inside futures, calls from several
 * outside threads at once, a call from a worker of another pool, and
 * callbacks always running on a worker of the pool.  1, 2 and 4 workers;
 * a loop on another pool runs the calling pool's tasks while it waits.
 */
#include "test.h"

#include <pthread.h>
#include <stdatomic.h>

static skua_pool *g_pool;
static atomic_int off_pool;

static void sum_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	skua_worker *w = skua_worker_current();
	if (w == NULL || skua_worker_pool(w) != g_pool)
		atomic_store(&off_pool, 1);
	long s = 0;
	for (size_t i = lo; i < hi; i++)
		s += (long)i;
	*(long *)acc += s;
}

static void sum_comb(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

static long par_sum(size_t n)
{
	long id = 0, r = -1;
	ASSERT_OK(skua_parallel_reduce(g_pool, 0, n, NULL, sizeof id, &id,
	    sum_body, sum_comb, NULL, &r));
	return r;
}

/* Outer for over rows; each row runs an inner reduce over its columns. */
#define ROWS 64
#define COLS 3000
static long row_sum[ROWS];

static void outer_body(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	for (size_t r = lo; r < hi; r++) {
		skua_par_opts o;
		skua_par_opts_init(&o);
		o.chunk = r % 3 == 0 ? 0 : r;
		o.deterministic = (int)(r & 1);
		long id = 0, s = -1;
		ASSERT_OK(skua_parallel_reduce(g_pool, 0, COLS + r, &o,
		    sizeof id, &id, sum_body, sum_comb, NULL, &s));
		row_sum[r] = s;
	}
}

/* Fork/join tasks that each call a reduce. */
typedef struct {
	skua_task task;
	size_t n;
	long r;
} red_task;

static void red_run(skua_worker *w, skua_task *t)
{
	(void)w;
	red_task *x = (red_task *)t;
	x->r = par_sum(x->n);
}

static void forker(skua_worker *w, void *arg)
{
	long *ok = arg;
	red_task a = { .n = 10000 }, b = { .n = 20000 };
	skua_fork(w, &a.task, red_run);
	skua_fork(w, &b.task, red_run);
	long c = par_sum(30000);
	skua_join(w, &b.task);
	skua_join(w, &a.task);
	*ok = a.r == 49995000L && b.r == 199990000L && c == 449985000L;
}

static void *future_fn(void *arg)
{
	size_t n = (size_t)(uintptr_t)arg;
	return (void *)(uintptr_t)par_sum(n);
}

static void *outside_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < (int)test_scale(200, 40); i++) {
		size_t n = (size_t)(i * 37 % 5000);
		long want = (long)n * ((long)n - 1) / 2;
		if (par_sum(n) != want)
			return (void *)1;
	}
	return NULL;
}

/* A task of another pool calls into g_pool (blocks that worker). */
static void other_pool_task(skua_worker *w, void *arg)
{
	(void)w;
	*(long *)arg = par_sum(100000);
}

/* check() on pools of 1, 2 and 4 workers (g_pool); every callback ran on
 * a worker of the pool. */
static void on_each_pool(void (*check)(void))
{
	for (unsigned workers = 1; workers <= 4; workers *= 2) {
		g_pool = test_pool(workers);
		check();
		ASSERT_EQ(atomic_load(&off_pool), 0);
		ASSERT_OK(skua_pool_destroy(g_pool));
	}
}

static void for_inside_for(void)
{
	ASSERT_OK(skua_parallel_for(g_pool, 0, ROWS, NULL, outer_body, NULL));
	for (size_t r = 0; r < ROWS; r++) {
		long n = COLS + (long)r;
		ASSERT_EQ(row_sum[r], n * (n - 1) / 2);
	}
}

static void reduce_inside_forks(void)
{
	long ok = 0;
	ASSERT_OK(skua_pool_run(g_pool, forker, &ok));
	ASSERT_EQ(ok, 1);
}

static void reduce_inside_futures(void)
{
	skua_future *fs[8];
	for (int i = 0; i < 8; i++)
		ASSERT_OK(skua_spawn(g_pool, future_fn,
		    (void *)(uintptr_t)(1000 * (i + 1)), &fs[i]));
	ASSERT_OK(skua_future_wait_all(fs, 8));
	for (int i = 0; i < 8; i++) {
		void *r;
		long n = 1000 * (i + 1);
		ASSERT_OK(skua_future_get(fs[i], &r));
		ASSERT_EQ((long)(uintptr_t)r, n * (n - 1) / 2);
		ASSERT_OK(skua_future_release(fs[i]));
	}
}

static void from_outside_threads(void)
{
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, outside_thread, NULL), 0);
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(th[i], &r);
		ASSERT(r == NULL);
	}
}

static void from_other_pool(void)
{
	skua_pool *other = test_pool(2);
	long s = 0;
	ASSERT_OK(skua_pool_run(other, other_pool_task, &s));
	ASSERT_EQ(s, 100000L * 99999 / 2);
	ASSERT_OK(skua_pool_destroy(other));
}

/*
 * A loop on pool B called from a task of pool A (1 worker) does not block
 * that worker as an outside thread would: it runs A's other tasks while
 * it waits (parallel.h used to say it blocked, which made a lock held
 * across the call look safe).  B's body waits, at most 10 s, for a task
 * queued on A behind the caller; it runs on the caller's thread.
 */
static skua_pool *pool_a;
static _Atomic int a_task_ran;
static pthread_t a_task_thread;

static void *a_task(void *arg)
{
	(void)arg;
	a_task_thread = pthread_self();
	atomic_store(&a_task_ran, 1);
	return NULL;
}

static void wait_for_a_task(size_t lo, size_t hi, void *ctx)
{
	(void)lo;
	(void)hi;
	(void)ctx;
	test_spin_until(&a_task_ran, 10000);
}

static void *call_b_from_a(void *arg)
{
	skua_pool *b = arg;
	skua_future *f;
	atomic_store(&a_task_ran, 0);
	ASSERT_OK(skua_spawn(pool_a, a_task, NULL, &f));
	ASSERT_OK(skua_parallel_for(b, 0, 1, NULL, wait_for_a_task, NULL));
	ASSERT_EQ(atomic_load(&a_task_ran), 1);
	ASSERT(pthread_equal(a_task_thread, pthread_self()));
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_future_release(f));
	return NULL;
}

TEST_CASE(loop_on_another_pool_runs_the_callers_tasks_meanwhile)
{
	skua_pool *b = test_pool(1);
	skua_future *f;
	pool_a = test_pool(1);
	ASSERT_OK(skua_spawn(pool_a, call_b_from_a, b, &f));
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_pool_destroy(pool_a));
	ASSERT_OK(skua_pool_destroy(b));
}

TEST_CASE(parallel_for_inside_parallel_for_body) { on_each_pool(for_inside_for); }
TEST_CASE(reduce_inside_fork_join_tasks) { on_each_pool(reduce_inside_forks); }
TEST_CASE(reduce_inside_futures) { on_each_pool(reduce_inside_futures); }
TEST_CASE(three_outside_threads_call_at_once) { on_each_pool(from_outside_threads); }
TEST_CASE(call_from_a_worker_of_another_pool) { on_each_pool(from_other_pool); }

static const struct test_case cases[] = {
	TEST_ENTRY(parallel_for_inside_parallel_for_body),
	TEST_ENTRY(reduce_inside_fork_join_tasks),
	TEST_ENTRY(reduce_inside_futures),
	TEST_ENTRY(three_outside_threads_call_at_once),
	TEST_ENTRY(call_from_a_worker_of_another_pool),
	TEST_ENTRY(loop_on_another_pool_runs_the_callers_tasks_meanwhile),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(TEST_SANITIZED ? 240 : 60);
	return test_run_cases(argc, argv, cases);
}
