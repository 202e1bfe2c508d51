/*
 * skua/stats.h - per-worker scheduler statistics.
 *
 * Counters live in each worker's own cache-line-padded storage and are
 * written only by that worker (plain increments), so they cost almost
 * nothing.  A reader sees values that may lag by a few events while the
 * pool runs; after the work is done they are exact.
 */
#ifndef SKUA_STATS_H
#define SKUA_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "pool.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct skua_worker_stats {
	uint64_t tasks_run;      /* tasks taken from a queue and run */
	uint64_t forks_exposed;  /* forks made stealable: on a thief's demand,
	                          * or spread by a fixed-chunk loop */
	uint64_t joins_stolen;   /* joins that found the child stolen */
	uint64_t steal_attempts; /* deques probed by this worker */
	uint64_t steals;         /* successful steals */
	uint64_t parks;          /* times the worker went to sleep */
	uint64_t idle_ns;        /* time spent looking for work or asleep */
} skua_worker_stats;

/*
 * skua_pool_stats - copy each worker's counters into per_worker[0..n) (n may
 * be less or more than the worker count; extra entries are zeroed) and
 * their sum into *total.  Either pointer may be NULL.
 * RETURNS 0; -EINVAL (pool NULL, or per_worker NULL with n > 0); -ECHILD
 * (a pool inherited across fork()).
 */
int skua_pool_stats(const skua_pool *pool, skua_worker_stats *per_worker,
    size_t n, skua_worker_stats *total);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_STATS_H */
