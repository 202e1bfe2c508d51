/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/imap.h - stream a sequence through the pool with bounded memory:
 * multiprocessing.Pool.imap and imap_unordered.
 *
 * The items come one at a time from next() (a generator), fn(item) runs on
 * the pool, and out() receives each result: in input order (skua_imap) or
 * as they complete (skua_imap_unordered).  At most `window` items are in
 * flight (taken from next() and not yet given to out()), whatever the
 * length of the stream, so memory stays flat for any input length.
 *
 *     static int next(void *ctx, void **item)   // 0 and *item, or END
 *     static void *work(void *item, void *ctx)  // on a worker
 *     static int out(void *item, void *result, size_t seq, void *ctx)
 *
 * next() and out() run on the calling thread only, one call at a time, so
 * they need no locks; fn runs on the workers, concurrently.  seq is the
 * item's position in the input (0, 1, 2, ...).  Items and results are the
 * caller's pointers: skua never copies or frees them.
 */
#ifndef SKUA_IMAP_H
#define SKUA_IMAP_H

#include "bits/export.h"

#include <stddef.h>
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* next()'s "the stream has ended" (any other positive value is too). */
#define SKUA_IMAP_END 1

/* The largest window: more would only cost memory. */
#define SKUA_IMAP_WINDOW_MAX ((size_t)1 << 20)

typedef int (*skua_imap_next_fn)(void *ctx, void **item);
typedef void *(*skua_imap_work_fn)(void *item, void *ctx);
typedef int (*skua_imap_out_fn)(void *item, void *result, size_t seq,
    void *ctx);

/*
 * skua_imap - results to out() in input order, at most window in flight.
 *
 * Stops early when next() returns a negative value or out() returns
 * non-zero: no item is taken after that, the items in flight finish (their
 * results are not delivered), and that value is returned.  Those items and
 * results (up to `window`) never reach out(), and skua forgets them: what
 * next() or fn allocated for them must be findable by the caller (an
 * arena, a list in ctx) to be freed after an early stop.
 * RETURNS 0 when the stream ended and every result was delivered; next()'s
 * negative value; out()'s non-zero value; or an error.
 * ERRORS  -EINVAL (pool, next, fn or out NULL, window 0 or over
 *         SKUA_IMAP_WINDOW_MAX), -ENOMEM (only at the start, before
 *         anything is taken from next(); later, a batch that cannot be
 *         handed to the pool runs on the calling thread), -ECHILD (pool
 *         inherited across fork(); or the process forked in next() or
 *         out() and this is the child: the stream stops there, and no
 *         result of a batch that was in flight is delivered).
 * THREAD SAFETY: any thread; a worker of pool helps run fn while it waits.
 */
SKUA_API int skua_imap(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx, size_t window);

/* skua_imap_unordered - as skua_imap, but out() gets each result as soon as
 * it is ready (seq still says which item it was). */
SKUA_API int skua_imap_unordered(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx, size_t window);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_IMAP_H */
