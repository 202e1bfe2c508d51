/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Early exit from loop bodies (issue 14): skua_parallel_for_try, _map_try
 * and _reduce_try.  Counted, not timed: a search whose hit is near the
 * start visits a small fraction of 10^8 elements; with several failing
 * elements the value of the lowest one comes back on every schedule
 * (automatic, fixed and deterministic chunks, 1..4 workers); a stop at the
 * first and at the last chunk; reduce writes its result only on success;
 * bad arguments.
 */
#include "test.h"

#include <errno.h>

#include "test_hooks.h"

struct search {
	size_t hit_every, first_hit; /* elements that fail: first_hit + k*every */
	_Atomic size_t visited;
	/* first_hit_stops_early: a chunk wholly past the hit waits until the
	 * hit has been returned, so that what it visits counts chunks started
	 * after the stop, not how long the worker that found the hit was
	 * descheduled (a busy CI machine).  10 s at most. */
	bool wait_for_hit;
	_Atomic bool hit_returned;
};

static void wait_for_the_hit(struct search *s)
{
	for (long i = 0; i < 10L * 1000 * 100 && !atomic_load(&s->hit_returned);
	    i++)
		usleep(10);
}

static bool fails(const struct search *s, size_t i)
{
	return i >= s->first_hit && (i - s->first_hit) % s->hit_every == 0;
}

/* Returns 1 + the index of its first failing element. */
static int search_body(size_t lo, size_t hi, void *ctx)
{
	struct search *s = ctx;
	if (s->wait_for_hit && lo > s->first_hit)
		wait_for_the_hit(s);
	for (size_t i = lo; i < hi; i++) {
		if (fails(s, i)) {
			atomic_fetch_add(&s->visited, i - lo + 1);
			atomic_store(&s->hit_returned, true);
			return (int)(i + 1);
		}
	}
	atomic_fetch_add(&s->visited, hi - lo);
	return 0;
}

TEST_CASE(first_hit_stops_early)
{
	skua_pool *p = test_pool(2);
	size_t n = (size_t)test_scale(100000000, 1000000);
	struct search s = { .hit_every = SIZE_MAX, .first_hit = 1000,
	    .wait_for_hit = true };
	ASSERT_EQ(skua_parallel_for_try(p, 0, n, NULL, search_body, &s), 1001);
	printf("hit at 1000 of %zu: %zu elements visited\n", n,
	    atomic_load(&s.visited));
	ASSERT(atomic_load(&s.visited) < n / 100);
	/* No hit: every element once, and 0. */
	struct search none = { .hit_every = 1, .first_hit = SIZE_MAX };
	ASSERT_OK(skua_parallel_for_try(p, 0, n, NULL, search_body, &none));
	ASSERT_EQ(atomic_load(&none.visited), n);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(lowest_failure_wins)
{
	size_t n = 200000;
	size_t chunks[] = { 0, 1000, 7, 65536 };
	for (unsigned workers = 1; workers <= 4; workers *= 2) {
		skua_pool *p = test_pool(workers);
		for (int c = 0; c < 4; c++) {
			for (int det = 0; det < 2; det++) {
				skua_par_opts o;
				skua_par_opts_init(&o);
				o.chunk = chunks[c];
				o.deterministic = det;
				for (int round = 0; round < 5; round++) {
					struct search s = { .hit_every = 997,
					    .first_hit = 50000 + (size_t)round };
					ASSERT_EQ(skua_parallel_for_try(p, 0, n,
					    &o, search_body, &s),
					    (int)s.first_hit + 1);
				}
			}
		}
		ASSERT_OK(skua_pool_destroy(p));
	}
}

TEST_CASE(stop_at_first_and_last_chunk)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = 100;
	struct search first = { .hit_every = SIZE_MAX, .first_hit = 0 };
	ASSERT_EQ(skua_parallel_for_try(p, 0, 100000, &o, search_body,
	    &first), 1);
	struct search last = { .hit_every = SIZE_MAX, .first_hit = 99999 };
	ASSERT_EQ(skua_parallel_for_try(p, 0, 100000, &o, search_body, &last),
	    100000);
	ASSERT_EQ(atomic_load(&last.visited), 100000); /* all had to run */
	ASSERT_OK(skua_pool_destroy(p));
}

static int square_unless_negative(const void *in, void *out, void *ctx)
{
	(void)ctx;
	int x = *(const int *)in;
	if (x < 0)
		return -x; /* positive: tells it from skua's errors */
	*(int *)out = x * x;
	return 0;
}

