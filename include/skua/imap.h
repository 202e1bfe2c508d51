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
 * results (up to `window`) never reach out(): to free what next() or fn
 * allocated for them, give skua_imap_with a drop callback (below).
 * RETURNS 0 when the stream ended and every result was delivered; next()'s
 * negative value; out()'s non-zero value; or an error.
 * ERRORS  -EINVAL (pool, next, fn or out NULL, window 0 or over
 *         SKUA_IMAP_WINDOW_MAX), -ENOMEM (only at the start, before
 *         anything is taken from next(); later, a batch that cannot be
 *         handed to the pool runs on the calling thread), -ECHILD (pool
 *         inherited across fork(); or the process forked in next() or
 *         out() and this is the child: the stream stops there, and no
 *         result of a batch that was in flight is delivered; after a
 *         fork in out(), the rest of the batch being delivered still is:
 *         its results were computed before the fork).
 * THREAD SAFETY: any thread; a worker of pool helps run fn while it waits.
 */
SKUA_API int skua_imap(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx, size_t window);

/* skua_imap_unordered - as skua_imap, but out() gets each result as soon as
 * it is ready (seq still says which item it was). */
SKUA_API int skua_imap_unordered(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx, size_t window);

/* An item taken from next() that out() never got (see drop below). */
typedef void (*skua_imap_drop_fn)(void *item, void *result, size_t seq,
    void *ctx);

/*
 * Caller-filled options of skua_imap_with; always start from
 * skua_imap_opts_init(), which sets `size` so that later versions can add
 * fields.
 */
typedef struct skua_imap_opts skua_imap_opts;
struct skua_imap_opts {
	size_t size;       /* sizeof(skua_imap_opts), set by skua_imap_opts_init */
	size_t window;     /* at most this many in flight; 0: 64 per worker */
	int unordered;     /* 1: results as completed (skua_imap_unordered) */
	/* After an early stop, drop(item, result, seq, ctx) for each item
	 * that next() gave and out() never got, on the calling thread,
	 * before skua_imap_with returns: result is fn's result, or NULL
	 * where it cannot be known (in the child of a fork() in next or
	 * out, where the batches in flight never finish).
	 * So what next() or fn allocated can be freed there.  NULL: none. */
	skua_imap_drop_fn drop;
	void *reserved[4];
};

/* skua_imap_opts_init - all defaults (window 0, in order, no drop).
 * NULL is ignored. */
SKUA_API void skua_imap_opts_init(skua_imap_opts *o);

/*
 * skua_imap_with - skua_imap or skua_imap_unordered with options: a
 * default window, and a drop callback so that an early stop leaks nothing.
 * opts may be NULL (all defaults).  Every item that next() gave reaches
 * exactly one of out() and drop() (when drop is set).
 * RETURNS and ERRORS as skua_imap; also -EINVAL for opts->size not
 * sizeof(skua_imap_opts), opts->unordered not 0 or 1, opts->window over
 * SKUA_IMAP_WINDOW_MAX.
 */
SKUA_API int skua_imap_with(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx,
    const skua_imap_opts *opts);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_IMAP_H */
