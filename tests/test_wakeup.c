/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Lost wake-ups: single tasks submitted with random pauses to a pool that
 * keeps falling asleep; every round must complete (a lost wake-up hangs
 * and the watchdog fails the test).  Also the round trip from inside a
 * worker to a sleeping sibling, the first fork of a worker woken on a
 * parked pool waking another, which worker a post wakes, and an idle
 * pool's CPU use.
 * Usage: test_wakeup [CASE]
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include "test.h"
#include "test_hooks.h"

#include <sched.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <time.h>

static void *inc(void *arg)
{
	atomic_fetch_add((_Atomic long *)arg, 1);
	return arg;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* A task that spawns one child into its own deque and returns: the
 * sibling must wake to run it, or the owner's loop does. */
static void *spawn_child(void *arg)
{
	skua_future *f;
	skua_pool *p = skua_worker_pool(skua_worker_current());
	ASSERT_OK(skua_spawn(p, inc, arg, &f));
	ASSERT_OK(skua_future_release(f));
	return NULL;
}

TEST_CASE(no_wakeup_lost_to_a_pool_falling_asleep)
{
	long rounds = test_scale(100000, 10000);
	skua_pool *p = test_pool(2);
	_Atomic long counter = 0;
	uint64_t rng = 0x1234567;

	for (long i = 0; i < rounds; i++) {
		skua_future *f;
		ASSERT_OK(skua_spawn(p, (i & 3) == 3 ? spawn_child : inc,
		    (void *)&counter, &f));
		ASSERT_OK(skua_future_get(f, NULL));
		ASSERT_OK(skua_future_release(f));
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		/* Mostly no pause (workers warm), sometimes long enough for
		 * them to park (> 100 us of spinning). */
		unsigned r = (unsigned)(rng % 1000);
		if (r < 5)
			usleep(300 + (useconds_t)(rng % 500));
		else if (r < 50)
			usleep((useconds_t)(rng % 100));
	}
	/* spawn_child rounds finish their child asynchronously. */
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(atomic_load(&counter), rounds);
}

TEST_CASE(idle_pool_uses_under_10ms_cpu_per_second)
{
	skua_pool *p;
	_Atomic long counter;
	/* An idle pool sleeps: CPU over 1 s of idleness after a burst. */
	p = test_pool(2);
	atomic_store(&counter, 0);
	for (int i = 0; i < 10000; i++) {
		skua_future *f;
		ASSERT_OK(skua_spawn(p, inc, (void *)&counter, &f));
		ASSERT_OK(skua_future_release(f));
	}
	while (atomic_load(&counter) != 10000)
		usleep(100);
	usleep(10000);
	double c0 = cpu_seconds();
	struct timespec ts = { 1, 0 };
	nanosleep(&ts, NULL);
	double used = cpu_seconds() - c0;
	printf("idle CPU over 1 s: %.2f ms\n", used * 1e3);
	/* Sanitizer runtimes have background threads of their own. */
	ASSERT(used < (TEST_SANITIZED ? 0.05 : 0.01));
	ASSERT_OK(skua_pool_destroy(p));
}

/* Wait until every worker of p has parked at least once, then long
 * enough for those woken since to park again (100 us of search). */
static void wait_all_parked(skua_pool *p, unsigned n)
{
	skua_worker_stats s[8];
	for (int tries = 0;; tries++) {
		ASSERT(tries < 20000); /* 20 s */
		ASSERT_OK(skua_pool_stats(p, s, n, NULL));
		unsigned parked = 0;
		for (unsigned i = 0; i < n; i++)
			parked += s[i].parks > 0;
		if (parked == n)
			break;
		usleep(1000);
	}
	usleep(20000);
}

struct probe {
	skua_task task; /* first: the record is the task */
	_Atomic int ran_on;   /* worker index + 1 */
	_Atomic int gave_up;  /* the root stopped waiting */
};

static void probe_run(skua_worker *w, skua_task *t)
{
	struct probe *pr = (struct probe *)t;
	atomic_store(&pr->ran_on, (int)skua_worker_index(w) + 1);
}

/* The root, on the worker woken for it: fork one child, then wait (not
 * join) until some other worker runs it.  Only the fork can wake that
 * worker: the woken worker left the search last, saw no published work,
 * and asked itself for its forks (lib/park.md, F2). */
static void fork_then_wait(skua_worker *w, void *arg)
{
	struct probe *pr = arg;
	skua_fork(w, &pr->task, probe_run);
	uint64_t spins = 0;
	while (atomic_load(&pr->ran_on) == 0) {
		if (++spins > 10u * 1000 * 1000 && !atomic_load(&pr->gave_up)) {
			atomic_store(&pr->gave_up, 1); /* ~10 s of yields */
			break;
		}
		sched_yield();
	}
	skua_join_fn(w, &pr->task, probe_run);
	ASSERT(atomic_load(&pr->ran_on) != (int)skua_worker_index(w) + 1);
}

TEST_CASE(first_fork_on_a_woken_worker_wakes_a_sleeper)
{
	for (unsigned workers = 2; workers <= 4; workers += 2) {
		skua_pool *p = test_pool(workers);
		for (int round = 0; round < 5; round++) {
			wait_all_parked(p, workers);
			struct probe pr = { .ran_on = 0, .gave_up = 0 };
			ASSERT_OK(skua_pool_run(p, fork_then_wait, &pr));
			ASSERT(!atomic_load(&pr.gave_up));
		}
		ASSERT_OK(skua_pool_destroy(p));
	}
}

static void *my_index(void *arg)
{
	*(unsigned *)arg = skua_worker_index(skua_worker_current());
	return arg;
}

static void *my_cpu(void *arg)
{
	*(int *)arg = sched_getcpu();
	return arg;
}

/* One submission from this thread, waited for: fn(arg) on a worker. */
static void submit_and_get(skua_pool *p, void *(*fn)(void *), void *arg)
{
	skua_future *f;
	ASSERT_OK(skua_spawn(p, fn, arg, &f));
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_future_release(f));
}