TEST_CASE(map_try)
{
	skua_pool *p = test_pool(2);
	enum { N = 100000 };
	static int in[N], out[N];
	for (int i = 0; i < N; i++)
		in[i] = i % 1000;
	ASSERT_OK(skua_parallel_map_try(p, in, out, N, sizeof *in,
	    sizeof *out, square_unless_negative, NULL, NULL));
	for (int i = 0; i < N; i++)
		ASSERT_EQ(out[i], (i % 1000) * (i % 1000));
	in[70000] = -7;
	in[30000] = -3; /* the lowest failing element wins */
	for (int round = 0; round < 10; round++)
		ASSERT_EQ(skua_parallel_map_try(p, in, out, N, sizeof *in,
		    sizeof *out, square_unless_negative, NULL, NULL), 3);
	ASSERT_EQ(skua_parallel_map_try(p, in, out, N, 0, sizeof *out,
	    square_unless_negative, NULL, NULL), -EINVAL);
	ASSERT_OK(skua_pool_destroy(p));
}

static int sum_until(size_t lo, size_t hi, void *acc, void *ctx)
{
	size_t stop = *(const size_t *)ctx;
	for (size_t i = lo; i < hi; i++) {
		if (i == stop)
			return 42;
		*(uint64_t *)acc += i;
	}
	return 0;
}

static void add(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(uint64_t *)acc += *(const uint64_t *)other;
}

TEST_CASE(reduce_try)
{
	skua_pool *p = test_pool(2);
	uint64_t zero = 0, r = 7;
	size_t stop = SIZE_MAX;
	ASSERT_OK(skua_parallel_reduce_try(p, 0, 1000000, NULL, sizeof r,
	    &zero, sum_until, add, &stop, &r));
	ASSERT_EQ(r, 999999ull * 1000000 / 2);
	stop = 500000;
	r = 7;
	ASSERT_EQ(skua_parallel_reduce_try(p, 0, 1000000, NULL, sizeof r,
	    &zero, sum_until, add, &stop, &r), 42);
	ASSERT_EQ(r, 7); /* untouched on a stop */
	ASSERT_EQ(skua_parallel_reduce_try(p, 0, 10, NULL, sizeof r, &zero,
	    NULL, add, &stop, &r), -EINVAL);
	ASSERT_EQ(skua_parallel_for_try(NULL, 0, 10, NULL, search_body, NULL),
	    -EINVAL);
	ASSERT_EQ(skua_parallel_for_try(p, 10, 0, NULL, search_body, NULL),
	    -EINVAL);
	ASSERT_OK(skua_parallel_for_try(p, 5, 5, NULL, search_body, NULL));
	ASSERT_OK(skua_pool_destroy(p));
}

/* Deterministic chunks: a stop prunes the tree, it does not walk it.  A
 * reduce over 2^20 one-element chunks that fails at element 0 combines
 * only along the walk that still runs (the combine calls count the inner
 * nodes visited): against about 2^20 when every node was visited after
 * the stop (an independent review: 1.1 s for 10^8 chunks). */
static _Atomic long combines;

static void count_combine(void *acc, const void *other, void *ctx)
{
	(void)acc;
	(void)other;
	(void)ctx;
	atomic_fetch_add(&combines, 1);
}

static int fail_at_zero(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)hi;
	(void)acc;
	(void)ctx;
	return lo == 0 ? -EIO : 0;
}

TEST_CASE(deterministic_stop_prunes_the_tree)
{
	for (unsigned workers = 1; workers <= 2; workers++) {
		skua_pool *p = test_pool(workers);
		skua_par_opts o;
		skua_par_opts_init(&o);
		o.deterministic = 1;
		o.chunk = 1;
		uint64_t zero = 0, r = 7;
		atomic_store(&combines, 0);
		ASSERT_EQ(skua_parallel_reduce_try(p, 0, (size_t)1 << 20, &o,
		    sizeof r, &zero, fail_at_zero, count_combine, NULL, &r),
		    -EIO);
		ASSERT_EQ(r, 7);
		long c = atomic_load(&combines);
		printf("%u worker%s: %ld combines after a stop at element 0 of "
		    "2^20\n", workers, workers == 1 ? "" : "s", c);
		ASSERT(c < 20000);
		ASSERT_OK(skua_pool_destroy(p));
	}
}

/* map_try's elements past a failure in another chunk do not begin, even
 * inside a chunk already in flight.  Two chunks of 10^5 on two workers:
 * element 0 fails once the other chunk has begun, whose element 10^5 + 5
 * waits until it has (a trial where one worker ran both chunks in turn is
 * skipped); then the elements after it must stop.  Counted, not timed. */
enum { HALF = 100000 };
static _Atomic int zero_failed, saw_failure;
static _Atomic long upper_visited;

