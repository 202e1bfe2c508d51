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
 * counted as dropped (the file's otherData.dropped_events, and a line on
 * stderr at destroy).  skua_pool_destroy writes the Chrome trace-event
 * JSON format (chrome://tracing, Perfetto); the file name and its
 * placeholders: lib/trace.c.  With tracing off, each hook is one
 * predictable branch (w->trace, or pool->trace_path).
 */
#ifndef SKUA_TRACE_H
#define SKUA_TRACE_H

#include <pthread.h>
#include <stdbool.h>
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

/* lib/trace.c, a leaf: the buffers.  A worker's buffer is written by its
 * worker only; the other threads' buffer under its lock. */
struct skua__trace *skua__trace_new(void);       /* NULL: out of memory */
void skua__trace_free(struct skua__trace *t);     /* NULL: nothing */
void skua__trace_event(struct skua__trace *t, enum skua__trace_kind kind,
    uint64_t start_ns, uint64_t end_ns, uint32_t arg, uint64_t extra);
struct skua__trace_ext *skua__trace_ext_new(void);
void skua__trace_ext_free(struct skua__trace_ext *x);
/* An event of the calling thread, which is not one of the pool's workers. */
void skua__trace_ext_event(struct skua__trace_ext *x, struct skua__trace_ev ev,
    bool blocking);

/* lib/trace_write.c, above the worker layer: the pool's trace. */
struct skua_pool;
/* The pool's buffer for other threads; 0 or
 * -ENOMEM.  From skua_pool_create when tracing. */
int skua__trace_pool_init(struct skua_pool *p);
/* The pool started (its create succeeds): its number, 1, 2, ... in the
 * process (the file name's %n, or .N after the second), so that a failed
 * create takes none. */
void skua__trace_pool_started(struct skua_pool *p);
void skua__trace_pool_free(struct skua_pool *p);
/* Write the file; returns 0 or a negative errno. */
int skua__trace_write(struct skua_pool *p);
/* The file name of pool number k of process pid for SKUA_TRACE path:
 * "%p" -> pid, "%n" -> k; without "%n" and k > 1, ".k" before the
 * extension.  Whole, however many placeholders path has (malloc'd; NULL
 * when out of memory). */
char *skua__trace_file_name(const char *path, unsigned k, long pid);
/* The file's tid for a thread that is not a worker, of kernel id
 * kernel_tid, in a trace of nw workers (whose tids are 0 .. nw-1): the
 * kernel's id, moved up by 2^30 where it would be a worker's. */
uint32_t skua__trace_ext_tid(uint32_t kernel_tid, unsigned nw);
/* A future (id: its address) was spawned: the flow's start, on whatever
 * thread; it ran from start_ns to now (blocking: a blocking job's). */
void skua__trace_spawn(struct skua_pool *p, const void *id);
void skua__trace_future_ran(struct skua_pool *p, const void *id,
    bool blocking, uint64_t start_ns);

#define SKUA_TRACE_EVENT(w, kind, start, end, arg, extra)                    \
	do {                                                                 \
		if (SKUA_UNLIKELY((w)->trace != NULL))                       \
			skua__trace_event((w)->trace, (kind), (start), (end), \
			    (arg), (extra));                                        \
	} while (0)

#endif
