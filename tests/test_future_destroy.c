/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Futures beside their pool's destroy (found by an independent review):
 * - a cancel from another thread while the pool is destroyed: the
 *   cancel's done-callbacks finish before skua_pool_destroy returns (as
 *   documented), and may spawn onto the pool meanwhile;
 * - in the child of a fork(), cancelling an inherited future after
 *   destroying the inherited pool touches no freed memory;
 * - skua_future_wait_any on a worker of another pool, or in a blocking
 *   job of one, while the futures' pool is destroyed: it never sleeps on
 *   that pool's memory;
 * - a destroy from a done-callback that a cancel runs: -EDEADLK; but in
 *   a fork() child, where the cancel of an inherited future holds no
 *   count, a new pool's destroy from its callback is 0.
 * The middle ones are use-after-frees that the AddressSanitizer build of
 * this test catches; the first fails in every build when the callback
 * is still running after destroy returned.
 */
#include "test.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static _Atomic int gate, gate_holding;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}
static _Atomic int cb_started, cb_finished, cb_spawned_ran;

/* Holds the only worker until the gate opens (bounded). */
static void *hold(void *arg)
{
	(void)arg;
	atomic_store(&gate_holding, 1);
	test_spin_until(&gate, 10000);
	return NULL;
}

/* Hold p's only worker with a task until the gate opens: what is
 * spawned after it stays queued.  Returns the holding task's future. */
static skua_future *hold_the_worker(skua_pool *p)
{
	skua_future *h;
	atomic_store(&gate, 0);
	atomic_store(&gate_holding, 0);
	ASSERT_OK(skua_spawn(p, hold, NULL, &h));
	ASSERT(test_spin_until(&gate_holding, 5000));
	return h;
}

static void *never(void *arg)
{
	FAIL("a cancelled future ran");
	return arg;
}

static void *mark_ran(void *arg)
{
	atomic_fetch_add((_Atomic int *)arg, 1);
	return NULL;
}

struct cb_ctx {
	skua_pool *p;
};

/* A slow callback that spawns onto the pool being destroyed. */
static void slow_cb(skua_future *f, void *arg)
{
	struct cb_ctx *c = arg;
	(void)f;
	atomic_store(&cb_started, 1);
	sleep_ms(100);
	skua_future *g;
	ASSERT_OK(skua_spawn(c->p, mark_ran, (void *)&cb_spawned_ran, &g));
	ASSERT_OK(skua_future_release(g));
	sleep_ms(100);
	atomic_store(&cb_finished, 1);
}

static void *cancel_thread(void *arg)
{
	ASSERT_OK(skua_future_cancel(arg));
	return NULL;
}

/* Cancel, winning or not (the task may have started). */
static void *cancel_either(void *arg)
{
	int rc = skua_future_cancel(arg);
	ASSERT(rc == 0 || rc == -EBUSY);
	return NULL;
}

/* The worker holds a task; f waits behind it with a slow callback.  A
 * thread cancels f, and while its callback runs the worker is released
 * and drops f's queue entry, and main destroys the pool. */
TEST_CASE(cancel_callbacks_finish_before_destroy_returns)
{
	skua_pool *p = test_pool(1);
	skua_future *h, *f;
	atomic_store(&cb_started, 0);
	atomic_store(&cb_finished, 0);
	atomic_store(&cb_spawned_ran, 0);
	h = hold_the_worker(p);
	ASSERT_OK(skua_spawn(p, never, NULL, &f));
	struct cb_ctx c = { p };
	ASSERT_OK(skua_future_add_done_callback(f, slow_cb, &c));
	pthread_t t;
	ASSERT_EQ(pthread_create(&t, NULL, cancel_thread, f), 0);
	ASSERT(test_spin_until(&cb_started, 5000));
	atomic_store(&gate, 1); /* the worker drops f's entry now */
	ASSERT_OK(skua_future_get(h, NULL));
	ASSERT_OK(skua_pool_destroy(p));
	if (!atomic_load(&cb_finished))
		FAIL("skua_pool_destroy returned while a cancel's callback ran");
	ASSERT_EQ(atomic_load(&cb_spawned_ran), 1);
	ASSERT_EQ(pthread_join(t, NULL), 0);
	ASSERT_EQ(skua_future_get(f, NULL), -ECANCELED);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_future_release(h));
}

/* Many rounds of the race without callbacks: cancel from a thread,
 * destroy at once from main (ASan: the canceller's notify must not read
 * the freed pool). */
