/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The injection queue on its own: 4 producers push 8 * 10^5 tasks (the
 * ring holds 1024, so the overflow list is in use most of the time) while
 * 3 consumers pop: every task comes out exactly once.  This caught a stale
 * pointer that a failed ck_ring dequeue leaves behind.
 * Usage: test_inject_stress [CASE]
 */
#include "test.h"
#include "inject.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

enum { PRODUCERS = 4, CONSUMERS = 3 };

static struct skua__inject q;
static skua_task *items;
static _Atomic unsigned char *seen;
static _Atomic long popped;
static long total;

static void *producer(void *a)
{
	long id = (long)(intptr_t)a, per = total / PRODUCERS;
	for (long i = id * per; i < (id + 1) * per; i++) {
		ASSERT_OK(skua__inject_push(&q, &items[i]));
		/* ck_ring's producers wait for each other in order; on 2 cores
		 * with 7 threads, let a preempted one run now and then. */
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

static void *consumer(void *a)
{
	(void)a;
	while (atomic_load(&popped) < total) {
		skua_task *t = skua__inject_pop(&q);
		if (t == NULL) {
			sched_yield();
			continue;
		}
		long id = t - items;
		ASSERT(id >= 0 && id < total);
		if (atomic_fetch_add(&seen[id], 1) != 0)
			FAIL("item %ld popped twice", id);
		atomic_fetch_add(&popped, 1);
	}
	return NULL;
}

TEST_CASE(every_task_pops_once_through_ring_and_overflow)
{
	long per = test_scale(200000, 20000);
	total = per * PRODUCERS;
	items = calloc((size_t)total, sizeof *items);
	seen = calloc((size_t)total, 1);
	ASSERT(items != NULL && seen != NULL);
	ASSERT_OK(skua__inject_init(&q));
	pthread_t p[PRODUCERS], c[CONSUMERS];
	for (long i = 0; i < CONSUMERS; i++)
		ASSERT_EQ(pthread_create(&c[i], NULL, consumer, NULL), 0);
	for (long i = 0; i < PRODUCERS; i++)
		ASSERT_EQ(pthread_create(&p[i], NULL, producer,
		    (void *)(intptr_t)i), 0);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	for (int i = 0; i < CONSUMERS; i++)
		pthread_join(c[i], NULL);
	ASSERT_EQ(atomic_load(&popped), total);
	for (long i = 0; i < total; i++)
		if (atomic_load(&seen[i]) != 1)
			FAIL("item %ld popped %d times", i, (int)seen[i]);
	ASSERT(skua__inject_pop(&q) == NULL);
	ASSERT(skua__inject_empty(&q));
	skua__inject_fini(&q);
	free(items);
	free((void *)seen);
	printf("%ld items through the injection queue, each once\n", total);
}

static const struct test_case cases[] = {
	TEST_ENTRY(every_task_pops_once_through_ring_and_overflow),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(250);
	return test_run_cases(argc, argv, cases);
}
