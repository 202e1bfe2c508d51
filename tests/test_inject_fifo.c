/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Outside submissions are served in FIFO order, also past the injection
 * ring's capacity (issue 10, bug 4).  One worker is held busy while one
 * outside thread submits 3000 futures (about 2000 of them overflow the
 * ring), then the worker is released while the same thread keeps about
 * 300 newer ones queued.  With one producer and one worker the order in
 * which the futures run must be exactly the order of submission; before
 * the fix the overflow list was read only when the ring was empty, so
 * newer submissions passed the old ones (by ~380,000 in the issue) until
 * the producer stopped.
 */
#include "test.h"

#include <sched.h>

#define FIRST 3000
#define QUEUED 300
#define MAX 400000

static _Atomic int release_worker, holding;
static _Atomic long next_pos, recorded;
static long order[MAX];

static void *hold(void *arg)
{
	(void)arg;
	atomic_store(&holding, 1);
	ASSERT(test_spin_until(&release_worker, 30000));
	return NULL;
}

static void *record(void *arg)
{
	long pos = atomic_fetch_add(&next_pos, 1);
	order[pos] = (long)(intptr_t)arg;
	atomic_fetch_add(&recorded, 1); /* after the write: the reader waits */
	return NULL;
}

TEST_CASE(overflow_served_in_order)
{
	skua_pool *p = test_pool(1);
	static skua_future *fs[FIRST];
	skua_future *h;
	atomic_store(&release_worker, 0);
	atomic_store(&holding, 0);
	atomic_store(&next_pos, 0);
	atomic_store(&recorded, 0);
	ASSERT_OK(skua_spawn(p, hold, NULL, &h));
	ASSERT(test_spin_until(&holding, 5000));
	for (long i = 0; i < FIRST; i++)
		ASSERT_OK(skua_spawn(p, record, (void *)(intptr_t)i, &fs[i]));
	atomic_store(&release_worker, 1);
	/* Keep about QUEUED newer ones waiting until the first FIRST ran
	 * (FIFO: soon), or MAX were submitted (the old code: never). */
	long n = FIRST;
	while (n < MAX && atomic_load(&next_pos) < FIRST) {
		if (n - atomic_load(&next_pos) > QUEUED)
			continue;
		skua_future *f;
		ASSERT_OK(skua_spawn(p, record, (void *)(intptr_t)n, &f));
		skua_future_release(f);
		n++;
	}
	ASSERT_OK(skua_future_wait_all(fs, FIRST));
	ASSERT_OK(skua_future_get(h, NULL));
	skua_future_release(h);
	while (atomic_load(&recorded) < n)
		sched_yield();
	long passed = 0;
	for (long i = 0; i < n; i++)
		passed += order[i] != i;
	printf("%ld submitted; %ld ran out of submission order\n", n, passed);
	for (long i = 0; i < n; i++)
		ASSERT_EQ(order[i], i);
	for (long i = 0; i < FIRST; i++)
		skua_future_release(fs[i]);
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(overflow_served_in_order),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
