/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Error paths of the core API: NULL and invalid arguments, error names,
 * allocation failure at every allocation of pool creation and of spawn
 * (-ENOMEM, nothing leaked, the pool still usable), also where an outside
 * spawn finds the injection queue's ring full and its overflow cannot
 * grow, and thread creation failure at every worker (-EAGAIN, every
 * started thread joined).
 */
#include "test.h"
#include "pool_struct.h"
#include "profile.h" /* the profile's future count */
#include "test_hooks.h"

#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include <errno.h>



static void *twice(void *arg)
{
	return (void *)((uintptr_t)arg * 2);
}

static void entry(skua_worker *w, void *arg)
{
	(void)w;
	*(int *)arg = 7;
}

/* The threads of this process with no pool alive.  Sanitizer runtimes
 * start a helper thread with the first thread: count after one pool has
 * come and gone.  The joined worker can stay listed for a moment
 * (test.h): the base is the lowest count seen over 50 ms. */
static int thread_base(void)
{
	skua_pool *p = test_pool(1);
	ASSERT_OK(skua_pool_destroy(p));
	int base = thread_count();
	for (int i = 0; i < 50; i++) {
		usleep(1000);
		int now = thread_count();
		base = now < base ? now : base;
	}
	return base;
}

TEST_CASE(error_names_come_from_one_table_and_out_params_are_set)
{
	/* Names come from one table and never allocate. */
	ASSERT(strcmp(skua_err_name(-EINVAL), "EINVAL") == 0);
	ASSERT(strcmp(skua_err_name(-EDEADLK), "EDEADLK") == 0);
	ASSERT(strcmp(skua_err_name(0), "OK") == 0);
	ASSERT(strcmp(skua_err_name(-12345), "UNKNOWN") == 0);
	ASSERT(strcmp(skua_strerror(-ENOMEM), "out of memory") == 0);
	ASSERT(strcmp(skua_strerror(-12345), "unknown error") == 0);
	ASSERT(skua_strerror(ECHILD) == skua_strerror(-ECHILD));
	/* INT_MIN has no positive counterpart (UBSan caught -INT_MIN). */
	ASSERT(strcmp(skua_strerror(INT_MIN), "unknown error") == 0);
	ASSERT(strcmp(skua_err_name(INT_MIN), "UNKNOWN") == 0);
	ASSERT(strcmp(skua_strerror(INT_MAX), "unknown error") == 0);
	/* A callback's own errno value, passed through: the C library's
	 * name and words (glibc 2.32+: Debian 12 has 2.36), not unknown. */
#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	ASSERT(strcmp(skua_err_name(-EPERM), "EPERM") == 0);
	ASSERT(strcmp(skua_err_name(ENOENT), "ENOENT") == 0);
	ASSERT(strcmp(skua_strerror(-EIO), "Input/output error") == 0);
#endif
	/* skua's own words win for its own codes. */
	ASSERT(strcmp(skua_strerror(-EAGAIN),
	    "resource temporarily unavailable") == 0);
	/* Out-parameters are set on failure: wait_any's *index too. */
	size_t idx = 7;
	ASSERT_EQ(skua_future_wait_any(NULL, 1, &idx), -EINVAL);
	ASSERT_EQ(idx, SIZE_MAX);
	idx = 7;
	skua_future *none[2] = { NULL, NULL };
	ASSERT_EQ(skua_future_wait_any(none, 2, &idx), -EINVAL);
	ASSERT_EQ(idx, SIZE_MAX);
}

TEST_CASE(null_and_out_of_range_arguments_are_einval)
{
	skua_pool *p = (skua_pool *)1;
	skua_config cfg;
	/* Bad arguments. */
	ASSERT_EQ(skua_pool_create(NULL, NULL), -EINVAL);
	skua_config_init(&cfg);
	cfg.size = 3;
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EINVAL);
	ASSERT(p == NULL);
	skua_config_init(&cfg);
	cfg.workers = 100000;
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EINVAL);
	skua_config_init(&cfg);
	cfg.stack_size = 1000;
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EINVAL);
	/* Too large is out of range too, not a failed thread start. */
	cfg.stack_size = SIZE_MAX;
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EINVAL);
	ASSERT(p == NULL);
	cfg.stack_size = ((size_t)4 << 30) + 1;
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EINVAL);
	/* An empty trace path: no file to write (it was taken as set, and
	 * destroy said "cannot write the trace to : ..."). */
	skua_config_init(&cfg);
	cfg.trace = "";
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EINVAL);
	ASSERT(p == NULL);
	skua_config_init(NULL);
	ASSERT_EQ(skua_pool_destroy(NULL), -EINVAL);
	ASSERT_EQ(skua_pool_workers(NULL), 0);
	ASSERT_EQ(skua_pool_run(NULL, entry, NULL), -EINVAL);
	ASSERT(skua_worker_current() == NULL);
	ASSERT(skua_worker_pool(NULL) == NULL);
	ASSERT_EQ(skua_pool_stats(NULL, NULL, 0, NULL), -EINVAL);
}

