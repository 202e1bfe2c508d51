/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/future.h - futures: spawn from any thread, get, wait for all or any.
 *
 * The C counterpart of concurrent.futures: skua_spawn() is
 * executor.submit(), skua_future_get() is future.result(),
 * skua_future_wait_all() is asyncio.gather() / wait(ALL_COMPLETED), and
 * skua_future_wait_any() is as_completed() / wait(FIRST_COMPLETED).
 *
 * How a wait waits (get, wait_all, wait_any, and the loops and
 * skua_pool_run that wait on another pool):
 * - On a worker, it first makes the calling frame's own forks runnable,
 *   runs the listed futures of its own pool that nobody started yet, and
 *   then runs ANY task of its pool until the wait is over, whatever pool
 *   the futures belong to; with nothing to run for 50 us it sleeps,
 *   counted as blocking (skua_blocking_begin), so a spare worker keeps the
 *   pool at strength and a long wait costs no CPU.
 * - So a lock held across a wait on a worker may be wanted by a task that
 *   the wait runs on the same thread: a deadlock (or EDEADLK from an
 *   error-checking mutex).  Hold no lock across a wait, or wrap the wait
 *   in skua_blocking_begin()/skua_blocking_end(): inside them a worker
 *   waits as an outside thread does and runs nothing.  (A join is
 *   different: it runs only what the child's thief pushed during the
 *   child's run, skua/task.h; but a child that itself waits outside
 *   blocking_begin/end may run anything there, as above.)
 * - Likewise a task that the wait runs may itself wait for the task that
 *   is waiting (y waits for x, and x's wait ran y): x resumes only once y
 *   returns.  Untimed, that wait, for a future that runs lower on the
 *   caller's own stack, is -EDEADLK at once (a timed one times out, unless
 *   its timeout never runs out); a
 *   longer cycle (y waits for z, which waits for x on another worker) is
 *   not seen and hangs.  Wait inside skua_blocking_begin()/_end() where
 *   futures wait for each other.
 * - On any other thread, it spins for a few microseconds, then sleeps on
 *   a futex.
 */
#ifndef SKUA_FUTURE_H
#define SKUA_FUTURE_H

#include "bits/export.h"

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct skua_future skua_future;
/* A task for skua_spawn: its return value is the future's result. */
typedef void *(*skua_fn)(void *arg);

/*
 * skua_spawn - run fn(arg) on the pool; *out is its future.
 *
 * From a worker of the pool the task goes on the worker's own deque; from
 * any other thread it goes through the pool's injection queue.  Release
 * every future with skua_future_release().
 * RETURNS 0, or a negative error with *out set to NULL and nothing queued.
 * ERRORS  -EINVAL (NULL pool, fn or out), -ENOMEM, -ECHILD (pool inherited
 *         across fork()).
 * THREAD SAFETY: any thread.
 */
SKUA_API int skua_spawn(skua_pool *pool, skua_fn fn, void *arg,
    skua_future **out);

/*
 * skua_future_get - wait until f is done and store its result in *result
 * (result may be NULL).  Several threads may wait on one future, also
 * while the pool is being destroyed (the future outlives it); the caller
 * that releases the future must know the others are done with it.
 * RETURNS 0; -EINVAL (f is NULL); -ECANCELED (skua_future_cancel won:
 * the task never ran); -ECHILD (in the child of a fork(), a future of an
 * inherited pool that was not done: it never will be); -EDEADLK (f's task
 * runs lower on this thread's stack, below the task that calls: it cannot
 * finish before this call returns; also f's own task waiting for f.  Not
 * from the timed form, which times out then).
 */
SKUA_API int skua_future_get(skua_future *f, void **result);

/* skua_future_done - 1 when f is done or cancelled, 0 when not, -EINVAL
 * for NULL. */
SKUA_API int skua_future_done(const skua_future *f);

/*
 * skua_future_wait_all - wait until every future of fs[0..n) is done.
 * n == 0 returns at once.  RETURNS 0; -EINVAL (fs NULL with n > 0, or a
 * NULL entry; nothing is waited for); -ECHILD, -EDEADLK (as
 * skua_future_get, for any of them; nothing is waited for).
 */
