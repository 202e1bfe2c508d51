/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A join never runs unrelated work inside the joining frame (issue 10,
 * bug 1).  Task A holds an error-checking mutex M while it forks and joins
 * 8 children; task Z has a future S (which takes M) on its deque and a
 * private fork above it, and waits for G, which runs on a third worker, so
 * Z's worker helps and steals one of A's children.  A's join then finds
 * that child stolen and leapfrogs into Z's worker: before the fix it took
 * S there, and S, running inside A's critical section, got EDEADLK from M
 * (37-40 of 40 rounds).  Counted: rounds in which S ran on A's thread
 * while A held M (must be 0), and that S ran every round.
 */
#include "test.h"
#include "worker.h" /* the demand flag */

#include <errno.h>
#include <pthread.h>

#define ROUNDS 40
#define WAIT_MS 3000

static pthread_mutex_t m;
static _Atomic int violations, s_runs, a_started, a_done, g_started;
static _Atomic int z_waiting;

/* S: Z's future; it takes M like any other task may. */
static void *s_fn(void *arg)
{
	(void)arg;
	int rc = pthread_mutex_lock(&m);
	if (rc == EDEADLK) {
		atomic_fetch_add(&violations, 1); /* inside A's section */
		return NULL;
	}
	ASSERT_EQ(rc, 0);
	pthread_mutex_unlock(&m);
	atomic_fetch_add(&s_runs, 1);
	return NULL;
}

/* G: keeps a third worker busy until A is done, so Z's get waits. */
static void *g_fn(void *arg)
{
	(void)arg;
	atomic_store(&g_started, 1);
	test_spin_until(&a_done, WAIT_MS);
	return NULL;
}

/* The oldest child, the one a thief takes first, runs longest: A joins it
 * last, while the thief still runs it, and leapfrogs. */
struct child {
	skua_task task;
	unsigned us;
};

static void child_run(skua_worker *w, skua_task *t)
{
	(void)w;
	test_spin_us(((struct child *)t)->us);
}

static void *a_fn(void *arg)
{
	(void)arg;
	skua_worker *w = skua_worker_current();
	struct child c[8];
	/* Fork only once Z waits and helps, so that its requests meet our
	 * forks and it steals one of them. */
	atomic_store(&a_started, 1);
	ASSERT(test_spin_until(&z_waiting, WAIT_MS));
	ASSERT_OK(pthread_mutex_lock(&m));
	for (int i = 0; i < 8; i++) {
		c[i].us = i == 0 ? 20000 : 100;
		skua_fork(w, &c[i].task, child_run);
		test_spin_us(50); /* room for a request between forks */
	}
	for (int i = 7; i >= 0; i--)
		skua_join(w, &c[i].task);
	ASSERT_OK(pthread_mutex_unlock(&m));
	atomic_store(&a_done, 1);
	return NULL;
}

static void z2_run(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
	test_spin_us(20);
}

static void *z_fn(void *arg)
{
	skua_future *g = arg, *s;
	skua_worker *w = skua_worker_current();
	skua_task z2;
	ASSERT_OK(skua_spawn(skua_worker_pool(w), s_fn, NULL, &s));
	/* No thief asked yet (forget a request left from an earlier round):
	 * Z2 stays private above S, the shape of the issue. */
	atomic_store(&((struct skua__whot *)w)->demand, 0);
	skua_fork(w, &z2, z2_run);
	atomic_store(&z_waiting, 1);
	ASSERT_OK(skua_future_get(g, NULL));
	skua_join(w, &z2);
	ASSERT_OK(skua_future_get(s, NULL));
	skua_future_release(s);
	return NULL;
}

static void one_round(skua_pool *p)
{
	skua_future *g, *a, *z;
	atomic_store(&a_started, 0);
	atomic_store(&a_done, 0);
	atomic_store(&g_started, 0);
	atomic_store(&z_waiting, 0);
	ASSERT_OK(skua_spawn(p, g_fn, NULL, &g));
	ASSERT(test_spin_until(&g_started, WAIT_MS));
	/* G, A and Z each on a worker of their own: each starts once the
	 * one before runs. */
	ASSERT_OK(skua_spawn(p, a_fn, NULL, &a));
	ASSERT(test_spin_until(&a_started, WAIT_MS));
	ASSERT_OK(skua_spawn(p, z_fn, g, &z));
	skua_future *all[3] = { g, a, z };
	ASSERT_OK(skua_future_wait_all(all, 3));
	for (int i = 0; i < 3; i++)
		skua_future_release(all[i]);
}

static void init_errorcheck(void)
{
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	ASSERT_OK(pthread_mutex_init(&m, &ma));
	pthread_mutexattr_destroy(&ma);
}

