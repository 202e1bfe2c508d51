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
 * An idle stretch began at now (SKUA_IDLE_BEGIN) or ended after ns
 * (SKUA_IDLE_SPAN): the idle_ns counter and the longest stretch.  The
 * open stretch is published in idle_since, so that skua_pool_stats counts
 * an idle worker's time before it ends (a pool idle through a whole
 * phase read as no idle time at all).  The end clears idle_since, then
 * adds to idle_ns with a release store: a reader whose acquire load of
 * idle_ns sees the sum sees idle_since cleared (or a later stretch), so
 * it never counts a stretch twice (lib/worker.c, skua_pool_stats).
 */
#define SKUA_IDLE_BEGIN(w, now)                                              \
	atomic_store_explicit(&(w)->idle_since, (now), memory_order_relaxed)
#define SKUA_IDLE_SPAN(w, ns)                                                \
	do {                                                                 \
		uint64_t span_ = (ns);                                       \
		atomic_store_explicit(&(w)->idle_since, 0,                   \
		    memory_order_relaxed);                                   \
		atomic_store_explicit(&(w)->stats.idle_ns,                   \
		    atomic_load_explicit(&(w)->stats.idle_ns,                \
		    memory_order_relaxed) + span_, memory_order_release);    \
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