SKUA_API int skua_future_wait_all(skua_future *const *fs, size_t n);

/*
 * skua_future_wait_any - wait until at least one future of fs[0..n) is
 * done and store the lowest index of a done one in *index (as_completed:
 * call again on the rest).  The set is looked at again after every task
 * the waiting worker runs, so *index is the lowest index done at return.
 * NULL entries are skipped, so a caller may NULL out the futures it has
 * taken.  From an outside thread it sleeps on the pool: it must return
 * before the pool is destroyed (skua_future_get and wait_all have no such
 * limit; nor has a task of another pool, which polls, at most 1 ms
 * apart, instead of sleeping on this one).
 * RETURNS 0; -EINVAL (fs or index NULL, n == 0, or every entry NULL);
 * -ECHILD (as skua_future_get, when none is done); -EDEADLK (none is
 * done and every other runs lower on this thread's stack, as
 * skua_future_get).  On every error *index is SIZE_MAX (when index is
 * not NULL).
 */
SKUA_API int skua_future_wait_any(skua_future *const *fs, size_t n,
    size_t *index);

/*
 * Timed waits: as skua_future_get, _wait_all and _wait_any, but giving up
 * after timeout_ns nanoseconds (relative, measured on CLOCK_MONOTONIC; 0
 * only looks).  On a worker the wait still helps run tasks until the
 * deadline; it looks at the clock between tasks, so it returns at most one
 * task's length after the deadline (the task it was running then).
 * RETURNS 0 as the untimed calls, or -ETIMEDOUT with nothing changed
 * (*result NULL, *index SIZE_MAX); the other errors as the untimed calls,
 * except -EDEADLK (only for a timeout that never gives up: UINT64_MAX,
 * or any so long that now + timeout_ns wraps).
 * THREAD SAFETY: any thread.
 */
SKUA_API int skua_future_get_timeout(skua_future *f, void **result,
    uint64_t timeout_ns);
SKUA_API int skua_future_wait_all_timeout(skua_future *const *fs, size_t n,
    uint64_t timeout_ns);
SKUA_API int skua_future_wait_any_timeout(skua_future *const *fs, size_t n,
    size_t *index, uint64_t timeout_ns);

/*
 * skua_future_cancel - make sure a task that has not started never runs
 * (Future.cancel()).  Every waiter then sees -ECANCELED from get; wait_all
 * and wait_any count the future as done; its done-callbacks run, on the
 * calling thread.  A task that has started or finished is not touched.
 * The memory is reclaimed once the future is released (and its queue
 * entry dropped).
 * RETURNS 0 (cancelled now, or already); -EBUSY (running or done:
 * nothing changed); -EINVAL (f is NULL).
 * THREAD SAFETY: any thread, concurrently with the task's start: exactly
 * one of "ran" and "cancelled" happens.
 */
SKUA_API int skua_future_cancel(skua_future *f);

/*
 * skua_future_add_done_callback - call fn(f, arg) exactly once when f
 * finishes (done or cancelled): on the thread that finished it, right
 * after waking its waiters, in registration order; or at once, on the
 * calling thread, when f has finished already and its finisher has taken
 * the list (a callback added just after a get returned, while the
 * finisher is still between the wake and the callbacks, runs on the
 * finisher: once either way).  fn may call
 * skua_future_get(f) (it does not wait) and spawn more work; it must not
 * release f's last reference, and it should be short (it delays the
 * worker that ran the task).  A future's callbacks run before skua_pool_
 * destroy can return.
 * RETURNS 0; -EINVAL (f or fn NULL); -ENOMEM (nothing registered).
 * THREAD SAFETY: any thread, until f is released.
 */
SKUA_API int skua_future_add_done_callback(skua_future *f,
    void (*fn)(skua_future *f, void *arg), void *arg);

/*
 * skua_future_release - drop the caller's reference.  The memory is
 * recycled once the task has also finished; the task itself still runs.
 * RETURNS 0; -EINVAL (f is NULL).
 */
SKUA_API int skua_future_release(skua_future *f);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_FUTURE_H */
