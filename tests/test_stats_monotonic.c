/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua_pool_stats' idle_ns never goes back between two reads, while a
 * worker goes idle and busy again and again: docs/api.md says to take a
 * copy before and after a phase and subtract (skua-bench does), and a
 * later copy smaller than an earlier one wraps that difference to ~2^64.
 *
 * Since idle_ns counts the stretch a worker is in at the read, the read
 * adds now - idle_since to the closed stretches.  Before the fix it could
 * count more than the stretch's end added: the end read the clock, then
 * cleared idle_since and added the span, so a reader between the two saw
 * the stretch open with a later clock; and it could pair an old idle_ns
 * with a cleared or newer idle_since.  Reads went back by up to ~90 us,
 * thousands of times a second, on a 2-CPU VM.
 */
#include "test.h"
#include "clock.h"

static void *spin_task(void *arg)
{
	uint64_t until = skua__now_ns() + (uint64_t)(uintptr_t)arg;
	while (skua__now_ns() < until)
		;
	return NULL;
}

TEST_CASE(idle_ns_never_goes_back)
{
	skua_pool *p = test_pool(1);
	skua_worker_stats prev, cur;
	ASSERT_OK(skua_pool_stats(p, &prev, 1, NULL));
	long reads = 0, back = 0;
	uint64_t worst = 0;
	uint64_t end = skua__now_ns() + 500000000u; /* 0.5 s */
	while (skua__now_ns() < end) {
		/* The worker: 20 us busy, then idle until the next spawn. */
		skua_future *f;
		ASSERT_OK(skua_spawn(p, spin_task, (void *)(uintptr_t)20000,
		    &f));
		uint64_t until = skua__now_ns() + 60000;
		while (skua__now_ns() < until) {
			ASSERT_OK(skua_pool_stats(p, &cur, 1, NULL));
			reads++;
			if (cur.idle_ns < prev.idle_ns) {
				back++;
				if (prev.idle_ns - cur.idle_ns > worst)
					worst = prev.idle_ns - cur.idle_ns;
			}
			prev = cur;
		}
		ASSERT_OK(skua_future_get(f, NULL));
		ASSERT_OK(skua_future_release(f));
	}
	printf("reads=%ld went_back=%ld worst=%llu ns\n", reads, back,
	    (unsigned long long)worst);
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(back, 0);
}

static const struct test_case cases[] = {
	TEST_ENTRY(idle_ns_never_goes_back),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(60);
	return test_run_cases(argc, argv, cases);
}
