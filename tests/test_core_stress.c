/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Random fork trees on many workers (more than CPUs), mixing skua_fork,
 * skua_join and skua_join_fn, plain calls, autotask trees, and (in one
 * case) futures spawned, awaited and released in the same frames.  Every
 * node runs exactly once and the tree's checksum equals the serial one.
 * Without futures, every frame marks its depth as held by its thread
 * across its forks and joins, and a node that finds its own depth held
 * on its thread fails: a join that ran an unrelated task of the same
 * depth (a lock the frame holds would deadlock there, skua/task.h).
 */
#include "test.h"
#include "skua/autotask.h"

#include <sched.h>
#include <stdatomic.h>

#define MAX_KIDS 4

typedef struct {
	skua_task task;
	uint64_t seed;
	int depth;
	uint64_t result;
} node;

static _Atomic uint64_t visits;
static _Atomic uint64_t detached_sum;
static _Atomic int futures_out;
static bool use_futures;
static skua_pool *P;
static _Thread_local uint64_t held; /* depths whose frame this thread runs */

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

SKUA_TASK_1(long, sfib, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(sfib) a;
	SKUA_SPAWN(sfib, &a, n - 1);
	long b = SKUA_CALL(sfib, n - 2);
	return SKUA_SYNC(sfib, &a) + b;
}

