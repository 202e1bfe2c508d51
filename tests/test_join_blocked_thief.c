/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A join whose child was stolen, with a future that the frame spawned
 * between the fork and the join: the join leaves that future queued
 * (skua/task.h, "Locks").  When the child's thief then blocks inside
 * skua_blocking_begin/end waiting for that future, somebody must still run
 * it.  On one worker with a lingering spare as the thief, blocking_begin
 * saw the spare cover itself (spares_active >= blocked) and started
 * nothing, the worker spun in its join, and nothing ever ran the future:
 * a hang (the watchdog fails the test).
 */
#include "test.h"
#include "test_hooks.h"
#include "pool_struct.h"
#include "worker.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
	skua_task task;
	skua_future *f;
} rec;

static _Atomic int c_started, go, f_runs, c_runs;
static _Atomic int fail_next_start; /* the join's first spare fails */
static _Atomic int failed_starts;

static void count_failed_start(void)
{
	atomic_fetch_add(&failed_starts, 1);
}

static void *f_fn(void *a)
{
	atomic_fetch_add(&f_runs, 1);
	return a;
}

/* The child, run by the spare: blocks (announced) until f is done. */
static void c_run(skua_worker *w, skua_task *t)
{
	(void)w;
	rec *r = (rec *)t;
	atomic_store(&c_started, 1);
	ASSERT(test_spin_until(&go, 10000));
	/* On a loaded host this begin may come before the join's first try
	 * and need the start that the round made fail: -EAGAIN, nothing
	 * changed, and the get (unblocked) may then run f itself.  The
	 * round's count of failed starts holds either way. */
	int begun = skua_blocking_begin();
	ASSERT(begun == 0 || (begun == -EAGAIN &&
	    atomic_load(&fail_next_start)));
	void *res = NULL;
	ASSERT_OK(skua_future_get(r->f, &res));
	if (begun == 0)
		ASSERT_OK(skua_blocking_end());
	ASSERT_EQ((intptr_t)res, 7);
	atomic_fetch_add(&c_runs, 1);
}

static void frame(skua_worker *w, void *arg)
{
	skua_pool *p = arg;
	rec c;
	skua_fork(w, &c.task, c_run);
	/* Public at once, above c (and exposes c). */
	ASSERT_OK(skua_spawn(p, f_fn, (void *)7, &c.f));
	/* A spare starts and steals c (the oldest entry). */
	ASSERT_OK(skua_blocking_begin());
	ASSERT(test_spin_until(&c_started, 10000));
	ASSERT_OK(skua_blocking_end());
	/* The spare, still active, blocks now: nobody is blocked but it. */
	if (atomic_load(&fail_next_start))
		skua__test_thread_fail_at(1);
	atomic_store(&go, 1);
	skua_join(w, &c.task);
	ASSERT_EQ(atomic_load(&c_runs), 1);
	ASSERT_OK(skua_future_release(c.f));
}

static void run_rounds(int fail)
{
	atomic_store(&fail_next_start, fail);
	atomic_store(&failed_starts, 0);
	skua__test_thread_fail_hook(count_failed_start);
	for (int rep = 0; rep < 5; rep++) {
		atomic_store(&c_started, 0);
		atomic_store(&go, 0);
		atomic_store(&f_runs, 0);
		atomic_store(&c_runs, 0);
		skua_pool *p = test_pool(1);
		ASSERT_OK(skua_pool_run(p, frame, p));
		ASSERT_OK(skua_pool_destroy(p));
		ASSERT_EQ(atomic_load(&f_runs), 1);
		ASSERT_EQ(atomic_load(&c_runs), 1);
	}
	/* The armed failure fired each round (the join's first try). */
	ASSERT_EQ(atomic_load(&failed_starts), fail ? 5 : 0);
	skua__test_thread_fail_at(0);
	skua__test_thread_fail_hook(NULL);
}

TEST_CASE(join_whose_thief_blocks_on_a_queued_future_finishes)
{
	run_rounds(0);
}

/* The join's first spare cannot start (-EAGAIN): it tries again later. */
TEST_CASE(join_retries_a_spare_that_failed_to_start)
{
	run_rounds(1);
}

/*
 * The same wait, for a future queued below the thief's steal_base, which
 * the join refuses too (it takes only what the thief pushed during the
 * child's run, docs/design.md, "The rule").  On one worker W with a spare
 * S: S runs X, which forks K and spawns E; W steals K; X's join of K
 * leapfrogs W and takes K's child C; C blocks inside begin/end for E,
 * which sits in S's deque below the base of C's run.  K's join on W can
 * take nothing and has nothing queued of its own.
 */
static _Atomic int x_started, k_started, c2_started;
static skua_future *e_fut;

static void c2_run(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
	atomic_store(&c2_started, 1);
	ASSERT_OK(skua_blocking_begin());
	void *res = NULL;
	ASSERT_OK(skua_future_get(e_fut, &res));
	ASSERT_OK(skua_blocking_end());
	ASSERT_EQ((intptr_t)res, 7);
	atomic_fetch_add(&c_runs, 1);
}