TEST_CASE(cancel_races_destroy)
{
	long rounds = test_scale(300, 100);
	for (long i = 0; i < rounds; i++) {
		skua_pool *p = test_pool(1);
		skua_future *f;
		ASSERT_OK(skua_spawn(p, mark_ran, (void *)&cb_spawned_ran, &f));
		pthread_t t;
		ASSERT_EQ(pthread_create(&t, NULL, cancel_either, f), 0);
		ASSERT_OK(skua_pool_destroy(p));
		ASSERT_EQ(pthread_join(t, NULL), 0);
		int rc = skua_future_get(f, NULL);
		ASSERT(rc == 0 || rc == -ECANCELED);
		ASSERT_OK(skua_future_release(f));
	}
}

/* In a fork() child: destroy the inherited pool, then cancel one of its
 * pending futures.  The child exits 0 unless something crashed. */
TEST_CASE(cancel_in_fork_child_after_destroy)
{
	skua_pool *p = test_pool(1);
	skua_future *h, *f;
	h = hold_the_worker(p);
	ASSERT_OK(skua_spawn(p, never, NULL, &f));
	fflush(NULL);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int ok = skua_pool_destroy(p) == 0;
		int rc = skua_future_cancel(f);
		ok = ok && (rc == 0 || rc == -EBUSY);
		_exit(ok ? 0 : 3);
	}
	int status;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		FAIL("the fork child's cancel after destroy: status %#x",
		    status);
	ASSERT_OK(skua_future_cancel(f));
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(h, NULL));
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_future_release(h));
}

static void *slow(void *arg)
{
	struct timespec ts = { 0, 300000 };
	nanosleep(&ts, NULL);
	return arg;
}

static void *wait_any_task(void *arg)
{
	skua_future *f = arg;
	size_t ix = 7;
	int rc = skua_future_wait_any(&f, 1, &ix);
	return (void *)(intptr_t)(rc != 0 ? rc : ix == 0 ? 0 : -1000);
}

/* A task of pool Q waits in wait_any for a future of pool P while main
 * gets that future and destroys P: the task (spawned onto Q by spawn) must
 * not sleep on P.  2000 rounds: ASan saw the old code's free in 1 of
 * ~1000. */
static void wait_any_beside_destroy(int (*spawn)(skua_pool *, skua_fn,
    void *, skua_future **))
{
	skua_pool *q = test_pool(1);
	for (long i = 0; i < 2000; i++) {
		skua_pool *p = test_pool(1);
		skua_future *f, *t;
		void *r;
		ASSERT_OK(skua_spawn(p, slow, NULL, &f));
		ASSERT_OK(spawn(q, wait_any_task, f, &t));
		ASSERT_OK(skua_future_get(f, NULL));
		ASSERT_OK(skua_pool_destroy(p));
		ASSERT_OK(skua_future_get(t, &r));
		ASSERT_EQ((intptr_t)r, 0);
		ASSERT_OK(skua_future_release(t));
		ASSERT_OK(skua_future_release(f));
	}
	ASSERT_OK(skua_pool_destroy(q));
}

TEST_CASE(wait_any_on_a_worker_of_another_pool_beside_destroy)
{
	wait_any_beside_destroy(skua_spawn);
}

/* The same from a blocking job of Q (skua_spawn_blocking): a task of
 * another pool too, which cannot know when P's owner destroys P, so it
 * must not sleep on P's event count either (found by a review: it did,
 * and ASan saw its wait_any write to the freed pool). */
TEST_CASE(wait_any_in_a_blocking_job_of_another_pool_beside_destroy)
{
	wait_any_beside_destroy(skua_spawn_blocking);
}

/* A done-callback that skua_future_cancel runs destroys the pool: the
 * future still counts there, so destroy would wait for itself; -EDEADLK
 * (it hung).  The pool is destroyed afterwards as usual. */
static _Atomic int destroy_rc = 1;

static void destroy_cb(skua_future *f, void *arg)
{
	(void)f;
	atomic_store(&destroy_rc, skua_pool_destroy(arg));
}

TEST_CASE(destroy_from_a_cancel_callback_is_edeadlk)
{
	skua_pool *p = test_pool(1);
	skua_future *h, *f;
	h = hold_the_worker(p);
	ASSERT_OK(skua_spawn(p, never, NULL, &f));
	ASSERT_OK(skua_future_add_done_callback(f, destroy_cb, p));
	ASSERT_OK(skua_future_cancel(f));
	ASSERT_EQ(atomic_load(&destroy_rc), -EDEADLK);
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(h, NULL));
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_future_release(h));
}

/* The same one level down: the cancel of fp (pool P) runs a callback
 * that cancels fq (pool Q), whose callback destroys P: P still counts
 * fp, so -EDEADLK too (it hung: only the innermost cancel was known). */
