/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The rest of concurrent.futures: cancel, timed waits and done-callbacks
 * (issue 14).  Counted, not timed: a cancelled task never runs and every
 * waiter sees -ECANCELED; cancel racing the task's start gives exactly one
 * of "ran" and "cancelled"; a timed wait that expires returns -ETIMEDOUT
 * no earlier than its timeout and changes nothing; each callback runs
 * exactly once, in registration order.
 */
#include "test.h"

#include <errno.h>
#include <pthread.h>

static _Atomic int gate, gate_holding;

/* Holds the only worker until the gate opens (bounded). */
static void *hold(void *arg)
{
	(void)arg;
	atomic_store(&gate_holding, 1);
	test_spin_until(&gate, 10000);
	return NULL;
}

static void *count_run(void *arg)
{
	atomic_fetch_add((_Atomic int *)arg, 1);
	return arg;
}

static skua_future *held_pool(skua_pool **p)
{
	skua_future *h;
	*p = test_pool(1);
	atomic_store(&gate, 0);
	atomic_store(&gate_holding, 0);
	ASSERT_OK(skua_spawn(*p, hold, NULL, &h));
	ASSERT(test_spin_until(&gate_holding, 5000));
	return h;
}

static void release_held(skua_pool *p, skua_future *h)
{
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(h, NULL));
	skua_future_release(h);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(cancel_pending_never_runs)
{
	skua_pool *p;
	skua_future *h = held_pool(&p), *f, *g;
	_Atomic int ran = 0;
	ASSERT_OK(skua_spawn(p, count_run, &ran, &f));
	ASSERT_OK(skua_spawn(p, count_run, &ran, &g));
	ASSERT_OK(skua_future_cancel(f));
	ASSERT_OK(skua_future_cancel(f)); /* again: still cancelled */
	ASSERT_EQ(skua_future_done(f), 1);
	void *r = (void *)1;
	ASSERT_EQ(skua_future_get(f, &r), -ECANCELED);
	ASSERT(r == NULL);
	skua_future *both[2] = { f, g };
	size_t index = 99;
	ASSERT_OK(skua_future_wait_any(both, 2, &index));
	ASSERT_EQ(index, 0); /* cancelled counts as done */
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_wait_all(both, 2));
	ASSERT_OK(skua_future_get(g, &r));
	ASSERT(r == &ran);
	ASSERT_EQ(skua_future_cancel(g), -EBUSY); /* done: not touched */
	ASSERT_OK(skua_future_get(g, &r));
	ASSERT_EQ(skua_future_cancel(NULL), -EINVAL);
	skua_future_release(f);
	skua_future_release(g);
	ASSERT_OK(skua_future_get(h, NULL));
	skua_future_release(h);
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(atomic_load(&ran), 1);
}

TEST_CASE(cancel_running_is_busy)
{
	skua_pool *p;
	skua_future *h = held_pool(&p);
	ASSERT_EQ(skua_future_cancel(h), -EBUSY);
	release_held(p, h);
}

struct race {
	_Atomic int ran;
};

static void *race_run(void *arg)
{
	atomic_fetch_add(&((struct race *)arg)->ran, 1);
	return NULL;
}

/* Cancel racing the start: each future ran exactly once or reported
 * -ECANCELED, never both; nothing leaks (ASan's leak check). */
