/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/future.c - futures' life cycle: spawn, run, cancel, done-callbacks,
 * release.  Every wait (get, wait_all, wait_any, their timed forms) is in
 * lib/future_wait.c; the state machine is drawn in lib/future.h.
 *
 * A future is one jemalloc allocation (size class 96 bytes; jemalloc's
 * thread cache is the per-worker free list) with two references: the
 * caller's (skua_future_release) and the queue entry's (dropped by whoever
 * dequeues it).  Running is claimed by a CAS on status, so a worker that
 * waits for a future nobody started yet runs it itself, and the queue entry
 * then finds it claimed and only drops its reference.  Cancelling is the
 * same CAS to another final state, and the canceller, after the future's
 * done-callbacks, counts it out of pool->pending (a worker that drops the
 * entry meanwhile must not: skua_pool_destroy could return while the
 * callbacks run).  Entries of finished futures left in the queues are
 * dropped by the workers and blocking threads, which drain every queue
 * before they exit.
 */
#include "future.h"
#include "inject.h"
#include "park.h"
#include "pool_struct.h"
#include "profile.h"
#include "trace.h"
#include "worker.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>

static void callbacks_free(struct skua__done_cb *c)
{
	while (c != NULL && c != SKUA__CBS_CLOSED) {
		struct skua__done_cb *next = c->next;
		skua__free(c, sizeof *c);
		c = next;
	}
}

static void future_unref(skua_future *f)
{
	/* acq_rel: the last owner sees every write before freeing. */
	if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1) {
		/* Only a future that never finished (a pool inherited across
		 * fork()) still has callbacks here. */
		callbacks_free(atomic_load_explicit(&f->cbs,
		    memory_order_relaxed));
		skua__free(f, sizeof *f);
	}
}

bool skua__future_claim(skua_future *f)
{
	uint32_t e = atomic_load_explicit(&f->status, memory_order_relaxed);
	while ((e & SKUA__F_STATE) == SKUA__F_PENDING) {
		if (atomic_compare_exchange_weak_explicit(&f->status, &e,
		    SKUA__F_RUNNING | (e & SKUA__F_FLAGS),
		    memory_order_acq_rel, memory_order_relaxed))
			return true;
	}
	return false;
}

/*
 * The future just finished (old: the status before the final step): wake
 * its sleepers, then call the done-callbacks in registration order.  The
 * sleepers are those on its status word (get, wait_all) and wait_any's on
 * p's event count (skua__ext_notify, lib/park.md "Waiters"): those too
 * before the callbacks, which may take long or wait for the caller of
 * wait_any.  p is NULL where it must not be touched (a cancel in the child
 * of a fork()); otherwise f still counts in p's pending, so p is alive.
 * The caller holds a reference, so f is alive throughout.  Closing the
 * list is an exchange: a registration that loses its CAS to it sees
 * CLOSED and calls at once instead, so each callback runs exactly once.
 */
static void future_finished(skua_future *f, uint32_t old, skua_pool *p)
{
	if (old & SKUA__F_WAITERS)
		skua__futex_wake(&f->status, INT_MAX);
	if (p != NULL)
		skua__ext_notify(p);
	/* acq_rel: acquire the registrations' nodes, release nothing new. */
	struct skua__done_cb *c = atomic_exchange_explicit(&f->cbs,
	    SKUA__CBS_CLOSED, memory_order_acq_rel);
	struct skua__done_cb *in_order = NULL;
	while (c != NULL) { /* newest first: reverse */
		struct skua__done_cb *next = c->next;
		c->next = in_order;
		in_order = c;
		c = next;
	}
	while (in_order != NULL) {
		struct skua__done_cb *next = in_order->next;
		in_order->fn(f, in_order->arg);
		skua__free(in_order, sizeof *in_order);
		in_order = next;
	}
}

/* Counted out of pool->pending.  Only destroy's wait_drained waits for
 * pending (wait_any's sleepers were woken by future_finished), and only
 * for 0: the last one out wakes it (its W3 loads pending after its
 * seq_cst registration; we load ext_waiters after our seq_cst
 * decrement).  So a finisher makes one futex wake, not two, while
 * somebody waits.  The caller is a thread that destroy joins (a worker,
 * a blocking thread), or one inside p->uncounting: p outlives the
 * notify. */
static void future_uncount(skua_pool *p)
{
	if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_seq_cst) == 1)
		skua__ext_notify(p);
}

/* The same from any thread (a canceller): once pending is 0, destroy may
 * free p, so it also waits until no such thread is between its decrement
 * and the end of its notify (p->uncounting; lib/park.md, "Waiters").
 * seq_cst increment: before the decrement in the order that destroy's
 * loads of pending, then uncounting, read; release decrement: our reads
 * of p happen before destroy's acquire load and its free. */
