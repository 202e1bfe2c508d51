/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/inject.h - the queue for tasks submitted from outside the pool
 * (lib/inject.c): a Concurrency Kit MPMC ring with an overflow array, FIFO
 * across both; its count is the publish step of lib/park.md.
 */
#ifndef SKUA_INJECT_H
#define SKUA_INJECT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "ck_ring.h"
#include "common.h"

struct skua__inject {
	struct ck_ring ring;
	struct ck_ring_buffer *buf;
	unsigned cap;
	pthread_mutex_t lock;       /* the overflow list, when the ring is full */
	skua_task **ovf;             /* growable array used as a FIFO */
	size_t ovf_head, ovf_n, ovf_cap;
	_Atomic size_t ovf_count;   /* lock-free hint for pollers */
	_Atomic int64_t count;      /* queued tasks, the published flag */
};

/* 0 or -ENOMEM. */
int skua__inject_init(struct skua__inject *q);
void skua__inject_fini(struct skua__inject *q);
/* Any thread: queue t (seq_cst publish, P2 of lib/park.md); 0 or -ENOMEM. */
int skua__inject_push(struct skua__inject *q, skua_task *t);
/* Any thread: the oldest task, or NULL. */
skua_task *skua__inject_pop(struct skua__inject *q);
/* A seq_cst load of the count (the parking re-check's). */
bool skua__inject_empty(struct skua__inject *q);

#endif /* SKUA_INJECT_H */
