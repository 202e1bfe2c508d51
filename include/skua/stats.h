/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/stats.h - per-worker scheduler statistics.
 *
 * Counters live in each worker's own cache-line-padded storage and are
 * written only by that worker (plain increments), so they cost almost
 * nothing.  A reader sees values that may lag by a few events while the
 * pool runs; after the work is done they are exact.  idle_ns includes the
 * idle stretch each worker is in at the read, up to the read.
 */
#ifndef SKUA_STATS_H
#define SKUA_STATS_H

#include "bits/export.h"

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The counters, one list for the struct below, the library's per-worker
 * storage, the SKUA_STATS table and tools: X(name, column, unit, doc).
 * unit: 1 for a count, 1e6 for nanoseconds shown as milliseconds.
 */
#define SKUA_WORKER_STATS_FIELDS(X)                                          \
	X(tasks_run, "tasks_run", 1, "tasks taken from a queue and run")     \
	X(forks_exposed, "forks_exp", 1, "forks made stealable: on a "       \
	    "thief's demand, or spread by a fixed-chunk loop")               \
	X(joins_stolen, "joins_stol", 1, "joins that found the child stolen") \
	X(steal_attempts, "steal_attempts", 1, "deques probed by this worker") \
	X(steals, "steals", 1, "successful steals")                          \
	X(parks, "parks", 1, "times the worker went to sleep")               \
	X(idle_ns, "idle_ms", 1e6, "time spent looking for work or asleep")  \
	X(join_wait_ns, "join_wait_ms", 1e6, "time joins spent waiting for " \
	    "a stolen child, less the tasks they ran meanwhile")

typedef struct skua_worker_stats {
#define SKUA__STATS_MEMBER(name, column, unit, doc) uint64_t name;
	SKUA_WORKER_STATS_FIELDS(SKUA__STATS_MEMBER)
#undef SKUA__STATS_MEMBER
} skua_worker_stats;

/*
 * skua_pool_stats - copy each worker's counters into per_worker[0..n) (n may
 * be less or more than the worker count; extra entries are zeroed) and
 * their sum into *total.  Either pointer may be NULL.
 * RETURNS 0; -EINVAL (pool NULL, or per_worker NULL with n > 0); -ECHILD
 * (a pool inherited across fork()).
 */
SKUA_API int skua_pool_stats(const skua_pool *pool,
    skua_worker_stats *per_worker, size_t n, skua_worker_stats *total);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_STATS_H */
