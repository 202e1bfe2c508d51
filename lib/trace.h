/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace.h - the timeline trace (SKUA_TRACE / skua_config.trace).
 *
 * Each worker records into its own fixed-size buffer, with no locks and no
 * shared writes: task spans, loop chunks (named by their site), steals,
 * parked spans, futures run.  Threads that are not workers (the caller of
 * skua_spawn, the blocking threads) record into one buffer per pool under
 * a mutex: a spawn or a blocking job is microseconds or more, so the lock
 * costs little beside it.  When a buffer is full, further events are
 * counted as dropped.  skua_pool_destroy writes the Chrome trace-event
 * JSON format (chrome://tracing, Perfetto); the file name and its
 * placeholders: lib/trace.c.  With tracing off, each hook is one
 * predictable branch (w->trace, or pool->trace_path).
 */
#ifndef SKUA_TRACE_H
#define SKUA_TRACE_H

#include <pthread.h>
#include <stdint.h>

#define SKUA__TRACE_EVENTS 65536 /* per worker: 2 MiB */
#define SKUA__TRACE_EXT_EVENTS 65536 /* other threads, per pool */

enum skua__trace_kind {
	SKUA__TR_TASK,     /* arg: 1 when a fork's child run by its join */
	SKUA__TR_STEAL,    /* arg: the victim */
	SKUA__TR_PARK,
	SKUA__TR_CHUNK,    /* arg: the site (lib/site.h); extra: elements */
	SKUA__TR_SPAWN,    /* a future made; extra: its flow id */
	SKUA__TR_FUTURE,   /* a future's run; arg: 1 blocking; extra: flow */
};

struct skua__trace_ev {
	uint64_t start_ns, end_ns;
	uint64_t extra;
	uint32_t kind, arg;
};

struct skua__trace {
	uint32_t n;
	uint64_t dropped;
	struct skua__trace_ev ev[SKUA__TRACE_EVENTS];
};

/* Events of threads that are not workers, each with its thread id. */
struct skua__trace_ext {
	pthread_mutex_t lock;
	uint32_t n;
	uint64_t dropped;
	struct skua__trace_ev ev[SKUA__TRACE_EXT_EVENTS];
	uint32_t tid[SKUA__TRACE_EXT_EVENTS];
	uint8_t blocking[SKUA__TRACE_EXT_EVENTS]; /* a blocking thread's */
};

struct skua_worker;
struct skua_pool;
struct skua_future;
void skua__trace_event(struct skua_worker *w, enum skua__trace_kind kind,
    uint64_t start_ns, uint64_t end_ns, uint32_t arg, uint64_t extra);
int skua__trace_alloc(struct skua_pool *p, struct skua_worker *w);
/* The pool's buffer for other threads, and its file number; 0 or
 * -ENOMEM.  From skua_pool_create when tracing. */
int skua__trace_pool_init(struct skua_pool *p);
/* Write the file; returns 0 or a negative errno.  Frees the buffers. */
int skua__trace_write(struct skua_pool *p);
void skua__trace_free(struct skua_worker *w);
void skua__trace_pool_free(struct skua_pool *p);

/* A future was spawned (the flow's start), on whatever thread. */
void skua__trace_spawn(struct skua_pool *p, const struct skua_future *f);
/* A future ran from start_ns to now, on whatever thread. */
void skua__trace_future_ran(struct skua_pool *p, const struct skua_future *f,
    uint64_t start_ns);

#define SKUA_TRACE_EVENT(w, kind, start, end, arg, extra)                    \
	do {                                                                 \
		if (SKUA_UNLIKELY((w)->trace != NULL))                       \
			skua__trace_event((w), (kind), (start), (end), (arg), \
			    (extra));                                        \
	} while (0)

#endif
