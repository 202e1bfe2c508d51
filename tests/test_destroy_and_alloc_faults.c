/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Churn and faults:
 * - pools created with 1..16 workers, 1000 tasks each, destroyed: no hang,
 *   the thread count back to where it was, RSS flat;
 * - destroy right after an outside thread's submit: the task still runs;
 * - destroy of an idle, parked pool returns within 100 ms;
 * - allocation failure inside deque growth (a chain of 10^4 forks): the
 *   fallback runs the oldest tasks in place, and the answer is right;
 * - allocation failure at every point of parallel_map and parallel_reduce:
 *   -ENOMEM or the right answer, never a wrong one; the pool stays usable.
 * Usage: test_destroy_and_alloc_faults [CASE]
 */
#include "test.h"
#include "test_hooks.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>



static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *inc(void *arg)
{
	atomic_fetch_add((_Atomic long *)arg, 1);
	return NULL;
}

struct submit {
	skua_pool *pool;
	_Atomic long *counter;
	_Atomic int submitted;
};

static void *submitter(void *a)
{
	struct submit *s = a;
	skua_future *f;
	ASSERT_OK(skua_spawn(s->pool, inc, (void *)s->counter, &f));
	ASSERT_OK(skua_future_release(f));
	atomic_store(&s->submitted, 1);
	return NULL;
}

typedef struct {
	skua_task task;
	int depth;
	long r;
} chain_task;

static void chain_run(skua_worker *w, skua_task *t)
{
	chain_task *c = (chain_task *)t;
	if (c->depth == 0) {
		c->r = 0;
		return;
	}
	chain_task next = { .depth = c->depth - 1 };
	skua_fork(w, &next.task, chain_run);
	skua_join(w, &next.task);
	c->r = next.r + 1;
}

static void chain_entry(skua_worker *w, void *arg)
{
	/* The next allocation fails (none is made: the chain's deque holds
	 * one record at a time). */
	skua__test_alloc_fail_at(1);
	chain_run(w, &((chain_task *)arg)->task);
	skua__test_alloc_fail_at(0);
}

static void sq(const void *in, void *out, void *ctx)
{
	(void)ctx;
	*(long *)out = *(const long *)in * *(const long *)in;
}

struct big {
	long v[64]; /* larger than the reduce's stack buffer */
};

static void big_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	for (size_t i = lo; i < hi; i++)
		((struct big *)acc)->v[i % 64] += (long)i;
}

static void big_combine(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	for (int k = 0; k < 64; k++)
		((struct big *)acc)->v[k] += ((const struct big *)other)->v[k];
}

TEST_CASE(churned_pools_leave_no_threads_and_flat_rss)
{
	long cycles = test_scale(1000, 60);
	skua_pool *p = test_pool(1);
	ASSERT_OK(skua_pool_destroy(p));
	int base = thread_count();

	/* Create / 1000 tasks / destroy. */
	uint64_t rng = 42;
	long rss0 = 0;
	for (long c = 0; c < cycles; c++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		p = test_pool(1 + (unsigned)(rng % 16));
		_Atomic long counter = 0;
		for (int i = 0; i < 1000; i++) {
			skua_future *f;
			ASSERT_OK(skua_spawn(p, inc, (void *)&counter, &f));
			ASSERT_OK(skua_future_release(f));
		}
		ASSERT_OK(skua_pool_destroy(p));
		ASSERT_EQ(atomic_load(&counter), 1000);
		ASSERT_EQ(settled_thread_count(base), base);
		if (c == cycles / 10)
			rss0 = rss_kib();
	}
	long rss1 = rss_kib();
	printf("churn: %ld cycles, rss %ld -> %ld KiB\n", cycles, rss0, rss1);
	if (!TEST_SANITIZED)
		ASSERT(rss1 - rss0 < 4096);
}

TEST_CASE(destroy_right_after_outside_submit_runs_the_task)
{
	/* Destroy right after another thread's submit. */
	long races = test_scale(10000, 300);
	for (long c = 0; c < races; c++) {
		_Atomic long counter = 0;
		struct submit s = { test_pool(2), &counter, 0 };
		pthread_t th;
		ASSERT_EQ(pthread_create(&th, NULL, submitter, &s), 0);
		while (!atomic_load(&s.submitted))
			sched_yield(); /* 2 cores: let the submitter run */
		ASSERT_OK(skua_pool_destroy(s.pool));
		ASSERT_EQ(atomic_load(&counter), 1);
		pthread_join(th, NULL);
	}
	printf("destroy after submit: %ld races ok\n", races);
}

