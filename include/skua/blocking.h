/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/blocking.h - tasks that block (I/O, sleep, locks) without starving
 * the pool.
 *
 * A task that blocks in read(), sleep() or a lock takes its worker away
 * from the pool; N blocked tasks on N workers run nothing.  Two remedies,
 * like Tokio's spawn_blocking and Java's ForkJoinPool.ManagedBlocker:
 *
 * - skua_spawn_blocking() runs a function on a separate, elastic set of
 *   threads meant for blocking calls, and returns an ordinary future, so
 *   blocking and compute work can be gathered together;
 * - skua_blocking_begin() / skua_blocking_end() around a blocking call made
 *   inside a task: the pool wakes or starts a compensating worker so that
 *   the number of workers running compute tasks stays at the configured
 *   count; the extra worker retires when the blocked one comes back.
 */
#ifndef SKUA_BLOCKING_H
#define SKUA_BLOCKING_H

#include "bits/export.h"

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How deeply skua_blocking_begin() calls may nest on one thread. */
#define SKUA_BLOCKING_NEST_MAX 16

/*
 * skua_spawn_blocking - run fn(arg) on the pool's blocking threads.
 *
 * Threads are started on demand, at most SKUA_MAX_BLOCKING (default 64)
 * per pool, and retire after 5 s without work.  When all of them are busy
 * the call does not wait: the job queues (FIFO) and runs when a thread is
 * free.  So a blocking job must not wait for a later blocking job when more
 * than SKUA_MAX_BLOCKING of them can be pending at once.  Workers waiting on
 * such a future never run it themselves.  skua_pool_destroy() waits for
 * blocking jobs too.
 * RETURNS 0, or a negative error with *out set to NULL and nothing queued.
 * ERRORS  -EINVAL (NULL pool, fn or out), -ENOMEM, -EAGAIN (the job
 *         needs a thread of its own, every thread being busy or queued
 *         for, below the cap, and none could be started), -ECHILD.
 * THREAD SAFETY: any thread.
 */
SKUA_API int skua_spawn_blocking(skua_pool *pool, skua_fn fn, void *arg,
    skua_future **out);

/*
 * skua_blocking_begin - the calling task is about to block.
 *
 * On a worker, the pool keeps its count of running compute workers by
 * waking a dormant compensating worker or starting one (at most
 * SKUA_MAX_BLOCKING per pool).  Pair every successful call with
 * skua_blocking_end() on the same thread.  Nested calls are counted; only
 * the outermost one compensates.  On a thread that is not a worker, the
 * call only counts the nesting (there is nothing to compensate).
 * RETURNS 0.
 * ERRORS  -EOVERFLOW (nested more than SKUA_BLOCKING_NEST_MAX deep),
 *         -EAGAIN (the compensation cap is reached, or a compensating
 *         thread could not be started; nothing changed, the caller may
 *         block anyway or retry), -ENOMEM.
 * COST    a few atomic operations when a compensating worker is already
 *         awake (measured in docs/benchmarks.md), a futex wake otherwise.
 */
SKUA_API int skua_blocking_begin(void);

/*
 * skua_blocking_end - the blocking call returned.
 * RETURNS 0; -EINVAL (no matching skua_blocking_begin on this thread).
 */
SKUA_API int skua_blocking_end(void);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_BLOCKING_H */
