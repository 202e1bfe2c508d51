/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/stats.h - each worker's counters: the one field list is
 * SKUA_WORKER_STATS_FIELDS (skua/stats.h); this header makes the storage
 * from it, lib/stats.c the copy, the sum and the SKUA_STATS table, and
 * lib/profile_write.c the JSON.  A new statistic is one line in that list
 * and its SKUA_STAT_ADD where it happens.
 */
#ifndef SKUA_STATS_INTERNAL_H
#define SKUA_STATS_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

#include "skua/stats.h"
#include "clock.h" /* skua__now_ns, for SKUA_IDLE_END */

/* Counters: written by the owner only (relaxed load + store), read by any. */
struct skua__wstats {
#define SKUA__WSTATS_MEMBER(name, column, unit, doc) _Atomic uint64_t name;
	SKUA_WORKER_STATS_FIELDS(SKUA__WSTATS_MEMBER)
#undef SKUA__WSTATS_MEMBER
};
#define SKUA_STAT_ADD(w, field, n)                                           \
	atomic_store_explicit(&(w)->stats.field,                             \
	    atomic_load_explicit(&(w)->stats.field, memory_order_relaxed) + (n), \
	    memory_order_relaxed)

/*
 * An idle stretch began at now (SKUA_IDLE_BEGIN) or ended, having begun at
 * start (SKUA_IDLE_END): the idle_ns counter and the longest stretch.  The
 * open stretch is published in idle_since, so that skua_pool_stats counts
 * an idle worker's time before it ends (a pool idle through a whole
 * phase read as no idle time at all).  So that no read exceeds a later
 * one (a copy subtracted from a later copy would wrap; docs/api.md):
 * - idle_since and idle_ns change together under the worker's idle_seq,
 *   a seqlock (odd while they change; release stores here, acquire loads
 *   in the reader), so that no read pairs an old idle_ns with a cleared
 *   or newer idle_since;
 * - a reader that counts an open stretch up to its clock raises
 *   idle_seen to that clock (a seq_cst RMW) before it checks idle_seq
 *   (seq_cst), and the end, after its seq_cst store of the odd idle_seq,
 *   ends the stretch no earlier than idle_seen: a read never counts more
 *   of a stretch than its end adds.
 * (lib/worker.c, skua__worker_stats_load; tests/test_stats_monotonic.c.)
 */
#define SKUA_IDLE_BEGIN(w, now)                                              \
	do {                                                                 \
		uint32_t q_ = atomic_load_explicit(&(w)->idle_seq,           \
		    memory_order_relaxed);                                   \
		atomic_store_explicit(&(w)->idle_seq, q_ + 1,                \
		    memory_order_relaxed);                                   \
		atomic_store_explicit(&(w)->idle_since, (now),               \
		    memory_order_release);                                   \
		atomic_store_explicit(&(w)->idle_seq, q_ + 2,                \
		    memory_order_release);                                   \
	} while (0)
#define SKUA_IDLE_END(w, start)                                              \
	do {                                                                 \
		uint32_t q_ = atomic_load_explicit(&(w)->idle_seq,           \
		    memory_order_relaxed);                                   \
		atomic_store_explicit(&(w)->idle_seq, q_ + 1,                \
		    memory_order_seq_cst);                                   \
		uint64_t end_ = skua__now_ns();                              \
		uint64_t seen_ = atomic_load_explicit(&(w)->idle_seen,       \
		    memory_order_seq_cst);                                   \
		uint64_t span_ = (seen_ > end_ ? seen_ : end_) - (start);    \
		atomic_store_explicit(&(w)->idle_since, 0,                   \
		    memory_order_release);                                   \
		atomic_store_explicit(&(w)->stats.idle_ns,                   \
		    atomic_load_explicit(&(w)->stats.idle_ns,                \
		    memory_order_relaxed) + span_, memory_order_release);    \
		atomic_store_explicit(&(w)->idle_seq, q_ + 2,                \
		    memory_order_release);                                   \
		if (span_ > atomic_load_explicit(&(w)->idle_max_ns,          \
		    memory_order_relaxed))                                   \
			atomic_store_explicit(&(w)->idle_max_ns, span_,      \
			    memory_order_relaxed);                           \
	} while (0)

/* A relaxed copy of one worker's counters; add s into *total. */
void skua__stats_load(const struct skua__wstats *c, skua_worker_stats *s);
void skua__stats_add(skua_worker_stats *total, const skua_worker_stats *s);

/*
 * The SKUA_STATS table on stderr: a row per worker (all[0..nw), the first
 * compute of them plain, the rest spares, marked *), then total, then
 * jemalloc's process-wide figures when built with it.  all NULL (out of
 * memory for the copy): the heading only.
 */
void skua__stats_print(unsigned compute, unsigned nw,
    const skua_worker_stats *all, const skua_worker_stats *total);

#endif /* SKUA_STATS_INTERNAL_H */
