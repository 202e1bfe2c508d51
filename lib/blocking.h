/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/blocking.h - the elastic threads of skua_spawn_blocking
 * (lib/blocking.c): a queue of futures under a mutex and up to
 * max_blocking threads that start on demand and retire when idle.
 */
#ifndef SKUA_BLOCKING_INTERNAL_H
#define SKUA_BLOCKING_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "skua/pool.h"

struct skua_future;

struct skua__bthread {
	pthread_t thread;
	int state; /* 0 free, 1 running, 2 exited and not joined yet */
};

struct skua__blocking {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct skua_future *head, *tail;
	unsigned threads, idle, queued; /* queued: jobs not taken yet */
	struct skua__bthread *slots; /* max_blocking of them, lazily */
	bool shutdown;
};

/* The pool whose blocking thread this is (NULL elsewhere): destroy from a
 * blocking job is -EDEADLK. */
extern _Thread_local skua_pool *skua__tls_blocking_pool;

/* Pool create: 0 or -ENOMEM.  Fini after the drain: joins every thread. */
int skua__blocking_init(skua_pool *p);
void skua__blocking_fini(skua_pool *p);
/* fork() child: the forking thread is no blocking thread. */
void skua__blocking_atfork_child(void);

#endif /* SKUA_BLOCKING_INTERNAL_H */
