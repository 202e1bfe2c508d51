/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/worker.h - the worker and pool structures: struct skua_worker (its
 * deque's fields are lib/deque.h's), struct skua_pool, the queues and
 * threads they own, and the worker layer's calls (lib/task.c).
 */
#ifndef SKUA_WORKER_H
#define SKUA_WORKER_H

#include <pthread.h>
#include <stdatomic.h>

#include "common.h"
#include "trace.h"
#include "profile.h"
#include "ck_ring.h"
#include "deque.h"
#include "fork.h"

#define SKUA__TASK_QUEUED 0u
#define SKUA__TASK_STOLEN 1u   /* low bit; the rest is the thief */
#define SKUA__TASK_DONE 2u
#define SKUA__TASK_DETACHED 4u /* a future's task: fn manages its lifetime */
/* 8 is SKUA__TASK_INLINED (skua/task.h). */

#define SKUA__HELP_DEPTH_MAX 64 /* nested helps while waiting */


/* Counters: written by the owner only (relaxed load + store), read by any. */
struct skua__wstats {
#define SKUA__WSTATS_MEMBER(name, column, unit, doc) _Atomic uint64_t name;
	SKUA_WORKER_STATS_FIELDS(SKUA__WSTATS_MEMBER)
#undef SKUA__WSTATS_MEMBER
};
#define SKUA_STAT_ADD(w, field, n)                                           \
	atomic_store_explicit(&(w)->stats.field,                             \
	    atomic_load_explicit(&(w)->stats.field, memory_order_relaxed) + (n), \
	    memory_order_relaxed)

/* An idle stretch of ns ended: the idle_ns counter and the longest one. */
#define SKUA_IDLE_SPAN(w, ns)                                                \
	do {                                                                 \
		uint64_t span_ = (ns);                                       \
		SKUA_STAT_ADD(w, idle_ns, span_);                            \
		if (span_ > atomic_load_explicit(&(w)->idle_max_ns,          \
		    memory_order_relaxed))                                   \
			atomic_store_explicit(&(w)->idle_max_ns, span_,      \
			    memory_order_relaxed);                           \
	} while (0)

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
	bool spare;                    /* a compensating worker (blocking.c) */
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

/* The queue for submissions from outside threads (lib/inject.c). */
struct skua__inject {
	struct ck_ring ring;
	struct ck_ring_buffer *buf;
	unsigned cap;
	pthread_mutex_t lock;       /* the overflow list, when the ring is full */
	skua_task **ovf;             /* growable array used as a FIFO */
	size_t ovf_head, ovf_n, ovf_cap;
	_Atomic size_t ovf_count;   /* lock-free hint for pollers */
	_Atomic int64_t count;      /* queued tasks, the published flag */
};

/* lib/blocking.c: the threads of skua_spawn_blocking. */
struct skua__bthread {
	pthread_t thread;
	int state; /* 0 free, 1 running, 2 exited and not joined yet */
};
struct skua__blocking {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct skua_future *head, *tail;
	unsigned threads, idle, queued; /* queued: jobs not taken yet */
	struct skua__bthread *slots; /* max_blocking of them, lazily */
	bool shutdown;
};

struct skua_pool {
	unsigned n;        /* compute workers */
	unsigned cap;      /* worker slots: n + max_blocking spares */
	unsigned max_blocking;
	skua_worker **workers;
	/* Slots [0, nvisible) hold initialized workers; thieves iterate them.
	 * Grows (release) when a compensating spare starts. */
	_Atomic unsigned nvisible;
	/* Compensation (lib/blocking.c): workers inside blocking_begin/end,
	 * spares active (under spare_lock), spares started. */
	_Atomic int blocked;
	_Atomic int spares_active; /* written under spare_lock */
	unsigned spares_started;
	pthread_mutex_t spare_lock;
	struct skua__blocking blk;
	struct skua__inject inject;

	/* Parking (lib/park.md): workers sleep on wake_seq. */
	_Atomic uint32_t wake_seq SKUA_ALIGNED;
	_Atomic uint32_t sleepers;
	_Atomic uint32_t spinning; /* idle workers searching, not asleep */
	/* Outside threads waiting for futures sleep on done_seq. */
	_Atomic uint32_t done_seq SKUA_ALIGNED;
	_Atomic uint32_t ext_waiters;
	/* Submitted futures not finished yet; destroy waits for 0. */
	_Atomic uint64_t pending SKUA_ALIGNED;
	_Atomic int shutdown;

	uint64_t fork_gen;   /* lib/fork.c: fork() detection */
	struct skua__fork_entry reg; /* in the registry of live pools */
	size_t stack_size;
	bool stats_print;
	char *trace_path;
	struct skua__trace_ext *trace_ext; /* other threads' events (lib/trace.c) */
	unsigned trace_number;  /* 1, 2, ...: the file name's %n */
	struct skua__profile *profile; /* NULL unless SKUA_PROFILE (lib/profile.c) */
};

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

/* lib/inject.c */
int skua__inject_init(struct skua__inject *q);
void skua__inject_fini(struct skua__inject *q);
int skua__inject_push(struct skua__inject *q, skua_task *t);
skua_task *skua__inject_pop(struct skua__inject *q);
bool skua__inject_empty(struct skua__inject *q);

/* lib/park.c */
void skua__notify(skua_pool *p, unsigned n);
void skua__post(skua_pool *p, unsigned n);
void skua__notify_all(skua_pool *p);
void skua__park(skua_worker *w);
void skua__ext_notify(skua_pool *p);
int skua__futex_wait(_Atomic uint32_t *addr, uint32_t val, uint64_t timeout_ns);
void skua__futex_wake(_Atomic uint32_t *addr, int n);

/* lib/pool.c */
bool skua__pool_forked(const skua_pool *p);
skua_worker *skua__worker_new(skua_pool *p, unsigned index);
void skua__worker_free(skua_worker *w);
int skua__worker_start(skua_pool *p, skua_worker *w);

/* lib/stack_guard.c: a worker's stack overflow gets a message. */
void skua__stack_guard_install(void); /* once, at pool create */
void skua__stack_guard_enter(void);   /* on a worker thread, at start */
void skua__stack_guard_leave(void);   /* ... and before it exits */

/* lib/blocking.c */
extern _Thread_local skua_pool *skua__tls_blocking_pool;
/* Between skua_blocking_begin and _end on this thread: waits sleep. */
bool skua__blocking_active(void);
/* fork() child: the forking thread is no blocking thread, at no depth. */
void skua__blocking_atfork_child(void);
int skua__blocking_init(skua_pool *p);
void skua__blocking_fini(skua_pool *p); /* after the drain: join threads */
bool skua__spare_should_retire(skua_worker *w);
void skua__spare_dormant(skua_worker *w);
void skua__spares_stop(skua_pool *p);

#endif /* SKUA_WORKER_H */
