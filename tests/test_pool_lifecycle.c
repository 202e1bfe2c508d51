/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pool lifecycle: destroy while work is in flight runs every task;
 * destroy from a task is -EDEADLK; several pools at once; a task of one
 * pool submitting to another; the worker stack size; 10^7 spawn/get/release
 * cycles without a leak (RSS and jemalloc's stats flat).
 * Usage: test_pool_lifecycle [CASE]
 */
#define _GNU_SOURCE
#include "test.h"
#include "test_hooks.h"


#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

static _Atomic long done_count;

static void *slow_inc(void *arg)
{
	(void)arg;
	usleep(200);
	atomic_fetch_add(&done_count, 1);
	return NULL;
}

static void *try_destroy(void *arg)
{
	return (void *)(intptr_t)skua_pool_destroy(arg);
}

static void *nop(void *arg)
{
	return arg;
}

static void *submit_other(void *arg)
{
	skua_pool *other = arg;
	skua_future *f;
	void *r;
	ASSERT_OK(skua_spawn(other, nop, (void *)42, &f));
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_OK(skua_future_release(f));
	return r;
}

static void stack_probe(skua_worker *w, void *arg)
{
	(void)w;
	pthread_attr_t a;
	size_t sz = 0;
	ASSERT_EQ(pthread_getattr_np(pthread_self(), &a), 0);
	ASSERT_EQ(pthread_attr_getstacksize(&a, &sz), 0);
	pthread_attr_destroy(&a);
	*(size_t *)arg = sz;
}

static void *churn_inside(void *arg)
{
	long cycles = (long)(intptr_t)arg;
	skua_pool *p = skua_worker_pool(skua_worker_current());
	for (long i = 0; i < cycles; i++) {
		skua_future *f;
		void *r;
		ASSERT_OK(skua_spawn(p, nop, (void *)(intptr_t)i, &f));
		ASSERT_OK(skua_future_get(f, &r));
		ASSERT_EQ((intptr_t)r, i);
		ASSERT_OK(skua_future_release(f));
	}
	return NULL;
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void churn(skua_pool *p, long cycles)
{
	skua_future *f;
	ASSERT_OK(skua_spawn(p, churn_inside, (void *)(intptr_t)cycles, &f));
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_future_release(f));
}

TEST_CASE(destroy_with_work_in_flight_runs_every_task)
{
	/* Destroy with work in flight: every task runs first. */
	skua_pool *p = test_pool(2);
	atomic_store(&done_count, 0);
	for (int i = 0; i < 1000; i++) {
		skua_future *f;
		ASSERT_OK(skua_spawn(p, slow_inc, NULL, &f));
		ASSERT_OK(skua_future_release(f));
	}
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(atomic_load(&done_count), 1000);
}

TEST_CASE(destroy_from_own_task_is_edeadlk_pool_still_works)
{
	skua_pool *p;
	/* Destroy from its own task: -EDEADLK, and the pool still works. */
	p = test_pool(2);
	skua_future *f;
	void *r;
	ASSERT_OK(skua_spawn(p, try_destroy, p, &f));
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_EQ((intptr_t)r, -EDEADLK);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(task_of_one_pool_waits_on_another_pool)
{
	skua_pool *p = test_pool(2);
	skua_future *f;
	void *r;
	/* Two pools; a task of one submits to and waits on the other. */
	skua_pool *q = test_pool(3);
	ASSERT_OK(skua_spawn(p, submit_other, q, &f));
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_EQ((intptr_t)r, 42);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_pool_destroy(q));
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(worker_stack_size_follows_config_and_env)
{
	skua_pool *p;
	/* The worker stack size is what was asked for. */
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 1;
	cfg.stack_size = 12u << 20; /* above the 8 MiB default */
	ASSERT_OK(skua_pool_create(&cfg, &p));
	size_t sz = 0;
	ASSERT_OK(skua_pool_run(p, stack_probe, &sz));
	ASSERT(sz >= cfg.stack_size);
	ASSERT_OK(skua_pool_destroy(p));
	/* Larger than the default, so glibc cannot reuse a cached stack. */
	setenv("SKUA_STACK_SIZE", "16M", 1);
	p = test_pool(1);
	ASSERT_OK(skua_pool_run(p, stack_probe, &sz));
	if (sz < (16u << 20))
		FAIL("SKUA_STACK_SIZE=16M gave a %zu-byte stack", sz);
	ASSERT_OK(skua_pool_destroy(p));
	unsetenv("SKUA_STACK_SIZE");
}

TEST_CASE(default_worker_count_is_the_cpus_we_may_use)
{
	skua_pool *p;
	/* Default worker count: the CPUs we may run on. */
	unsetenv("SKUA_WORKERS");
	ASSERT_OK(skua_pool_create(NULL, &p));
	cpu_set_t set;
	ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
	ASSERT(skua_pool_workers(p) >= 1);
	ASSERT(skua_pool_workers(p) <= (unsigned)CPU_COUNT(&set));
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(spawn_get_release_cycles_leave_memory_flat)
{
	long cycles = test_scale(10000000, 200000);
	skua_pool *p;
	/* No leak over many spawn/get/release cycles. */
	long long live_start = skua__test_allocated();
	p = test_pool(2);
	/* jemalloc's caches fill during the first few 10^6 cycles (measured:
	 * flat from 3 * 10^6 on), so the baseline comes after 40%. */
	churn(p, cycles * 4 / 10);
	long rss0 = rss_kib();
	long long live0 = skua__test_allocated();
	churn(p, cycles - cycles * 4 / 10);
	long rss1 = rss_kib();
	long long live1 = skua__test_allocated();
	ASSERT_OK(skua_pool_destroy(p));
	long long live_end = skua__test_allocated();
	printf("cycles=%ld rss %ld KiB -> %ld KiB, jemalloc allocated %lld -> "
	    "%lld bytes; %lld before the pool, %lld after it\n", cycles, rss0,
	    rss1, live0, live1, live_start, live_end);
	if (live0 >= 0) {
		/* jemalloc's count of live bytes (RSS also holds pages that
		 * jemalloc keeps for reuse, which is no leak).  Its thread
		 * caches still move by ~100 KiB; one leaked 80-byte future
		 * per 10^4 cycles would add 48 KiB per 6 * 10^6 and show. */
		ASSERT(live1 - live0 < 512 * 1024);
		ASSERT(live_end - live_start < 512 * 1024);
	} else if (!TEST_SANITIZED) {
		/* ASan keeps freed memory in quarantine; LeakSanitizer checks
		 * those builds instead. */
		ASSERT(rss1 - rss0 < 2048);
	}
	/* One worker, nobody to steal: the entries of futures awaited at once
	 * must not pile up while the spawning task runs. */
	if (live_start >= 0) {
		p = test_pool(1);
		churn(p, 1000);
		long long a = skua__test_allocated();
		churn(p, 1000000);
		long long b = skua__test_allocated();
		printf("1 worker, 10^6 cycles: allocated %lld -> %lld\n", a, b);
		ASSERT(b - a < 512 * 1024); /* 10^6 dead entries: 80 MB */
		ASSERT_OK(skua_pool_destroy(p));
	}
}

static const struct test_case cases[] = {
	TEST_ENTRY(destroy_with_work_in_flight_runs_every_task),
	TEST_ENTRY(destroy_from_own_task_is_edeadlk_pool_still_works),
	TEST_ENTRY(task_of_one_pool_waits_on_another_pool),
	TEST_ENTRY(worker_stack_size_follows_config_and_env),
	TEST_ENTRY(default_worker_count_is_the_cpus_we_may_use),
	TEST_ENTRY(spawn_get_release_cycles_leave_memory_flat),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
