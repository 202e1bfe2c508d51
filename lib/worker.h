/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/worker.h - struct skua_worker (its deque's fields are lib/deque.h's,
 * its counters lib/stats.h's), the task states, the thread's current
 * worker, and the worker layer's calls: the worker's life and loop
 * (lib/worker.c), running, finding and helping with tasks (lib/task.c).
 * The pool the workers form is lib/pool.h's.
 */
#ifndef SKUA_WORKER_H
#define SKUA_WORKER_H

#include <pthread.h>
#include <stdatomic.h>

#include "common.h"
#include "deque.h"
#include "stats.h"
#include "trace.h" /* SKUA_TRACE_EVENT, for the worker layer's callers */

#define SKUA__TASK_QUEUED 0u
#define SKUA__TASK_STOLEN 1u   /* low bit; the rest is the thief */
#define SKUA__TASK_DONE 2u
#define SKUA__TASK_DETACHED 4u /* a future's task: fn manages its lifetime */
/* 8 is SKUA__TASK_INLINED (skua/task.h). */

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

extern _Thread_local skua_worker *skua__tls_worker
    __attribute__((tls_model("initial-exec")));

/* lib/task.c: the worker layer over the deque */
/* A thief asked: make the private forks public.  Exported as
 * skua_abi_expose for skua/task.h's inline fork (docs/design.md, "Exported
 * symbols"); this is the name the library itself uses. */
static inline void skua__expose(skua_worker *w)
{
	skua_abi_expose(w);
}
void skua__run_taken(skua_worker *w, skua_task *t);
skua_task *skua__find_work(skua_worker *w);
void skua__push_public(skua_worker *w, skua_task *t);
bool skua__help_once(skua_worker *w);
/* ck_backoff_eb, capped at SKUA__BACKOFF_MAX empty iterations (~2 us). */
#define SKUA__BACKOFF_MAX 4096u
void skua__backoff(unsigned *b);

/* lib/worker.c: a worker's record (its deque, no thread yet), freed
 * after its thread was joined; start its thread, on CPU cpu when cpu >= 0
 * (an affinity hint: lib/pin.h), with the pool's stack size.  RETURNS 0,
 * -ENOMEM or -EAGAIN. */
skua_worker *skua__worker_new(skua_pool *p, unsigned index);
void skua__worker_free(skua_worker *w);
int skua__worker_start(skua_pool *p, skua_worker *w);
int skua__worker_start_on(skua_pool *p, skua_worker *w, int cpu);
/* fork() child: the forking thread is no worker. */
void skua__worker_atfork_child(void);

#endif /* SKUA_WORKER_H */
