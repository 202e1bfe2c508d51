/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/micro.c - the C halves of the microbenchmarks (see micro.h).
 * Uses lib/worker.h for the deque operations themselves, and kernels/ for
 * fib.
 */
#define _GNU_SOURCE
#include "micro.h"
#include "kernels.h"
#include "worker.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "skua/parallel.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void empty_run(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
	__asm__ volatile("" ::: "memory");
}

struct loop {
	uint64_t n;
	double secs;
	int k;
	long r;
};

/* ---- deque ---------------------------------------------------------- */

#define BATCH 64

static void push_pop_entry(skua_worker *w, void *arg)
{
	struct loop *l = arg;
	skua_task t[BATCH];
	double t0 = now();
	for (uint64_t i = 0; i < l->n; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			skua_fork(w, &t[j], empty_run);
		for (int j = BATCH - 1; j >= 0; j--)
			skua_join_fn(w, &t[j], empty_run);
	}
	l->secs = now() - t0;
}

double skbm_deque_push_pop(skua_pool *p, uint64_t n)
{
	struct loop l = { .n = n };
	skua_pool_run(p, push_pop_entry, &l);
	return l.secs;
}

static void push_take_entry(skua_worker *w, void *arg)
{
	struct loop *l = arg;
	skua_task t;
	t.fn = empty_run;
	double t0 = now();
	for (uint64_t i = 0; i < l->n; i++) {
		atomic_store_explicit(&t.state, SKUA__TASK_QUEUED,
		    memory_order_relaxed);
		skua__push_public(w, &t);
		skua_task *x = skua__deque_take(w);
		if (x != &t)
			abort();
	}
	l->secs = now() - t0;
}

double skbm_deque_push_take_public(skua_pool *p, uint64_t n)
{
	struct loop l = { .n = n };
	skua_pool_run(p, push_take_entry, &l);
	return l.secs;
}

static void steal_entry(skua_worker *w, void *arg)
{
	struct loop *l = arg;
	skua_task t[BATCH];
	double secs = 0;
	for (uint64_t i = 0; i < l->n; i += BATCH) {
		for (int j = 0; j < BATCH; j++)
			skua_fork(w, &t[j], empty_run);
		skua__expose(w);
		double t0 = now();
		for (int j = 0; j < BATCH; j++) {
			bool busy;
			skua_task *x = skua__deque_steal(w, w, &busy);
			if (x != &t[j])
				abort();
			/* What a thief does with it: mark, run, mark done. */
			skua__run_taken(w, x);
		}
		secs += now() - t0;
		for (int j = BATCH - 1; j >= 0; j--)
			skua_join_fn(w, &t[j], empty_run); /* found done */
	}
	l->secs = secs;
}

double skbm_deque_steal(skua_pool *p, uint64_t n)
{
	struct loop l = { .n = n };
	skua_pool_run(p, steal_entry, &l);
	return l.secs;
}

struct remote {
	uint64_t n;
	skua_task *tasks;
	_Atomic(skua_worker *) victim; /* set when the tasks are public */
	_Atomic int done;
	double secs;
};

static void *thief_main(void *arg)
{
	struct remote *r = arg;
	skua_worker *v;
	while ((v = atomic_load_explicit(&r->victim, memory_order_acquire)) ==
	    NULL)
		;
	double t0 = now();
	for (uint64_t i = 0; i < r->n;) {
		bool busy;
		skua_task *x = skua__deque_steal(NULL, v, &busy);
		if (x == NULL)
			continue;
		/* An empty task: only the completion a joiner waits for. */
		atomic_store_explicit(&x->state, SKUA__TASK_DONE,
		    memory_order_release);
		i++;
	}
	r->secs = now() - t0;
	atomic_store_explicit(&r->done, 1, memory_order_release);
	return NULL;
}

static void remote_entry(skua_worker *w, void *arg)
{
	struct remote *r = arg;
	for (uint64_t i = 0; i < r->n; i++)
		skua_fork(w, &r->tasks[i], empty_run);
	skua__expose(w);
	atomic_store_explicit(&r->victim, w, memory_order_release);
	while (!atomic_load_explicit(&r->done, memory_order_acquire))
		;
	for (uint64_t i = r->n; i-- > 0;)
		skua_join_fn(w, &r->tasks[i], empty_run);
}

double skbm_deque_steal_remote(skua_pool *p, uint64_t n)
{
	struct remote r = { .n = n };
	pthread_t th;
	r.tasks = calloc(n, sizeof *r.tasks);
	if (r.tasks == NULL)
		abort();
	atomic_init(&r.victim, NULL);
	atomic_init(&r.done, 0);
	if (pthread_create(&th, NULL, thief_main, &r) != 0)
		abort();
	skua_pool_run(p, remote_entry, &r);
	pthread_join(th, NULL);
	free(r.tasks);
	return r.secs;
}

/* ---- fork/join ------------------------------------------------------ */