static long fib_serial(int n)
{
	return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

static uint64_t leaf(uint64_t seed)
{
	volatile uint64_t x = seed;
	for (unsigned i = 0; i < (seed & 63); i++)
		x = x * 3 + 1;
	return seed & 0xFFFF;
}

static uint64_t tree(skua_worker *w, uint64_t seed, int depth);

static void node_run(skua_worker *w, skua_task *t)
{
	node *n = (node *)t;
	n->result = tree(w, n->seed, n->depth);
}

/* A future's body: a small tree on whatever worker runs it. */
static void *fut_run(void *arg)
{
	uint64_t seed = (uint64_t)(uintptr_t)arg;
	skua_worker *w = skua_worker_current();
	return (void *)(uintptr_t)tree(w, seed, 2);
}

static void *fut_detached(void *arg)
{
	atomic_fetch_add(&detached_sum, (uint64_t)(uintptr_t)fut_run(arg));
	atomic_fetch_sub(&futures_out, 1);
	return NULL;
}

static uint64_t fut_seed(uint64_t s)
{
	return mix(s) & 0xFFFFFFFFFFFFull;
}

static uint64_t tree(skua_worker *w, uint64_t seed, int depth)
{
	atomic_fetch_add_explicit(&visits, 1, memory_order_relaxed);
	if (depth <= 0)
		return leaf(seed);
	uint64_t r = mix(seed);
	bool serial = w == NULL;
	uint64_t bit = (uint64_t)1 << depth;
	if (!serial && !use_futures) {
		if (held & bit)
			FAIL("a join ran an unrelated task of depth %d", depth);
		held |= bit;
	}
	int k = 1 + (int)(r % MAX_KIDS);
	node kids[MAX_KIDS];
	uint64_t sum = seed & 0xFF;
	skua_future *f = NULL;
	bool f_late = false;
	for (int i = 0; i < k; i++) {
		kids[i].seed = mix(seed + (uint64_t)i + 1);
		kids[i].depth = depth - 1 - (int)((r >> (8 + i)) & 1);
		if (serial)
			kids[i].result = tree(NULL, kids[i].seed, kids[i].depth);
		else
			skua_fork(w, &kids[i].task, node_run);
		if (i == 0 && ((r >> 20) & 3) == 0)
			sum += tree(w, mix(seed ^ 77), depth - 2);
		int mode = (int)((r >> 24) & 7);
		if (!use_futures || i != 0 || mode >= 3)
			continue;
		uint64_t fs = fut_seed(seed);
		if (serial) {
			uint64_t v = tree(NULL, fs, 2);
			if (mode == 2)
				atomic_fetch_add(&detached_sum, v);
			else
				sum += v;
		} else if (mode == 2) {
			atomic_fetch_add(&futures_out, 1);
			ASSERT_OK(skua_spawn(P, fut_detached,
			    (void *)(uintptr_t)fs, &f));
			skua_future_release(f);
			f = NULL;
		} else {
			ASSERT_OK(skua_spawn(P, fut_run, (void *)(uintptr_t)fs,
			    &f));
			if (mode == 0) {
				void *v;
				ASSERT_OK(skua_future_get(f, &v));
				sum += (uint64_t)(uintptr_t)v;
				skua_future_release(f);
				f = NULL;
			} else {
				f_late = true;
			}
		}
	}
	if (((r >> 28) & 7) == 0)
		sum += (uint64_t)(serial ? fib_serial(10 + (int)(r >> 40) % 5) :
		    SKUA_ROOT(sfib, w, 10 + (int)(r >> 40) % 5));
	for (int i = k - 1; i >= 0; i--) {
		if (!serial) {
			if ((r >> (32 + i)) & 1)
				skua_join(w, &kids[i].task);
			else
				skua_join_fn(w, &kids[i].task, node_run);
		}
		sum += kids[i].result * (uint64_t)(i + 1);
	}
	if (f_late) {
		void *v;
		ASSERT_OK(skua_future_get(f, &v));
		sum += (uint64_t)(uintptr_t)v;
		skua_future_release(f);
	}
	if (!serial && !use_futures)
		held &= ~bit;
	return sum;
}

struct root_call {
	uint64_t seed;
	int depth;
	uint64_t r;
};

static void root_entry(skua_worker *w, void *arg)
{
	struct root_call *c = arg;
	c->r = tree(w, c->seed, c->depth);
}

static int env_int(const char *name, int dflt)
{
	const char *v = getenv(name);
	return v != NULL ? atoi(v) : dflt;
}

static void run_rounds(bool futures, unsigned workers, int depth,
    int rounds)
{
	depth = env_int("STRESS_DEPTH", depth);
	rounds = env_int("STRESS_ROUNDS", rounds);
	use_futures = futures;
	P = test_pool(workers);
	for (int round = 0; round < rounds; round++) {
		uint64_t seed = mix((uint64_t)round * 1000 + workers);
		atomic_store(&visits, 0);
		atomic_store(&detached_sum, 0);
		uint64_t want = tree(NULL, seed, depth);
		uint64_t want_visits = atomic_load(&visits);
		uint64_t want_det = atomic_load(&detached_sum);
		atomic_store(&visits, 0);
		atomic_store(&detached_sum, 0);
		struct root_call c = { seed, depth, 0 };
		ASSERT_OK(skua_pool_run(P, root_entry, &c));
		while (atomic_load(&futures_out) != 0)
			sched_yield();
		ASSERT_EQ(c.r, want);
		/* A serial future tree visits the same nodes. */
		ASSERT_EQ(atomic_load(&detached_sum), want_det);
		ASSERT_EQ(atomic_load(&visits), want_visits);
	}
	ASSERT_OK(skua_pool_destroy(P));
}

TEST_CASE(random_fork_trees_on_more_workers_than_cpus)
{
	int depth = (int)test_scale(13, 10);
	int rounds = (int)test_scale(20, 6);
	run_rounds(false, 1, depth, 2);
	run_rounds(false, 2, depth, rounds);
	run_rounds(false, 8, depth, rounds);
}

TEST_CASE(random_fork_trees_with_futures_in_the_frames)
{
	int depth = (int)test_scale(12, 9);
	int rounds = (int)test_scale(20, 6);
	run_rounds(true, 1, depth, 2);
	run_rounds(true, 2, depth, rounds);
	run_rounds(true, 8, depth, rounds);
}

static const struct test_case cases[] = {
	TEST_ENTRY(random_fork_trees_on_more_workers_than_cpus),
	TEST_ENTRY(random_fork_trees_with_futures_in_the_frames),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
