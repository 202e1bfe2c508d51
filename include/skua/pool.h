/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/pool.h - creating and destroying a pool of worker threads.
 *
 * A pool owns one worker thread per core.  Each worker owns a Chase-Lev
 * work-stealing deque; idle workers steal from random victims, back off and
 * then park on a futex, so an idle pool burns no CPU.
 */
#ifndef SKUA_POOL_H
#define SKUA_POOL_H

#include "bits/export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* An opaque pool of workers. */
typedef struct skua_pool skua_pool;
/* A worker thread of a pool; passed to every task. */
typedef struct skua_worker skua_worker;

/*
 * Pinning workers to CPUs (skua_config.pin, SKUA_PIN), like OpenMP's
 * OMP_PROC_BIND: off by default.  The places are the CPUs of the affinity
 * mask of the thread that creates the pool, in ascending order; compute
 * worker i gets one of them (compensating spares and blocking threads
 * keep the whole mask).
 * Unpinned, a worker asleep in an idle pool holds itself to the CPU it
 * sleeps on (at most one sleeper to each CPU), so that it wakes there;
 * it takes its whole mask back before it runs a task (lib/park.md).
 */
enum skua_pin {
	SKUA_PIN_DEFAULT = 0, /* SKUA_PIN, else off */
	SKUA_PIN_OFF = 1,     /* the workers keep the creating thread's mask */
	SKUA_PIN_COMPACT = 2, /* worker i on the i-th CPU, modulo the count */
	SKUA_PIN_SPREAD = 3,  /* spaced evenly over the mask (compact when
	                         there are more workers than CPUs) */
};

/*
 * Caller-filled pool settings.  Always start from skua_config_init(), which
 * sets `size` so that later versions can add fields without breaking you.
 * A zero field means "use the environment, then the machine's default".
 */
typedef struct skua_config {
	size_t size;         /* sizeof(skua_config), set by skua_config_init */
	unsigned workers;    /* 0: SKUA_WORKERS, else the CPUs we may use */
	size_t stack_size;   /* stack of each thread the pool starts (workers,
	                        spares, blocking threads) in bytes, 64 KiB ..
	                        4 GiB, raised to the system's least;
	                        0: SKUA_STACK_SIZE or 8 MiB */
	int stats;           /* 1: print a per-worker table at destroy (SKUA_STATS) */
	int pin;             /* an enum skua_pin; 0: SKUA_PIN, else off (in
	                        64-bit padding: sizeof is as before) */
	const char *trace;   /* path of a Chrome trace written at destroy
	                      * (SKUA_TRACE; %p: the pid, %n: the pool's number;
	                      * NULL: SKUA_TRACE or none; "" is -EINVAL) */
	void *reserved[6];
} skua_config;

/* skua_config_init - fill *cfg with "all defaults".  NULL is ignored. */
SKUA_API void skua_config_init(skua_config *cfg);

/*
 * skua_pool_create - start a pool.
 *
 * cfg may be NULL (all defaults).  Worker count: cfg->workers, else
 * SKUA_WORKERS, else the CPUs this process may run on (sched_getaffinity,
 * bounded by the tightest cgroup v2 or v1 CPU quota on its cgroup or a
 * parent, rounded up); never 0.  A bad
 * environment value prints one warning naming the variable, the value and
 * the value used instead (SKUA_STRICT=1 turns that into -EINVAL).
 * Pinning (cfg->pin, else SKUA_PIN): each compute worker starts with its
 * affinity set to one CPU of the creating thread's mask (enum skua_pin).
 * Several pools may exist at once.
 *
 * fork(): the child of a process with live pools gets -ECHILD from every
 * call on an inherited pool that would run or wait for work (spawn, run,
 * get of an unfinished future, stats, parallel loops over a non-empty
 * range) except skua_pool_destroy, which frees it; new pools created in
 * the child work.  The parent is unaffected.  A child forked inside a
 * task lives on that worker's thread: end it there (exec, _exit); a
 * return from the task re-enters the inherited pool's worker loop.
 *
 * RETURNS 0 and sets *out, or a negative error and sets *out to NULL.
 * ERRORS  -EINVAL (out is NULL, cfg->size is wrong, a value is out of range
 *         (cfg->pin above SKUA_PIN_SPREAD, cfg->trace "", too),
 *         or a bad environment value under SKUA_STRICT=1), -ENOMEM, -EAGAIN
 *         (a worker thread could not be started; every thread already
 *         started has been joined).  Under SKUA_DISPLAY_ENV or
 *         SKUA_STRICT=1 a bad cfg field is also named on stderr.
 * THREAD SAFETY: any thread.
 */
SKUA_API int skua_pool_create(const skua_config *cfg, skua_pool **out);

/*
 * skua_pool_destroy - wait for all submitted work, then stop the workers.
 *
 * Every task submitted before or during the call (futures, and the tasks
 * those spawn) runs to completion before the workers stop; then the threads
 * are joined and the memory is released.  Futures that were not released
 * stay valid until skua_future_release().
 *
 * In the child of a fork(), a pool inherited from the parent has no
 * threads: destroy frees its memory at once, dropping queued tasks.
 * RETURNS 0, or a negative error and the pool is untouched.
 * ERRORS  -EINVAL (pool is NULL), -EDEADLK (called from a task of this pool,
 *         or from a done-callback that skua_future_cancel runs for one of
 *         its futures: destroy would wait for that future).
 * THREAD SAFETY: one thread, once per pool, not concurrently with other
 *         calls on the same pool from outside threads that it would race.
 */
SKUA_API int skua_pool_destroy(skua_pool *pool);

/* skua_pool_workers - the number of workers; 0 if pool is NULL. */
SKUA_API unsigned skua_pool_workers(const skua_pool *pool);

/*
 * skua_pool_run - run fn(worker, arg) on a worker of the pool and wait.
 *
 * The entry point for fork/join code from an outside thread.  Called from a
 * worker of the same pool, fn runs inline on the calling worker.
 * RETURNS 0; -EINVAL (NULL pool or fn), -ENOMEM, -ECHILD.
 */
SKUA_API int skua_pool_run(skua_pool *pool,
    void (*fn)(skua_worker *w, void *arg), void *arg);

/* skua_worker_current - the calling thread's worker, or NULL outside pools. */
SKUA_API skua_worker *skua_worker_current(void);

/* skua_worker_pool - the pool a worker belongs to. */
SKUA_API skua_pool *skua_worker_pool(const skua_worker *w);

/*
 * skua_worker_index - the worker's number: 0 .. skua_pool_workers()-1 for
 * compute workers; compensating spares (skua_blocking_begin) take the
 * numbers after them, always below skua_pool_worker_slots().  0 for NULL.
 */
SKUA_API unsigned skua_worker_index(const skua_worker *w);

/*
 * skua_pool_worker_slots - the bound of skua_worker_index() over every
 * worker this pool may ever run, spares included (workers +
 * SKUA_MAX_BLOCKING): the size of a per-worker scratch array.  0 for NULL.
 * THREAD SAFETY: any thread; constant for the pool's life.
 */
SKUA_API unsigned skua_pool_worker_slots(const skua_pool *pool);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_POOL_H */