TEST_CASE(pool_create_fails_cleanly_at_every_allocation)
{
	skua_pool *p = (skua_pool *)1;
	skua_config cfg;
	int base = thread_base();
	/* Allocation failure at every allocation of pool_create. */
	int k;
	for (k = 1; k < 100; k++) {
		skua__test_alloc_fail_at(k);
		skua_config_init(&cfg);
		cfg.workers = 3;
		int rc = skua_pool_create(&cfg, &p);
		skua__test_alloc_fail_at(0);
		if (rc == 0) {
			ASSERT_OK(skua_pool_destroy(p));
			break;
		}
		ASSERT_EQ(rc, -ENOMEM);
		ASSERT(p == NULL);
		ASSERT_EQ(settled_thread_count(base), base);
	}
	printf("pool_create: %d allocation points fail cleanly\n", k - 1);
	ASSERT(k > 5);
}

TEST_CASE(pool_create_joins_started_threads_when_one_fails)
{
	skua_pool *p = (skua_pool *)1;
	skua_config cfg;
	int base = thread_base();
	int k;
	/* Thread creation failure at every worker. */
	for (k = 1; k <= 4; k++) {
		skua__test_thread_fail_at(k);
		skua_config_init(&cfg);
		cfg.workers = 4;
		ASSERT_EQ(skua_pool_create(&cfg, &p), -EAGAIN);
		skua__test_thread_fail_at(0);
		ASSERT(p == NULL);
		ASSERT_EQ(settled_thread_count(base), base);
	}
}

/* A create that fails takes no trace or profile number: the process's
 * one pool writes NAME.json (not NAME.2.json) and its profile says
 * "pool":1 (an independent review saw .2 and 2). */
TEST_CASE(failed_create_takes_no_trace_or_profile_number)
{
	char trace[64], trace2[64], prof[64];
	snprintf(trace, sizeof trace, "/tmp/skua_test_tn_%d.json",
	    (int)getpid());
	snprintf(trace2, sizeof trace2, "/tmp/skua_test_tn_%d.2.json",
	    (int)getpid());
	snprintf(prof, sizeof prof, "/tmp/skua_test_pn_%d.jsonl",
	    (int)getpid());
	ASSERT_EQ(setenv("SKUA_TRACE", trace, 1), 0);
	ASSERT_EQ(setenv("SKUA_PROFILE", prof, 1), 0);
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 2;
	skua_pool *p;
	skua__test_thread_fail_at(1);
	ASSERT_EQ(skua_pool_create(&cfg, &p), -EAGAIN);
	skua__test_thread_fail_at(0);
	ASSERT_OK(skua_pool_create(&cfg, &p));
	ASSERT_OK(skua_pool_destroy(p));
	unsetenv("SKUA_TRACE");
	unsetenv("SKUA_PROFILE");
	bool named_1 = access(trace, F_OK) == 0;
	bool named_2 = access(trace2, F_OK) == 0;
	unlink(trace);
	unlink(trace2);
	FILE *f = fopen(prof, "r");
	ASSERT(f != NULL);
	char line[4096];
	bool pool_1 = false;
	while (fgets(line, sizeof line, f) != NULL)
		pool_1 |= strstr(line, "\"pool\":1,") != NULL;
	fclose(f);
	unlink(prof);
	if (!named_1 || named_2 || !pool_1)
		FAIL("after a failed create: trace %s, %s; profile \"pool\":1 "
		    "%s", named_1 ? "NAME.json" : "no NAME.json", named_2 ?
		    "NAME.2.json" : "no NAME.2.json", pool_1 ? "yes" : "no");
}

TEST_CASE(failed_spawn_queues_nothing_and_pool_keeps_working)
{
	skua_pool *p = (skua_pool *)1;
	skua_config cfg;
	int base = thread_base();
	/* Spawn under allocation failure: -ENOMEM, nothing queued, and the
	 * pool keeps working. */
	skua_config_init(&cfg);
	cfg.workers = 2;
	ASSERT_OK(skua_pool_create(&cfg, &p));
	skua_future *f = (skua_future *)1;
	skua__test_alloc_fail_at(1);
	ASSERT_EQ(skua_spawn(p, twice, (void *)21, &f), -ENOMEM);
	skua__test_alloc_fail_at(0);
	ASSERT(f == NULL);
	void *r;
	ASSERT_OK(skua_spawn(p, twice, (void *)21, &f));
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_EQ((uintptr_t)r, 42);
	ASSERT_OK(skua_future_release(f));
	int v = 0;
	ASSERT_OK(skua_pool_run(p, entry, &v));
	ASSERT_EQ(v, 7);
	ASSERT_EQ(skua_pool_run(p, NULL, NULL), -EINVAL);
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_EQ(settled_thread_count(base), base);
}

