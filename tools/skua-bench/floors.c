/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/floors.c - what the platform itself costs, measured
 * beside `--report`'s round trips so that each is read against its floor
 * in the same run: a futex wake-up of a sleeping thread (the parked
 * round trip's floor) and a cache line's trip to another thread and back
 * (the warm round trip's: a submission must reach a worker and the
 * result come back, at least one line each way).  No skua involved.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The platform's floors for waking a sleeper, no skua involved: a plain
 * thread sleeping in FUTEX_WAIT, woken by FUTEX_WAKE after 3 ms asleep.
 * Measured beside the parked round trip, sample by sample (report.c),
 * because on a virtual machine an idle vCPU's wake-up can dominate it and
 * the host's noise comes in phases.  Two of them:
 *   wake: until the sleeper runs (its waker spins): one way;
 *   trip: the sleeper stores an answer and yields, as a skua worker that
 *     finished a watched future does, and its waker yields between polls
 *     until it sees the answer, as skua_future_get's outside waiter does:
 *     the parked round trip's own pattern.  The kernel mostly starts the
 *     sleeper on its waker's CPU (wake-affine), so it is two hand-offs on
 *     one CPU where `wake` is one (docs/benchmarks.md, "The round trip's
 *     own floor").
 */
struct os_sleeper {
	_Atomic uint32_t word, seen;
	_Atomic int stop;
	double woke;
	bool answers; /* the trip's: yields after its answer */
	pthread_t thread;
};
/* One thread each: a thread that yielded is, under EEVDF, not eligible to
 * preempt its spinning waker at its next wake-up (measured: a shared one
 * took the one-way floor's p99 to 4.9 ms). */
static struct os_sleeper os_wake = { .answers = false };
static struct os_sleeper os_trip = { .answers = true };

static void *os_sleeper_main(void *arg)
{
	struct os_sleeper *s = arg;
	uint32_t last = 0;
	while (!atomic_load(&s->stop)) {
		uint32_t v = atomic_load(&s->word);
		if (v == last) {
			syscall(SYS_futex, (uint32_t *)&s->word,
			    FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
			continue;
		}
		last = v;
		s->woke = skb_now();
		atomic_store(&s->seen, v); /* seq_cst: publishes woke */
		if (s->answers)
			sched_yield();
	}
	return NULL;
}

static void os_poke(struct os_sleeper *s, uint32_t *v)
{
	*v = atomic_fetch_add(&s->word, 1) + 1;
	syscall(SYS_futex, (uint32_t *)&s->word, FUTEX_WAKE_PRIVATE, 1, NULL,
	    NULL, 0);
}

void skb_os_floor_start(void)
{
	struct os_sleeper *all[] = { &os_wake, &os_trip };
	for (int i = 0; i < 2; i++) {
		atomic_store(&all[i]->stop, 0);
		if (pthread_create(&all[i]->thread, NULL, os_sleeper_main,
		    all[i]) != 0)
			skb_die("pthread_create failed");
	}
}

/* One sample each, after the caller's sleep: seconds. */
double skb_os_wake_sample(void)
{
	uint32_t v;
	double t0 = skb_now();
	os_poke(&os_wake, &v);
	while (atomic_load(&os_wake.seen) != v)
		;
	return os_wake.woke - t0;
}

double skb_os_trip_sample(void)
{
	uint32_t v;
	double t0 = skb_now();
	os_poke(&os_trip, &v);
	while (atomic_load(&os_trip.seen) != v)
		sched_yield();
	return skb_now() - t0;
}

void skb_os_floor_stop(void)
{
	struct os_sleeper *all[] = { &os_wake, &os_trip };
	for (int i = 0; i < 2; i++) {
		uint32_t v;
		atomic_store(&all[i]->stop, 1);
		os_poke(all[i], &v);
		pthread_join(all[i]->thread, NULL);
	}
}

/*
 * Two threads pass a counter back and forth through two cache lines, as
 * a submission and its result do; blocks of LINE_TRIPS trips are timed
 * and each block's mean is a sample.  Needs 2 CPUs (on one, every trip
 * would wait for a time slice): the report skips it there.
 */
#define LINE_TRIPS 100
#define LINE_BLOCKS 200

static _Alignas(64) _Atomic long line_ping;
static _Alignas(64) _Atomic long line_pong;

static void *line_echo(void *arg)
{
	long n = *(long *)arg;
	for (long i = 1; i <= n; i++) {
		while (atomic_load_explicit(&line_ping, memory_order_acquire) != i)
			;
		atomic_store_explicit(&line_pong, i, memory_order_release);
	}
	return NULL;
}

void skb_line_floor(double *med, double *p99)
{
	static double t[LINE_BLOCKS];
	long n = (long)LINE_TRIPS * (LINE_BLOCKS + 10), i = 0;
	pthread_t th;
	atomic_store(&line_ping, 0);
	atomic_store(&line_pong, 0);
	if (pthread_create(&th, NULL, line_echo, &n) != 0)
		skb_die("pthread_create failed");
	for (int b = -10; b < LINE_BLOCKS; b++) { /* 10 blocks to warm up */
		double t0 = skb_now();
		for (int k = 0; k < LINE_TRIPS; k++) {
			i++;
			atomic_store_explicit(&line_ping, i, memory_order_release);
			while (atomic_load_explicit(&line_pong,
			    memory_order_acquire) != i)
				;
		}
		if (b >= 0)
			t[b] = (skb_now() - t0) / LINE_TRIPS;
	}
	pthread_join(th, NULL);
	*med = skb_median(t, LINE_BLOCKS) * 1e6;
	*p99 = skb_percentile(t, LINE_BLOCKS, 0.99) * 1e6;
}
