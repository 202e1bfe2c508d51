/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/parked_trip.c - the parked round trip against the OS floor,
 * in one process (issue 11, part 2): spawn+get of an empty future from an
 * outside thread onto a W-worker pool, warm (20000 back to back after 2000
 * of warm-up) and parked (each after 3 ms asleep, when every worker has
 * parked), then the floor: a plain thread woken from FUTEX_WAIT after 3 ms,
 * the time until it runs (skua-bench --report's "OS floor").  Prints the
 * medians and p99 in us, and parked / floor.  Run two builds interleaved to
 * compare them (docs/benchmarks.md).
 *
 * usage: parked_trip [workers [parked_trips]]   (default 2 200)
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/parked_trip.c \
 *            build/libskua.a -ljemalloc -lpthread -o /tmp/parked_trip
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "skua.h"

enum { WARM = 20000 };

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };
	nanosleep(&ts, NULL);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void *empty(void *arg)
{
	return arg;
}

/* One spawn+get, in us; exits on an error. */
static double trip(skua_pool *p)
{
	skua_future *f;
	void *r;
	uint64_t t0 = now_ns();
	if (skua_spawn(p, empty, &r, &f) != 0 || skua_future_get(f, &r) != 0)
		exit(1);
	uint64_t t1 = now_ns();
	skua_future_release(f);
	return (double)(t1 - t0) / 1e3;
}

/* The floor: a thread asleep in FUTEX_WAIT, woken; time until it runs. */
static _Atomic uint32_t word, seen;
static uint64_t woke;

static void *sleeper(void *arg)
{
	uint32_t last = 0;
	(void)arg;
	for (;;) {
		uint32_t v = atomic_load(&word);
		if (v == last) {
			syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, v, NULL,
			    NULL, 0);
			continue;
		}
		last = v;
		if (v == UINT32_MAX)
			return NULL;
		woke = now_ns();
		atomic_store(&seen, v); /* seq_cst: publishes woke */
	}
}

static void wake_sleeper(uint32_t v)
{
	atomic_store(&word, v);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void floor_trips(double *t, int n)
{
	pthread_t th;
	if (pthread_create(&th, NULL, sleeper, NULL) != 0)
		exit(1);
	for (int i = 0; i < n; i++) {
		nap_ms(3);
		uint64_t t0 = now_ns();
		wake_sleeper((uint32_t)i + 1);
		while (atomic_load(&seen) != (uint32_t)i + 1)
			;
		t[i] = (double)(woke - t0) / 1e3;
	}
	wake_sleeper(UINT32_MAX);
	pthread_join(th, NULL);
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	int n = argc > 2 ? atoi(argv[2]) : 200;
	skua_config cfg;
	skua_pool *p;
	skua_config_init(&cfg);
	cfg.workers = workers;
	double *pk = malloc(sizeof *pk * (size_t)n);
	double *os = malloc(sizeof *os * (size_t)n);
	double *wm = malloc(sizeof *wm * WARM);
	if (n < 1 || pk == NULL || os == NULL || wm == NULL ||
	    skua_pool_create(&cfg, &p) != 0)
		return 1;
	for (int i = 0; i < 2000; i++)
		trip(p);
	for (int i = 0; i < WARM; i++)
		wm[i] = trip(p);
	for (int i = 0; i < n; i++) {
		nap_ms(3); /* workers park after ~0.1 ms idle */
		pk[i] = trip(p);
	}
	floor_trips(os, n);
	qsort(pk, (size_t)n, sizeof *pk, cmp);
	qsort(os, (size_t)n, sizeof *os, cmp);
	qsort(wm, WARM, sizeof *wm, cmp);
	printf("workers %u  parked median %5.1f p99 %6.1f | warm median %.2f "
	    "p99 %.2f | OS floor median %5.1f p99 %6.1f | parked/floor %.2f\n",
	    workers, pk[n / 2], pk[n * 99 / 100], wm[WARM / 2],
	    wm[WARM * 99 / 100], os[n / 2], os[n * 99 / 100],
	    pk[n / 2] / os[n / 2]);
	free(pk);
	free(os);
	free(wm);
	return skua_pool_destroy(p) == 0 ? 0 : 1;
}
