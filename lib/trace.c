/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace.c - the event buffers (lib/trace.h) and the Chrome trace
 * writer.
 *
 * The file: SKUA_TRACE (or skua_config.trace) names it; "%p" in the name
 * becomes the process id and "%n" the pool's number (1, 2, ... in the
 * order this process created its traced pools).  Without "%n", the first
 * pool writes the name itself and pool k > 1 inserts ".k" before the
 * extension (trace.json, trace.2.json, ...), so that two pools of one
 * process never overwrite each other.
 *
 * In the file: one process (the real pid), one thread per worker (tid =
 * the worker's index) and one per other thread that spawned a future or
 * ran a blocking job (tid = its kernel thread id).  Task and chunk slices
 * ("X"; a chunk is named by its loop's site), steals (instants), parked
 * spans, and futures: a "spawn" slice on the spawning thread and a
 * "future" slice where it ran, joined by a flow arrow ("s" / "f" with the
 * same id, the future's address: unique while it lives).
 */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include "pool_struct.h"
#include "worker.h"
#include "trace.h"
#include "future.h"
#include "site.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic unsigned traced_pools;

/* The calling thread's kernel id, asked once (a system call: ~1 us). */
static uint32_t this_tid(void)
{
	static _Thread_local uint32_t tid;
	if (tid == 0)
		tid = (uint32_t)syscall(SYS_gettid);
	return tid;
}

void skua__trace_event(skua_worker *w, enum skua__trace_kind kind,
    uint64_t start_ns, uint64_t end_ns, uint32_t arg, uint64_t extra)
{
	struct skua__trace *t = w->trace;
	if (t->n == SKUA__TRACE_EVENTS) {
		t->dropped++;
		return;
	}
	t->ev[t->n++] = (struct skua__trace_ev){ start_ns, end_ns, extra,
	    (uint32_t)kind, arg };
}

int skua__trace_alloc(skua_pool *p, skua_worker *w)
{
	w->trace = NULL;
	if (p->trace_path == NULL)
		return 0;
	w->trace = skua__malloc(sizeof *w->trace);
	if (w->trace == NULL)
		return -ENOMEM;
	w->trace->n = 0;
	w->trace->dropped = 0;
	return 0;
}

void skua__trace_free(skua_worker *w)
{
	skua__free(w->trace, sizeof *w->trace);
	w->trace = NULL;
}

int skua__trace_pool_init(skua_pool *p)
{
	struct skua__trace_ext *x = skua__malloc(sizeof *x);
	if (x == NULL)
		return -ENOMEM;
	if (pthread_mutex_init(&x->lock, NULL) != 0) {
		skua__free(x, sizeof *x);
		return -ENOMEM;
	}
	x->n = 0;
	x->dropped = 0;
	p->trace_ext = x;
	p->trace_number = atomic_fetch_add_explicit(&traced_pools, 1,
	    memory_order_relaxed) + 1;
	return 0;
}

void skua__trace_pool_free(skua_pool *p)
{
	if (p->trace_ext == NULL)
		return;
	pthread_mutex_destroy(&p->trace_ext->lock);
	skua__free(p->trace_ext, sizeof *p->trace_ext);
	p->trace_ext = NULL;
}

/* Record an event of a thread that is not one of p's workers. */
static void ext_event(skua_pool *p, struct skua__trace_ev ev, bool blocking)
{
	struct skua__trace_ext *x = p->trace_ext;
	uint32_t tid = this_tid();
	pthread_mutex_lock(&x->lock);
	if (x->n == SKUA__TRACE_EXT_EVENTS) {
		x->dropped++;
	} else {
		x->tid[x->n] = tid;
		x->blocking[x->n] = blocking;
		x->ev[x->n++] = ev;
	}
	pthread_mutex_unlock(&x->lock);
}

static void any_event(skua_pool *p, struct skua__trace_ev ev, bool blocking)
{
	skua_worker *w = skua__tls_worker;
	if (w != NULL && w->pool == p && w->trace != NULL)
		skua__trace_event(w, ev.kind, ev.start_ns, ev.end_ns, ev.arg,
		    ev.extra);
	else
		ext_event(p, ev, blocking);
}

void skua__trace_spawn(skua_pool *p, const skua_future *f)
{
	uint64_t now = skua__now_ns();
	any_event(p, (struct skua__trace_ev){ now, now, (uintptr_t)f,
	    SKUA__TR_SPAWN, 0 }, false);
}

void skua__trace_future_ran(skua_pool *p, const skua_future *f,
    uint64_t start_ns)
{
	any_event(p, (struct skua__trace_ev){ start_ns, skua__now_ns(),
	    (uintptr_t)f, SKUA__TR_FUTURE, f->blocking }, f->blocking);
}
