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
 * CPU, or of one where no worker sleeps, and hold to that CPU. */
void skua__park_spot_take(skua_pool *p, unsigned me,
    struct skua__park_spot *s);
/* Woken (before S5): clear the slot, take the whole mask back. */
void skua__park_spot_leave(skua_pool *p, const struct skua__park_spot *s);
/* 1 + the index of the worker asleep on the caller's CPU (for a thread
 * that will wait for the work it posts: it starts beside it), or on
 * another CPU (for a worker posting work: it starts on its own CPU), or
 * 0 when no slot names one. */
uint32_t skua__park_spot_near(skua_pool *p);
uint32_t skua__park_spot_far(skua_pool *p);

#endif /* SKUA_PARK_SPOT_H */
