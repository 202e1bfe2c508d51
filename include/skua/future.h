/*
 * skua/future.h - futures: spawn from any thread, get, wait for all or any.
 *
 * The C counterpart of concurrent.futures: skua_spawn() is
 * executor.submit(), skua_future_get() is future.result(),
 * skua_future_wait_all() is asyncio.gather() / wait(ALL_COMPLETED), and
 * skua_future_wait_any() is as_completed() / wait(FIRST_COMPLETED).
 *
 * A worker that waits runs other tasks meanwhile (first the awaited task
 * itself if nobody started it yet); an outside thread spins for a few
 * microseconds and then sleeps on a futex.
 */
#ifndef SKUA_FUTURE_H
#define SKUA_FUTURE_H

#include <stddef.h>
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
int skua_spawn(skua_pool *pool, skua_fn fn, void *arg, skua_future **out);

/*
 * skua_future_get - wait until f is done and store its result in *result
 * (result may be NULL).  Several threads may wait on one future, also
 * while the pool is being destroyed (the future outlives it); the caller
 * that releases the future must know the others are done with it.
 * RETURNS 0; -EINVAL (f is NULL); -ECHILD (in the child of a fork(), a
 * future of an inherited pool that was not done: it never will be).
 */
int skua_future_get(skua_future *f, void **result);

/* skua_future_done - 1 when f is done, 0 when not, -EINVAL for NULL. */
int skua_future_done(const skua_future *f);

/*
 * skua_future_wait_all - wait until every future of fs[0..n) is done.
 * n == 0 returns at once.  RETURNS 0; -EINVAL (fs NULL with n > 0, or a
 * NULL entry; nothing is waited for); -ECHILD (as skua_future_get).
 */
int skua_future_wait_all(skua_future *const *fs, size_t n);

/*
 * skua_future_wait_any - wait until at least one future of fs[0..n) is
 * done and store the lowest index of a done one in *index (as_completed:
 * call again on the rest).  NULL entries are skipped, so a caller may NULL
 * out the futures it has taken.
 * From an outside thread it sleeps on the pool: it must return before the
 * pool is destroyed (skua_future_get and wait_all have no such limit).
 * RETURNS 0; -EINVAL (fs or index NULL, n == 0, or every entry NULL);
 * -ECHILD (as skua_future_get, when none is done).
 */
int skua_future_wait_any(skua_future *const *fs, size_t n, size_t *index);

/*
 * skua_future_release - drop the caller's reference.  The memory is
 * recycled once the task has also finished; the task itself still runs.
 * RETURNS 0; -EINVAL (f is NULL).
 */
int skua_future_release(skua_future *f);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_FUTURE_H */