TEST_CASE(cancel_races_start)
{
	enum { BATCH = 256 };
	long rounds = test_scale(100000, 10000);
	skua_pool *p = test_pool(2);
	static struct race rs[BATCH];
	skua_future *fs[BATCH];
	long cancelled = 0, ran = 0;
	for (long done = 0; done < rounds; done += BATCH) {
		for (int i = 0; i < BATCH; i++) {
			atomic_store(&rs[i].ran, 0);
			ASSERT_OK(skua_spawn(p, race_run, &rs[i], &fs[i]));
			/* A varying head start, so both outcomes occur. */
			for (volatile long k = 0; k < (done + i) * 37 % 3000;
			    k++)
				;
			int rc = skua_future_cancel(fs[i]);
			ASSERT(rc == 0 || rc == -EBUSY);
		}
		ASSERT_OK(skua_future_wait_all(fs, BATCH));
		for (int i = 0; i < BATCH; i++) {
			int rc = skua_future_get(fs[i], NULL);
			int n = atomic_load(&rs[i].ran);
			if (rc == -ECANCELED) {
				ASSERT_EQ(n, 0);
				cancelled++;
			} else {
				ASSERT_OK(rc);
				ASSERT_EQ(n, 1);
				ran++;
			}
			skua_future_release(fs[i]);
		}
	}
	ASSERT_OK(skua_pool_destroy(p));
	/* destroy drained every queue entry: no late runs. */
	for (int i = 0; i < BATCH; i++)
		ASSERT(atomic_load(&rs[i].ran) <= 1);
	printf("%ld cancelled, %ld ran\n", cancelled, ran);
	ASSERT(cancelled > 0);
}

TEST_CASE(timeouts_expire_and_not)
{
	skua_pool *p;
	skua_future *h = held_pool(&p), *f;
	_Atomic int ran = 0;
	ASSERT_OK(skua_spawn(p, count_run, &ran, &f));
	void *r = (void *)1;
	uint64_t t0 = test_now_ns();
	ASSERT_EQ(skua_future_get_timeout(f, &r, 20000000), -ETIMEDOUT);
	ASSERT(test_now_ns() - t0 >= 20000000); /* never early */
	ASSERT(r == NULL);
	ASSERT_EQ(skua_future_get_timeout(f, &r, 0), -ETIMEDOUT); /* a look */
	skua_future *both[2] = { h, f };
	ASSERT_EQ(skua_future_wait_all_timeout(both, 2, 1000000), -ETIMEDOUT);
	size_t index = 7;
	ASSERT_EQ(skua_future_wait_any_timeout(&f, 1, &index, 1000000),
	    -ETIMEDOUT);
	ASSERT_EQ(index, SIZE_MAX);
	ASSERT_EQ(atomic_load(&ran), 0); /* nothing changed */
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_wait_all_timeout(both, 2, 10000000000ull));
	ASSERT_OK(skua_future_wait_any_timeout(both, 2, &index, 0));
	ASSERT_EQ(index, 0);
	ASSERT_OK(skua_future_get_timeout(f, &r, UINT64_MAX));
	ASSERT(r == &ran);
	ASSERT_EQ(skua_future_get_timeout(NULL, NULL, 1), -EINVAL);
	skua_future_release(f);
	skua_future_release(h);
	ASSERT_OK(skua_pool_destroy(p));
}

/* On a worker a timed wait helps until the deadline, then gives up. */
static void *never_before_gate(void *arg)
{
	(void)arg;
	test_spin_until(&gate, 10000);
	return NULL;
}

static _Atomic int helped;

static void *small_job(void *arg)
{
	(void)arg;
	atomic_fetch_add(&helped, 1);
	return NULL;
}

static void timed_wait_on_worker(skua_worker *w, void *arg)
{
	(void)arg;
	skua_pool *p = skua_worker_pool(w);
	skua_future *slow, *jobs[16];
	atomic_store(&gate, 0);
	atomic_store(&helped, 0);
	ASSERT_OK(skua_spawn_blocking(p, never_before_gate, NULL, &slow));
	for (int i = 0; i < 16; i++)
		ASSERT_OK(skua_spawn(p, small_job, NULL, &jobs[i]));
	uint64_t t0 = test_now_ns();
	ASSERT_EQ(skua_future_get_timeout(slow, NULL, 30000000), -ETIMEDOUT);
	ASSERT(test_now_ns() - t0 >= 30000000);
	ASSERT_EQ(atomic_load(&helped), 16); /* it helped meanwhile */
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(slow, NULL));
	ASSERT_OK(skua_future_wait_all(jobs, 16));
	for (int i = 0; i < 16; i++)
		skua_future_release(jobs[i]);
	skua_future_release(slow);
}

