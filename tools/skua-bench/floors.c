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
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The platform's floor for waking a sleeper: a plain thread sleeping in
 * FUTEX_WAIT, woken by FUTEX_WAKE after 3 ms asleep; time until it runs.
 * No skua involved.  Measured beside the parked round trip, because on a
 * virtual machine an idle vCPU's wake-up can dominate it.
 */
static _Atomic uint32_t os_word;
static _Atomic int os_stop;
static double os_woke;
static _Atomic uint32_t os_seen;

static void *os_sleeper(void *arg)
{
	uint32_t last = 0;
	(void)arg;
	while (!atomic_load(&os_stop)) {
		uint32_t v = atomic_load(&os_word);
		if (v == last) {
			syscall(SYS_futex, (uint32_t *)&os_word,
			    FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
			continue;
		}
		last = v;
		os_woke = skb_now();
		atomic_store(&os_seen, v); /* seq_cst: publishes os_woke */
	}
	return NULL;
}

void skb_os_wake_floor(double *t, int n, double *med, double *p99)
{
	pthread_t th;
	if (pthread_create(&th, NULL, os_sleeper, NULL) != 0)
		skb_die("pthread_create failed");
	for (int i = 0; i < n; i++) {
		skb_sleep(0.003);
		double t0 = skb_now();
		uint32_t v = atomic_fetch_add(&os_word, 1) + 1;
		syscall(SYS_futex, (uint32_t *)&os_word, FUTEX_WAKE_PRIVATE, 1,
		    NULL, NULL, 0);
		while (atomic_load(&os_seen) != v)
			;
		t[i] = os_woke - t0;
	}
	atomic_store(&os_stop, 1);
	atomic_fetch_add(&os_word, 1);
	syscall(SYS_futex, (uint32_t *)&os_word, FUTEX_WAKE_PRIVATE, 1, NULL,
	    NULL, 0);
	pthread_join(th, NULL);
	*med = skb_median(t, n) * 1e6;
	*p99 = skb_percentile(t, n, 0.99) * 1e6;
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
