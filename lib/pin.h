/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/pin.h - which CPU a pinned worker runs on (SKUA_PIN,
 * skua_config.pin), like OpenMP's OMP_PROC_BIND=close/spread over
 * OMP_PLACES=cores.  Header-only and pure, so that tests/test_pin.c checks
 * the mapping for masks this machine does not have.
 *
 * The places are the CPUs of the creating thread's affinity mask, in
 * ascending order (cpus[0..k-1]); worker i of n goes to
 *   compact  cpus[i % k]                 neighbours together, wrapping
 *   spread   cpus[i * k / n] if n <= k   spaced evenly over the mask
 *            (else as compact: every CPU already has a worker)
 * Compensating spares (skua_blocking_begin) are not pinned: they stand in
 * for a worker blocked on its CPU, so they take the whole mask; so do the
 * blocking threads (skua_spawn_blocking), even when a pinned worker starts
 * them (lib/worker.c's skua__thread_start).
 */
#ifndef SKUA_PIN_H
#define SKUA_PIN_H

#include "skua/pool.h"

#include <sched.h> /* cpu_set_t: the includer defines _GNU_SOURCE */
#include <stddef.h>

/* The index into cpus[] of worker i of n, with k places; k >= 1. */
static inline unsigned skua__pin_place(enum skua_pin mode, unsigned i,
    unsigned n, unsigned k)
{
	if (mode == SKUA_PIN_SPREAD && n <= k)
		/* 64 bits: i * k overflows 32 only past 65536 workers, but
		 * the cost is nothing. */
		return (unsigned)((unsigned long long)i * k / n);
	return i % k;
}

/*
 * The CPU that worker i of n is pinned to, the place of mask (size bytes,
 * for the CPU_*_S macros: a set from CPU_ALLOC, as large as the machine's)
 * that skua__pin_place picks; -1 when mode does not pin or mask is NULL or
 * empty (no affinity mask could be read: then nothing is pinned).
 */
static inline int skua__pin_cpu(const cpu_set_t *mask, size_t size,
    enum skua_pin mode, unsigned i, unsigned n)
{
	int k = mask != NULL ? CPU_COUNT_S(size, mask) : 0;

	if (k <= 0 || (mode != SKUA_PIN_COMPACT && mode != SKUA_PIN_SPREAD))
		return -1;
	unsigned want = skua__pin_place(mode, i, n, (unsigned)k);
	for (size_t c = 0; c < size * 8; c++)
		if (CPU_ISSET_S(c, size, mask) && want-- == 0)
			return (int)c;
	return -1;
}

/* The mode's name as SKUA_PIN spells it. */
static inline const char *skua__pin_name(enum skua_pin mode)
{
	return mode == SKUA_PIN_COMPACT ? "compact" :
	    mode == SKUA_PIN_SPREAD ? "spread" : "off";
}

#endif /* SKUA_PIN_H */
