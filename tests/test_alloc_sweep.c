/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every allocation the library makes, failed one at a time: for each
 * scenario below and k = 1, 2, ... the k-th allocation from the start of
 * the scenario fails (skua__test_alloc_fail_at), until a run makes fewer
 * than k allocations.  Each call must then return 0 with the right result
 * or a documented error (-ENOMEM, or -EAGAIN where a thread could not
 * start), lose nothing it accepted, and leave the pool usable; the ASan
 * build checks that nothing leaks or is touched after free along the
 * failure paths.  The scenarios cover the API outside the loops, which
 * test_destroy_and_alloc_faults sweeps: pool create, futures from an
 * outside thread with callbacks, imap in both orders, the channel,
 * blocking jobs, fork/join with futures in one frame.
 */
#include "test.h"
#include "test_hooks.h"

#include <errno.h>
#include <stdatomic.h>

/* A failed scenario step: rc must be 0 or one of the codes allowed. */
#define ALLOWED(rc, a, b) ((rc) == 0 || (rc) == (a) || (rc) == (b))

static void *plus_one(void *arg)
{
	return (void *)((intptr_t)arg + 1);
}

/* ---- pool create and destroy ------------------------------------------ */

static int scen_pool(skua_pool *unused)
{
	(void)unused;
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 2;
	skua_pool *p = NULL;
	int rc = skua_pool_create(&cfg, &p);
	ASSERT(ALLOWED(rc, -ENOMEM, -EAGAIN));
	if (rc != 0) {
		ASSERT(p == NULL);
		return rc;
	}
	skua_future *f;
	void *r;
	rc = skua_spawn(p, plus_one, (void *)41, &f);
	ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
	if (rc != 0) {
		ASSERT_OK(skua_pool_destroy(p));
		return rc;
	}
	ASSERT_OK(skua_future_get(f, &r));
	ASSERT_EQ((intptr_t)r, 42);
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_pool_destroy(p));
	return 0;
}

/* ---- futures from an outside thread, callbacks, wait_any --------------- */

static _Atomic int callbacks;

static void count_callback(skua_future *f, void *arg)
{
	(void)f;
	(void)arg;
	atomic_fetch_add(&callbacks, 1);
}

static int scen_futures(skua_pool *p)
{
	enum { N = 8 };
	skua_future *fs[N];
	int registered = 0, first_err = 0;
	size_t n = 0;
	atomic_store(&callbacks, 0);
	for (intptr_t i = 0; i < N; i++) {
		int rc = skua_spawn(p, plus_one, (void *)i, &fs[n]);
		ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
		if (rc != 0) {
			ASSERT(fs[n] == NULL);
			first_err = first_err ? first_err : rc;
			continue;
		}
		rc = skua_future_add_done_callback(fs[n], count_callback, NULL);
		ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
		registered += rc == 0;
		first_err = first_err ? first_err : rc;
		n++;
	}
	if (n > 0) {
		size_t any = SIZE_MAX;
		ASSERT_OK(skua_future_wait_any(fs, n, &any));
		ASSERT(any < n);
		ASSERT_OK(skua_future_wait_all(fs, n));
	}
	for (size_t i = 0; i < n; i++) {
		void *r = NULL;
		ASSERT_OK(skua_future_get(fs[i], &r));
		ASSERT((intptr_t)r >= 1 && (intptr_t)r <= N);
		ASSERT_OK(skua_future_release(fs[i]));
	}
	/* Every callback registered ran exactly once, before wait_all's
	 * return or at the latest before the pool's next destroy; here the
	 * futures are done and released: their callbacks have run. */
	for (int spin = 0; spin < 100000 &&
	    atomic_load(&callbacks) < registered; spin++)
		usleep(10);
	ASSERT_EQ(atomic_load(&callbacks), registered);
	return first_err;
}

/* ---- imap, in order and unordered --------------------------------------- */

struct stream {
	int taken, delivered;
	bool ordered;
};

static int next_int(void *ctx, void **item)
{
	struct stream *s = ctx;
	if (s->taken == 100)
		return SKUA_IMAP_END;
	*item = (void *)(intptr_t)s->taken++;
	return 0;
}

static void *twice(void *item, void *ctx)
{
	(void)ctx;
	return (void *)((intptr_t)item * 2);
}

static int out_int(void *item, void *result, size_t seq, void *ctx)
{
	struct stream *s = ctx;
	ASSERT_EQ((intptr_t)result, 2 * (intptr_t)item);
	ASSERT_EQ((size_t)(intptr_t)item, seq);
	if (s->ordered)
		ASSERT_EQ(seq, (size_t)s->delivered);
	s->delivered++;
	return 0;
}

static int scen_imap(skua_pool *p)
{
	int first_err = 0;
	for (int ordered = 0; ordered < 2; ordered++) {
		struct stream s = { 0, 0, ordered != 0 };
		int rc = ordered ?
		    skua_imap(p, next_int, twice, out_int, &s, 16) :
		    skua_imap_unordered(p, next_int, twice, out_int, &s, 16);
		ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
		if (rc != 0) {
			/* -ENOMEM only at the start: nothing taken (imap.h). */
			ASSERT_EQ(s.taken, 0);
			first_err = first_err ? first_err : rc;
			continue;
		}
		ASSERT_EQ(s.taken, 100);
		ASSERT_EQ(s.delivered, 100);
	}
	return first_err;
}

/* ---- the channel, between a task and this thread ------------------------ */

