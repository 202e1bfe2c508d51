/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace.c - the trace's event buffers (lib/trace.h), a leaf: a
 * worker's own buffer, written by that worker alone, and the pool's buffer
 * for the other threads, under its lock.  What goes in them and the file
 * they make: lib/trace_write.c.
 */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include "common.h"
#include "fork.h"
#include "trace.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The calling thread's kernel id, asked once per process (a system call:
 * ~1 us): the child of a fork() asks again, its thread has a new id (it
 * was labelled with its parent thread's; lib/fork.c counts the forks). */
static uint32_t this_tid(void)
{
	static _Thread_local uint32_t tid;
	static _Thread_local uint64_t tid_gen;
	uint64_t gen = skua__fork_generation();
	if (tid == 0 || tid_gen != gen) {
		tid = (uint32_t)syscall(SYS_gettid);
		tid_gen = gen;
	}
	return tid;
}

struct skua__trace *skua__trace_new(void)
{
	struct skua__trace *t = skua__malloc(sizeof *t);
	if (t != NULL) {
		t->n = 0;
		t->dropped = 0;
	}
	return t;
}

void skua__trace_free(struct skua__trace *t)
{
	if (t != NULL)
		skua__free(t, sizeof *t);
}

void skua__trace_event(struct skua__trace *t, enum skua__trace_kind kind,
    uint64_t start_ns, uint64_t end_ns, uint32_t arg, uint64_t extra)
{
	if (t->n == SKUA__TRACE_EVENTS) {
		t->dropped++;
		return;
	}
	t->ev[t->n++] = (struct skua__trace_ev){ start_ns, end_ns, extra,
	    (uint32_t)kind, arg };
}

struct skua__trace_ext *skua__trace_ext_new(void)
{
	struct skua__trace_ext *x = skua__malloc(sizeof *x);
	if (x == NULL)
		return NULL;
	if (pthread_mutex_init(&x->lock, NULL) != 0) {
		skua__free(x, sizeof *x);
		return NULL;
	}
	x->n = 0;
	x->dropped = 0;
	return x;
}

void skua__trace_ext_free(struct skua__trace_ext *x)
{
	if (x == NULL)
		return;
	pthread_mutex_destroy(&x->lock);
	skua__free(x, sizeof *x);
}

void skua__trace_ext_event(struct skua__trace_ext *x, struct skua__trace_ev ev,
    bool blocking)
{
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