TEST_CASE(timed_wait_on_worker_helps)
{
	skua_pool *p = test_pool(1);
	ASSERT_OK(skua_pool_run(p, timed_wait_on_worker, NULL));
	ASSERT_OK(skua_pool_destroy(p));
}

/* ---- done-callbacks ----------------------------------------------------- */

struct cb_log {
	_Atomic int n;
	_Atomic int logged; /* after the entry is written: readers wait */
	int order[8];
	int on_worker[8];
	int got[8]; /* what skua_future_get returned inside the callback */
};

static struct cb_log cb_log;

static void log_cb(skua_future *f, void *arg)
{
	int k = atomic_fetch_add(&cb_log.n, 1);
	if (k < 8) {
		cb_log.order[k] = (int)(intptr_t)arg;
		cb_log.on_worker[k] = skua_worker_current() != NULL;
		cb_log.got[k] = skua_future_get(f, NULL);
	}
	atomic_fetch_add(&cb_log.logged, 1);
}

TEST_CASE(callbacks_once_in_order)
{
	skua_pool *p;
	skua_future *h = held_pool(&p), *f, *c;
	_Atomic int ran = 0;
	memset(&cb_log, 0, sizeof cb_log);
	ASSERT_OK(skua_spawn(p, count_run, &ran, &f));
	for (int i = 0; i < 3; i++)
		ASSERT_OK(skua_future_add_done_callback(f, log_cb,
		    (void *)(intptr_t)i));
	ASSERT_EQ(atomic_load(&cb_log.n), 0);
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(f, NULL));
	/* The finisher calls them after waking us: wait for all three. */
	for (int i = 0; i < 100000 && atomic_load(&cb_log.logged) < 3; i++)
		usleep(10);
	ASSERT_EQ(atomic_load(&cb_log.logged), 3);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(cb_log.order[i], i);
		ASSERT_EQ(cb_log.on_worker[i], 1); /* the worker that ran it */
		ASSERT_EQ(cb_log.got[i], 0);
	}
	/* On a finished future: at once, on this thread. */
	ASSERT_OK(skua_future_add_done_callback(f, log_cb, (void *)3));
	ASSERT_EQ(atomic_load(&cb_log.n), 4);
	ASSERT_EQ(cb_log.order[3], 3);
	ASSERT_EQ(cb_log.on_worker[3], 0);
	ASSERT_EQ(skua_future_add_done_callback(NULL, log_cb, NULL), -EINVAL);
	ASSERT_EQ(skua_future_add_done_callback(f, NULL, NULL), -EINVAL);
	/* Cancel calls them too, on the cancelling thread. */
	atomic_store(&gate, 0);
	atomic_store(&gate_holding, 0);
	skua_future_release(h);
	ASSERT_OK(skua_spawn(p, hold, NULL, &h));
	ASSERT(test_spin_until(&gate_holding, 5000));
	ASSERT_OK(skua_spawn(p, count_run, &ran, &c));
	ASSERT_OK(skua_future_add_done_callback(c, log_cb, (void *)5));
	ASSERT_OK(skua_future_cancel(c));
	ASSERT_EQ(atomic_load(&cb_log.n), 5);
	ASSERT_EQ(cb_log.order[4], 5);
	ASSERT_EQ(cb_log.got[4], -ECANCELED);
	skua_future_release(c);
	skua_future_release(f);
	release_held(p, h);
}

static _Atomic int race_cb_calls;

static void race_cb(skua_future *f, void *arg)
{
	(void)f;
	(void)arg;
	atomic_fetch_add(&race_cb_calls, 1);
}

static void *nop(void *arg)
{
	return arg;
}

