/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A pipeline of more stages than workers finishes (issue 15): 4 stages,
 * each a task looping on recv and send over channels of 64 elements
 * (source -> square -> mix -> sum), 10^6 elements, on a 1-worker and a
 * 2-worker pool; the stages spawned from an outside thread, and from a
 * task of the pool that then waits for them.  Each stage that waits
 * sleeps as a blocked worker, so a spare takes its place and runs the next
 * stage; a wait that ran the next stage on its own stack instead would
 * never resume (lib/channel.md, "Rejected: helping").
 */
#include "test.h"

#include <errno.h>
#include <stdint.h>

#define STAGES 4

/* Under TSan 3 * 10^5 elements (~1 s a case); everywhere else 10^6. */
#if defined(__SANITIZE_THREAD__)
#define ELEMENTS 300000
#else
#define ELEMENTS 1000000
#endif

struct pipe_run {
	skua_channel *ch[STAGES - 1];
	uint64_t n;
	uint64_t sum;
};

struct stage {
	struct pipe_run *run;
	int k; /* 0 source, 1-2 maps, 3 sink */
};

static uint64_t map(int k, uint64_t x)
{
	return k == 1 ? x * x + 1 : x ^ (x >> 7);
}

static void *stage_fn(void *arg)
{
	struct stage *s = arg;
	struct pipe_run *r = s->run;
	uint64_t x;
	int rc;

	if (s->k == 0) {
		for (x = 1; x <= r->n; x++)
			ASSERT_OK(skua_channel_send(r->ch[0], &x));
		ASSERT_OK(skua_channel_close(r->ch[0]));
		return NULL;
	}
	if (s->k == STAGES - 1) {
		uint64_t sum = 0;
		while ((rc = skua_channel_recv(r->ch[s->k - 1], &x)) == 0)
			sum += x;
		ASSERT_EQ(rc, -EPIPE);
		r->sum = sum;
		return NULL;
	}
	while ((rc = skua_channel_recv(r->ch[s->k - 1], &x)) == 0) {
		x = map(s->k, x);
		ASSERT_OK(skua_channel_send(r->ch[s->k], &x));
	}
	ASSERT_EQ(rc, -EPIPE);
	ASSERT_OK(skua_channel_close(r->ch[s->k]));
	return NULL;
}

/* Spawn the stages on p and wait for them (from whatever thread). */
static void spawn_and_wait(skua_pool *p, struct pipe_run *r)
{
	struct stage st[STAGES];
	skua_future *f[STAGES];
	for (int k = 0; k < STAGES; k++) {
		st[k] = (struct stage){ r, k };
		ASSERT_OK(skua_spawn(p, stage_fn, &st[k], &f[k]));
	}
	ASSERT_OK(skua_future_wait_all(f, STAGES));
	for (int k = 0; k < STAGES; k++)
		skua_future_release(f[k]);
}

static void entry(skua_worker *w, void *arg)
{
	spawn_and_wait(skua_worker_pool(w), arg);
}

static void run_pipeline(unsigned workers, bool from_task)
{
	struct pipe_run r = { { NULL }, ELEMENTS,
		0 };
	uint64_t want = 0;
	for (uint64_t x = 1; x <= r.n; x++)
		want += map(2, map(1, x));
	for (int k = 0; k < STAGES - 1; k++)
		ASSERT_OK(skua_channel_create(64, sizeof(uint64_t), &r.ch[k]));
	skua_pool *p = test_pool(workers);
	uint64_t t0 = test_now_ns();
	if (from_task)
		ASSERT_OK(skua_pool_run(p, entry, &r));
	else
		spawn_and_wait(p, &r);
	printf("%u worker(s), stages spawned from %s: %llu elements in "
	    "%.2f s\n", workers, from_task ? "a task" : "outside",
	    (unsigned long long)r.n, (test_now_ns() - t0) / 1e9);
	ASSERT_EQ(r.sum, want);
	ASSERT_OK(skua_pool_destroy(p));
	for (int k = 0; k < STAGES - 1; k++)
		ASSERT_OK(skua_channel_destroy(r.ch[k]));
}

TEST_CASE(one_worker) { run_pipeline(1, false); }
TEST_CASE(two_workers) { run_pipeline(2, false); }
TEST_CASE(one_worker_from_task) { run_pipeline(1, true); }
TEST_CASE(two_workers_from_task) { run_pipeline(2, true); }

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		TEST_ENTRY(one_worker),
		TEST_ENTRY(two_workers),
		TEST_ENTRY(one_worker_from_task),
		TEST_ENTRY(two_workers_from_task),
		TEST_END,
	};
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