TEST_CASE(destroy_of_parked_pool_takes_under_100ms)
{
	skua_pool *p;
	/* Destroy of a parked pool is quick. */
	p = test_pool(4);
	usleep(50000); /* the workers spin ~0.1 ms, then park */
	double t0 = now_s();
	ASSERT_OK(skua_pool_destroy(p));
	double dt = now_s() - t0;
	printf("destroy of a parked pool: %.3f ms\n", dt * 1e3);
	ASSERT(dt < 0.1);
}

/*
 * Deque growth under allocation failure.  A spine (fork a leaf, go one
 * level down, join the leaf on the way up) keeps every leaf queued, so
 * the deque really fills; every growth fails (re-armed before each fork).
 * A full deque that cannot grow runs the new child inline, as a plain
 * call, never an older queued task: frame B holds an error-checking
 * mutex across its forks, and task A, forked by the frame above before
 * B, takes it.  A run inside B's critical section (what the deque did
 * before: it ran the oldest entry) gets EDEADLK (an independent review).
 */
struct spine {
	pthread_mutex_t lock;
	_Atomic long leaves;
	int a_rc;
};

typedef struct {
	skua_task task;
	struct spine *s;
	int depth;
} spine_task;

static void leaf_run(skua_worker *w, skua_task *t)
{
	(void)w;
	atomic_fetch_add(&((spine_task *)t)->s->leaves, 1);
}

static void spine_down(skua_worker *w, struct spine *s, int depth)
{
	if (depth == 0)
		return;
	spine_task leaf;
	leaf.s = s;
	skua__test_alloc_fail_at(1); /* the next growth fails */
	skua_fork(w, &leaf.task, leaf_run);
	spine_down(w, s, depth - 1);
	skua_join(w, &leaf.task);
}

static void a_run(skua_worker *w, skua_task *t)
{
	(void)w;
	struct spine *s = ((spine_task *)t)->s;
	s->a_rc = pthread_mutex_lock(&s->lock);
	if (s->a_rc == 0)
		pthread_mutex_unlock(&s->lock);
}

static void spine_entry(skua_worker *w, void *arg)
{
	struct spine *s = arg;
	spine_task a;
	a.s = s;
	skua_fork(w, &a.task, a_run);    /* older work that takes the lock */
	ASSERT_EQ(pthread_mutex_lock(&s->lock), 0);   /* frame B */
	spine_down(w, s, 3000);           /* fills the deque past 256 */
	ASSERT_EQ(pthread_mutex_unlock(&s->lock), 0);
	skua__test_alloc_fail_at(0);
	skua_join(w, &a.task);
}

enum { SPAWNS = 600 };
struct spawn_full {
	_Atomic long ran;
	int enomem;
};

static void *count_ran(void *arg)
{
	atomic_fetch_add(&((struct spawn_full *)arg)->ran, 1);
	return NULL;
}

/* Spawns from a task, none got until the end: with one worker they all
 * stay in its deque, which fills at 256; the second allocation of each
 * spawn (the future is the first) is the deque's growth, and fails. */
static void spawn_until_full(skua_worker *w, void *arg)
{
	(void)w;
	struct spawn_full *sf = arg;
	static skua_future *fs[SPAWNS];
	for (int i = 0; i < SPAWNS; i++) {
		skua__test_alloc_fail_at(2);
		int rc = skua_spawn(skua_worker_pool(w), count_ran, sf, &fs[i]);
		skua__test_alloc_fail_at(0);
		ASSERT(rc == 0 || (rc == -ENOMEM && fs[i] == NULL));
		sf->enomem += rc == -ENOMEM;
	}
	for (int i = 0; i < SPAWNS; i++)
		if (fs[i] != NULL) {
			ASSERT_OK(skua_future_get(fs[i], NULL));
			ASSERT_OK(skua_future_release(fs[i]));
		}
}