/* Registrations racing completion: each callback exactly once. */
TEST_CASE(callbacks_race_completion)
{
	long rounds = test_scale(20000, 2000);
	skua_pool *p = test_pool(2);
	atomic_store(&race_cb_calls, 0);
	for (long i = 0; i < rounds; i++) {
		skua_future *f;
		ASSERT_OK(skua_spawn(p, nop, NULL, &f));
		ASSERT_OK(skua_future_add_done_callback(f, race_cb, NULL));
		ASSERT_OK(skua_future_add_done_callback(f, race_cb, NULL));
		ASSERT_OK(skua_future_get(f, NULL));
		skua_future_release(f);
	}
	ASSERT_OK(skua_pool_destroy(p)); /* every callback ran by now */
	ASSERT_EQ(atomic_load(&race_cb_calls), 2 * rounds);
}

/* wait_any's sleepers are woken before the done-callbacks run, as the
 * header says ("right after waking its waiters"): a callback that waits
 * for the wait_any caller (here at most 2 s) must not hold it back.  They
 * sleep on the pool's event count, which was moved only after the
 * callbacks, when the future was counted out (found by a review: the
 * wait_any returned 2 s late, once the callback gave up). */
static _Atomic int any_back, cb_saw_back, cb_over;

static void wait_for_any_cb(skua_future *f, void *arg)
{
	(void)f;
	(void)arg;
	uint64_t end = test_now_ns() + 2000000000u;
	while (!atomic_load(&any_back) && test_now_ns() < end)
		usleep(100);
	atomic_store(&cb_saw_back, atomic_load(&any_back));
	atomic_store(&cb_over, 1);
}

static void *wait_any_then_mark(void *arg)
{
	skua_future *f = arg;
	size_t ix = 7;
	int rc = skua_future_wait_any(&f, 1, &ix);
	atomic_store(&any_back, 1);
	return (void *)(intptr_t)(rc == 0 && ix == 0 ? 0 : -1);
}

TEST_CASE(wait_any_woken_before_callbacks)
{
	for (int cancel = 0; cancel < 2; cancel++) {
		skua_pool *p;
		skua_future *h = held_pool(&p), *f, *w;
		_Atomic int ran = 0;
		pthread_t t;
		void *r;
		atomic_store(&any_back, 0);
		atomic_store(&cb_saw_back, 0);
		atomic_store(&cb_over, 0);
		ASSERT_OK(skua_spawn(p, count_run, &ran, &f));
		/* The one awaited: f, pending behind h, or h itself, running
		 * (so that no other future of p finishes meanwhile). */
		w = cancel ? f : h;
		ASSERT_OK(skua_future_add_done_callback(w, wait_for_any_cb,
		    NULL));
		ASSERT_EQ(pthread_create(&t, NULL, wait_any_then_mark, w), 0);
		usleep(20000); /* past its spin and yields: asleep on p */
		if (cancel)
			ASSERT_OK(skua_future_cancel(f)); /* callback here */
		else
			atomic_store(&gate, 1); /* h returns, callback on the
						 * worker */
		ASSERT(test_spin_until(&cb_over, 5000));
		ASSERT_EQ(pthread_join(t, &r), 0);
		ASSERT_EQ((intptr_t)r, 0);
		if (!atomic_load(&cb_saw_back))
			FAIL("%s: wait_any came back only after the callback",
			    cancel ? "cancel" : "run");
		skua_future_release(f);
		release_held(p, h);
	}
}

static const struct test_case cases[] = {
	TEST_ENTRY(cancel_pending_never_runs),
	TEST_ENTRY(cancel_running_is_busy),
	TEST_ENTRY(cancel_races_start),
	TEST_ENTRY(timeouts_expire_and_not),
	TEST_ENTRY(timed_wait_on_worker_helps),
	TEST_ENTRY(callbacks_once_in_order),
	TEST_ENTRY(callbacks_race_completion),
	TEST_ENTRY(wait_any_woken_before_callbacks),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
