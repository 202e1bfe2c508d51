/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small workload for the trace test: fork/join fib and futures on 2
 * workers, with SKUA_TRACE set by the caller (tests/trace/check_trace.py).
 */
#include <skua.h>
#include <stdio.h>

typedef struct {
	skua_task task;
	int n;
	long r;
} fib_task;
static long fib(skua_worker *w, int n);
static void fib_run(skua_worker *w, skua_task *t)
{
	fib_task *f = (fib_task *)t;
	f->r = fib(w, f->n);
}
static long fib(skua_worker *w, int n)
{
	if (n < 2)
		return n;
	fib_task a = { .n = n - 1 };
	skua_fork(w, &a.task, fib_run);
	long b = fib(w, n - 2);
	skua_join_fn(w, &a.task, fib_run);
	return a.r + b;
}
struct call {
	int n;
	long r;
};
static void entry(skua_worker *w, void *arg)
{
	struct call *c = arg;
	c->r = fib(w, c->n);
}
static void *ident(void *a)
{
	return a;
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
	printf("total %ld\n", total);
	return skua_pool_destroy(p);
}
