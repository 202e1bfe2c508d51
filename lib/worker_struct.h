/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/worker_struct.h - struct skua_worker (layout only): read by the
 * worker layer (worker.c, task.c, spare.c) and the layers above it.
 * Like pool_struct.h, the layout sits apart from the modules that use it,
 * so that task.c needs no header of worker.c's (worker.c calls task.c,
 * never the reverse).
 */
#ifndef SKUA_WORKER_STRUCT_H
#define SKUA_WORKER_STRUCT_H

#include <pthread.h>
#include <stdatomic.h>

#include "common.h"
#include "deque.h"
#include "stats.h"
#include "trace.h" /* SKUA_TRACE_EVENT, for the worker layer's callers */

/* The task states, SKUA__TASK_*: skua/bits/deque.h (through deque.h). */

#define SKUA__HELP_DEPTH_MAX 64 /* nested helps while waiting */


struct skua_worker {
	struct skua__whot hot;                  /* lines 0-1, owner's */
	/* line 2: the public bottom and buffer, read by thieves */
	_Atomic int64_t bottom SKUA_ALIGNED;
	_Atomic(struct skua__dqbuf *) buf;
	/* The head when the fork task this worker runs now was stolen:
	 * entries at and above it were pushed inside that task's run, and
	 * only those may a leapfrogging joiner take (lib/task.c). */
	_Atomic int64_t steal_base;
	/* line 3: top, CAS'd by thieves */
	_Atomic int64_t top SKUA_ALIGNED;
	/* line 4+: owner's cold state */
	struct skua__dqbuf *cur SKUA_ALIGNED;
	skua_pool *pool;
	unsigned index;
	unsigned help_depth;
	bool spare;                    /* a compensating worker (spare.c) */
	bool dormant;                  /* spare: waiting on wake, not working */
	_Atomic uint32_t wake;         /* spare: futex word while dormant */
	bool more; /* find_work left work behind where it took some */
	uint64_t rng;
	pthread_t thread;
	struct skua__trace *trace;      /* NULL unless tracing */
	/* The longest stretch without a task (owner-written, relaxed; the
	 * profile reads it, lib/profile.c). */
	_Atomic uint64_t idle_max_ns;
	/* When the idle stretch still open began, 0 while busy (owner-
	 * written; skua_pool_stats counts the open stretch, lib/stats.h),
	 * the seqlock that it and stats.idle_ns change under, and the
	 * latest clock a reader counted an open stretch to (lib/stats.h). */
	_Atomic uint64_t idle_since;
	_Atomic uint64_t idle_seen;
	_Atomic uint32_t idle_seq;
	struct skua__wstats stats SKUA_ALIGNED;
};

_Static_assert(sizeof(struct skua__whot) == 2 * SKUA_CACHELINE,
    "the owner's hot part must be two cache lines");
_Static_assert(offsetof(struct skua_worker, hot) == 0,
    "skua_task.h casts a worker to its hot part");
_Static_assert(offsetof(struct skua_worker, bottom) % SKUA_CACHELINE == 0 &&
    offsetof(struct skua_worker, top) % SKUA_CACHELINE == 0,
    "bottom and top sit on cache lines of their own");
_Static_assert(sizeof(skua_task) == 16, "a task header is two words");

/* The owner sees public entries on its own deque (relaxed top: it only
 * grows, so a stale one only makes take() find the deque empty). */
static inline bool skua__deque_has_public(const skua_worker *w)
{
	return w->hot.bottom > atomic_load_explicit(&w->top,
	    memory_order_relaxed);
}

#endif /* SKUA_WORKER_STRUCT_H */
