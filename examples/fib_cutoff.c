/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fib_cutoff.c - a sequential cut-off: below a size, call the plain serial
 * function instead of forking (docs/optimization-guide.md, "Sequential
 * cut-offs").  Times fib(n) serially, with a fork per call, and with the
 * cut-off, and checks that all three agree.
 *
 *     usage: fib_cutoff [n [cutoff [workers]]]   (defaults: 30 20 all CPUs;
 *                                                 cutoff 0: a fork per call)
 *
 * fib forks fib(n-1) and calls fib(n-2) at every level; a call costs a few
 * nanoseconds, so a fork per call is mostly overhead.  Below the cut-off
 * a subtree is fib(cutoff) ~ 1.6^cutoff calls of serial work: cutoff 20 is
 * ~10^4 calls, ~20 us, still small next to the whole but large next to a
 * fork.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: builds with -std=c11 too */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

static long fib_serial(int n)
{
	return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

/* One fork per call, no cut-off (docs/benchmarks.md's fib). */
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
	fib_task a;
	a.n = n - 1;
	skua_fork(w, &a.task, fib_run);
	long b = fib(w, n - 2);
	skua_join_fn(w, &a.task, fib_run);
	return a.r + b;
}

/* The same with a cut-off: small subproblems run the serial code. */
static int cutoff = 20;
typedef struct { skua_task task; int n; long r; } fibc_task;
static long fibc(skua_worker *w, int n);
static void fibc_run(skua_worker *w, skua_task *t)
{
	fibc_task *f = (fibc_task *)t;
	f->r = fibc(w, f->n);
}
static long fibc(skua_worker *w, int n)
{
	if (n < cutoff || n < 2)
		return fib_serial(n);     /* no fork below the cut-off */
	fibc_task a;
	a.n = n - 1;
	skua_fork(w, &a.task, fibc_run);
	long b = fibc(w, n - 2);
	skua_join_fn(w, &a.task, fibc_run);
	return a.r + b;
}

struct call { int n, cut; long r; };
static void entry(skua_worker *w, void *arg)
{
	struct call *c = arg;
	c->r = c->cut ? fibc(w, c->n) : fib(w, c->n);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 30;
	skua_config cfg;
	skua_pool *pool;
	int rc;

	if (argc > 2)
		cutoff = atoi(argv[2]);
	skua_config_init(&cfg);
	cfg.workers = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	if (n < 0 || n > 60 || (rc = skua_pool_create(&cfg, &pool)) != 0) {
		fprintf(stderr, "usage: fib_cutoff [n [cutoff [workers]]]\n");
		return 1;
	}
	double t0 = now();
	long s = fib_serial(n);
	double t1 = now();
	struct call plain = { n, 0, 0 }, cut = { n, 1, 0 };
	if (skua_pool_run(pool, entry, &plain) != 0)
		return 1;
	double t2 = now();
	if (skua_pool_run(pool, entry, &cut) != 0)
		return 1;
	double t3 = now();
	unsigned workers = skua_pool_workers(pool);
	skua_pool_destroy(pool);

	printf("fib(%d) = %ld\n", n, s);
	printf("serial            %9.3f ms\n", (t1 - t0) * 1e3);
	printf("fork per call     %9.3f ms on %u workers (%ld)\n",
	    (t2 - t1) * 1e3, workers, plain.r);
	printf("cut-off below %-3d %9.3f ms on %u workers (%ld)\n", cutoff,
	    (t3 - t2) * 1e3, workers, cut.r);
	if (plain.r != s || cut.r != s) {
		printf("FAIL\n");
		return 1;
	}
	printf("OK\n");
	return 0;
}