static void k_run(skua_worker *w, skua_task *t)
{
	(void)t;
	skua_task c;
	atomic_store(&k_started, 1);
	/* Fork once X's join asked us for work: C is exposed at once.  A
	 * bound in time, not in loads: under a loaded CI host X's thread may
	 * not ask for tens of ms (10^7 loads ran out, and C stayed private). */
	ASSERT(test_spin_until(&((struct skua__whot *)w)->demand, 10000));
	skua_fork(w, &c, c2_run);
	ASSERT(test_spin_until(&c2_started, 10000));
	skua_join(w, &c);
}

static void *x_fn(void *arg)
{
	skua_pool *p = arg;
	skua_worker *w = skua_worker_current();
	skua_task k;
	skua_fork(w, &k, k_run);
	ASSERT_OK(skua_spawn(p, f_fn, (void *)7, &e_fut)); /* exposes k */
	atomic_store(&x_started, 1);
	ASSERT(test_spin_until(&k_started, 10000));
	skua_join(w, &k);
	return NULL;
}

struct root2 {
	skua_pool *p;
	skua_future *x;
};

static void root2(skua_worker *w, void *arg)
{
	(void)w;
	struct root2 *r = arg;
	ASSERT_OK(skua_spawn(r->p, x_fn, r->p, &r->x));
	/* A spare starts and takes X; then W is free to steal K. */
	ASSERT_OK(skua_blocking_begin());
	ASSERT(test_spin_until(&x_started, 10000));
	ASSERT_OK(skua_blocking_end());
}

TEST_CASE(join_whose_thief_blocks_on_its_own_older_future_finishes)
{
	for (int rep = 0; rep < 5; rep++) {
		atomic_store(&x_started, 0);
		atomic_store(&k_started, 0);
		atomic_store(&c2_started, 0);
		atomic_store(&f_runs, 0);
		atomic_store(&c_runs, 0);
		struct root2 r = { test_pool(1), NULL };
		ASSERT_OK(skua_pool_run(r.p, root2, &r));
		ASSERT_OK(skua_future_get(r.x, NULL));
		ASSERT_OK(skua_future_release(r.x));
		ASSERT_OK(skua_future_release(e_fut));
		ASSERT_OK(skua_pool_destroy(r.p));
		ASSERT_EQ(atomic_load(&f_runs), 1);
		ASSERT_EQ(atomic_load(&c_runs), 1);
	}
}

/*
 * Random trees of forks, futures and blocking sections (futures awaited
 * inside begin/end or not, before or after the joins), on 1-3 workers:
 * every task runs once and the tree finishes.  Before, joiners counted as
 * running while every other worker blocked, and the queued work waited
 * forever (each run of 40 trees stalled on one worker, below the cap).
 * The cap is raised: at it, with every spare blocked, the cycle remains.
 */
static _Atomic long tree_ran, tree_expected;
static skua_pool *tree_pool;

typedef struct {
	skua_task task;
	int depth;
	uint64_t seed;
} tnode;

struct targ {
	int depth;
	uint64_t seed;
};

static void tree_visit(skua_worker *w, int depth, uint64_t seed);

static void tnode_run(skua_worker *w, skua_task *t)
{
	tnode *n = (tnode *)t;
	tree_visit(w, n->depth, n->seed);
}

