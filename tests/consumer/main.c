/* SPDX-License-Identifier: BSD-2-Clause */
/* Built against the installed package: fork/join fib(30), a future, and
 * fib(25) declared with skua/autotask.h (its inline code calls the
 * skua_abi_* entry points, which libskua.so must export). */
#include <skua.h>
#include <stdio.h>
#include <string.h>

typedef struct { skua_task task; int n; long r; } fib_task;
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
struct call { int n; long r; };
static void entry(skua_worker *w, void *arg)
{
	struct call *c = arg;
	c->r = fib(w, c->n);
}
static void *answer(void *arg) { return arg; }

SKUA_TASK_1(long, afib, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(afib) a;
	SKUA_SPAWN(afib, &a, n - 1);
	long b = SKUA_CALL(afib, n - 2);
	return SKUA_SYNC(afib, &a) + b;
}
static void auto_entry(skua_worker *w, void *arg)
{
	struct call *c = arg;
	c->r = SKUA_ROOT(afib, w, c->n);
}

int main(void)
{
	skua_pool *pool;
	skua_future *f;
	void *r;
	struct call c = { 30, 0 };
	if (skua_pool_create(NULL, &pool) != 0 || skua_pool_run(pool, entry, &c) != 0)
		return 1;
	if (skua_spawn(pool, answer, (void *)42, &f) != 0 || skua_future_get(f, &r) != 0)
		return 1;
	struct call a = { 25, 0 };
	if (skua_pool_run(pool, auto_entry, &a) != 0 || a.r != 75025) {
		printf("autotask fib(25) = %ld, not 75025\n", a.r);
		return 1;
	}
	skua_future_release(f);
	/* The library's own version (libskua.so's, when linked to it) is
	 * the headers'. */
	int ok = strcmp(skua_version(), SKUA_VERSION_STRING) == 0 &&
	    skua_version_number(NULL, NULL, NULL) == SKUA_VERSION_NUMBER;
	printf("fib(30) = %ld, future = %ld, version %s%s\n", c.r, (long)r,
	    skua_version(), ok ? "" : " (not the headers' version)");
	skua_pool_destroy(pool);
	return c.r == 832040 && (long)r == 42 && ok ? 0 : 1;
}