/* The i-th CPU of this thread's affinity mask, or -1. */
static int nth_cpu(const cpu_set_t *m, int i)
{
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, m) && i-- == 0)
			return c;
	return -1;
}

static void run_here_only(int cpu)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT(sched_setaffinity(0, sizeof one, &one) == 0);
}

/* Submissions from a thread that stays on one CPU keep waking the same
 * worker: the one asleep beside it, which ran the last one there (warm
 * caches; a plain futex wake would take the one asleep longest, so two
 * workers would take turns).  Counted: which worker ran each of 20
 * submissions to a parked pool. */
TEST_CASE(parked_pool_keeps_waking_the_same_worker)
{
	cpu_set_t saved;
	ASSERT(sched_getaffinity(0, sizeof saved, &saved) == 0);
	run_here_only(nth_cpu(&saved, 0));
	skua_pool *p = test_pool(2);
	unsigned prev = UINT32_MAX, same = 0, rounds = 20;
	for (unsigned i = 0; i < rounds; i++) {
		wait_all_parked(p, 2);
		unsigned who = UINT32_MAX;
		submit_and_get(p, my_index, &who);
		ASSERT(who < 2);
		same += i > 0 && who == prev;
		prev = who;
	}
	ASSERT(sched_setaffinity(0, sizeof saved, &saved) == 0);
	printf("%u of %u submissions ran on the worker of the one before\n",
	    same, rounds - 1);
	/* A spurious wake-up or a preempted park may swap the order now and
	 * then; FIFO wakes would alternate every time (0 of 19). */
	ASSERT(same >= (rounds - 1) * 3 / 4);
	ASSERT_OK(skua_pool_destroy(p));
}

