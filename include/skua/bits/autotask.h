/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/bits/autotask.h - private: the machinery behind skua/autotask.h.
 * Installed, because the macros expand in your code; not an API.
 *
 * The rule, and why (docs/design.md, "The automatic cut-off"):
 * - Per task type, a table of estimated subtree times by recursion depth
 *   (64 buckets; deeper levels share the last one), learned from samples:
 *   every 64th spawn on a worker is timed, either as an inline join of a
 *   forked child (a stolen child's wall time says nothing, so it is not
 *   counted) or as a serial subtree.  The estimate is a running mean
 *   that halves its weight every 256 samples (lib/autotask.c says why not
 *   an envelope or a recent average).  Races between workers on a bucket
 *   only lose or blur a sample.
 * - The cut is the shallowest depth whose estimate is within
 *   SKUA_AUTO_TARGET_NS; subtree times are taken to shrink with depth, so
 *   every deeper level counts as small too (else a level not sampled yet
 *   would fork its whole subtree whenever the cut moved up past it).
 * - In the parallel clone, a spawn or call of a child at or below the cut,
 *   while no thief is asking this worker (its deque's demand flag), runs
 *   the child's whole subtree as the serial clone.  With no cut yet
 *   everything forks, so a tree starts fully parallel and the cut moves up
 *   to where subtrees reach the target.  The large, old pieces above the
 *   cut stay in the deque for thieves.
 * - Every serial subtree is timed with a cheap clock (the TSC: a few ns
 *   against a subtree of about the target), and one that took over 32
 *   targets always counts as a sample, whether or not it was due.  That is
 *   what makes heavy-tailed trees work: most subtrees at a depth are tiny
 *   and a 1-in-64 sample almost never sees the few large ones, so the
 *   mean stayed far below the truth and the cut sat near the root (utree
 *   at 2 workers T2/Ts 0.92); with every large one counted the mean rises
 *   where it must and the cut moves down (0.52, against 0.66 for task.h
 *   and Lace).  A preempted small subtree can count as large; it only
 *   moves one mean up a little.
 * - Tried and dropped: a "lazy" clone below the cut that polls the demand
 *   flag at every spawn, so that a mispredicted large subtree could still
 *   be split: fib(35) ran 4x slower than the serial clone (57 vs 15 ms at
 *   one worker): the poll and the frame traffic defeat the compiler's
 *   folding of the serial recursion.
 * - Before a sampled serial subtree the worker's private forks go public
 *   (skua_abi_expose_old, with the wake of any exposure): the large, old
 *   work stays stealable however long the subtree runs.  Without it a
 *   thief that asked while the owner ran a 20 ms serial chain got no
 *   answer, and utree at 2 workers read 0.68x in half the runs.
 * - What is left (docs/benchmarks.md, "utree auto at two workers"): in a
 *   tree whose subtrees are heavy-tailed at every depth (utree) a serial
 *   subtree of 15-35 ms still runs now and then, and the other worker
 *   waits for it (its idle time, or the join_wait_ns of the join that
 *   waits).  Trusting a depth only after 64 samples, or keeping a depth
 *   large for a second after a large subtree, did not remove it.
 * - The target is the parallel loops' chunk target: a piece of about 10 us
 *   makes the fork above it cost well under 1% and keeps a thief's wait
 *   short.
 */
#ifndef SKUA_BITS_AUTOTASK_H
#define SKUA_BITS_AUTOTASK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdatomic.h>

#include "../task.h"

#include "autotask_abi.h"

/* A thief found this worker's public deque empty and asked. */
static inline bool skua__auto_hungry(skua_worker *w)
{
	return atomic_load_explicit(&((struct skua__whot *)w)->demand,
	    memory_order_relaxed) != 0;
}

/* Run the child at depth d lazily?  Relaxed: an estimate. */
static inline bool skua__auto_small(struct skua_auto *a, skua_worker *w,
    unsigned d)
{
	uint32_t cut = atomic_load_explicit(&a->cut, memory_order_relaxed);
	return cut != 0 && d + 1 >= cut && !skua__auto_hungry(w);
}

/* A sampled serial subtree is about to run: the private forks above it
 * public first, so that a thief can take that old work while it runs,
 * even when it runs far longer than estimated (lib/task.c says why). */
static inline void skua__auto_expose(skua_worker *w)
{
	struct skua__whot *h = (struct skua__whot *)w;
	if (h->head > h->bottom)
		skua_abi_expose_old(w);
}

/* Time this spawn?  One in 64 per worker; the counter is the owner's. */
static inline bool skua__auto_sample(skua_worker *w)
{
	return (++((struct skua__whot *)w)->auto_tick & 63) == 0;
}

/* Time this serial subtree?  As skua__auto_sample; a sampled one first
 * makes the private forks public (skua__auto_expose). */
static inline bool skua__auto_sample_serial(skua_worker *w)
{
	bool sample = skua__auto_sample(w);
	if (sample)
		skua__auto_expose(w);
	return sample;
}

#define SKUA__UNPAREN(...) __VA_ARGS__
#define SKUA__AUTO_INLINE                                                  \
	static inline __attribute__((__always_inline__, __unused__))

/* The body's hidden parameters: the worker (NULL in the serial clone),
 * the depth, and which clone this is. */
#define SKUA__AUTO_HIDDEN                                                  \
	skua_worker *skua__w __attribute__((__unused__)),                  \
	unsigned skua__d __attribute__((__unused__)),                      \
	const bool skua__seq __attribute__((__unused__))

#define SKUA__TASK(RT, NAME, PARAMS, ARGS, FIELDS, FARGS, SETS)            \
	typedef struct NAME##_frame {                                      \
		skua_task task;                                            \
		FIELDS                                                     \
		RT result;                                                 \
		unsigned skua__depth;                                      \
		unsigned skua__mode; /* 1: ran in place, nothing to join */ \
	} NAME##_frame;                                                    \
	static struct skua_auto NAME##_auto;                               \
	SKUA__AUTO_INLINE RT NAME##_body(SKUA__AUTO_HIDDEN,                \
	    SKUA__UNPAREN PARAMS);                                         \
	static RT NAME##_seq PARAMS                                        \
	{                                                                  \
		return NAME##_body(NULL, 0, 1, SKUA__UNPAREN ARGS);        \
	}                                                                  \
	static RT NAME##_par(skua_worker *skua__w, unsigned skua__d,       \
	    SKUA__UNPAREN PARAMS)                                          \
	{                                                                  \
		return NAME##_body(skua__w, skua__d, 0,                    \
		    SKUA__UNPAREN ARGS);                                   \
	}                                                                  \
	static void NAME##_run(skua_worker *skua__w, skua_task *skua__t)   \
	{                                                                  \
		NAME##_frame *skua__f = (NAME##_frame *)skua__t;           \
		skua__f->result = NAME##_par(skua__w,                      \
		    skua__f->skua__depth, SKUA__UNPAREN FARGS);            \
	}                                                                  \
	/* The child's subtree as the serial clone, timed if sampled. */   \
	SKUA__AUTO_INLINE RT NAME##_inplace(skua_worker *skua__w,          \
	    unsigned skua__d, SKUA__UNPAREN PARAMS)                        \
	{                                                                  \
		bool skua__sample = skua__auto_sample_serial(skua__w);     \
		uint64_t skua__t0 = skua__auto_cycles();                   \
		RT skua__r = NAME##_seq ARGS;                              \
		uint64_t skua__dt = skua__auto_cycles() - skua__t0;        \
		if (skua__sample || skua__dt > atomic_load_explicit(        \
		    &skua_abi_auto_big_cycles, memory_order_relaxed))      \
			skua_abi_auto_record_cycles(&NAME##_auto, skua__d, \
			    skua__dt);                                     \
		return skua__r;                                            \
	}                                                                  \
	SKUA__AUTO_INLINE void NAME##_spawn(skua_worker *skua__w,          \
	    unsigned skua__d, const bool skua__seq, NAME##_frame *skua__f, \
	    SKUA__UNPAREN PARAMS)                                          \
	{                                                                  \
		if (skua__seq) {                                           \
			skua__f->result = NAME##_seq ARGS;                 \
			skua__f->skua__mode = 1;                           \
			return;                                            \
		}                                                          \
		if (skua__auto_small(&NAME##_auto, skua__w, skua__d + 1)) { \
			skua__f->result = NAME##_inplace(skua__w,          \
			    skua__d + 1, SKUA__UNPAREN ARGS);              \
			skua__f->skua__mode = 1;                           \
			return;                                            \
		}                                                          \
		SETS                                                       \
		skua__f->skua__depth = skua__d + 1;                        \
		skua__f->skua__mode = 0;                                   \
		skua_fork(skua__w, &skua__f->task, NAME##_run);            \
	}                                                                  \
	SKUA__AUTO_INLINE RT NAME##_sync(skua_worker *skua__w,             \
	    const bool skua__seq, NAME##_frame *skua__f)                   \
	{                                                                  \
		uint64_t skua__t0; /* first: users may want C90 order */   \
		if (skua__seq || skua__f->skua__mode)                      \
			return skua__f->result;                            \
		if (!skua__auto_sample(skua__w)) {                         \
			skua_join_fn(skua__w, &skua__f->task, NAME##_run); \
			return skua__f->result;                            \
		}                                                          \
		/* Timed only if the join may run the child here: private  \
		 * (a negative state) or queued (0: exposed, and counted    \
		 * only if no thief took it, DONE after).  Not one stolen,  \
		 * nor one that its fork ran inline already (a fork window, \
		 * a full deque): the join would time nothing. */           \
		if ((intptr_t)atomic_load_explicit(&skua__f->task.state,   \
		    memory_order_relaxed) > 0) {                           \
			skua_join_fn(skua__w, &skua__f->task, NAME##_run); \
			return skua__f->result;                            \
		}                                                          \
		skua__t0 = skua_abi_now_ns();                              \
		skua_join_fn(skua__w, &skua__f->task, NAME##_run);         \
		if (atomic_load_explicit(&skua__f->task.state,             \
		    memory_order_relaxed) != SKUA__TASK_DONE)              \
			skua_abi_auto_record(&NAME##_auto,                 \
			    skua__f->skua__depth,                          \
			    skua_abi_now_ns() - skua__t0);                 \
		return skua__f->result;                                    \
	}                                                                  \
	SKUA__AUTO_INLINE RT NAME##_call(skua_worker *skua__w,             \
	    unsigned skua__d, const bool skua__seq, SKUA__UNPAREN PARAMS)  \
	{                                                                  \
		if (skua__seq)                                             \
			return NAME##_seq ARGS;                            \
		/* Below the cut: serial and timed, as a SPAWN's child. */ \
		if (skua__auto_small(&NAME##_auto, skua__w, skua__d + 1))  \
			return NAME##_inplace(skua__w, skua__d + 1,        \
			    SKUA__UNPAREN ARGS);                           \
		return NAME##_par(skua__w, skua__d + 1,                    \
		    SKUA__UNPAREN ARGS);                                   \
	}                                                                  \
	SKUA__AUTO_INLINE RT NAME##_body(SKUA__AUTO_HIDDEN,                \
	    SKUA__UNPAREN PARAMS)

#endif /* SKUA_BITS_AUTOTASK_H */