static skua_pool *nest_p;
static _Atomic int nested_rc = 1;

static void destroy_p_cb(skua_future *f, void *arg)
{
	(void)f;
	(void)arg;
	atomic_store(&nested_rc, skua_pool_destroy(nest_p));
}

static void cancel_q_cb(skua_future *f, void *arg)
{
	(void)f;
	ASSERT_OK(skua_future_cancel(arg));
}

TEST_CASE(destroy_from_a_nested_cancel_callback_is_edeadlk)
{
	skua_pool *q = test_pool(1);
	skua_future *hp, *hq, *fp, *fq;
	nest_p = test_pool(1);
	hp = hold_the_worker(nest_p);
	hq = hold_the_worker(q);
	ASSERT_OK(skua_spawn(nest_p, never, NULL, &fp));
	ASSERT_OK(skua_spawn(q, never, NULL, &fq));
	ASSERT_OK(skua_future_add_done_callback(fq, destroy_p_cb, NULL));
	ASSERT_OK(skua_future_add_done_callback(fp, cancel_q_cb, fq));
	ASSERT_OK(skua_future_cancel(fp));
	ASSERT_EQ(atomic_load(&nested_rc), -EDEADLK);
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(hp, NULL));
	ASSERT_OK(skua_future_get(hq, NULL));
	ASSERT_OK(skua_pool_destroy(nest_p));
	ASSERT_OK(skua_pool_destroy(q));
	skua_future *all[] = { hp, hq, fp, fq };
	for (int i = 0; i < 4; i++)
		ASSERT_OK(skua_future_release(all[i]));
}

/* In a fork() child, the callback of a cancel of an inherited future
 * destroys the inherited pool (freed at once there), creates a new pool
 * and destroys that: 0, as anywhere else.  The cancel does not hold the
 * inherited pool's count, so it must not make a new pool at the reused
 * address -EDEADLK (it did: the cancel's frame named the old address). */
static skua_pool *child_old;
static _Atomic int child_rc = 1, child_reused, in_child;

static void new_pool_in_callback(skua_future *f, void *arg)
{
	(void)f;
	(void)arg;
	if (!atomic_load(&in_child))
		return; /* the parent's cancel */
	int rc = skua_pool_destroy(child_old);
	skua_pool *q = NULL;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
	/* No new pool in a multi-threaded fork's child there (tests/
	 * test_fork.c, child()): the normal build checks it. */
	atomic_store(&child_rc, rc);
	return;
#endif
	if (rc == 0) {
		skua_config cfg;
		skua_config_init(&cfg);
		cfg.workers = 1;
		rc = skua_pool_create(&cfg, &q);
	}
	if (rc == 0) {
		atomic_store(&child_reused, q == child_old);
		rc = skua_pool_destroy(q);
	}
	atomic_store(&child_rc, rc);
}

TEST_CASE(new_pool_in_a_fork_childs_cancel_callback)
{
	skua_pool *p = test_pool(1);
	skua_future *h = hold_the_worker(p), *f;
	ASSERT_OK(skua_spawn(p, never, NULL, &f));
	ASSERT_OK(skua_future_add_done_callback(f, new_pool_in_callback,
	    NULL));
	child_old = p;
	fflush(NULL);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		atomic_store(&in_child, 1);
		int rc = skua_future_cancel(f);
		if (rc != 0)
			_exit(2);
		if (atomic_load(&child_rc) != 0) {
			fprintf(stderr, "child: destroy in callback: %d "
			    "(pool address reused: %d)\n",
			    atomic_load(&child_rc), atomic_load(&child_reused));
			_exit(3);
		}
		_exit(0);
	}
	int status;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		FAIL("the fork child's callback: status %#x", status);
	ASSERT_OK(skua_future_cancel(f));
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_get(h, NULL));
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_future_release(h));
}

static const struct test_case cases[] = {
	TEST_ENTRY(cancel_callbacks_finish_before_destroy_returns),
	TEST_ENTRY(cancel_races_destroy),
	TEST_ENTRY(cancel_in_fork_child_after_destroy),
	TEST_ENTRY(wait_any_on_a_worker_of_another_pool_beside_destroy),
	TEST_ENTRY(wait_any_in_a_blocking_job_of_another_pool_beside_destroy),
	TEST_ENTRY(destroy_from_a_cancel_callback_is_edeadlk),
	TEST_ENTRY(destroy_from_a_nested_cancel_callback_is_edeadlk),
	TEST_ENTRY(new_pool_in_a_fork_childs_cancel_callback),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
