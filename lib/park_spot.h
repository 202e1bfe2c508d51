/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/park_spot.h - where a worker parks (lib/park_spot.c; lib/park.md,
 * "Where a worker parks").  Includers define _GNU_SOURCE (cpu_set_t).
 */
#ifndef SKUA_PARK_SPOT_H
#define SKUA_PARK_SPOT_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "skua/pool.h"

/* A sleeping worker's place, on its stack from take to leave. */
struct skua__park_spot {
	int slot;        /* our skua_pool.parked_on_cpu slot, or -1 */
	bool pinned;     /* we held it to one CPU: mask restores */
	cpu_set_t mask;  /* the affinity to take back */
};

/* Going to sleep (after S3 found nothing, before S4): take the slot of our
 * CPU, or of one where no worker sleeps, and hold to that CPU; without
 * `hold`, only our CPU's slot.  The hold pays when a post comes soon: the
 * kernel may start a thread woken then on a CPU that idles only briefly,
 * 20-50 us later on a VM.  After a long sleep it keeps the thread where
 * it slept anyway, and the restore of the mask, ~1 us warm, costs 13-15
 * us on a vCPU cold from a long idle (perf trace, docs/benchmarks.md):
 * so a worker whose last sleep lasted SKUA__PARK_HOLD_NS or more does not
 * hold (a timed sleep that drops the hold costs more: a timer armed and
 * cancelled per park, +4 us a round trip on these VMs). */
#define SKUA__PARK_HOLD_NS 10000000u
void skua__park_spot_take(skua_pool *p, unsigned me, bool hold,
    struct skua__park_spot *s);
/* Woken (before S5): clear the slot, take the whole mask back.  RETURNS
 * what taking back a held mask cost (ns; 0: not held, nothing to take). */
uint64_t skua__park_spot_leave(skua_pool *p, struct skua__park_spot *s);

/*
 * Whether the hold pays where we run.  Its price is the restore, one
 * sched_setaffinity on the path of every wake-up: ~1 us on the Intel VMs,
 * where the hold took the parked p99 from 84-110 to 12-33 us, but 6-10 us
 * measured on the path on the AMD EPYC VMs, where a whole wake-up onto
 * the other CPU costs about that (OS floor 6-9 us) and the hold doubled
 * the parked median (8-12 -> 12-21 us; docs/benchmarks.md, "When the
 * hold does not pay").  So each worker keeps a moving average of its
 * restores (samples capped at 4x the limit, after short sleeps only:
 * after a long one the restore is cold anyway, and such a sleep does
 * not hold) and holds while it is at most SKUA__PARK_HOLD_MAX_RESTORE_NS;
 * above, it holds once every SKUA__PARK_HOLD_PROBE parks, to measure
 * again (rarely enough to stay out of the p99 of a run of round trips).
 */
#define SKUA__PARK_HOLD_MAX_RESTORE_NS 3000u
#define SKUA__PARK_HOLD_PROBE 256u
struct skua__hold_cost {
	uint64_t restore_ns; /* moving average (1/8), from 0: cheap */
	uint32_t unheld;     /* parks since the last hold, while dear */
};
/* Should this park hold?  Counts the parks that do not. */
bool skua__park_hold_pays(struct skua__hold_cost *c);
/* A wake-up's restore cost ns (skua__park_spot_leave's result). */
void skua__park_hold_cost_add(struct skua__hold_cost *c, uint64_t ns);
/* 1 + the index of the worker asleep on the caller's CPU (for a thread
 * that will wait for the work it posts: it starts beside it), or on
 * another CPU (for a worker posting work: it starts on its own CPU), or
 * 0 when no slot names one. */
uint32_t skua__park_spot_near(skua_pool *p);
uint32_t skua__park_spot_far(skua_pool *p);
/* The sleeper whose slot is the caller's CPU, for a worker's post (near
 * also records the caller's CPU as the last outside waker's). */
uint32_t skua__park_spot_near_worker(skua_pool *p);

#endif /* SKUA_PARK_SPOT_H */
