/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small workload for the trace test: fork/join fib and futures on 2
 * workers, a named loop with a nested named loop, a blocking job, a future
 * spawned from a task, and a second pool (its own file), with SKUA_TRACE
 * set by the caller (tests/trace/check_trace.py).
 */
#include <skua.h>
#include <stdio.h>
#include <unistd.h>

#include "kernels.h"

struct call {
	int n;
	long r;
};
static void entry(skua_worker *w, void *arg)
{
	struct call *c = arg;
	c->r = skb_fib_fj(w, c->n); /* kernels/ */
}
static void *ident(void *a)
{
	return a;
}

static void inner_body(size_t lo, size_t hi, void *ctx)
{
	long *sum = ctx;
	long s = 0;
	for (size_t i = lo; i < hi; i++)
		s += (long)i;
	__atomic_fetch_add(sum, s, __ATOMIC_RELAXED);
}

/* Each outer element runs an inner loop over [0, 100): 4950 each. */
static void outer_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	skua_pool *p = ctx;
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.site = "inner";
	for (size_t i = lo; i < hi; i++) {
		long sum = 0;
		if (skua_parallel_for(p, 0, 100, &o, inner_body, &sum) != 0)
			sum = -1000000;
		*(long *)acc += sum;
	}
}

static void add(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

static void *nap(void *a)
{
	usleep(2000);
	return a;
}

/* A future spawned from a task on a worker, and waited for there. */
static void spawn_inside(skua_worker *w, void *arg)
{
	skua_future *f;
	void *r = NULL;
	if (skua_spawn(skua_worker_pool(w), ident, (void *)9, &f) == 0) {
		skua_future_get(f, &r);
		skua_future_release(f);
	}
	*(long *)arg = (long)r;
}

/* The loops, the blocking job and the inner spawn: 0 when all agree. */
static int more(skua_pool *p)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.site = "outer";
	long zero = 0, sum = 0, nine = 0;
	if (skua_parallel_reduce(p, 0, 64, &o, sizeof zero, &zero, outer_body,
	    add, p, &sum) != 0 || sum != 64 * 4950)
		return 4;
	skua_future *b;
	void *r;
	if (skua_spawn_blocking(p, nap, (void *)5, &b) != 0 ||
	    skua_future_get(b, &r) != 0 || (long)r != 5)
		return 5;
	skua_future_release(b);
	if (skua_pool_run(p, spawn_inside, &nine) != 0 || nine != 9)
		return 6;
	return 0;
}

/* A second pool, traced to its own file. */
static int second_pool(void)
{
	skua_config cfg;
	skua_pool *q;
	skua_config_init(&cfg);
	cfg.workers = 1;
	if (skua_pool_create(&cfg, &q) != 0)
		return 7;
	struct call c = { 15, 0 };
	if (skua_pool_run(q, entry, &c) != 0 || c.r != 610)
		return 8;
	return skua_pool_destroy(q) == 0 ? 0 : 9;
}

int main(void)
{
	skua_config cfg;
	skua_pool *p;
	skua_config_init(&cfg);
	cfg.workers = 2;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	long total = 0;
	for (int round = 0; round < 20; round++) {
		struct call c = { 22, 0 };
		if (skua_pool_run(p, entry, &c) != 0 || c.r != 17711)
			return 2;
		total += c.r;
		skua_future *f;
		void *r;
		if (skua_spawn(p, ident, (void *)7, &f) != 0 ||
		    skua_future_get(f, &r) != 0 || (long)r != 7)
			return 3;
		skua_future_release(f);
	}
	int rc = more(p);
	if (rc != 0)
		return rc;
	if ((rc = second_pool()) != 0)
		return rc;
	printf("total %ld\n", total);
	return skua_pool_destroy(p);
}
