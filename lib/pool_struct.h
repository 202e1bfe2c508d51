/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/pool_struct.h - struct skua_pool: the n compute workers and the
 * spare slots, the injection queue, the parking counters, the blocking
 * threads and the observers (trace, profile).  Layout only (jemalloc's
 * *_structs.h): every layer from the worker up reads its part, and
 * lib/pool.c, the composition root, creates and destroys it, so the layout
 * stays out of pool.c's own module (else each reader and pool.c would
 * depend on each other).  Each field names the module that writes it.
 */
#ifndef SKUA_POOL_STRUCT_H
#define SKUA_POOL_STRUCT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blocking.h"
#include "common.h"
#include "fork.h"
#include "inject.h"

struct skua__trace_ext;
struct skua__profile;

/* Slots of skua_pool.parked_on_cpu: CPUs beyond share them (a hint). */
#define SKUA__PARK_CPU_SLOTS 64

struct skua_pool {
	unsigned n;        /* compute workers */
	unsigned cap;      /* worker slots: n + max_blocking spares */
	unsigned max_blocking;
	skua_worker **workers;
	/* Slots [0, nvisible) hold initialized workers; thieves iterate them.
	 * Grows (release) when a compensating spare starts. */
	_Atomic unsigned nvisible;
	/* Compensation (lib/spare.c): workers inside blocking_begin/end,
	 * spares active (under spare_lock), spares started. */
	_Atomic int blocked;
	_Atomic int spares_active; /* written under spare_lock */
	unsigned spares_started;
	pthread_mutex_t spare_lock;
	struct skua__blocking blk;      /* lib/blocking.c */
	struct skua__inject inject;     /* lib/inject.c */

	/* Parking (lib/park.c, lib/park.md): workers sleep on wake_seq. */
	_Atomic uint32_t wake_seq SKUA_ALIGNED;
	_Atomic uint32_t sleepers;
	_Atomic uint32_t spinning; /* idle workers searching, not asleep */
	/* 1 + the index of the worker that announced itself last and has not
	 * resumed since, or 0: whom a post wakes after the parked_on_cpu
	 * choice (a hint, lib/park.md P3). */
	_Atomic uint32_t last_parked;
	/* Per CPU (its number modulo the size): the CPU and the worker held
	 * asleep there, or 0; taken with a CAS from 0, cleared by its holder
	 * (lib/park_spot.c, lib/park.md "Where a worker parks"). */
	_Atomic uint64_t parked_on_cpu[SKUA__PARK_CPU_SLOTS] SKUA_ALIGNED;
	/* The CPU of the last outside skua_spawn that found sleepers to wake,
	 * or -1: where the last worker to fall asleep goes (lib/park_spot.c). */
	_Atomic int waker_cpu;
	/* Outside threads waiting for futures sleep on done_seq. */
	_Atomic uint32_t done_seq SKUA_ALIGNED;
	_Atomic uint32_t ext_waiters;
	/* Submitted futures not finished yet; destroy waits for 0. */
	_Atomic uint64_t pending SKUA_ALIGNED;
	/* Cancellers between their decrement of pending and the end of its
	 * notify; destroy waits for 0 before it frees (lib/future.c). */
	_Atomic uint32_t uncounting;
	_Atomic int shutdown;

	uint64_t fork_gen;   /* lib/fork.c: fork() detection */
	struct skua__fork_entry reg; /* in the registry of live pools */
	size_t stack_size;
	/* The creating thread's mask (a cpu_set_t from CPU_ALLOC,
	 * places_size bytes; void: not every includer has _GNU_SOURCE) when
	 * the pool pins, else NULL: the affinity of the threads it starts
	 * unpinned, spares and blocking threads (lib/worker.c). */
	void *places;
	size_t places_size;
	bool stats_print;
	char *trace_path;
	struct skua__trace_ext *trace_ext; /* other threads' events (lib/trace.c) */
	unsigned trace_number;  /* 1, 2, ...: the file name's %n */
	struct skua__profile *profile; /* NULL unless SKUA_PROFILE (lib/profile.c) */
};

/* A pool inherited across fork(): every call on it is -ECHILD. */
static inline bool skua__pool_forked(const skua_pool *p)
{
	return skua__forked(p->fork_gen);
}

#endif /* SKUA_POOL_STRUCT_H */