/* The only worker held in a task until the test lets it go. */
static atomic_int gate_open, gate_entered;
static atomic_long ran;

static void *gate(void *arg)
{
	atomic_store(&gate_entered, 1);
	while (!atomic_load(&gate_open))
		sched_yield();
	return arg;
}

static void *count_run(void *arg)
{
	atomic_fetch_add(&ran, 1);
	return arg;
}

/*
 * An outside spawn whose injection ring is full and whose overflow list
 * (256, then doubled) is full and cannot grow: -ENOMEM, *out NULL,
 * nothing queued; those queued before all run once, and the pool keeps
 * working and is destroyed without waiting for the failed one.
 */
TEST_CASE(outside_spawn_into_a_full_queue_without_memory_is_enomem)
{
	enum { MAX_QUEUED = 8192 };
	/* Profiled: the failed spawn must not count as a future. */
	char prof[64];
	snprintf(prof, sizeof prof, "/tmp/skua_test_fq_%d.jsonl", (int)getpid());
	ASSERT_EQ(setenv("SKUA_PROFILE", prof, 1), 0);
	skua_pool *p = test_pool(1);
	unsetenv("SKUA_PROFILE");
	ASSERT(p->profile != NULL);
	skua_future *g, **fs = calloc(MAX_QUEUED, sizeof *fs);
	ASSERT(fs != NULL);
	atomic_store(&gate_open, 0);
	atomic_store(&gate_entered, 0);
	atomic_store(&ran, 0);
	ASSERT_OK(skua_spawn(p, gate, NULL, &g));
	while (!atomic_load(&gate_entered))
		sched_yield();
	/* Until the ring is full and the overflow is full: the next push
	 * must grow it. */
	intptr_t queued = 0;
	bool full = false;
	while (!full) {
		ASSERT(queued < MAX_QUEUED);
		ASSERT_OK(skua_spawn(p, count_run, (void *)queued,
		    &fs[queued]));
		queued++;
		pthread_mutex_lock(&p->inject.lock);
		full = p->inject.ovf_cap != 0 &&
		    p->inject.ovf_n == p->inject.ovf_cap;
		pthread_mutex_unlock(&p->inject.lock);
	}
	/* The future's record is allocation 1, the overflow's growth 2. */
	skua_future *f = (skua_future *)1;
	skua__test_alloc_fail_at(2);
	int rc = skua_spawn(p, count_run, (void *)-1, &f);
	skua__test_alloc_fail_at(0);
	ASSERT_EQ(rc, -ENOMEM);
	ASSERT(f == NULL);
	ASSERT_EQ(atomic_load(&p->profile->futures), (uint64_t)queued + 1);
	atomic_store(&gate_open, 1);
	ASSERT_OK(skua_future_get(g, NULL));
	ASSERT_OK(skua_future_release(g));
	for (intptr_t i = 0; i < queued; i++) {
		void *r = NULL;
		ASSERT_OK(skua_future_get(fs[i], &r));
		ASSERT_EQ((intptr_t)r, i);
		ASSERT_OK(skua_future_release(fs[i]));
	}
	ASSERT_EQ(atomic_load(&ran), queued);
	/* With memory again, the overflow grows. */
	ASSERT_OK(skua_spawn(p, twice, (void *)21, &f));
	void *r;
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_EQ((uintptr_t)r, 42);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_pool_destroy(p));
	unlink(prof);
	ASSERT_EQ(atomic_load(&ran), queued);
	free(fs);
}

/* The calls the first table of bad arguments left out: each rejects NULL
 * and out-of-range arguments with -EINVAL, touches nothing, and the
 * getters answer 0 for NULL (their headers say so). */
static void body_nop(size_t lo, size_t hi, void *ctx)
{
	(void)lo, (void)hi, (void)ctx;
}
static int body_try(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)lo, (void)hi, (void)acc, (void)ctx;
	return 0;
}
static void comb_nop(void *acc, const void *other, void *ctx)
{
	(void)acc, (void)other, (void)ctx;
}
static int map_try_nop(const void *in, void *out, void *ctx)
{
	(void)in, (void)out, (void)ctx;
	return 0;
}
static void chunks_nop(const void *in, void *out, size_t n, void *ctx)
{
	(void)in, (void)out, (void)n, (void)ctx;
}
static int next_end(void *ctx, void **item)
{
	(void)ctx, (void)item;
	return SKUA_IMAP_END;
}
static void *work_id(void *item, void *ctx)
{
	(void)ctx;
	return item;
}
static int out_ok(void *item, void *result, size_t seq, void *ctx)
{
	(void)item, (void)result, (void)seq, (void)ctx;
	return 0;
}

