/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/blocking.c - tasks that block: skua_spawn_blocking's elastic thread
 * set, and the compensating workers of skua_blocking_begin/end.
 *
 * Neither is a hot path (a blocking call costs microseconds at least), so
 * both use a mutex; the compute fast paths never touch them.
 *
 * Compensation.  The pool has n compute workers and up to max_blocking
 * spare worker slots.  blocking_begin on a worker raises `blocked`; while
 * fewer spares are active than workers are blocked, it wakes a dormant
 * spare or starts a new one (a full worker with a deque, visible to
 * thieves through nvisible).  blocking_end lowers `blocked`; a spare that
 * has been surplus for SPARE_LINGER_NS goes dormant between two tasks (it
 * lingers so that begin/end pairs that do not really block stay cheap).
 */
#include "future.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define SPARE_LINGER_NS 200000u  /* 0.2 ms */
#define BLOCKING_IDLE_RETIRE_S 5 /* idle blocking threads exit */

static _Thread_local int blocking_depth; /* nesting of begin/end */
_Thread_local skua_pool *skua__tls_blocking_pool; /* blocking threads */
static _Thread_local uint64_t surplus_since; /* spare: surplus from when */

bool skua__blocking_active(void)
{
	return blocking_depth > 0;
}

void skua__blocking_atfork_child(void)
{
	skua__tls_blocking_pool = NULL;
	blocking_depth = 0;
}

/* ---- skua_spawn_blocking ---------------------------------------------- */

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
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += BLOCKING_IDLE_RETIRE_S;
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