static void *tfut_fn(void *a)
{
	struct targ *f = a;
	tree_visit(skua_worker_current(), f->depth, f->seed);
	return a;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* get(f), inside begin/end when the coin says so (and begin works). */
static void tree_get(skua_future *f, uint64_t *seed)
{
	int rc = (rnd(seed) & 1) ? skua_blocking_begin() : -1;
	ASSERT(rc == 0 || rc == -1 || rc == -EAGAIN);
	ASSERT_OK(skua_future_get(f, NULL));
	if (rc == 0)
		ASSERT_OK(skua_blocking_end());
}

static void tree_visit(skua_worker *w, int depth, uint64_t seed)
{
	atomic_fetch_add(&tree_ran, 1);
	if (depth == 0)
		return;
	tnode kids[3];
	struct targ fa[2];
	skua_future *fs[2];
	int nk = 0, nf = 0, ops = 2 + (int)(rnd(&seed) % 3);
	for (int i = 0; i < ops; i++) {
		unsigned r = (unsigned)(rnd(&seed) % 10);
		if (r < 5 && nk < 3) {
			kids[nk].depth = depth - 1;
			kids[nk].seed = rnd(&seed);
			atomic_fetch_add(&tree_expected, 1);
			skua_fork(w, &kids[nk].task, tnode_run);
			nk++;
		} else if (r < 8 && nf < 2) {
			fa[nf].depth = depth - 1;
			fa[nf].seed = rnd(&seed);
			atomic_fetch_add(&tree_expected, 1);
			ASSERT_OK(skua_spawn(tree_pool, tfut_fn, &fa[nf],
			    &fs[nf]));
			nf++;
		} else {
			int rc = skua_blocking_begin();
			ASSERT(rc == 0 || rc == -EAGAIN);
			struct timespec ts = { 0, 20000 };
			nanosleep(&ts, NULL);
			if (rc == 0)
				ASSERT_OK(skua_blocking_end());
		}
	}
	bool late = rnd(&seed) & 1;
	for (int i = 0; !late && i < nf; i++)
		tree_get(fs[i], &seed);
	while (nk > 0)
		skua_join(w, &kids[--nk].task);
	for (int i = 0; i < nf; i++) {
		if (late)
			tree_get(fs[i], &seed);
		ASSERT_OK(skua_future_release(fs[i]));
	}
}

static void tree_root(skua_worker *w, void *arg)
{
	atomic_fetch_add(&tree_expected, 1);
	tree_visit(w, 6, (uint64_t)(uintptr_t)arg);
}

TEST_CASE(random_forks_futures_and_blocking_sections_finish)
{
	ASSERT_OK(setenv("SKUA_MAX_BLOCKING", "4096", 1));
	long reps = test_scale(40, 12);
	for (long rep = 0; rep < reps; rep++) {
		atomic_store(&tree_ran, 0);
		atomic_store(&tree_expected, 0);
		tree_pool = test_pool(1 + (unsigned)(rep % 3));
		ASSERT_OK(skua_pool_run(tree_pool, tree_root,
		    (void *)(uintptr_t)(rep * 7919 + 1)));
		ASSERT_OK(skua_pool_destroy(tree_pool));
		ASSERT_EQ(atomic_load(&tree_ran), atomic_load(&tree_expected));
	}
	ASSERT_OK(unsetenv("SKUA_MAX_BLOCKING"));
}

/*
 * A task that a join runs while it counts itself blocked may still nest
 * skua_blocking_begin SKUA_BLOCKING_NEST_MAX deep, as anywhere: the
 * join's own begin is not the task's.  On one worker W with a spare S:
 * S steals C; W's join of C, with F queued, counts itself blocked; then
 * C forks L, which W's join takes and runs.  L's last begin was
 * -EOVERFLOW: the join had used one of its 16 levels.
 */
static _Atomic int l_started, l_overflowed, l_done, joining;
static skua_pool *nest_pool;

static void l_run(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
	atomic_store(&l_started, 1);
	int k = 0, rc = 0;
	while (k < SKUA_BLOCKING_NEST_MAX && (rc = skua_blocking_begin()) == 0)
		k++;
	if (rc != 0)
		atomic_store(&l_overflowed, rc);
	while (k-- > 0)
		ASSERT_OK(skua_blocking_end());
	atomic_store(&l_done, 1);
}

static void nest_c_run(skua_worker *w, skua_task *t)
{
	(void)t;
	skua_task l;
	atomic_store(&c_started, 1);
	/* Until W's join counts itself blocked (after W's own begin/end);
	 * it has asked us for work by then, so L is public at once. */
	ASSERT(test_spin_until(&joining, 10000));
	uint64_t end = test_now_ns() + 10000000000u;
	while (atomic_load(&nest_pool->blocked) == 0 && test_now_ns() < end)
		;
	ASSERT(atomic_load(&nest_pool->blocked) != 0);
	skua_fork(w, &l, l_run);
	ASSERT(test_spin_until(&l_started, 10000));
	skua_join(w, &l);
}

static void nest_frame(skua_worker *w, void *arg)
{
	(void)arg;
	rec c;
	skua_fork(w, &c.task, nest_c_run);
	ASSERT_OK(skua_spawn(nest_pool, f_fn, (void *)7, &c.f));
	ASSERT_OK(skua_blocking_begin());
	ASSERT(test_spin_until(&c_started, 10000));
	ASSERT_OK(skua_blocking_end());
	atomic_store(&joining, 1);
	skua_join(w, &c.task);
	ASSERT_EQ(atomic_load(&l_done), 1);
	ASSERT_OK(skua_future_get(c.f, NULL));
	ASSERT_OK(skua_future_release(c.f));
}

TEST_CASE(a_task_run_by_a_blocked_join_nests_begin_16_deep)
{
	for (int rep = 0; rep < 5; rep++) {
		atomic_store(&c_started, 0);
		atomic_store(&l_started, 0);
		atomic_store(&l_overflowed, 0);
		atomic_store(&l_done, 0);
		atomic_store(&joining, 0);
		nest_pool = test_pool(1);
		ASSERT_OK(skua_pool_run(nest_pool, nest_frame, NULL));
		ASSERT_OK(skua_pool_destroy(nest_pool));
		ASSERT_EQ(atomic_load(&l_overflowed), 0);
	}
}

static const struct test_case cases[] = {
	TEST_ENTRY(join_whose_thief_blocks_on_a_queued_future_finishes),
	TEST_ENTRY(join_retries_a_spare_that_failed_to_start),
	TEST_ENTRY(join_whose_thief_blocks_on_its_own_older_future_finishes),
	TEST_ENTRY(random_forks_futures_and_blocking_sections_finish),
	TEST_ENTRY(a_task_run_by_a_blocked_join_nests_begin_16_deep),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
