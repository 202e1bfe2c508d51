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
 * An idle stretch began at now (SKUA_IDLE_BEGIN) or ended now
 * (SKUA_IDLE_END): the idle_ns counter and the longest stretch.  The
 * open stretch is published in idle_since, so that skua_pool_stats counts
 * an idle worker's time before it ends (a pool idle through a whole
 * phase read as no idle time at all).  idle_ns and idle_since change
 * together under idle_seq, a sequence count that is odd while the owner
 * writes them (a seqlock: the reader retries, lib/worker.c), so that a
 * read sees both before an end or both after it: neither the stretch
 * twice nor, with idle_ns from before the end and idle_since from after
 * it, not at all (a read that went down by a whole stretch).  The end's
 * clock is read inside the write, after a full fence, and the reader's
 * inside its read: a read that saw the stretch open took its clock
 * before the end did, so the end adds at least what it counted.
 */
#define SKUA__IDLE_WRITE(w, stores)                                          \
	do {                                                                 \
		uint32_t q_ = atomic_load_explicit(&(w)->idle_seq,           \
		    memory_order_relaxed);                                   \
		atomic_store_explicit(&(w)->idle_seq, q_ + 1,                \
		    memory_order_relaxed);                                   \
		atomic_thread_fence(memory_order_seq_cst);                   \
		stores;                                                      \
		atomic_store_explicit(&(w)->idle_seq, q_ + 2,                \
		    memory_order_release);                                   \
	} while (0)
#define SKUA_IDLE_BEGIN(w, now)                                              \
	SKUA__IDLE_WRITE(w, atomic_store_explicit(&(w)->idle_since, (now),   \
	    memory_order_relaxed))
/* The stretch that began at start ends now (the clock read inside). */
#define SKUA_IDLE_END(w, start)                                              \
	do {                                                                 \
		uint64_t span_ = 0;                                          \
		SKUA__IDLE_WRITE(w, (                                        \
		    span_ = skua__now_ns() - (start),                        \
		    atomic_store_explicit(&(w)->idle_since, 0,               \
		    memory_order_relaxed),                                   \
		    atomic_store_explicit(&(w)->stats.idle_ns,               \
		    atomic_load_explicit(&(w)->stats.idle_ns,                \
		    memory_order_relaxed) + span_, memory_order_relaxed)));  \
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
