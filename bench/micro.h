/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/micro.h - the C halves of the microbenchmarks.  The fork/join fast
 * path (skua/task.h) and the deque internals (lib/worker.h) are C only, so
 * each measured loop is here and bench_skua.cc calls it from C++.
 *
 * Each function runs n operations inside the pool (or from the calling
 * thread, as named) and returns the seconds they took, measured inside,
 * so that entering the pool is not part of the figure.
 */
#ifndef SKUA_BENCH_MICRO_H
#define SKUA_BENCH_MICRO_H

#include <stddef.h>
#include <stdint.h>

#include "skua.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deque, on one worker: the owner's private push/pop (a fork then its join,
 * 64 deep), the public push (expose) and take, and steal (from its own
 * deque, uncontended: the instructions and fences, no cache miss). */
double skbm_deque_push_pop(skua_pool *p, uint64_t n);
double skbm_deque_push_take_public(skua_pool *p, uint64_t n);
double skbm_deque_steal(skua_pool *p, uint64_t n);
/* Steal across cores: an outside thread steals n tasks exposed by a worker,
 * one at a time (every steal misses in cache).  Seconds for the steals. */
double skbm_deque_steal_remote(skua_pool *p, uint64_t n);

/* fork+join of an empty task, n times in a loop (nothing to steal). */
double skbm_fork_join_empty(skua_pool *p, uint64_t n);
/* fib(k) with one fork per call on the pool; *forks gets the count. */
double skbm_fork_join_fib(skua_pool *p, int k, uint64_t *forks);
double skbm_fib_serial(int k);

/* spawn+get of an empty task from a worker of the pool. */
double skbm_spawn_get_worker(skua_pool *p, uint64_t n);
/* One spawn+get from the calling (outside) thread; seconds. */
double skbm_spawn_get_outside(skua_pool *p);
/* Submit from outside to a pool; seconds until the task started running. */
double skbm_wake_latency(skua_pool *p);
/* spawn_blocking + get of an empty function, from an outside thread */
double skbm_spawn_blocking_get(skua_pool *p);
/* n begin/end pairs on a worker that do not block (a spare lingers) */
double skbm_blocking_begin_end(skua_pool *p, uint64_t n);
/* Sleep until every worker of p has parked (at most ~50 ms). */
void skbm_wait_parked(skua_pool *p);

/* skua_parallel_map of out[i] = in[i] + 1 over n ints; chunk 0 is auto.
 * Returns seconds. */
double skbm_parallel_map(skua_pool *p, const int *in, int *out, size_t n,
    size_t chunk);

#ifdef __cplusplus
}
#endif
#endif