static void fork_join_entry(skua_worker *w, void *arg)
{
	struct loop *l = arg;
	skua_task t;
	double t0 = now();
	for (uint64_t i = 0; i < l->n; i++) {
		skua_fork(w, &t, empty_run);
		skua_join_fn(w, &t, empty_run);
	}
	l->secs = now() - t0;
}

double skbm_fork_join_empty(skua_pool *p, uint64_t n)
{
	struct loop l = { .n = n };
	skua_pool_run(p, fork_join_entry, &l);
	return l.secs;
}

static void fib_entry(skua_worker *w, void *arg)
{
	struct loop *l = arg;
	double t0 = now();
	l->r = skb_fib_fj(w, l->k);
	l->secs = now() - t0;
}

double skbm_fork_join_fib(skua_pool *p, int k, uint64_t *forks)
{
	struct loop l = { .k = k };
	skua_pool_run(p, fib_entry, &l);
	if (l.r != skb_fib_serial(k))
		abort();
	*forks = skb_fib_forks(k);
	return l.secs;
}

double skbm_fib_serial(int k)
{
	volatile int kk = k;
	double t0 = now();
	volatile long r = skb_fib_serial(kk);
	(void)r;
	return now() - t0;
}

/* ---- futures -------------------------------------------------------- */

static void *empty_fn(void *arg)
{
	return arg;
}

struct spawn_loop {
	skua_pool *p;
	uint64_t n;
	double secs;
};

static void spawn_entry(skua_worker *w, void *arg)
{
	struct spawn_loop *s = arg;
	(void)w;
	double t0 = now();
	for (uint64_t i = 0; i < s->n; i++) {
		skua_future *f;
		if (skua_spawn(s->p, empty_fn, NULL, &f) != 0)
			abort();
		skua_future_get(f, NULL);
		skua_future_release(f);
	}
	s->secs = now() - t0;
}

double skbm_spawn_get_worker(skua_pool *p, uint64_t n)
{
	struct spawn_loop s = { .p = p, .n = n };
	skua_pool_run(p, spawn_entry, &s);
	return s.secs;
}

double skbm_spawn_get_outside(skua_pool *p)
{
	skua_future *f;
	double t0 = now();
	if (skua_spawn(p, empty_fn, NULL, &f) != 0)
		abort();
	skua_future_get(f, NULL);
	double t1 = now();
	skua_future_release(f);
	return t1 - t0;
}

static void *stamp_fn(void *arg)
{
	*(double *)arg = now();
	return NULL;
}

double skbm_wake_latency(skua_pool *p)
{
	skua_future *f;
	double started = 0;
	double t0 = now();
	if (skua_spawn(p, stamp_fn, &started, &f) != 0)
		abort();
	skua_future_get(f, NULL);
	skua_future_release(f);
	return started - t0;
}

void skbm_wait_parked(skua_pool *p)
{
	/* Workers park after about 0.1 ms without work (lib/pool.c
	 * SKUA__IDLE_SPIN_NS); wait until each one has parked once more. */
	skua_worker_stats a, b;
	skua_pool_stats(p, NULL, 0, &a);
	for (int i = 0; i < 50; i++) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
		skua_pool_stats(p, NULL, 0, &b);
		if (b.parks - a.parks >= skua_pool_workers(p))
			break;
	}
}

/* ---- parallel_map --------------------------------------------------- */

static void inc(const void *in, void *out, void *ctx)
{
	(void)ctx;
	*(int *)out = *(const int *)in + 1;
}

double skbm_parallel_map(skua_pool *p, const int *in, int *out, size_t n,
    size_t chunk)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = chunk;
	double t0 = now();
	if (skua_parallel_map(p, in, out, n, sizeof(int), sizeof(int), inc,
	    NULL, &o) != 0)
		abort();
	return now() - t0;
}

/* ---- blocking tasks (issue 6) ---------------------------------------- */

double skbm_spawn_blocking_get(skua_pool *p)
{
	skua_future *f;
	double t0 = now();
	if (skua_spawn_blocking(p, empty_fn, NULL, &f) != 0)
		abort();
	skua_future_get(f, NULL);
	double t1 = now();
	skua_future_release(f);
	return t1 - t0;
}

struct begin_end_call {
	uint64_t n;
	double secs;
};

static void begin_end_task(skua_worker *w, void *arg)
{
	struct begin_end_call *c = arg;
	(void)w;
	/* The first pair wakes a spare; the timed ones find it lingering. */
	if (skua_blocking_begin() != 0 || skua_blocking_end() != 0)
		abort();
	double t0 = now();
	for (uint64_t i = 0; i < c->n; i++) {
		if (skua_blocking_begin() != 0)
			abort();
		skua_blocking_end();
	}
	c->secs = now() - t0;
}

double skbm_blocking_begin_end(skua_pool *p, uint64_t n)
{
	struct begin_end_call c = { n, 0 };
	if (skua_pool_run(p, begin_end_task, &c) != 0)
		abort();
	return c.secs;
}
