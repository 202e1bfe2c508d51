/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/future.h - the future record, shared by lib/future.c (life cycle,
 * cancel, callbacks), lib/future_wait.c (every wait) and lib/blocking.c
 * (skua_spawn_blocking).
 *
 * status holds the state in its low two bits, SKUA__F_WAITERS when an
 * outside thread sleeps on the word (a futex in the future itself, so a
 * waiter never touches the pool, which may be destroyed meanwhile) and
 * SKUA__F_WATCHED when one polls it, yielding:
 *
 *     PENDING --claim (CAS)--> RUNNING --fn returns (exchange)--> DONE
 *        \--cancel (CAS)--> CANCELLED
 *
 * DONE and CANCELLED are final ("finished"); whoever makes the step to one
 * of them wakes the status word's sleepers, then runs the done-callbacks.
 */
#ifndef SKUA_FUTURE_INTERNAL_H
#define SKUA_FUTURE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common.h"
#include "fork.h"

enum { SKUA__F_PENDING, SKUA__F_RUNNING, SKUA__F_DONE, SKUA__F_CANCELLED };
#define SKUA__F_STATE 3u
#define SKUA__F_WAITERS 4u
/* An outside waiter polls the word and yields its CPU meanwhile (a hint:
 * the worker that finishes the future yields once, see future.c). */
#define SKUA__F_WATCHED 8u
/* The skua_spawn woke a worker asleep on another CPU than its own: the
 * outside waiter yields longer before it sleeps (future_wait.c). */
#define SKUA__F_WOKE_FAR 16u
#define SKUA__F_FLAGS (SKUA__F_WAITERS | SKUA__F_WATCHED | SKUA__F_WOKE_FAR)

/* A done-callback, on a list pushed at the head (so newest first). */
struct skua__done_cb {
	struct skua__done_cb *next;
	void (*fn)(skua_future *f, void *arg);
	void *arg;
};
/* cbs once the future finished: later registrations call at once. */
#define SKUA__CBS_CLOSED ((struct skua__done_cb *)1)

struct skua_future {
	skua_task task; /* state SKUA__TASK_DETACHED */
	skua_fn fn;
	void *arg;
	void *result;
	skua_pool *pool;
	struct skua_future *next; /* lib/blocking.c's queue */
	_Atomic(struct skua__done_cb *) cbs;
	bool blocking;            /* waiters must not run it themselves */
	/* The number of the thread that runs it (lib/future.c's thread_id;
	 * 0 before): a wait of that thread for it, from a task run inside the
	 * task's own wait, could never end (skua__future_runs_here).  In the
	 * padding. */
	_Atomic uint32_t runner;
	uint64_t fork_gen;        /* the pool's: fork() detection, no pool read */
	_Atomic uint32_t status;
	_Atomic uint32_t refs;
};

/* A new future with two references (the caller's and the queue's), counted
 * in pool->pending.  NULL when out of memory (nothing counted). */
skua_future *skua__future_new(skua_pool *pool, skua_fn fn, void *arg);
/* Undo skua__future_new when the submission failed. */
void skua__future_discard(skua_future *f);
/* Is this thread inside the done-callbacks of a cancel of one of p's
 * futures, at any depth (a callback that cancels another future nests)?
 * That future still counts in p's pending, so a destroy of p from there
 * would wait for itself: -EDEADLK. */
bool skua__future_cancelling(const skua_pool *p);
/* The queue entry's turn: run it if nobody claimed it yet, then drop the
 * queue's reference (a claimed or cancelled one was counted out of
 * pending by whoever claimed or cancelled it). */
void skua__future_run_queued(skua_future *f);
/* PENDING -> RUNNING; true if we won it and must run it now. */
bool skua__future_claim(skua_future *f);
/* Run a claimed future, publish DONE, wake, call back, uncount. */
void skua__future_run_claimed(skua_future *f);

/* Does this thread run f, lower on its stack (it is RUNNING and we
 * claimed it)?  Then no wait of ours for f can end: the task resumes only
 * once the wait returns. */
bool skua__future_runs_here(const skua_future *f);

/* DONE or CANCELLED.  seq_cst: also the re-check load of the waiters'
 * Dekker pair (lib/park.md, "waiters"). */
static inline bool skua__future_finished(const skua_future *f)
{
	return (atomic_load_explicit(&f->status, memory_order_seq_cst) &
	    SKUA__F_STATE) >= SKUA__F_DONE;
}

/* In the child of a fork(), for a future of an inherited pool.  Reads the
 * future only: an outside waiter must not touch a pool that may be in
 * skua_pool_destroy meanwhile. */
static inline bool skua__future_forked(const skua_future *f)
{
	return f->fork_gen != skua__fork_generation();
}

#endif