TEST_CASE(the_other_calls_reject_bad_arguments_too)
{
	skua_pool *p = test_pool(1);
	long a[4] = { 0 }, r = 0, id = 0;
	size_t idx = 7;
	skua_future *none[1] = { NULL };
	ASSERT_EQ(skua_future_wait_all_timeout(NULL, 1, 1000), -EINVAL);
	ASSERT_EQ(skua_future_wait_all_timeout(none, 1, 1000), -EINVAL);
	ASSERT_EQ(skua_future_wait_any_timeout(NULL, 1, &idx, 1000), -EINVAL);
	ASSERT_EQ(idx, SIZE_MAX);
	idx = 7;
	ASSERT_EQ(skua_future_wait_any_timeout(none, 1, &idx, 1000), -EINVAL);
	ASSERT_EQ(idx, SIZE_MAX);
	ASSERT_EQ(skua_parallel_map_chunks(NULL, a, a, 4, sizeof a[0],
	    sizeof a[0], chunks_nop, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_chunks(p, a, a, 4, sizeof a[0],
	    sizeof a[0], NULL, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_chunks(p, NULL, a, 4, sizeof a[0],
	    sizeof a[0], chunks_nop, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_try(NULL, a, a, 4, sizeof a[0],
	    sizeof a[0], map_try_nop, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_try(p, a, a, 4, sizeof a[0],
	    sizeof a[0], NULL, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_try(p, a, a, SIZE_MAX, 16, 16,
	    map_try_nop, NULL, NULL), -EOVERFLOW);
	ASSERT_EQ(skua_parallel_reduce_try(NULL, 0, 4, NULL, sizeof r, &id,
	    body_try, comb_nop, NULL, &r), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce_try(p, 0, 4, NULL, sizeof r, &id,
	    NULL, comb_nop, NULL, &r), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce_try(p, 0, 4, NULL, sizeof r, &id,
	    body_try, NULL, NULL, &r), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce_try(p, 0, 4, NULL, 0, &id, body_try,
	    comb_nop, NULL, &r), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce_try(p, 4, 0, NULL, sizeof r, &id,
	    body_try, comb_nop, NULL, &r), -EINVAL);
	ASSERT_EQ(skua_parallel_for(p, 4, 0, NULL, body_nop, NULL), -EINVAL);
	ASSERT_EQ(skua_imap_unordered(NULL, next_end, work_id, out_ok, NULL, 4),
	    -EINVAL);
	ASSERT_EQ(skua_imap_unordered(p, next_end, work_id, NULL, NULL, 4),
	    -EINVAL);
	ASSERT_EQ(skua_imap_unordered(p, next_end, work_id, out_ok, NULL, 0),
	    -EINVAL);
	ASSERT_EQ(skua_imap_unordered(p, next_end, work_id, out_ok, NULL,
	    SKUA_IMAP_WINDOW_MAX + 1), -EINVAL);
	ASSERT_OK(skua_imap_unordered(p, next_end, work_id, out_ok, NULL, 4));
	/* The getters: 0 (or NULL) for NULL, never a crash. */
	ASSERT_EQ(skua_pool_worker_slots(NULL), 0u);
	ASSERT(skua_pool_worker_slots(p) >= skua_pool_workers(p));
	ASSERT_EQ(skua_worker_index(NULL), 0u);
	ASSERT(skua_worker_pool(NULL) == NULL);
	ASSERT(skua_worker_current() == NULL); /* not a worker */
	ASSERT(skua_version() != NULL && skua_version()[0] != '\0');
	/* Outside a worker, begin/end count only the nesting. */
	ASSERT_EQ(skua_blocking_end(), -EINVAL);
	ASSERT_OK(skua_blocking_begin());
	ASSERT_OK(skua_blocking_end());
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(error_names_come_from_one_table_and_out_params_are_set),
	TEST_ENTRY(null_and_out_of_range_arguments_are_einval),
	TEST_ENTRY(pool_create_fails_cleanly_at_every_allocation),
	TEST_ENTRY(pool_create_joins_started_threads_when_one_fails),
	TEST_ENTRY(failed_create_takes_no_trace_or_profile_number),
	TEST_ENTRY(failed_spawn_queues_nothing_and_pool_keeps_working),
	TEST_ENTRY(outside_spawn_into_a_full_queue_without_memory_is_enomem),
	TEST_ENTRY(the_other_calls_reject_bad_arguments_too),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
