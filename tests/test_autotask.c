/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/autotask.h: tasks declared once, with an automatic sequential
 * cut-off (issue 12, part 2).  Real answers on 1, 2, 4 and 8 workers:
 * fib(30) = 832040, 14200 solutions for 12 queens (the peers' array-board
 * kernel, the board copied per child), a UTS-style binomial tree's node
 * count equal to the serial count; the serial clone alone; the cut is
 * learned (an event count: the estimate table has a cut after a run);
 * autotask spawns mixed with plain forks and futures in one frame; tasks
 * of 5 and 6 arguments (kernels/autotask.c's bit-mask queens, a range
 * sum).
 */
#include "test.h"

#include <string.h>

SKUA_TASK_1(long, afib, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(afib) a;
	SKUA_SPAWN(afib, &a, n - 1);
	long b = SKUA_CALL(afib, n - 2);
	return SKUA_SYNC(afib, &a) + b;
}

/* n queens, the board as an array of column indices, copied per child. */
struct board {
	signed char col[16];
};

static bool board_ok(const struct board *b, int row, int c)
{
	for (int r = 0; r < row; r++) {
		int d = b->col[r] - c;
		if (d == 0 || d == row - r || d == r - row)
			return false;
	}
	return true;
}

SKUA_TASK_3(long, aqueens, int, n, int, row, struct board, b)
{
	if (row == n)
		return 1;
	SKUA_FRAME(aqueens) kids[16];
	int k = 0;
	for (int c = 0; c < n; c++) {
		if (!board_ok(&b, row, c))
			continue;
		struct board nb = b;
		nb.col[row] = (signed char)c;
		SKUA_SPAWN(aqueens, &kids[k], n, row + 1, nb);
		k++;
	}
	long total = 0;
	while (k > 0) {
		k--;
		total += SKUA_SYNC(aqueens, &kids[k]);
	}
	return total;
}

/* Six arguments, each one used: sum of (w*i + r) ^ f over [lo, hi), plus
 * d once per leaf of 64, halving the range.  Named w, r, f and d on
 * purpose: the machinery's own parameters had those names, and a task
 * whose argument was called d did not compile. */
static long sum6_serial(long lo, long hi, long w, long r, long f, long d)
{
	long s = 0;
	for (long i = lo; i < hi; i++)
		s += (w * i + r) ^ f;
	return s + d * ((hi - lo + 63) / 64);
}

SKUA_TASK_6(long, asum6, long, lo, long, hi, long, w, long, r, long, f,
    long, d)
{
	if (hi - lo <= 64)
		return sum6_serial(lo, hi, w, r, f, d);
	long mid = lo + (hi - lo) / 2;
	mid = lo + (mid - lo + 63) / 64 * 64; /* leaves of 64, as the check */
	SKUA_FRAME(asum6) left;
	SKUA_SPAWN(asum6, &left, lo, mid, w, r, f, d);
	long right = SKUA_CALL(asum6, mid, hi, w, r, f, d);
	return SKUA_SYNC(asum6, &left) + right;
}

/* A binomial tree: a node has 5 children with probability q / 10^6. */
static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

SKUA_TASK_2(long, atree, uint64_t, s, uint32_t, q)
{
	long count = 1;
	if (mix(s) % 1000000u >= q)
		return count;
	SKUA_FRAME(atree) kids[5];
	for (int i = 0; i < 5; i++)
		SKUA_SPAWN(atree, &kids[i], mix(s ^ (uint64_t)(i + 1) * 7919u), q);
	for (int i = 4; i >= 0; i--)
		count += SKUA_SYNC(atree, &kids[i]);
	return count;
}

static long tree_serial(uint64_t s, uint32_t q)
{
	long count = 1;
	if (mix(s) % 1000000u >= q)
		return count;
	for (int i = 0; i < 5; i++)
		count += tree_serial(mix(s ^ (uint64_t)(i + 1) * 7919u), q);
	return count;
}

/* The root: ROOTS children, each a binomial tree (UTS's shape). */
#define ROOTS 500
SKUA_TASK_2(long, aforest, uint64_t, s, uint32_t, q)
{
	SKUA_FRAME(atree) kids[ROOTS];
	for (int i = 0; i < ROOTS; i++)
		SKUA_SPAWN(atree, &kids[i], mix(s + (uint64_t)i), q);
	long count = 1;
	for (int i = ROOTS - 1; i >= 0; i--)
		count += SKUA_SYNC(atree, &kids[i]);
	return count;
}

static long forest_serial(uint64_t s, uint32_t q)
{
	long count = 1;
	for (int i = 0; i < ROOTS; i++)
		count += tree_serial(mix(s + (uint64_t)i), q);
	return count;
}

struct roots {
	long fib, queens, sum6, tree;
	uint32_t q;
};

static void run_all(skua_worker *w, void *arg)
{
	struct roots *r = arg;
	struct board empty;
	memset(&empty, 0, sizeof empty);
	r->fib = SKUA_ROOT(afib, w, 30);
	r->queens = SKUA_ROOT(aqueens, w, 12, 0, empty);
	r->sum6 = SKUA_ROOT(asum6, w, 3, 200003, 7, -5, 0x5a5a, 11);
	r->tree = SKUA_ROOT(aforest, w, 12345, r->q);
}

