/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/blocking.c - skua_spawn_blocking's elastic thread set: a future
 * queued under a mutex, run by a thread that starts when every other one
 * is busy and retires after BLOCKING_IDLE_RETIRE_S idle.  A client of
 * lib/future.c (the record, its run and its discard).  Not a hot path (a
 * blocking job costs microseconds at least); the compensating workers of
 * skua_blocking_begin/end are lib/spare.c's.
 */
#include "blocking.h"
#include "future.h"
#include "pool_struct.h"
#include "profile.h"
#include "test_hooks.h"
#include "worker.h" /* skua__thread_start */

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#define BLOCKING_IDLE_RETIRE_S 5 /* idle blocking threads exit */

_Thread_local skua_pool *skua__tls_blocking_pool; /* blocking threads */

/* lib/test_hooks.h: the idle time before a blocking thread retires, in ms
 * (0: BLOCKING_IDLE_RETIRE_S). */
static _Atomic unsigned retire_ms;

void skua__test_blocking_retire_ms(unsigned ms)
{
	atomic_store_explicit(&retire_ms, ms, memory_order_relaxed);
}

/* Now + the idle time before retiring, on CLOCK_MONOTONIC. */
static struct timespec retire_deadline(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	unsigned ms = atomic_load_explicit(&retire_ms, memory_order_relaxed);
	if (ms == 0) {
		ts.tv_sec += BLOCKING_IDLE_RETIRE_S;
		return ts;
	}
	long long ns = ts.tv_nsec + (long long)(ms % 1000) * 1000000;
	ts.tv_sec += ms / 1000 + ns / 1000000000;
	ts.tv_nsec = (long)(ns % 1000000000);
	return ts;
}

void skua__blocking_atfork_child(void)
{
	skua__tls_blocking_pool = NULL;
}

int skua__blocking_init(skua_pool *p)
{
	struct skua__blocking *b = &p->blk;
	memset(b, 0, sizeof *b);
	if (pthread_mutex_init(&b->lock, NULL) != 0)
		return -ENOMEM;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int rc = pthread_cond_init(&b->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&b->lock);
		return -ENOMEM;
	}
	return 0;
}

/* Join threads that retired; with b->lock held. */
static void reap(struct skua__blocking *b, unsigned max)
{
	for (unsigned i = 0; b->slots != NULL && i < max; i++) {
		if (b->slots[i].state == 2) {
			pthread_join(b->slots[i].thread, NULL);
			b->slots[i].state = 0;
		}
	}
}

static void *blocking_main(void *arg)
{
	skua_pool *p = arg;
	struct skua__blocking *b = &p->blk;

	skua__tls_blocking_pool = p; /* destroy from a job: -EDEADLK */
	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (b->head == NULL && !b->shutdown) {
			struct timespec ts = retire_deadline();
			b->idle++;
			int rc = pthread_cond_timedwait(&b->cond, &b->lock, &ts);
			b->idle--;
			if (rc == ETIMEDOUT && b->head == NULL)
				goto retire;
		}
		if (b->head == NULL) /* shutdown and nothing left */
			break;
		skua_future *f = b->head;
		b->head = f->next;
		if (b->head == NULL)
			b->tail = NULL;
		b->queued--;
		pthread_mutex_unlock(&b->lock);
		skua__future_run_queued(f);
		pthread_mutex_lock(&b->lock);
	}
	/* Shutdown: skua__blocking_fini joins every running thread. */
	b->threads--;
	pthread_mutex_unlock(&b->lock);
	return NULL;
retire:
	/* Leave our slot for the next spawn or fini to join. */
	for (unsigned i = 0; i < p->max_blocking; i++) {
		if (b->slots[i].state == 1 &&
		    pthread_equal(b->slots[i].thread, pthread_self())) {
			b->slots[i].state = 2;
			break;
		}
	}
	b->threads--;
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* Start one more blocking thread; with b->lock held.  It gets the pool's
 * stack size (a job that runs deep, or calls a parallel loop, needs what
 * a worker needs) and, when the pool pins, its whole places, not the one
 * CPU of a pinned worker that spawned the job (skua__thread_start). */
static int blocking_start(skua_pool *p)
{
	struct skua__blocking *b = &p->blk;

	if (b->slots == NULL) {
		b->slots = skua__calloc(p->max_blocking, sizeof *b->slots);
		if (b->slots == NULL)
			return -ENOMEM;
	}
	reap(b, p->max_blocking);
	for (unsigned i = 0; i < p->max_blocking; i++) {
		if (b->slots[i].state != 0)
			continue;
		if (skua__test_thread_should_fail() ||
		    skua__thread_start(p, &b->slots[i].thread,
		    blocking_main, p) != 0)
			return -EAGAIN;
		b->slots[i].state = 1;
		b->threads++;
		return 0;
	}
	return -EAGAIN; /* at the cap */
}

int skua_spawn_blocking(skua_pool *pool, skua_fn fn, void *arg,
    skua_future **out)
{
	if (out != NULL)
		*out = NULL;
	if (pool == NULL || fn == NULL || out == NULL)
		return -EINVAL;
	if (skua__pool_forked(pool))
		return -ECHILD;
	skua_future *f = skua__future_new(pool, fn, arg);
	if (f == NULL)
		return -ENOMEM;
	f->blocking = true;

	struct skua__blocking *b = &pool->blk;
	pthread_mutex_lock(&b->lock);
	/* A thread for every queued job: an idle thread that was signalled
	 * still counts in idle until it wakes, so compare with the jobs not
	 * taken yet, this one included (else two jobs could share one
	 * thread, and a job waiting for the other would hang). */
	if (b->queued + 1 > b->idle && b->threads < pool->max_blocking) {
		int rc = blocking_start(pool);
		if (rc != 0) {
			/* It needs a thread of its own and cannot have one: not
			 * queued behind a busy thread, which may be the one that
			 * waits for it (below the cap, waiting for a later job is
			 * safe, blocking.h).  The caller hears of it. */
			pthread_mutex_unlock(&b->lock);
			skua__future_discard(f);
			return rc;
		}
	}
	if (b->tail != NULL)
		b->tail->next = f;
	else
		b->head = f;
	b->tail = f;
	b->queued++;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
	if (SKUA_UNLIKELY(pool->profile != NULL))
		skua__profile_count_future(pool, true);
	*out = f;
	return 0;
}

void skua__blocking_fini(skua_pool *p)
{
	struct skua__blocking *b = &p->blk;

	pthread_mutex_lock(&b->lock);
	b->shutdown = true;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	/* Threads still running exit on shutdown; join every one.  A slot's
	 * state is read under the lock (a timed-out thread may be retiring);
	 * any nonzero state means a thread to join. */
	for (unsigned i = 0; b->slots != NULL && i < p->max_blocking; i++) {
		pthread_mutex_lock(&b->lock);
		int st = b->slots[i].state;
		pthread_mutex_unlock(&b->lock);
		if (st != 0)
			pthread_join(b->slots[i].thread, NULL);
	}
	skua__free(b->slots, p->max_blocking * sizeof *b->slots);
	b->slots = NULL;
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
}
