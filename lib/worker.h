/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/worker.h - the worker's life and loop (lib/worker.c) and the thread's
 * current worker; it brings in the layout (lib/worker_struct.h: struct
 * skua_worker, the task states) and the task layer (lib/task.h: running,
 * finding and helping with tasks), so the layers above include this one
 * header.  The pool the workers form is lib/pool_struct.h's.
 */
#ifndef SKUA_WORKER_H
#define SKUA_WORKER_H

#include "worker_struct.h"
#include "task.h"

extern _Thread_local skua_worker *skua__tls_worker
    __attribute__((tls_model("initial-exec")));

/* lib/worker.c: a worker's record (its deque, no thread yet), freed
 * after its thread was joined; start its thread, on CPU cpu when cpu >= 0
 * (an affinity hint: lib/pin.h), with the pool's stack size.  RETURNS 0,
 * -ENOMEM or -EAGAIN. */
skua_worker *skua__worker_new(skua_pool *p, unsigned index);
void skua__worker_free(skua_worker *w);
/* Any thread: w's counters, the idle stretch it is in counted up to now
 * (what skua_pool_stats reports; lib/stats.h has the protocol). */
void skua__worker_stats_load(skua_worker *w, skua_worker_stats *s);
int skua__worker_start(skua_pool *p, skua_worker *w);
int skua__worker_start_on(skua_pool *p, skua_worker *w, int cpu);
/* Start a thread of p that is no pinned worker (a spare, a blocking
 * thread): p's stack size, and p's places as its affinity when p pins
 * (else the caller's mask).  RETURNS pthread_create's 0 or error number. */
int skua__thread_start(skua_pool *p, pthread_t *t, void *(*fn)(void *),
    void *arg);
/* Any published work in p (the injection queue, any visible deque), seen
 * with seq_cst loads (S3 of lib/park.md); true at shutdown. */
bool skua__pool_has_work(skua_pool *p);
/* fork() child: the forking thread is no worker. */
void skua__worker_atfork_child(void);

#endif /* SKUA_WORKER_H */