TEST_CASE(failed_deque_growth_runs_the_child_inline)
{
	for (unsigned n = 1; n <= 2; n++) {
		skua_pool *p = test_pool(n);
		struct spine s = { .leaves = 0, .a_rc = -1 };
		pthread_mutexattr_t ma;
		ASSERT_EQ(pthread_mutexattr_init(&ma), 0);
		ASSERT_EQ(pthread_mutexattr_settype(&ma,
		    PTHREAD_MUTEX_ERRORCHECK), 0);
		ASSERT_EQ(pthread_mutex_init(&s.lock, &ma), 0);
		ASSERT_OK(skua_pool_run(p, spine_entry, &s));
		ASSERT_EQ(atomic_load(&s.leaves), 3000);
		if (s.a_rc != 0)
			FAIL("%u worker%s: the older task ran inside the frame "
			    "that held its lock: rc %d", n, n == 1 ? "" : "s",
			    s.a_rc);
		ASSERT_EQ(pthread_mutex_destroy(&s.lock), 0);
		ASSERT_OK(skua_pool_destroy(p));
	}
	/* A task's spawn into a full deque that cannot grow: -ENOMEM,
	 * nothing queued, every future that was queued runs once. */
	for (unsigned n = 1; n <= 2; n++) {
		skua_pool *p = test_pool(n);
		struct spawn_full sf = { 0 };
		ASSERT_OK(skua_pool_run(p, spawn_until_full, &sf));
		printf("%u worker%s: %d of %d spawns -ENOMEM, %ld ran\n", n,
		    n == 1 ? "" : "s", sf.enomem, SPAWNS, atomic_load(&sf.ran));
		ASSERT_EQ(atomic_load(&sf.ran), SPAWNS - sf.enomem);
		ASSERT(n == 2 || sf.enomem > 0);
		ASSERT_OK(skua_pool_destroy(p));
	}
	/* The old chain too (fork and join at once: the deque holds one). */
	skua_pool *p = test_pool(2);
	chain_task c = { .depth = 10000 };
	ASSERT_OK(skua_pool_run(p, chain_entry, &c));
	ASSERT_EQ(c.r, 10000);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(parallel_calls_under_alloc_failure_are_enomem_or_right)
{
	skua_pool *p;
	/* parallel_map / parallel_reduce under allocation failure. */
	p = test_pool(2);
	enum { N = 5000 };
	static long in[N], out[N];
	for (long i = 0; i < N; i++)
		in[i] = i;
	int enomem = 0;
	for (long k = 1; k <= 64; k++) {
		memset(out, 0, sizeof out);
		skua__test_alloc_fail_at(k);
		int rc = skua_parallel_map(p, in, out, N, sizeof in[0],
		    sizeof out[0], sq, NULL, NULL);
		skua__test_alloc_fail_at(0);
		if (rc == -ENOMEM) {
			enomem++;
			continue;
		}
		ASSERT_OK(rc);
		for (long i = 0; i < N; i++)
			ASSERT_EQ(out[i], i * i);

		struct big id, r;
		memset(&id, 0, sizeof id);
		memset(&r, 0xff, sizeof r);
		skua__test_alloc_fail_at(k);
		rc = skua_parallel_reduce(p, 0, N, NULL, sizeof id, &id,
		    big_body, big_combine, NULL, &r);
		skua__test_alloc_fail_at(0);
		if (rc == -ENOMEM) {
			enomem++;
			continue;
		}
		ASSERT_OK(rc);
		for (int j = 0; j < 64; j++) {
			long want = 0;
			for (long i = j; i < N; i += 64)
				want += i;
			ASSERT_EQ(r.v[j], want);
		}
	}
	printf("parallel under allocation failure: %d calls gave -ENOMEM, "
	    "the rest were right\n", enomem);
	/* Still usable. */
	ASSERT_OK(skua_parallel_map(p, in, out, N, sizeof in[0],
	    sizeof out[0], sq, NULL, NULL));
	ASSERT_EQ(out[N - 1], (long)(N - 1) * (N - 1));
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(churned_pools_leave_no_threads_and_flat_rss),
	TEST_ENTRY(destroy_right_after_outside_submit_runs_the_task),
	TEST_ENTRY(destroy_of_parked_pool_takes_under_100ms),
	TEST_ENTRY(failed_deque_growth_runs_the_child_inline),
	TEST_ENTRY(parallel_calls_under_alloc_failure_are_enomem_or_right),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
