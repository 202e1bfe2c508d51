/*
 * lib/future.h - the future record, shared by lib/future.c (compute tasks)
 * and lib/blocking.c (skua_spawn_blocking).
 */
#ifndef SKUA_FUTURE_INTERNAL_H
#define SKUA_FUTURE_INTERNAL_H

#include "worker.h"

enum { SKUA__F_PENDING, SKUA__F_RUNNING, SKUA__F_DONE };

struct skua_future {
	skua_task task; /* state SKUA__TASK_DETACHED */
	skua_fn fn;
	void *arg;
	void *result;
	skua_pool *pool;
	struct skua_future *next; /* lib/blocking.c's queue */
	bool blocking;            /* waiters must not run it themselves */
	uint64_t fork_gen;        /* the pool's: fork() detection, no pool read */
	_Atomic uint32_t status;
	_Atomic uint32_t refs;
};

/* A new future with two references (the caller's and the queue's), counted
 * in pool->pending.  NULL when out of memory (nothing counted). */
skua_future *skua__future_new(skua_pool *pool, skua_fn fn, void *arg);
/* Undo skua__future_new when the submission failed. */
void skua__future_discard(skua_future *f);
/* Run it if nobody claimed it yet, then drop the queue's reference. */
void skua__future_run_queued(skua_future *f);

#endif
