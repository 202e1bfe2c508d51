/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/park_spot.c - where a worker sleeps, and whom a post wakes first: at
 * most one sleeper held to each CPU (lib/park.md, "Where a worker
 * parks").  Only hints: they choose which worker is woken and where it
 * starts, never whether one is (lib/park.c).
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include "park_spot.h"
#include "clock.h"
#include "pool_struct.h"
#include "test_hooks.h"

static _Atomic bool hold_always; /* skua__test_park_hold_always */

void skua__test_park_hold_always(bool on)
{
	atomic_store_explicit(&hold_always, on, memory_order_relaxed);
}

/* A slot's value: the CPU and the worker, each plus one (0: free), so
 * that CPUs sharing a slot (cpu % SKUA__PARK_CPU_SLOTS) are told apart. */
static uint64_t slot_value(int cpu, unsigned me)
{
	return (uint64_t)(unsigned)(cpu + 1) << 32 | (uint32_t)(me + 1);
}

static int slot_index(int cpu)
{
	return (int)((unsigned)cpu % SKUA__PARK_CPU_SLOTS);
}

static _Atomic uint64_t *slot_of(skua_pool *p, int cpu)
{
	return &p->parked_on_cpu[slot_index(cpu)];
}

/* Take the slot of cpu if it is free. */
static bool claim(skua_pool *p, int cpu, unsigned me)
{
	uint64_t free_slot = 0;
	return atomic_compare_exchange_strong_explicit(slot_of(p, cpu),
	    &free_slot, slot_value(cpu, me), memory_order_relaxed,
	    memory_order_relaxed);
}

/* The slot of the CPU where the last outside waker ran, if free and we
 * are the last worker to fall asleep (a thread that submits from one CPU
 * keeps finding a sleeper beside it, even with one worker); else of our
 * CPU; else of the next CPU of mask (wrapping) that is free; -1 when
 * every one is held (more sleepers than CPUs). */
static int claim_a_cpu(skua_pool *p, const cpu_set_t *mask, int cpu,
    unsigned me)
{
	/* Only when every other worker that can run sleeps too (we count
	 * since S2; blocked workers and dormant spares run nothing): one
	 * awake may be running beside the waker, the root of its task. */
	long runnable = (long)p->n - atomic_load_explicit(&p->blocked,
	    memory_order_relaxed) + atomic_load_explicit(&p->spares_active,
	    memory_order_relaxed);
	int w = atomic_load_explicit(&p->waker_cpu, memory_order_relaxed);
	if (w >= 0 && w < CPU_SETSIZE && CPU_ISSET(w, mask) &&
	    (long)atomic_load_explicit(&p->sleepers, memory_order_relaxed) >=
	    runnable && claim(p, w, me))
		return w;
	if (claim(p, cpu, me))
		return cpu;
	for (int i = 1; i < CPU_SETSIZE; i++) {
		int c = (cpu + i) % CPU_SETSIZE;
		if (CPU_ISSET(c, mask) && claim(p, c, me))
			return c;
	}
	return -1;
}

/* Take our whole mask back (or every CPU, if it is no longer allowed). */
static void unhold(struct skua__park_spot *s)
{
	if (!s->pinned)
		return;
	s->pinned = false;
	if (sched_setaffinity(0, sizeof s->mask, &s->mask) != 0) {
		cpu_set_t all;
		CPU_ZERO(&all);
		for (int c = 0; c < CPU_SETSIZE; c++)
			CPU_SET(c, &all);
		sched_setaffinity(0, sizeof all, &all);
	}
}

/*
 * Called between S3 (nothing found) and S4.  Take a slot (claim_a_cpu:
 * the last outside waker's CPU, ours, or the next free one) and hold
 * ourselves to that CPU while we sleep (a mask of one CPU: the kernel
 * moves us there if it is not ours), so that the sleepers spread over the
 * CPUs, starting beside the thread that last woke one.  Held to one CPU,
 * a worker is woken on the CPU it slept on; otherwise the kernel may
 * start it on another, idle CPU, which on a VM takes 20-50 us to wake
 * (docs/benchmarks.md, "Where a parked worker wakes").  Without `hold` it only moves there, if that
 * is not its CPU.  A worker held to one CPU already (skua_config.pin)
 * only takes that CPU's slot; with no slot to take, nothing changes.
 * Nor on a machine past 1024 CPUs, where the fixed cpu_set_t (s->mask,
 * restored as it was at unhold) cannot hold the mask: sched_getaffinity
 * fails and the sleeper is not moved, which costs only this placement.
 */
void skua__park_spot_take(skua_pool *p, unsigned me, bool hold,
    struct skua__park_spot *s)
{
	s->slot = -1;
	s->pinned = false;
	int cpu = sched_getcpu();
	if (cpu < 0 || sched_getaffinity(0, sizeof s->mask, &s->mask) != 0 ||
	    !CPU_ISSET(cpu, &s->mask))
		return;
	if (CPU_COUNT(&s->mask) == 1) { /* held already: only the slot */
		if (claim(p, cpu, me))
			s->slot = slot_index(cpu);
		return;
	}
	int c = claim_a_cpu(p, &s->mask, cpu, me);
	if (c < 0)
		return;
	s->slot = slot_index(c);
	hold = hold || atomic_load_explicit(&hold_always,
	    memory_order_relaxed);
	if (!hold && c == cpu)
		return;
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(c, &one);
	if (sched_setaffinity(0, sizeof one, &one) != 0) {
		atomic_store_explicit(slot_of(p, c), 0, memory_order_relaxed);
		s->slot = -1;
		return;
	}
	s->pinned = true;
	if (!hold) /* moved there; the kernel keeps us until we wake */
		unhold(s);
}

/*
 * Woken: clear our slot and take the mask back, before any task runs (a
 * task must see the affinity its pool was given: a library that sizes
 * its threads by it, OpenMP for one, would see one CPU).  If the mask
 * saved at take is no longer allowed at all (a cpuset changed while we
 * slept), every CPU: the kernel keeps those the cpuset allows.  An
 * affinity set on the sleeping worker from outside is lost (lib/park.md).
 */
uint64_t skua__park_spot_leave(skua_pool *p, struct skua__park_spot *s)
{
	if (s->slot >= 0) /* ours alone since take's claim */
		atomic_store_explicit(&p->parked_on_cpu[s->slot], 0,
		    memory_order_relaxed);
	if (!s->pinned)
		return 0;
	uint64_t t0 = skua__now_ns();
	unhold(s);
	uint64_t ns = skua__now_ns() - t0;
	return ns != 0 ? ns : 1;
}

bool skua__park_hold_pays(struct skua__hold_cost *c)
{
	if (c->restore_ns <= SKUA__PARK_HOLD_MAX_RESTORE_NS ||
	    ++c->unheld >= SKUA__PARK_HOLD_PROBE) {
		c->unheld = 0;
		return true;
	}
	return false;
}

void skua__park_hold_cost_add(struct skua__hold_cost *c, uint64_t ns)
{
	const uint64_t cap = 4 * (uint64_t)SKUA__PARK_HOLD_MAX_RESTORE_NS;
	uint64_t x = ns < cap ? ns : cap;
	/* restore += (x - restore) / 8, in unsigned arithmetic */
	c->restore_ns = c->restore_ns - c->restore_ns / 8 + x / 8;
}

/* The slot of the caller's CPU names a sleeper held there: 1 + its
 * index, or 0. */
static uint32_t held_here(skua_pool *p, int cpu)
{
	uint64_t v = atomic_load_explicit(slot_of(p, cpu),
	    memory_order_relaxed);
	return v >> 32 == (uint64_t)(cpu + 1) ? (uint32_t)v : 0;
}

uint32_t skua__park_spot_near(skua_pool *p)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return 0;
	if (atomic_load_explicit(&p->waker_cpu, memory_order_relaxed) != cpu)
		atomic_store_explicit(&p->waker_cpu, cpu, memory_order_relaxed);
	return held_here(p, cpu);
}

uint32_t skua__park_spot_near_worker(skua_pool *p)
{
	int cpu = sched_getcpu();
	return cpu < 0 ? 0 : held_here(p, cpu);
}

uint32_t skua__park_spot_far(skua_pool *p)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return 0;
	for (int i = 1; i <= SKUA__PARK_CPU_SLOTS; i++) {
		uint64_t v = atomic_load_explicit(slot_of(p, cpu + i),
		    memory_order_relaxed);
		if (v != 0 && v >> 32 != (uint64_t)(cpu + 1))
			return (uint32_t)v;
	}
	return 0;
}