static void future_uncount_any_thread(skua_pool *p)
{
	atomic_fetch_add_explicit(&p->uncounting, 1, memory_order_seq_cst);
	future_uncount(p);
	atomic_fetch_sub_explicit(&p->uncounting, 1, memory_order_release);
}

/* A number for the calling thread, never 0, unique among the threads
 * that ever ran a future (2^32 - 1 of them before it wraps). */
static _Thread_local uint32_t my_id; /* 0: this thread ran none yet */

static uint32_t thread_id(void)
{
	static _Atomic uint32_t last;
	while (my_id == 0)
		my_id = atomic_fetch_add_explicit(&last, 1,
		    memory_order_relaxed) + 1;
	return my_id;
}

bool skua__future_runs_here(const skua_future *f)
{
	/* RUNNING first: then its runner is alive, and its number is ours
	 * only if it is us (relaxed: our own store, or another's). */
	return my_id != 0 &&
	    (atomic_load_explicit(&f->status, memory_order_acquire) &
	    SKUA__F_STATE) == SKUA__F_RUNNING &&
	    atomic_load_explicit(&f->runner, memory_order_relaxed) == my_id;
}

void skua__future_run_claimed(skua_future *f)
{
	skua_pool *p = f->pool;
	atomic_store_explicit(&f->runner, thread_id(), memory_order_relaxed);
	uint64_t t0 = SKUA_UNLIKELY(p->trace_path != NULL) ? skua__now_ns() : 0;
	f->result = f->fn(f->arg);
	if (SKUA_UNLIKELY(t0 != 0))
		skua__trace_future_ran(p, f, f->blocking, t0);
	/* seq_cst: publishes the result (release) and is the "published"
	 * store of the waiters' Dekker pair in skua__ext_notify. */
	uint32_t old = atomic_exchange_explicit(&f->status, SKUA__F_DONE,
	    memory_order_seq_cst);
	future_finished(f, old, p);
	/* Counted out; the last one out wakes destroy's wait_drained. */
	future_uncount(p);
	/* An outside thread polls this future and yields, or woke us from
	 * park to run it: the kernel often runs the woken worker on the
	 * waker's own CPU, and there the waiter would get the CPU back only
	 * when our idle search yields, 3-8 us later.  Give it now: one
	 * sched_yield, which returns at once when nobody else wants it. */
	if ((old & (SKUA__F_WATCHED | SKUA__F_WAITERS)) == SKUA__F_WATCHED)
		sched_yield();
}

void skua__future_run_queued(skua_future *f)
{
	/* Claimed already (a waiter ran it) or cancelled: counted out by
	 * whoever did that; only the entry's reference is left. */
	if (skua__future_claim(f))
		skua__future_run_claimed(f);
	future_unref(f);
}

static void future_task(skua_worker *w, skua_task *t)
{
	(void)w;
	skua__future_run_queued(SKUA_CONTAINER_OF(t, skua_future, task));
}

skua_future *skua__future_new(skua_pool *pool, skua_fn fn, void *arg)
{
	skua_future *f = skua__malloc(sizeof *f);
	if (f == NULL)
		return NULL;
	f->task.fn = future_task;
	atomic_init(&f->task.state, SKUA__TASK_DETACHED);
	f->fn = fn;
	f->arg = arg;
	f->result = NULL;
	f->pool = pool;
	f->next = NULL;
	atomic_init(&f->cbs, NULL);
	f->blocking = false;
	atomic_init(&f->runner, 0);
	f->fork_gen = pool->fork_gen;
	atomic_init(&f->status, SKUA__F_PENDING);
	atomic_init(&f->refs, 2);
	/* seq_cst: counted before it can run; destroy waits for 0. */
	atomic_fetch_add_explicit(&pool->pending, 1, memory_order_seq_cst);
	/* Before the push: the run's flow end never precedes its start. */
	if (SKUA_UNLIKELY(pool->trace_path != NULL))
		skua__trace_spawn(pool, f);
	if (SKUA_UNLIKELY(pool->profile != NULL))
		skua__profile_count_future(pool, false);
	return f;
}

void skua__future_discard(skua_future *f)
{
	/* Counted as a future by skua__future_new, never queued: not one.
	 * (Its trace spawn event stays: a flow start with no end.)  Counted
	 * out like any future: a destroy may wait for pending already (only
	 * a spawn that races the destroy, which pool.h forbids, but cheap). */
	if (SKUA_UNLIKELY(f->pool->profile != NULL))
		skua__profile_uncount_future(f->pool);
	future_uncount(f->pool);
	skua__free(f, sizeof *f);
}