TEST_CASE(join_runs_no_unrelated_task)
{
	init_errorcheck();
	skua_pool *p = test_pool(3);
	int rounds = (int)test_scale(ROUNDS, ROUNDS / 4);
	for (int r = 0; r < rounds; r++)
		one_round(p);
	ASSERT_OK(skua_pool_destroy(p));
	printf("S ran inside A's critical section in %d of %d rounds\n",
	    atomic_load(&violations), rounds);
	ASSERT_EQ(atomic_load(&violations), 0);
	ASSERT_EQ(atomic_load(&s_runs), rounds);
	pthread_mutex_destroy(&m);
}

/*
 * A future that a frame spawns between a fork and its join, inside its
 * critical section, is not the child's work: the join must not run it.
 * Its entry sits above the child's in the deque, so a join that takes the
 * child back from the bottom meets it first; before the fix it ran it there,
 * inside the section (EDEADLK from M, every round on one worker).
 */
static _Atomic int f_inside, f_runs;

static void *f_fn(void *arg)
{
	(void)arg;
	int rc = pthread_mutex_lock(&m);
	if (rc == EDEADLK) {
		atomic_fetch_add(&f_inside, 1);
		return NULL;
	}
	ASSERT_EQ(rc, 0);
	pthread_mutex_unlock(&m);
	atomic_fetch_add(&f_runs, 1);
	return NULL;
}

static void h_entry(skua_worker *w, void *arg)
{
	bool release = arg != NULL;
	struct child c = { .us = 200 };
	skua_future *f;
	ASSERT_OK(pthread_mutex_lock(&m));
	skua_fork(w, &c.task, child_run);
	ASSERT_OK(skua_spawn(skua_worker_pool(w), f_fn, NULL, &f));
	if (release)
		skua_future_release(f); /* runs some time later */
	skua_join(w, &c.task);
	ASSERT_OK(pthread_mutex_unlock(&m));
	if (!release) {
		ASSERT_OK(skua_future_get(f, NULL));
		skua_future_release(f);
	}
}

TEST_CASE(join_leaves_the_frames_futures_queued)
{
	int rounds = (int)test_scale(ROUNDS, ROUNDS / 4);
	init_errorcheck();
	atomic_store(&f_inside, 0);
	atomic_store(&f_runs, 0);
	for (unsigned n = 1; n <= 2; n++) {
		skua_pool *p = test_pool(n);
		for (int r = 0; r < rounds; r++)
			ASSERT_OK(skua_pool_run(p, h_entry,
			    r % 2 ? (void *)1 : NULL));
		ASSERT_OK(skua_pool_destroy(p)); /* runs the released ones */
	}
	printf("F ran inside H's critical section in %d of %d rounds\n",
	    atomic_load(&f_inside), 2 * rounds);
	ASSERT_EQ(atomic_load(&f_inside), 0);
	ASSERT_EQ(atomic_load(&f_runs), 2 * rounds);
	pthread_mutex_destroy(&m);
}

/*
 * The primitive under the rule, white-box: a leapfrogging joiner takes from
 * the thief only entries at or above the thief's steal_base (pushed during
 * the stolen child's run), never the older ones below.
 */
static void nop_run(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
}

TEST_CASE(leapfrog_takes_only_above_base)
{
	skua_pool *p = test_pool(1);
	skua_worker *v = skua__worker_new(p, 1); /* a deque, no thread */
	ASSERT(v != NULL);
	skua_task old = { .fn = nop_run }, mine = { .fn = nop_run };
	skua_task mine2 = { .fn = nop_run }, child = { .fn = nop_run };
	bool busy;
	atomic_store(&child.state, SKUA__TASK_STOLEN_BY(v)); /* stolen by v */
	skua__push_public(v, &old);          /* an older frame's task */
	int64_t base = v->hot.head;          /* the child starts here */
	ASSERT(skua__deque_steal_above(v, base, &child, &busy) == NULL);
	ASSERT(!busy);
	skua__push_public(v, &mine);         /* pushed by the child */
	skua__push_public(v, &mine2);
	/* The old one first, and it is not ours. */
	ASSERT(skua__deque_steal_above(v, base, &child, &busy) == NULL);
	/* Once another thief took the old one, the child's are ours ... */
	ASSERT(skua__deque_steal(v, v, &busy) == &old);
	ASSERT(skua__deque_steal_above(v, base, &child, &busy) == &mine);
	/* ... while the child runs: once it is done, nothing is. */
	atomic_store(&child.state, 2); /* DONE */
	ASSERT(skua__deque_steal_above(v, base, &child, &busy) == NULL);
	ASSERT(skua__deque_steal(v, v, &busy) == &mine2);
	skua__worker_free(v);
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(join_runs_no_unrelated_task),
	TEST_ENTRY(leapfrog_takes_only_above_base),
	TEST_ENTRY(join_leaves_the_frames_futures_queued),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