/* An outside spawn wakes the worker parked on the spawning thread's CPU
 * first (lib/park.md, P3: the kernel starts it there at once, where one
 * parked elsewhere starts on its own idle CPU, 40 us later on a VM).
 * Counted: two workers pinned to two CPUs, the submitter alternating
 * between them, which worker ran each of 20 submissions.  The LIFO wake
 * alone would pick the previous round's worker: the other CPU's. */
TEST_CASE(outside_spawn_wakes_the_worker_parked_on_its_cpu)
{
	cpu_set_t saved;
	ASSERT(sched_getaffinity(0, sizeof saved, &saved) == 0);
	if (CPU_COUNT(&saved) < 2) {
		printf("skipped: one CPU\n");
		return;
	}
	int cpus[2] = { nth_cpu(&saved, 0), nth_cpu(&saved, 1) };
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 2;
	cfg.pin = SKUA_PIN_COMPACT; /* worker i on cpus[i] */
	skua_pool *p;
	ASSERT_OK(skua_pool_create(&cfg, &p));
	unsigned near = 0, rounds = 20;
	for (unsigned i = 0; i < rounds; i++) {
		run_here_only(cpus[i % 2]);
		wait_all_parked(p, 2);
		unsigned who = UINT32_MAX;
		submit_and_get(p, my_index, &who);
		ASSERT(who < 2);
		near += who == i % 2;
	}
	ASSERT(sched_setaffinity(0, sizeof saved, &saved) == 0);
	printf("%u of %u submissions ran on the worker of their CPU\n", near,
	    rounds);
	/* A spurious wake-up or a slow park may let the other worker take
	 * one now and then; LIFO alone would match 1 of 20. */
	ASSERT(near >= rounds * 3 / 4);
	ASSERT_OK(skua_pool_destroy(p));
}

/* A sleeper goes beside the thread that last woke one: a one-worker pool
 * whose worker sleeps on CPU A, fed from a thread on CPU B every 3 ms,
 * soon runs its tasks on B (lib/park.md, "Where a worker parks"; held
 * where it slept, it would wake on A every time, an idle CPU: tens of us
 * on a VM).  Counted: on which CPU each of 20 submissions ran. */
TEST_CASE(sleeper_moves_beside_its_waker)
{
	cpu_set_t saved;
	ASSERT(sched_getaffinity(0, sizeof saved, &saved) == 0);
	if (CPU_COUNT(&saved) < 2) {
		printf("skipped: one CPU\n");
		return;
	}
	int a = nth_cpu(&saved, 0), b = nth_cpu(&saved, 1);
	skua__test_park_hold_always(true); /* a loaded machine sleeps long */
	skua_pool *p = test_pool(1);
	run_here_only(a); /* the worker runs, then sleeps, on A */
	for (int i = 0; i < 3; i++) {
		wait_all_parked(p, 1);
		int where = -1;
		submit_and_get(p, my_cpu, &where);
	}
	run_here_only(b);
	unsigned beside = 0, rounds = 20;
	for (unsigned i = 0; i < rounds; i++) {
		/* Parked again, after a short sleep: held (under 10 ms). */
		usleep(3000);
		int where = -1;
		submit_and_get(p, my_cpu, &where);
		beside += i > 0 && where == b;
	}
	ASSERT(sched_setaffinity(0, sizeof saved, &saved) == 0);
	printf("%u of %u submissions from CPU %d ran there\n", beside,
	    rounds - 1, b);
	ASSERT(beside >= (rounds - 1) * 3 / 4);
	ASSERT_OK(skua_pool_destroy(p));
	skua__test_park_hold_always(false);
}

static const struct test_case cases[] = {
	TEST_ENTRY(no_wakeup_lost_to_a_pool_falling_asleep),
	TEST_ENTRY(first_fork_on_a_woken_worker_wakes_a_sleeper),
	TEST_ENTRY(parked_pool_keeps_waking_the_same_worker),
	TEST_ENTRY(outside_spawn_wakes_the_worker_parked_on_its_cpu),
	TEST_ENTRY(sleeper_moves_beside_its_waker),
	TEST_ENTRY(idle_pool_uses_under_10ms_cpu_per_second),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