static int fail_zero_wait_upper(const void *in, void *out, void *ctx)
{
	(void)out;
	(void)ctx;
	size_t i = (size_t)(*(const long *)in);
	if (i == 0) {
		/* Once the upper chunk runs: else it would not begin. */
		for (int k = 0; k < 500 && atomic_load(&upper_visited) == 0; k++)
			usleep(1000);
		atomic_store(&zero_failed, 1);
		return 3;
	}
	if (i >= HALF) {
		atomic_fetch_add(&upper_visited, 1);
		if (i == HALF + 5 && test_spin_until(&zero_failed, 500)) {
			usleep(20000); /* its stop is published after it returns */
			atomic_store(&saw_failure, 1);
		}
	}
	return 0;
}

TEST_CASE(map_try_stops_inside_a_chunk_in_flight)
{
	skua_pool *p = test_pool(2);
	static long in[2 * HALF], out[2 * HALF];
	for (long i = 0; i < 2 * HALF; i++)
		in[i] = i;
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = HALF;
	int checked = 0;
	for (int trial = 0; trial < 20 && checked < 3; trial++) {
		atomic_store(&zero_failed, 0);
		atomic_store(&saw_failure, 0);
		atomic_store(&upper_visited, 0);
		ASSERT_EQ(skua_parallel_map_try(p, in, out, 2 * HALF,
		    sizeof in[0], sizeof out[0], fail_zero_wait_upper, NULL,
		    &o), 3);
		long v = atomic_load(&upper_visited);
		if (!atomic_load(&saw_failure))
			continue; /* no overlap: one worker ran both in turn */
		checked++;
		if (v > 6 + 1)
			FAIL("trial %d: %ld elements of the upper chunk ran "
			    "after element 0 failed (want at most 7)", trial, v);
	}
	if (checked == 0)
		printf("map_try_stops_inside_a_chunk_in_flight: the chunks "
		    "never overlapped in 20 trials (skipped)\n");
	ASSERT_OK(skua_pool_destroy(p));
}

/*
 * A deterministic reduce_try whose tree cannot be kept (an accumulator's
 * allocation fails) skips the rest of the work, failing bodies below an
 * earlier failure's offset included: it must return -ENOMEM, not the
 * failure it happened to see, which is then not the lowest.  2 workers,
 * 64 leaves: leaf 32 (the first of the right half, spread to the other
 * worker) fails; leaf 0 waits for that, then arms the allocation
 * failure, which the next node of the left half hits; leaf 31 would fail
 * lower but never runs.
 */
struct big { long v[40]; }; /* over SKUA_PAR_ACC_STACK: allocated */
static _Atomic int upper_failed, armed;

static int fail_upper_then_oom(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)hi;
	(void)acc;
	(void)ctx;
	if (lo == 32) {
		atomic_store(&upper_failed, 1);
		return 1032;
	}
	if (lo == 31)
		return 1031;
	if (lo == 0) {
		for (long i = 0; i < 10L * 1000 * 100 &&
		    !atomic_load(&upper_failed); i++)
			usleep(10);
		if (atomic_load(&upper_failed)) {
			skua__test_alloc_fail_at(1);
			atomic_store(&armed, 1);
		}
	}
	return 0;
}

static void big_add(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	((struct big *)acc)->v[0] += ((const struct big *)other)->v[0];
}

TEST_CASE(deterministic_oom_beats_a_failure_it_skipped_below)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	struct big id = { { 0 } }, res = { { 7 } };

	skua_par_opts_init(&o);
	o.deterministic = 1;
	o.chunk = 1;
	for (int tries = 0; tries < 20; tries++) {
		atomic_store(&upper_failed, 0);
		atomic_store(&armed, 0);
		int rc = skua_parallel_reduce_try(p, 0, 64, &o, sizeof id, &id,
		    fail_upper_then_oom, big_add, NULL, &res);
		bool fired = skua__test_alloc_countdown() == 0;
		skua__test_alloc_fail_at(0);
		if (!atomic_load(&armed) || !fired)
			continue; /* leaf 32 ran after leaf 0, or no node left */
		if (rc != -ENOMEM)
			FAIL("reduce_try returned %d: leaf 31 (1031) was skipped "
			    "for the failed allocation, so -ENOMEM", rc);
		ASSERT_EQ(res.v[0], 7);
		ASSERT_OK(skua_pool_destroy(p));
		return;
	}
	FAIL("leaf 32 never failed before leaf 0 returned, in 20 tries");
}

static const struct test_case cases[] = {
	TEST_ENTRY(first_hit_stops_early),
	TEST_ENTRY(lowest_failure_wins),
	TEST_ENTRY(stop_at_first_and_last_chunk),
	TEST_ENTRY(map_try),
	TEST_ENTRY(reduce_try),
	TEST_ENTRY(deterministic_stop_prunes_the_tree),
	TEST_ENTRY(map_try_stops_inside_a_chunk_in_flight),
	TEST_ENTRY(deterministic_oom_beats_a_failure_it_skipped_below),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