int skua_spawn(skua_pool *pool, skua_fn fn, void *arg, skua_future **out)
{
	if (out != NULL)
		*out = NULL;
	if (pool == NULL || fn == NULL || out == NULL)
		return -EINVAL;
	if (skua__pool_forked(pool))
		return -ECHILD;
	skua_future *f = skua__future_new(pool, fn, arg);
	if (f == NULL)
		return -ENOMEM;

	skua_worker *w = skua__tls_worker;
	if (w != NULL && w->pool == pool) {
		if (skua__push_public(w, &f->task) != 0) {
			/* The deque is full and cannot grow. */
			skua__future_discard(f);
			return -ENOMEM;
		}
	} else {
		int rc = skua__inject_push(&pool->inject, &f->task);
		if (rc != 0) {
			skua__future_discard(f);
			return rc;
		}
		/* P3 of lib/park.md, after the seq_cst publish in the push.
		 * We are about to wake a parked worker, and the kernel often
		 * runs it on our CPU at once, preempting us inside the wake:
		 * ask its finisher to yield this CPU back (SKUA__F_WATCHED),
		 * or our get() would wait for the worker's idle spin.  The
		 * worker parked on our CPU first: one parked on the other
		 * would start there, on an idle CPU (lib/park.md, P3). */
		if (skua__post_wakes(pool)) {
			atomic_fetch_or_explicit(&f->status, SKUA__F_WATCHED,
			    memory_order_relaxed);
			if (skua__notify_near(pool))
				atomic_fetch_or_explicit(&f->status,
				    SKUA__F_WOKE_FAR, memory_order_relaxed);
		}
	}
	*out = f;
	return 0;
}

/* The cancels this thread is inside (their done-callbacks run), the
 * innermost first: a callback may cancel a future of another pool, and a
 * destroy of any pool in the chain would wait for itself.  A frame of an
 * older fork generation is the parent's: in the child of a fork() from a
 * callback it names an inherited pool, which destroy frees at once, and
 * a new pool at its address is another pool (it gave -EDEADLK, as the
 * worker and blocking-thread roles did before lib/pool.c's atfork hook). */
struct cancel_frame {
	skua_pool *pool;
	uint64_t fork_gen;
	struct cancel_frame *outer;
};
static _Thread_local struct cancel_frame *cancelling;

bool skua__future_cancelling(const skua_pool *p)
{
	for (const struct cancel_frame *c = cancelling; c != NULL;
	    c = c->outer)
		if (c->pool == p && !skua__forked(c->fork_gen))
			return true;
	return false;
}

int skua_future_cancel(skua_future *f)
{
	if (f == NULL)
		return -EINVAL;
	uint32_t e = atomic_load_explicit(&f->status, memory_order_relaxed);
	for (;;) {
		uint32_t s = e & SKUA__F_STATE;
		if (s == SKUA__F_CANCELLED)
			return 0; /* as Python's cancel(): already cancelled */
		if (s != SKUA__F_PENDING)
			return -EBUSY; /* running or done: not touched */
		/* seq_cst: the final step, as run_claimed's exchange. */
		if (atomic_compare_exchange_weak_explicit(&f->status, &e,
		    SKUA__F_CANCELLED, memory_order_seq_cst,
		    memory_order_relaxed))
			break;
	}
	/* In the child of a fork() the inherited pool may be freed already
	 * (destroy frees it at once there): not touched.  Nor named in the
	 * frame: this cancel holds no count of it, and a callback may destroy
	 * it and create a new pool at its address (that pool's destroy was
	 * -EDEADLK). */
	skua_pool *p = skua__future_forked(f) ? NULL : f->pool;
	struct cancel_frame frame = { p, skua__fork_generation(),
		cancelling };
	cancelling = &frame;
	future_finished(f, e, p);
	cancelling = frame.outer;
	/* Counted out only now, after the callbacks: until then the future
	 * counts in pending, so destroy waits and the pool is alive (the
	 * callbacks may spawn onto it). */
	if (p != NULL)
		future_uncount_any_thread(p);
	return 0;
}

int skua_future_add_done_callback(skua_future *f,
    void (*fn)(skua_future *f, void *arg), void *arg)
{
	if (f == NULL || fn == NULL)
		return -EINVAL;
	struct skua__done_cb *c = skua__malloc(sizeof *c);
	if (c == NULL)
		return -ENOMEM;
	c->fn = fn;
	c->arg = arg;
	struct skua__done_cb *head = atomic_load_explicit(&f->cbs,
	    memory_order_acquire);
	do {
		if (head == SKUA__CBS_CLOSED) {
			/* Finished already (acquire: its result is visible). */
			skua__free(c, sizeof *c);
			fn(f, arg);
			return 0;
		}
		c->next = head;
		/* Release: the node's fields, for the finisher's acquire. */
	} while (!atomic_compare_exchange_weak_explicit(&f->cbs, &head, c,
	    memory_order_release, memory_order_acquire));
	return 0;
}

int skua_future_done(const skua_future *f)
{
	if (f == NULL)
		return -EINVAL;
	return skua__future_finished(f) ? 1 : 0;
}

int skua_future_release(skua_future *f)
{
	if (f == NULL)
		return -EINVAL;
	future_unref(f);
	return 0;
}
