/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pinning and the threads that are not compute workers: a compensating
 * spare (skua_blocking_begin) and a blocking thread (skua_spawn_blocking)
 * started from a pinned worker take the pool's whole mask, the creating
 * thread's, as skua/pool.h and lib/pin.h say ("compensating spares keep
 * the whole mask").  They inherited the pinned worker's one CPU before
 * (a review of the pool's lifecycle): a spare standing in for a blocked
 * worker, and every blocking job, shared that worker's CPU.
 * On a machine with one CPU in the mask every case passes trivially.
 */
#define _GNU_SOURCE
#include "test.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static cpu_set_t creating_mask;

/* The calling thread's mask equals the creating thread's: 1, else 0. */
static int mask_is_whole(void)
{
	cpu_set_t m;
	ASSERT(sched_getaffinity(0, sizeof m, &m) == 0);
	return CPU_EQUAL(&m, &creating_mask);
}

struct seen {
	_Atomic int spare;   /* -1: no spare ran a probe yet */
	_Atomic int blocking;
};

static struct seen seen;

static void *probe(void *arg)
{
	skua_worker *w = skua_worker_current();
	if (w != NULL &&
	    skua_worker_index(w) >= skua_pool_workers(skua_worker_pool(w)))
		atomic_store(&seen.spare, mask_is_whole());
	return arg;
}

static void *blocking_job(void *arg)
{
	atomic_store(&seen.blocking, mask_is_whole());
	return arg;
}

/* On the pinned worker 0: a blocking job, then block with probes queued
 * until the spare that stands in for us has run one. */
static void entry(skua_worker *w, void *arg)
{
	(void)arg;
	skua_pool *p = skua_worker_pool(w);
	if (CPU_COUNT(&creating_mask) > 1)
		ASSERT(!mask_is_whole()); /* pinned to one CPU */
	skua_future *b, *f[8];
	ASSERT_OK(skua_spawn_blocking(p, blocking_job, NULL, &b));
	ASSERT_OK(skua_blocking_begin());
	for (int i = 0; i < 8; i++)
		ASSERT_OK(skua_spawn(p, probe, NULL, &f[i]));
	for (int i = 0; i < 5000 && atomic_load(&seen.spare) < 0; i++)
		usleep(1000);
	ASSERT_OK(skua_blocking_end());
	for (int i = 0; i < 8; i++) {
		ASSERT_OK(skua_future_get(f[i], NULL));
		ASSERT_OK(skua_future_release(f[i]));
	}
	ASSERT_OK(skua_future_get(b, NULL));
	ASSERT_OK(skua_future_release(b));
}

static void run_pinned(int pin)
{
	skua_config cfg;
	skua_pool *p;
	skua_config_init(&cfg);
	cfg.workers = 1;
	cfg.pin = pin;
	atomic_store(&seen.spare, -1);
	atomic_store(&seen.blocking, -1);
	ASSERT(sched_getaffinity(0, sizeof creating_mask, &creating_mask) ==
	    0);
	ASSERT_OK(skua_pool_create(&cfg, &p));
	ASSERT_OK(skua_pool_run(p, entry, NULL));
	ASSERT_OK(skua_pool_destroy(p));
	if (atomic_load(&seen.spare) != 1)
		FAIL("the spare's mask is not the creating thread's (%d; -1: "
		    "no spare ran)", atomic_load(&seen.spare));
	if (atomic_load(&seen.blocking) != 1)
		FAIL("the blocking thread's mask is not the creating "
		    "thread's (%d)", atomic_load(&seen.blocking));
}

TEST_CASE(spare_and_blocking_thread_of_a_compact_pool_take_the_mask)
{
	unsetenv("SKUA_PIN");
	run_pinned(SKUA_PIN_COMPACT);
}

TEST_CASE(spare_and_blocking_thread_of_a_spread_pool_take_the_mask)
{
	unsetenv("SKUA_PIN");
	run_pinned(SKUA_PIN_SPREAD);
}

static const struct test_case cases[] = {
	TEST_ENTRY(spare_and_blocking_thread_of_a_compact_pool_take_the_mask),
	TEST_ENTRY(spare_and_blocking_thread_of_a_spread_pool_take_the_mask),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(60);
	return test_run_cases(argc, argv, cases);
}