/* Start one more blocking thread; with b->lock held. */
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
		    pthread_create(&b->slots[i].thread, NULL, blocking_main,
		    p) != 0)
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
	if (SKUA_UNLIKELY(pool->profile != NULL))
		skua__profile_count_future(pool, true);

	struct skua__blocking *b = &pool->blk;
	pthread_mutex_lock(&b->lock);
	/* A thread for every queued job: an idle thread that was signalled
	 * still counts in idle until it wakes, so compare with the jobs not
	 * taken yet, this one included (else two jobs could share one
	 * thread, and a job waiting for the other would hang). */
	if (b->queued + 1 > b->idle && b->threads < pool->max_blocking) {
		int rc = blocking_start(pool);
		if (rc != 0 && b->threads == 0) {
			/* Nobody would ever run it. */
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

/* ---- compensation ----------------------------------------------------- */

/* With spare_lock held: make one more spare active. */
static int spare_activate(skua_pool *p)
{
	/* A dormant spare first. */
	for (unsigned i = 0; i < p->spares_started; i++) {
		skua_worker *s = p->workers[p->n + i];
		/* Not ourselves: a dormant spare draining its deque may run a
		 * task that blocks. */
		if (!s->dormant || s == skua__tls_worker)
			continue;
		s->dormant = false;
		atomic_fetch_add_explicit(&p->spares_active, 1,
		    memory_order_relaxed);
		/* seq_cst: the spare waits on wake == 0. */
		atomic_store_explicit(&s->wake, 1, memory_order_seq_cst);
		skua__futex_wake(&s->wake, 1);
		return 0;
	}
	if (p->spares_started == p->max_blocking)
		return -EAGAIN;
	unsigned idx = p->n + p->spares_started;
	skua_worker *s = skua__worker_new(p, idx);
	if (s == NULL)
		return -ENOMEM;
	s->spare = true;
	p->workers[idx] = s;
	/* The new thread starts searching (counted, as create counts n). */
	atomic_fetch_add_explicit(&p->spinning, 1, memory_order_seq_cst);
	int rc = skua__worker_start(p, s);
	if (rc != 0) {
		atomic_fetch_sub_explicit(&p->spinning, 1, memory_order_seq_cst);
		p->workers[idx] = NULL;
		skua__worker_free(s);
		return rc;
	}
	p->spares_started++;
	atomic_fetch_add_explicit(&p->spares_active, 1, memory_order_relaxed);
	/* Release: thieves that see the new count see the new worker. */
	atomic_store_explicit(&p->nvisible, idx + 1, memory_order_release);
	return 0;
}

int skua_blocking_begin(void)
{
	if (blocking_depth >= SKUA_BLOCKING_NEST_MAX)
		return -EOVERFLOW;
	skua_worker *w = skua__tls_worker;
	if (blocking_depth++ > 0 || w == NULL)
		return 0;
	skua_pool *p = w->pool;
	/* Our private forks would be invisible while we block (only our
	 * next fork could expose them): make them public now. */
	if (w->hot.head > w->hot.bottom)
		skua__expose(w);
	/* seq_cst: counted before the spares' surplus check can run. */
	int blocked = atomic_fetch_add_explicit(&p->blocked, 1,
	    memory_order_seq_cst) + 1;
	/* A lingering spare still covers us: no lock, no wake (~5 ns).
	 * seq_cst, against the spare's decrement in skua__spare_dormant:
	 * either it sees our blocked count and stays, or we see it gone. */
	if (atomic_load_explicit(&p->spares_active, memory_order_seq_cst) >=
	    blocked)
		return 0;
	pthread_mutex_lock(&p->spare_lock);
	int rc = 0;
	if (atomic_load_explicit(&p->spares_active, memory_order_relaxed) <
	    blocked)
		rc = spare_activate(p);
	pthread_mutex_unlock(&p->spare_lock);
	if (rc != 0) {
		atomic_fetch_sub_explicit(&p->blocked, 1, memory_order_seq_cst);
		blocking_depth--;
	}
	return rc;
}

int skua_blocking_end(void)
{
	if (blocking_depth == 0)
		return -EINVAL;
	skua_worker *w = skua__tls_worker;
	if (--blocking_depth > 0 || w == NULL)
		return 0;
	atomic_fetch_sub_explicit(&w->pool->blocked, 1, memory_order_seq_cst);
	return 0;
}

/* Between two tasks of a spare: surplus for long enough? */
bool skua__spare_should_retire(skua_worker *w)
{
	skua_pool *p = w->pool;
	/* Relaxed: a hint; the decision is retaken under the lock. */
	int blocked = atomic_load_explicit(&p->blocked, memory_order_relaxed);
	if (atomic_load_explicit(&p->spares_active, memory_order_relaxed) <=
	    blocked &&
	    !atomic_load_explicit(&p->shutdown, memory_order_relaxed)) {
		surplus_since = 0;
		return false;
	}
	uint64_t now = skua__now_ns();
	if (surplus_since == 0)
		surplus_since = now;
	return now - surplus_since >= SPARE_LINGER_NS ||
	    atomic_load_explicit(&p->shutdown, memory_order_relaxed);
}

/* Go dormant until blocking_begin needs us again, or shutdown. */
void skua__spare_dormant(skua_worker *w)
{
	skua_pool *p = w->pool;

	surplus_since = 0;
	pthread_mutex_lock(&p->spare_lock);
	/* seq_cst decrement, then seq_cst load of blocked: the mirror of
	 * blocking_begin's lock-free check. */
	int active = atomic_fetch_sub_explicit(&p->spares_active, 1,
	    memory_order_seq_cst) - 1;
	if (active < atomic_load_explicit(&p->blocked, memory_order_seq_cst) &&
	    !atomic_load_explicit(&p->shutdown, memory_order_seq_cst)) {
		/* Still needed. */
		atomic_fetch_add_explicit(&p->spares_active, 1,
		    memory_order_relaxed);
		pthread_mutex_unlock(&p->spare_lock);
		return;
	}
	w->dormant = true;
	atomic_store_explicit(&w->wake, 0, memory_order_seq_cst);
	pthread_mutex_unlock(&p->spare_lock);
	for (;;) {
		/* Run what is left in our public deque (spawned futures). */
		skua_task *x;
		while (skua__deque_has_public(w) &&
		    (x = skua__deque_take(w)) != NULL)
			skua__run_taken(w, x);
		if (atomic_load_explicit(&w->wake, memory_order_seq_cst) != 0 ||
		    atomic_load_explicit(&p->shutdown, memory_order_seq_cst))
			break;
		skua__futex_wait(&w->wake, 0, 0);
	}
}

/* Wake every dormant spare for shutdown (shutdown is already set). */
void skua__spares_stop(skua_pool *p)
{
	pthread_mutex_lock(&p->spare_lock);
	for (unsigned i = 0; i < p->spares_started; i++) {
		skua_worker *s = p->workers[p->n + i];
		atomic_store_explicit(&s->wake, 1, memory_order_seq_cst);
		skua__futex_wake(&s->wake, 1);
	}
	pthread_mutex_unlock(&p->spare_lock);
}
