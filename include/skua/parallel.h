/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/parallel.h - data-parallel loops: for, map, reduce.
 *
 * Overview
 * --------
 * Each call splits an index range [begin, end) into chunks and runs them on
 * the pool's workers.  Callbacks get a whole chunk [lo, hi) at a time, so the
 * compiler can vectorise the loop inside them:
 *
 *     static void saxpy(size_t lo, size_t hi, void *ctx)
 *     {
 *         struct axpy *a = ctx;
 *         for (size_t i = lo; i < hi; i++)
 *             a->y[i] = a->a * a->x[i] + a->y[i];
 *     }
 *     rc = skua_parallel_for(pool, 0, n, NULL, saxpy, &args);
 *
 * Every call may be made from any thread:
 *  - from an outside thread it hands the loop to the pool and blocks until
 *    every chunk has run;
 *  - from a task of the same pool (a fork/join task, a future, the body of
 *    another parallel call) it runs on the calling worker, which forks the
 *    pieces and helps until they are done: nesting never deadlocks and never
 *    blocks a worker;
 *  - from a task of another pool it waits as skua_future_get does on a
 *    worker: that worker runs any task of its own pool meanwhile, so a
 *    lock held across the call can deadlock with a task that takes it
 *    (wrap the call in skua_blocking_begin/end to wait as an outside
 *    thread does, a spare running the pool meanwhile).
 * Callbacks always run on workers of `pool` (skua_worker_current() is never
 * NULL inside them), possibly several at once, and must not assume any
 * particular worker or order.  Every chunk has run, and its writes are
 * visible to the caller, when the call returns 0.
 *
 * Chunks
 * ------
 * The effective chunk size is, highest precedence first:
 *
 *   1. SKUA_CHUNK_SIZE_<SITE>=<auto|N>, when opts->site is set (SITE is the
 *      site name upper-cased, every character that is not a letter or digit
 *      turned into '_': site "primes" -> SKUA_CHUNK_SIZE_PRIMES);
 *   2. opts->chunk, when not 0;
 *   3. SKUA_CHUNK_SIZE=<auto|N>;
 *   4. automatic.
 *
 * Why this order: the per-site variable names one call site on purpose; it
 * exists so that whoever runs the program can tune that site without
 * recompiling, and a chunk size written in the code is exactly what they may
 * need to override (a value that suited the developer's machine).  The
 * global SKUA_CHUNK_SIZE is a blunt default for the whole program: it must
 * not silently override a size the programmer chose for one loop, so it
 * only replaces "automatic".  (OpenMP behaves the same way for its global
 * variable: OMP_SCHEDULE only affects loops written with schedule(runtime).)
 * SKUA_CHUNK_SIZE_<SITE>=auto is allowed and forces automatic chunking on
 * that site.  Variables are read once per process, on the first call that
 * needs them (per site); setenv() after that is not seen.
 *
 * A bad value (not "auto" or an integer in 1..SIZE_MAX: "abc", "0", "-1",
 * "99999999999999999999") prints one warning on stderr naming the variable,
 * the value and the chunk size used instead (the next rule down), and the
 * call computes the right answer with it.  With SKUA_STRICT=1 the call fails
 * with -EINVAL instead, before any work.
 *
 * With a fixed chunk size c, every chunk starts at begin + k*c and holds c
 * elements (the last one may hold fewer).  The chunks are handed out at
 * once: k chunks on a pool of W workers start as min(k, W) pieces of at
 * most ceil(k / W) chunks, one per worker, so k equal chunks take
 * ceil(k / W) chunk-times, on the first loop of a fresh pool too; pieces
 * are split further when a worker runs out.  Automatic chunking is lazy binary
 * splitting: a worker runs its range front to back, in chunks sized to take
 * about SKUA_PAR_CHUNK_TARGET_NS each (measured; one element at first, then
 * doubled or halved); only when an idle worker asks for work (the deque's
 * demand flag) does it give away the back half of what is left.  So the
 * first pieces handed out are the largest, a range is split only as often
 * as there are thieves, and no piece is split below the size of one timed
 * chunk, which keeps the cost per chunk (about 40 ns: a clock read, a load
 * and an indirect call) under 1% of the chunk's work.  Chunk boundaries then
 * depend on timing; a callback must accept any [lo, hi).
 *
 * Determinism
 * -----------
 * With opts->deterministic = 1 the chunks are the leaves of a fixed binary
 * tree that depends only on the number of elements and the effective chunk
 * size (automatic: max(ceil(n / 4096), min(n, 64)) elements), and
 * skua_parallel_reduce combines the leaves' accumulators up that tree.  A
 * floating-point sum is then bit-for-bit the same from run to run and for
 * every worker count (as long as the effective chunk size is the same).
 * Without it, reduce's results are those of some bracketing of the same
 * in-order sequence: exact for integer sums, but not reproducible to the bit
 * for floating point.  The option also fixes the chunks of for and map.
 *
 * Errors
 * ------
 * Every function returns 0 or a negative errno, and checks all its arguments
 * before any callback runs; after an error no callback has been called
 * (except for the -ENOMEM case documented at skua_parallel_reduce).  An
 * empty range is checked too: its chunk variables are read as for any
 * call (its site counts as used), so under SKUA_STRICT=1 a bad one in use
 * fails it with -EINVAL.
 */
#ifndef SKUA_PARALLEL_H
#define SKUA_PARALLEL_H

#include "bits/export.h"

#include <stddef.h>
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest site name, in characters (not counting the NUL). */
#define SKUA_PAR_SITE_MAX 64
/* Automatic chunking: the time one chunk should take (not ABI stable). */
#define SKUA_PAR_CHUNK_TARGET_NS 10000
/* Reduce accumulators up to this size live on the stack (not ABI stable). */
#define SKUA_PAR_ACC_STACK 256

/*
 * Caller-filled options; always start from skua_par_opts_init().  Every
 * function also accepts opts == NULL: chunk 0 (SKUA_CHUNK_SIZE, else
 * automatic), no site, not deterministic.
 */
typedef struct skua_par_opts {
	size_t size;        /* sizeof(skua_par_opts), set by skua_par_opts_init */
	size_t chunk;       /* elements per chunk; 0 = automatic */
	const char *site;   /* call-site name: SKUA_CHUNK_SIZE_<SITE> tunes it */
	int deterministic;  /* reduce: the split tree depends only on n and chunk */
	void *reserved[4];
} skua_par_opts;

/* skua_par_opts_init - all defaults (chunk 0, site NULL, deterministic 0).
 * NULL is ignored. */
SKUA_API void skua_par_opts_init(skua_par_opts *o);

/*
 * skua_parallel_for - call body(lo, hi, ctx) for chunks that cover
 * [begin, end) exactly once, in parallel.
 *
 * RETURNS 0 (also for begin == end, where body is not called), or a
 *         negative error and body was not called.
 * ERRORS  -EINVAL pool or body NULL; begin > end; opts->size is not
 *         sizeof(skua_par_opts); opts->deterministic not 0 or 1; opts->site
 *         empty or longer than SKUA_PAR_SITE_MAX; a bad chunk variable under
 *         SKUA_STRICT=1.
 *         -ENOMEM, -ECHILD: from an outside thread, as skua_pool_run().
 * THREAD SAFETY: any thread; see the overview for nesting.
 * SEE ALSO skua_parallel_reduce, skua_pool_run.
 */
SKUA_API int skua_parallel_for(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, void (*body)(size_t lo, size_t hi, void *ctx),
    void *ctx);

/*
 * skua_parallel_map - out[i] = fn(in[i]) for i in [0, n): calls
 * fn(in + i * in_size, out + i * out_size, ctx) once for every i, in
 * parallel (Python's Pool.map, for arrays of any element size).
 *
 * in and out may be the same array when in_size == out_size (in place);
 * other overlaps are undefined.  Chunks only group the calls.
 * RETURNS 0 (also for n == 0, where in and out may be NULL and fn is not
 *         called), or a negative error and fn was not called.
 * ERRORS  -EINVAL pool or fn NULL; in_size or out_size 0; in or out NULL with
 *         n > 0; bad opts (as skua_parallel_for).
 *         -EOVERFLOW n * in_size or n * out_size does not fit in size_t, or
 *         an array would extend past the end of the address space.
 *         -ENOMEM, -ECHILD as skua_parallel_for.
 * THREAD SAFETY: any thread.
 */
SKUA_API int skua_parallel_map(skua_pool *pool, const void *in, void *out,
    size_t n, size_t in_size, size_t out_size,
    void (*fn)(const void *in, void *out, void *ctx), void *ctx,
    const skua_par_opts *opts);

/*
 * skua_parallel_map_chunks - skua_parallel_map() a chunk at a time: calls
 * fn(in + lo * in_size, out + lo * out_size, hi - lo, ctx) for chunks
 * [lo, hi) that cover [0, n) exactly once (numpy.array_split + Pool.map,
 * without the copies).  Same arguments, results and errors as
 * skua_parallel_map().
 */
SKUA_API int skua_parallel_map_chunks(skua_pool *pool, const void *in,
    void *out, size_t n, size_t in_size, size_t out_size,
    void (*fn)(const void *in, void *out, size_t count, void *ctx), void *ctx,
    const skua_par_opts *opts);

/*
 * skua_parallel_reduce - fold [begin, end) into one acc_size-byte value.
 *
 * Each piece of work starts from a copy of *identity; body(lo, hi, acc,
 * ctx) folds the elements [lo, hi) into *acc (it is called for several
 * consecutive chunks with the same acc, in order), and combine(acc, other,
 * ctx) must set *acc to "*acc then *other", where other covers the elements
 * right after acc's.  combine must be associative and identity its neutral
 * element; it need not be commutative (the order of the elements is kept).
 * The final value is copied to *result, which may overlap *identity.
 * Accumulators are aligned to alignof(max_align_t); those of up to
 * SKUA_PAR_ACC_STACK bytes live on the stacks of the threads that run
 * the pieces (the caller's for the root), larger ones are allocated.
 *
 * RETURNS 0 and *result (for begin == end: a copy of *identity, and
 *         neither body nor combine is called), or a negative error,
 *         *result untouched and, except as below, no callback called.
 * ERRORS  -EINVAL pool, identity, body, combine or result NULL; acc_size 0;
 *         bad opts or range (as skua_parallel_for).
 *         -ENOMEM the first accumulators (acc_size > SKUA_PAR_ACC_STACK)
 *         could not be allocated; nothing ran.  Later, when an allocation
 *         fails in the middle of the work: without `deterministic` the
 *         range is simply not split further (the call succeeds); with it
 *         the tree cannot be kept, the remaining work is skipped and the
 *         call returns -ENOMEM after callbacks may have run.
 *         -ECHILD as skua_parallel_for.
 * THREAD SAFETY: any thread.
 */
SKUA_API int skua_parallel_reduce(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, size_t acc_size, const void *identity,
    void (*body)(size_t lo, size_t hi, void *acc, void *ctx),
    void (*combine)(void *acc, const void *other, void *ctx), void *ctx,
    void *result);

/*
 * Early exit: the _try forms take a body that returns an int.  0 goes on;
 * any other value stops the loop: no chunk that starts after the failing
 * offset begins from then on, the chunks in flight finish, and the call
 * returns that value.  When several bodies fail, the value of the lowest
 * failing offset is returned, whatever the schedule: chunks that start
 * below a failure still run, since one of them may fail lower.  So a body
 * that returns at its first failing element makes the result
 * deterministic.  (The offset of a for or reduce body is its chunk's lo; a
 * map's is the element, and a map's element past a failure found
 * elsewhere does not begin, inside a chunk in flight too.)  The value is returned as it is: use positive
 * values to tell it from skua's own negative errors.  A search for the
 * first element with a property stops soon after the hit: see the
 * optimization guide for the figure.
 * RETURNS 0 when no body failed; the lowest failing offset's value; or an
 *         error as the plain forms.  reduce_try writes *result only on 0.
 *         A deterministic reduce_try whose tree could not be kept returns
 *         -ENOMEM even when a body failed: the work it skipped may hold a
 *         lower failure.
 * THREAD SAFETY: as the plain forms.
 */
SKUA_API int skua_parallel_for_try(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, int (*body)(size_t lo, size_t hi, void *ctx),
    void *ctx);
SKUA_API int skua_parallel_map_try(skua_pool *pool, const void *in, void *out,
    size_t n, size_t in_size, size_t out_size,
    int (*fn)(const void *in, void *out, void *ctx), void *ctx,
    const skua_par_opts *opts);
SKUA_API int skua_parallel_reduce_try(skua_pool *pool, size_t begin,
    size_t end, const skua_par_opts *opts, size_t acc_size,
    const void *identity,
    int (*body)(size_t lo, size_t hi, void *acc, void *ctx),
    void (*combine)(void *acc, const void *other, void *ctx), void *ctx,
    void *result);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_PARALLEL_H */
