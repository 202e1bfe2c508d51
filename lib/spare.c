/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/spare.c - the compensating workers of skua_blocking_begin/end.
 *
 * Not a hot path (a blocking call costs microseconds at least), so it
 * uses a mutex; the compute fast paths never touch it.
 *
 * The pool has n compute workers and up to max_blocking spare worker
 * slots.  blocking_begin on a worker raises `blocked`; while fewer spares
 * are active than workers are blocked, it wakes a dormant spare or starts
 * a new one (a full worker with a deque, visible to thieves through
 * nvisible).  blocking_end lowers `blocked`; a spare that has been surplus
 * for SPARE_LINGER_NS goes dormant between two tasks (it lingers so that
 * begin/end pairs that do not really block stay cheap).  A surplus spare
 * asleep in the pool's park looks again only when a post wakes it, and
 * until then stays counted in spares_active: it covers the next worker
 * that blocks, which is right, since it is a full worker that posts wake
 * like the others.
 */
#include "spare.h"
#include "deque.h"
#include "park.h"
#include "pool_struct.h"
#include "worker.h"

#include <errno.h>

#define SPARE_LINGER_NS 200000u  /* 0.2 ms */

static _Thread_local int blocking_depth; /* nesting of begin/end */
/* Of those, the begins of joins (skua__blocking_begin_join): not the
 * tasks', so not counted against their SKUA_BLOCKING_NEST_MAX. */
static _Thread_local int join_depth;
static _Thread_local uint64_t surplus_since; /* spare: surplus from when */

bool skua__blocking_active(void)
{
	return blocking_depth > 0;
}

void skua__spare_atfork_child(void)
{
	blocking_depth = 0;
	join_depth = 0;
}

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
	skua__park_search_begin(p);
	int rc = skua__worker_start(p, s);
	if (rc != 0) {
		/* While we counted it as searching, a post may have skipped
		 * its wake for it (lib/park.md, P3): if we were the last one
		 * counted, wake a sleeper for whatever was posted. */
		if (skua__park_search_end(p) == 0)
			skua__post(p, 1);
		p->workers[idx] = NULL;
		skua__worker_free(s);
		return rc;
	}
	p->spares_started++;
	atomic_fetch_add_explicit(&p->spares_active, 1, memory_order_relaxed);
	/* Thieves that see the new count see the new worker (the release
	 * in it).  seq_cst and a post: the spare may have pushed work
	 * already, and a worker that re-checked (S3) with the old count did
	 * not look at its deque and may sleep; this is a publish step (P1)
	 * like a push, and the post its P3 (an independent review). */
	atomic_store_explicit(&p->nvisible, idx + 1, memory_order_seq_cst);
	skua__post(p, 1);
	return 0;
}

static int blocking_begin(void)
{
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
	/* Under the lock, the counts now, not our `blocked` from before it:
	 * a begin that raced us may have taken the lock first and started
	 * one spare for the two of us, seeing its own count (an independent
	 * review: 4 workers beginning at once were left 3 spares in 2 of
	 * 200 trials).  So start spares until they cover every blocked
	 * worker. */
	pthread_mutex_lock(&p->spare_lock);
	int rc = 0;
	while (rc == 0 && atomic_load_explicit(&p->spares_active,
	    memory_order_relaxed) < atomic_load_explicit(&p->blocked,
	    memory_order_seq_cst))
		rc = spare_activate(p);
	pthread_mutex_unlock(&p->spare_lock);
	if (rc != 0) {
		atomic_fetch_sub_explicit(&p->blocked, 1, memory_order_seq_cst);
		blocking_depth--;
	}
	return rc;
}

int skua_blocking_begin(void)
{
	if (blocking_depth - join_depth >= SKUA_BLOCKING_NEST_MAX)
		return -EOVERFLOW;
	return blocking_begin();
}

/* A join counts itself blocked (lib/task.c's join_idle) while it still
 * runs tasks of the child's: their begins nest in it, and may still go
 * SKUA_BLOCKING_NEST_MAX deep (the 16th was -EOVERFLOW).  Nested joins
 * are bounded by the help depth. */
int skua__blocking_begin_join(void)
{
	int rc = blocking_begin();
	if (rc == 0)
		join_depth++;
	return rc;
}

void skua__blocking_end_join(void)
{
	join_depth--;
	skua_blocking_end();
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
