/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/park_spot.c - where a worker parks, and whom a post wakes first:
 * at most one sleeper per CPU, each held to its CPU while it sleeps
 * (lib/park.md, "Where a worker parks").  Only hints: they choose which
 * worker is woken and where it starts, never whether one is (lib/park.c).
 */
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#include "park_spot.h"
#include "pool_struct.h"

/* The hint slot of CPU cpu: 1 + the index of the worker parked there. */
static _Atomic uint32_t *cpu_hint(skua_pool *p, int cpu)
{
	return &p->parked_on_cpu[(unsigned)cpu % SKUA__PARK_CPU_SLOTS];
}

/* A CPU of mask other than cpu where no worker is parked, or cpu. */
static int free_cpu(skua_pool *p, const cpu_set_t *mask, int cpu)
{
	if (atomic_load_explicit(cpu_hint(p, cpu), memory_order_relaxed) == 0)
		return cpu;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (c != cpu && CPU_ISSET(c, mask) && atomic_load_explicit(
		    cpu_hint(p, c), memory_order_relaxed) == 0)
			return c;
	return cpu;
}

/*
 * Hold ourselves to one CPU while parked: ours, or, when another sleeper
 * holds ours, one where none is (the kernel moves us there now, off
 * anybody's path), so that the sleepers spread over the CPUs.  Then take
 * that CPU's slot unless another holds it (more workers than CPUs).  A
 * slot names one parked worker and is never overwritten, only cleared by
 * its holder.  Held to one CPU, a worker is woken on the CPU it slept on;
 * otherwise the kernel may start it on another, idle CPU, which on a VM
 * takes 20-50 us to wake (perf sched trace, docs/benchmarks.md).  A
 * worker whose mask is one CPU (skua_config.pin) stays as it is.
 */
void skua__park_spot_take(skua_pool *p, unsigned me,
    struct skua__park_spot *s)
{
	s->slot = -1;
	s->pinned = false;
	int cpu = sched_getcpu();
	if (cpu < 0)
		return;
	if (sched_getaffinity(0, sizeof s->mask, &s->mask) == 0 &&
	    CPU_COUNT(&s->mask) >= 2 && CPU_ISSET(cpu, &s->mask)) {
		int c = free_cpu(p, &s->mask, cpu);
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof one, &one) == 0) {
			s->pinned = true;
			cpu = c;
		}
	}
	uint32_t free_slot = 0;
	if (atomic_compare_exchange_strong_explicit(cpu_hint(p, cpu),
	    &free_slot, me + 1, memory_order_relaxed, memory_order_relaxed))
		s->slot = (int)((unsigned)cpu % SKUA__PARK_CPU_SLOTS);
}

/*
 * Woken: clear our slot and take the whole mask back, before any task
 * runs (a task must see the affinity its pool was given: a library that
 * sizes its threads by it, OpenMP for one, would see one CPU).  The one
 * system call here is on the round trip: ~1 us (docs/benchmarks.md).
 */
void skua__park_spot_leave(skua_pool *p, const struct skua__park_spot *s)
{
	if (s->slot >= 0) /* ours alone since take's claim */
		atomic_store_explicit(&p->parked_on_cpu[s->slot], 0,
		    memory_order_relaxed);
	if (s->pinned)
		sched_setaffinity(0, sizeof s->mask, &s->mask);
}

uint32_t skua__park_spot_near(skua_pool *p)
{
	int cpu = sched_getcpu();
	return cpu < 0 ? 0 : atomic_load_explicit(cpu_hint(p, cpu),
	    memory_order_relaxed);
}

uint32_t skua__park_spot_far(skua_pool *p)
{
	int cpu = sched_getcpu();
	if (cpu < 0)
		return 0;
	for (unsigned i = 1; i < SKUA__PARK_CPU_SLOTS; i++) {
		uint32_t v = atomic_load_explicit(cpu_hint(p, cpu + (int)i),
		    memory_order_relaxed);
		if (v != 0)
			return v;
	}
	return 0;
}