TEST_CASE(answers_on_1_2_4_8_workers)
{
	uint32_t q = 195000; /* ~2e4 nodes; serial and parallel agree */
	long tree = forest_serial(12345, q);
	printf("binomial tree: %ld nodes\n", tree);
	ASSERT(tree > 1000);
	bool fib_cut = false, queens_cut = false;
	for (unsigned workers = 1; workers <= 8; workers *= 2) {
		skua_pool *p = test_pool(workers);
		int rounds = (int)test_scale(3, 1);
		for (int k = 0; k < rounds; k++) {
			struct roots r = { .q = q };
			ASSERT_OK(skua_pool_run(p, run_all, &r));
			ASSERT_EQ(r.fib, 832040);
			ASSERT_EQ(r.queens, 14200);
			ASSERT_EQ(r.sum6, sum6_serial(3, 200003, 7, -5, 0x5a5a,
			    11));
			ASSERT_EQ(r.tree, tree);
			fib_cut |= atomic_load(&afib_auto.cut) != 0;
			queens_cut |= atomic_load(&aqueens_auto.cut) != 0;
		}
		/* Five arguments: kernels/autotask.c's bit-mask queens. */
		ASSERT_EQ(skb_queens_auto(p, 12), 14200);
		ASSERT_OK(skua_pool_destroy(p));
	}
	/* The estimates found a cut: below it a spawn is a call.  Looked at
	 * after every round, not only at the end: the estimate is made of
	 * timed samples, and one sample of a preempted subtree (8 workers on
	 * 2 CPUs under ASan, beside other tests) can lift the cut's depth
	 * over the target for a moment (failed once at the end, 2026-12-02). */
	ASSERT(fib_cut);
	ASSERT(queens_cut);
	printf("cuts: fib depth %u, queens %u, tree %u\n",
	    atomic_load(&afib_auto.cut) - 1, atomic_load(&aqueens_auto.cut) - 1,
	    atomic_load(&atree_auto.cut));
}

TEST_CASE(serial_clone_alone)
{
	struct board empty;
	memset(&empty, 0, sizeof empty);
	ASSERT_EQ(afib_seq(30), 832040);
	ASSERT_EQ(aqueens_seq(10, 0, empty), 724);
	ASSERT_EQ(asum6_seq(0, 100000, 3, 1, 77, -2),
	    sum6_serial(0, 100000, 3, 1, 77, -2));
	ASSERT_EQ(atree_seq(777, 190000), tree_serial(777, 190000));
	ASSERT_EQ(aforest_seq(777, 190000), forest_serial(777, 190000));
}

/* Autotask spawns, plain forks (kernels/'s fib record) and futures in
 * one frame. */
static void *fut_fib(void *arg)
{
	return (void *)(intptr_t)afib_seq((int)(intptr_t)arg);
}

static void mixed(skua_worker *w, void *arg)
{
	long *out = arg;
	skua_future *f;
	SKUA_FRAME(afib) a;
	skb_fib_task plain = { .n = 22 };
	ASSERT_OK(skua_spawn(skua_worker_pool(w), fut_fib, (void *)20, &f));
	skua_fork(w, &plain.task, skb_fib_task_run);
	/* SPAWN outside a task body: the root's frame, depth 0. */
	afib_spawn(w, 0, 0, &a, 25);
	long b = SKUA_ROOT(afib, w, 24);
	long c = afib_sync(w, 0, &a);
	skua_join_fn(w, &plain.task, skb_fib_task_run);
	void *r;
	ASSERT_OK(skua_future_get(f, &r));
	skua_future_release(f);
	*out = b + c + plain.r + (long)(intptr_t)r;
}

TEST_CASE(mixes_with_forks_and_futures)
{
	for (unsigned workers = 1; workers <= 2; workers++) {
		skua_pool *p = test_pool(workers);
		for (int k = 0; k < 20; k++) {
			long v = 0;
			ASSERT_OK(skua_pool_run(p, mixed, &v));
			ASSERT_EQ(v, 46368 + 75025 + 17711 + 6765);
		}
		ASSERT_OK(skua_pool_destroy(p));
	}
}

/*
 * The exposure before a sampled serial subtree (skua__auto_expose): a fork
 * made before it becomes public though no thief's demand was answered, so
 * the other worker takes it while this one runs on without forking (a
 * serial subtree far longer than estimated).  Without it the fork stays
 * private until this worker's next fork: nobody runs it, and the wait
 * below runs out.
 */
static skua_worker *_Atomic old_owner;
static _Atomic int old_stolen, old_ran;

static void old_work(skua_worker *w, skua_task *t)
{
	(void)t;
	atomic_store(&old_stolen, w != atomic_load(&old_owner));
	atomic_store(&old_ran, 1);
}

static void expose_then_run_long(skua_worker *w, void *arg)
{
	(void)arg;
	struct skua__whot *h = (struct skua__whot *)w;
	skua_task old;
	atomic_store(&old_owner, w);
	test_spin_us(2000); /* the other worker searches, asks us, parks */
	atomic_store(&h->demand, 0); /* so that the fork itself exposes nothing */
	skua_fork(w, &old, old_work);
	skua__auto_expose(w); /* what a sampled serial subtree does first */
	ASSERT(test_spin_until(&old_ran, 10000)); /* the long serial run */
	skua_join(w, &old);
	ASSERT_EQ(atomic_load(&old_stolen), 1);
}

TEST_CASE(an_old_fork_is_stolen_while_a_serial_subtree_runs)
{
	skua_pool *p = test_pool(2);
	for (int k = 0; k < 20; k++) {
		atomic_store(&old_ran, 0);
		atomic_store(&old_stolen, 0);
		ASSERT_OK(skua_pool_run(p, expose_then_run_long, NULL));
	}
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(answers_on_1_2_4_8_workers),
	TEST_ENTRY(serial_clone_alone),
	TEST_ENTRY(mixes_with_forks_and_futures),
	TEST_ENTRY(an_old_fork_is_stolen_while_a_serial_subtree_runs),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(300);
	return test_run_cases(argc, argv, cases);
}