static void *send_100(void *arg)
{
	skua_channel *ch = arg;
	for (int i = 0; i < 100; i++)
		ASSERT_OK(skua_channel_send(ch, &i));
	ASSERT_OK(skua_channel_close(ch));
	return NULL;
}

static int scen_channel(skua_pool *p)
{
	skua_channel *ch = NULL;
	int rc = skua_channel_create(4, sizeof(int), &ch);
	ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
	if (rc != 0) {
		ASSERT(ch == NULL);
		return rc;
	}
	skua_future *f;
	rc = skua_spawn(p, send_100, ch, &f);
	ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
	if (rc != 0) {
		ASSERT_OK(skua_channel_destroy(ch));
		return rc;
	}
	int v, want = 0;
	while ((rc = skua_channel_recv(ch, &v)) == 0)
		ASSERT_EQ(v, want++);
	ASSERT_EQ(rc, -EPIPE);
	ASSERT_EQ(want, 100);
	ASSERT_OK(skua_future_get(f, NULL));
	ASSERT_OK(skua_future_release(f));
	ASSERT_OK(skua_channel_destroy(ch));
	return 0;
}

/* ---- blocking jobs ------------------------------------------------------ */

static int scen_blocking(skua_pool *p)
{
	enum { N = 3 };
	skua_future *fs[N];
	int n = 0, first_err = 0;
	for (intptr_t i = 0; i < N; i++) {
		int rc = skua_spawn_blocking(p, plus_one, (void *)i, &fs[n]);
		ASSERT(ALLOWED(rc, -ENOMEM, -EAGAIN));
		if (rc != 0) {
			ASSERT(fs[n] == NULL);
			first_err = first_err ? first_err : rc;
			continue;
		}
		n++;
	}
	for (int i = 0; i < n; i++) {
		void *r;
		ASSERT_OK(skua_future_get(fs[i], &r));
		ASSERT((intptr_t)r >= 1 && (intptr_t)r <= N);
		ASSERT_OK(skua_future_release(fs[i]));
	}
	return first_err;
}

/* ---- fork/join and a future in one frame -------------------------------- */

typedef struct {
	skua_task task;
	int n;
	long r;
} fib_t;

static long fib(skua_worker *w, int n);
static void fib_run(skua_worker *w, skua_task *t)
{
	fib_t *f = (fib_t *)t;
	f->r = fib(w, f->n);
}

static long fib(skua_worker *w, int n)
{
	if (n < 2)
		return n;
	fib_t a;
	a.n = n - 1;
	skua_fork(w, &a.task, fib_run);
	long b = fib(w, n - 2);
	skua_join_fn(w, &a.task, fib_run);
	return a.r + b;
}

struct mixed {
	long fib;
	int spawn_rc;
	intptr_t future;
};

static void mixed_entry(skua_worker *w, void *arg)
{
	struct mixed *m = arg;
	skua_future *f = NULL;
	m->spawn_rc = skua_spawn(skua_worker_pool(w), plus_one, (void *)6, &f);
	m->fib = fib(w, 20);
	if (f != NULL) {
		void *r;
		ASSERT_OK(skua_future_get(f, &r));
		m->future = (intptr_t)r;
		ASSERT_OK(skua_future_release(f));
	}
}

static int scen_mixed(skua_pool *p)
{
	struct mixed m = { 0, 0, 0 };
	int rc = skua_pool_run(p, mixed_entry, &m);
	ASSERT(ALLOWED(rc, -ENOMEM, -ENOMEM));
	if (rc != 0)
		return rc;
	ASSERT_EQ(m.fib, 6765);
	ASSERT(ALLOWED(m.spawn_rc, -ENOMEM, -ENOMEM));
	if (m.spawn_rc == 0)
		ASSERT_EQ(m.future, 7);
	return m.spawn_rc;
}

/* ---- the sweep ----------------------------------------------------------- */

/*
 * Run scen with the k-th allocation failing, k = 1, 2, ..., until a run
 * ends with the countdown still armed (it made fewer than k allocations,
 * so every allocation point of the scenario has failed once).  After each
 * run an unfailed one must pass: the pool is still usable.
 */
static void sweep(const char *name, int (*scen)(skua_pool *), skua_pool *p)
{
	long k, failed = 0;
	for (k = 1; k <= 5000; k++) {
		skua__test_alloc_fail_at(k);
		int rc = scen(p);
		bool armed = skua__test_alloc_countdown() > 0;
		skua__test_alloc_fail_at(0);
		failed += rc != 0;
		if (armed) {
			ASSERT_OK(rc); /* nothing failed: it must pass */
			break;
		}
		ASSERT_OK(scen(p));
	}
	ASSERT(k <= 5000);
	printf("%s: %ld allocation points, %ld runs returned an error\n",
	    name, k - 1, failed);
}

#define SWEEP(name)                                                      \
	TEST_CASE(name##_under_each_allocation_failure)                 \
	{                                                                \
		skua_pool *p = test_pool(2);                             \
		sweep(#name, scen_##name, p);                            \
		ASSERT_OK(skua_pool_destroy(p));                         \
	}

SWEEP(pool)
SWEEP(futures)
SWEEP(imap)
SWEEP(channel)
SWEEP(blocking)
SWEEP(mixed)

static const struct test_case cases[] = {
	TEST_ENTRY(pool_under_each_allocation_failure),
	TEST_ENTRY(futures_under_each_allocation_failure),
	TEST_ENTRY(imap_under_each_allocation_failure),
	TEST_ENTRY(channel_under_each_allocation_failure),
	TEST_ENTRY(blocking_under_each_allocation_failure),
	TEST_ENTRY(mixed_under_each_allocation_failure),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
