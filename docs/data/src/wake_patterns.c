/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/wake_patterns.c - what a parked round trip's pattern costs
 * with no skua at all (issue 11): a plain thread sleeps in FUTEX_WAIT; 5 ms
 * later its waker bumps the word, FUTEX_WAKEs it and waits until the
 * sleeper has stored its answer.  How the two sides behave is chosen on the
 * command line, so that each hand-off a skua round trip makes can be
 * priced alone:
 *
 *   finisher: 0 stores and waits again; 1 stores, then sched_yield (a skua
 *             worker that finished a watched future); 2 stores, then
 *             FUTEX_WAKEs the waiter.
 *   waiter:   0 spins; 1 yields between polls (skua_future_get's outside
 *             waiter); 2 sleeps in FUTEX_WAIT on the answer.
 *   pin:      0 lets the kernel place both; 1 pins the sleeper to CPU 1 and
 *             the waiter to CPU 0 (a cross-CPU wake of an idle vCPU).
 *
 * After its answer the sleeper spins 100 us before it sleeps again, as a
 * skua worker does before it parks.
 *
 * usage: wake_patterns [finisher waiter pin] [trips]   (default 1 1 0 300)
 * Build: cc -O2 docs/data/src/wake_patterns.c -lpthread -o /tmp/wake_patterns
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static _Atomic uint32_t word, answer;
static int finisher, waiter, pin;

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void futex(_Atomic uint32_t *w, int op, uint32_t v)
{
	syscall(SYS_futex, (uint32_t *)w, op, v, NULL, NULL, 0);
}

static void *sleeper(void *arg)
{
	uint32_t last = 0;
	(void)arg;
	for (;;) {
		uint32_t v = atomic_load(&word);
		if (v == last) {
			futex(&word, FUTEX_WAIT_PRIVATE, v);
			continue;
		}
		last = v;
		if (v == UINT32_MAX)
			return NULL;
		atomic_store(&answer, v);
		if (finisher == 1)
			sched_yield();
		else if (finisher == 2)
			futex(&answer, FUTEX_WAKE_PRIVATE, 1);
		uint64_t t = now_ns();
		while (now_ns() - t < 100000 && atomic_load(&word) == last)
			;
	}
}

static void wait_for(uint32_t x)
{
	uint32_t a;
	while ((a = atomic_load(&answer)) != x) {
		if (waiter == 1)
			sched_yield();
		else if (waiter == 2)
			futex(&answer, FUTEX_WAIT_PRIVATE, a);
	}
}

static void pin_to(pthread_t t, int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(t, sizeof s, &s);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	finisher = argc > 1 ? atoi(argv[1]) : 1;
	waiter = argc > 2 ? atoi(argv[2]) : 1;
	pin = argc > 3 ? atoi(argv[3]) : 0;
	int n = argc > 4 ? atoi(argv[4]) : 300;
	pthread_t th;
	uint64_t *t = calloc(n > 0 ? (size_t)n : 1, sizeof *t);
	if (n < 1 || n > 100000 || t == NULL ||
	    pthread_create(&th, NULL, sleeper, NULL) != 0)
		return 1;
	if (pin) {
		pin_to(th, 1);
		pin_to(pthread_self(), 0);
	}
	for (int i = 0; i < n; i++) {
		struct timespec nap = { 0, 5 * 1000 * 1000 };
		nanosleep(&nap, NULL);
		uint64_t t0 = now_ns();
		uint32_t x = atomic_fetch_add(&word, 1) + 1;
		futex(&word, FUTEX_WAKE_PRIVATE, 1);
		wait_for(x);
		t[i] = now_ns() - t0;
	}
	atomic_store(&word, UINT32_MAX);
	futex(&word, FUTEX_WAKE_PRIVATE, 1);
	pthread_join(th, NULL);
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("finisher %d waiter %d pin %d: median %.2f us p90 %.2f p99 "
	    "%.2f (%d trips)\n", finisher, waiter, pin, t[n / 2] / 1e3,
	    t[n * 9 / 10] / 1e3, t[n * 99 / 100] / 1e3, n);
	return 0;
}
