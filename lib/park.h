/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/park.h - sleeping and waking (lib/park.c); the protocol, its steps
 * (P1-P3 to post work, S1-S5 to fall asleep) and why no wake-up is lost
 * are in lib/park.md.  Every write of the pool's spinning and sleepers
 * counts is a call below.
 */
#ifndef SKUA_PARK_H
#define SKUA_PARK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "skua/pool.h"

/* The futex on addr: wait while *addr == val (timeout 0: none; RETURNS 0
 * or a negative errno), or wake n waiters. */
int skua__futex_wait(_Atomic uint32_t *addr, uint32_t val, uint64_t timeout_ns);
void skua__futex_wake(_Atomic uint32_t *addr, int n);

/* Pool create: nobody asleep, `searching` workers counted as searching. */
void skua__park_init(skua_pool *p, unsigned searching);

/* P3 after the caller's seq_cst publish: bump wake_seq, wake n. */
void skua__notify(skua_pool *p, unsigned n);
/* The same for one, from a thread that will wait for the work it posted
 * (an outside skua_spawn): the worker asleep on the caller's CPU first,
 * then one on another CPU.  RETURNS true when it woke one of the latter:
 * it starts over there, after that CPU wakes (tens of us on a VM). */
bool skua__notify_near(skua_pool *p);
/* P3, skipped while nobody sleeps or someone searches: skua__post is
 * `if (skua__post_wakes(p)) skua__notify(p, n)`, for callers that act
 * between the two. */
void skua__post(skua_pool *p, unsigned n);
bool skua__post_wakes(skua_pool *p);
/* Wake every parked worker (shutdown). */
void skua__notify_all(skua_pool *p);
/* A future finished: wake outside threads waiting in skua_future_*. */
void skua__ext_notify(skua_pool *p);

/* An idle worker starts searching / stops (it found a task, or is a spare
 * that goes dormant); stop returns how many still search. */
void skua__park_search_begin(skua_pool *p);
uint32_t skua__park_search_end(skua_pool *p);
/* Is any worker asleep (between S2 and S5)?  A seq_cst load. */
bool skua__park_any_sleeper(skua_pool *p);

/*
 * Falling asleep, S1-S5: announce (S1 read wake_seq, S2 count as a
 * sleeper, S2b stop searching) returns the sequence read; the caller
 * re-checks every queue with seq_cst loads (S3); sleep (S4) only if that
 * found nothing; resume (S5) in any case.  `me` is the worker's index:
 * after the CPU choice of lib/park_spot.h (which the caller makes between
 * S3 and S4, and undoes before S5), a post wakes the worker that
 * announced itself last (warm caches).
 */
uint32_t skua__park_announce(skua_pool *p, unsigned me);
void skua__park_sleep(skua_pool *p, uint32_t seq, unsigned me);
void skua__park_resume(skua_pool *p, unsigned me);

#endif /* SKUA_PARK_H */
