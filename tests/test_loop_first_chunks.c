/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A loop of k fixed chunks must hand a chunk to every idle worker, on the
 * first loop of a fresh pool as on a warm one (issue 11, part 1): k equal
 * chunks on W workers then take ceil(k / W) chunk-times.  The old splitter
 * checked for a thief's demand before the woken worker could ask, so the
 * first chunk started alone, and its split rule (left / 2 >= step) never
 * split the last two chunks: 2 chunks on 2 workers ran on one.
 *
 * Counted, not timed: each chunk records the worker that ran it and then
 * waits (bounded) until min(k, W) distinct workers have started a chunk.
 * A scheduler that keeps a chunk back from an idle worker makes that wait
 * time out and the counts show it; one that hands them out passes at once.
 * Every case runs on a pool created just before (and again on the same,
 * warm, pool), for skua_parallel_for, _map, _map_chunks and _reduce, the
 * deterministic mode, and a loop nested in another loop's body.  W = 8 is
 * oversubscribed on a 2-core machine.  Last, the deterministic tree's sum
 * is checked bit for bit against a serial evaluation of the same tree.
 */
#define _GNU_SOURCE
#include "test.h"

#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <time.h>

#define MAXW 8
#define MAXK 64
#define MAP_C 3          /* elements per chunk for the maps */
#define SPAN 1000        /* elements per chunk for for and reduce */

enum kind { K_FOR, K_MAP, K_MAP_CHUNKS, K_REDUCE, K_DET_FOR, K_DET_REDUCE,
	K_NESTED, K_NKINDS };
static const char *kind_name[] = { "for", "map", "map_chunks", "reduce",
	"deterministic for", "deterministic reduce", "nested for" };

struct rec {
	unsigned w;              /* workers */
	size_t k;                /* chunks (of the inner loop when nested) */
	size_t outer;            /* nested: outer loop elements */
	skua_pool *pool;
	_Atomic int ran[MAXK * 2];
	_Atomic int who[MAXK * 2];
	_Atomic int seen[MAXW];
	_Atomic unsigned nseen;
	_Atomic int bad;         /* a chunk of the wrong shape */
	_Atomic int timeouts;
	unsigned want;           /* distinct workers to wait for */
	double timeout_s;
};

static struct rec R;
static long in_arr[MAXK * MAP_C], out_arr[MAXK * MAP_C];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Chunk id started on this worker: count it, then wait for the others. */
static void chunk_start(size_t id)
{
	skua_worker *w = skua_worker_current();
	if (w == NULL || id >= MAXK * 2) {
		atomic_store(&R.bad, 1);
		return;
	}
	unsigned x = skua_worker_index(w);
	if (x >= MAXW) {
		atomic_store(&R.bad, 1);
		return;
	}
	atomic_fetch_add(&R.ran[id], 1);
	atomic_store(&R.who[id], (int)x);
	if (atomic_exchange(&R.seen[x], 1) == 0)
		atomic_fetch_add(&R.nseen, 1);
	double t0 = now_s();
	/* After one timeout the case has failed: do not wait again. */
	while (atomic_load(&R.nseen) < R.want &&
	    atomic_load(&R.timeouts) == 0) {
		if (now_s() - t0 > R.timeout_s) {
			atomic_fetch_add(&R.timeouts, 1);
			return;
		}
		/* Let oversubscribed workers (8 on 2 cores) run. */
		sched_yield();
	}
}

/* [lo, hi) of SPAN-sized chunks over k chunks starting at base. */
static void span_chunk(size_t lo, size_t hi, size_t base, size_t k)
{
	size_t id = (lo - base) / SPAN;
	if ((lo - base) % SPAN != 0 || id >= k || hi - lo != SPAN) {
		atomic_store(&R.bad, 1);
		return;
	}
	chunk_start(id);
}

static void for_body(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	span_chunk(lo, hi, 5, R.k);
}

static void reduce_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	span_chunk(lo, hi, 5, R.k);
	long s = 0;
	for (size_t i = lo; i < hi; i++)
		s += (long)i;
	*(long *)acc += s;
}

static void reduce_comb(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

static void map_fn(const void *in, void *out, void *ctx)
{
	(void)ctx;
	size_t i = (size_t)((const long *)in - in_arr);
	if ((long *)out != out_arr + i)
		atomic_store(&R.bad, 1);
	*(long *)out = *(const long *)in * 2;
	/* The first element of each chunk: elements of a chunk run in order
	 * on one worker, so the others must find the same worker. */
	if (i % MAP_C == 0)
		chunk_start(i / MAP_C);
	else if (atomic_load(&R.who[i / MAP_C]) !=
	    (int)skua_worker_index(skua_worker_current()))
		atomic_store(&R.bad, 1);
}

static void map_chunks_fn(const void *in, void *out, size_t count, void *ctx)
{
	(void)ctx;
	size_t i = (size_t)((const long *)in - in_arr);
	if ((long *)out != out_arr + i || i % MAP_C != 0 || count != MAP_C) {
		atomic_store(&R.bad, 1);
		return;
	}
	for (size_t j = 0; j < count; j++)
		out_arr[i + j] = in_arr[i + j] * 2;
	chunk_start(i / MAP_C);
}

/* Nested: each outer element runs an inner loop of k chunks; inner chunk
 * j of outer element e is id e * k + j. */
static void inner_body(size_t lo, size_t hi, void *ctx)
{
	size_t e = *(const size_t *)ctx;
	size_t base = 1000000 * (e + 1);
	if (lo < base || hi - lo != SPAN || (lo - base) % SPAN != 0) {
		atomic_store(&R.bad, 1);
		return;
	}
	chunk_start(e * R.k + (lo - base) / SPAN);
}

static void outer_body(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	for (size_t e = lo; e < hi; e++) {
		skua_par_opts o;
		skua_par_opts_init(&o);
		o.chunk = SPAN;
		size_t base = 1000000 * (e + 1);
		int rc = skua_parallel_for(R.pool, base, base + R.k * SPAN, &o,
		    inner_body, &e);
		if (rc != 0)
			atomic_store(&R.bad, 1);
	}
}

/* Run one loop of kind on R.pool; 0, or -1 after a printed failure. */
static int run_loop(enum kind kind)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.deterministic = kind == K_DET_FOR || kind == K_DET_REDUCE;
	size_t k = R.k, n = k * SPAN;
	long id = 0, r = -1;

	switch (kind) {
	case K_FOR:
	case K_DET_FOR:
		o.chunk = SPAN;
		ASSERT_OK(skua_parallel_for(R.pool, 5, 5 + n, &o, for_body,
		    NULL));
		break;
	case K_REDUCE:
	case K_DET_REDUCE:
		o.chunk = SPAN;
		ASSERT_OK(skua_parallel_reduce(R.pool, 5, 5 + n, &o,
		    sizeof id, &id, reduce_body, reduce_comb, NULL, &r));
		/* 5 + ... + (4 + n) */
		ASSERT_EQ(r, (long)n * (long)(9 + n) / 2);
		break;
	case K_MAP:
	case K_MAP_CHUNKS:
		o.chunk = MAP_C;
		for (size_t i = 0; i < k * MAP_C; i++) {
			in_arr[i] = (long)i + 1;
			out_arr[i] = -1;
		}
		if (kind == K_MAP)
			ASSERT_OK(skua_parallel_map(R.pool, in_arr, out_arr,
			    k * MAP_C, sizeof(long), sizeof(long), map_fn,
			    NULL, &o));
		else
			ASSERT_OK(skua_parallel_map_chunks(R.pool, in_arr,
			    out_arr, k * MAP_C, sizeof(long), sizeof(long),
			    map_chunks_fn, NULL, &o));
		for (size_t i = 0; i < k * MAP_C; i++)
			ASSERT_EQ(out_arr[i], 2 * ((long)i + 1));
		break;
	case K_NESTED:
		o.chunk = 1;
		ASSERT_OK(skua_parallel_for(R.pool, 0, R.outer, &o,
		    outer_body, NULL));
		break;
	default:
		FAIL("kind %d", (int)kind);
	}
	return 0;
}

static int failures;

/* One case: the counts after one loop; prints what went wrong. */
static void check_counts(enum kind kind, const char *pool_state)
{
	size_t chunks = kind == K_NESTED ? R.k * R.outer : R.k;
	int per[MAXW] = { 0 };
	bool ok = !atomic_load(&R.bad) && atomic_load(&R.timeouts) == 0;

	for (size_t i = 0; i < chunks; i++) {
		if (atomic_load(&R.ran[i]) != 1)
			ok = false;
		else
			per[atomic_load(&R.who[i])]++;
	}
	for (unsigned x = 0; x < R.w; x++)
		if (chunks >= R.w && per[x] == 0)
			ok = false;
	if (ok)
		return;
	failures++;
	fprintf(stderr, "FAIL: %s, %zu chunks on %u workers, %s pool:%s%s "
	    "chunks per worker", kind_name[kind], chunks, R.w, pool_state,
	    atomic_load(&R.bad) ? " bad chunk shape;" : "",
	    atomic_load(&R.timeouts) ? " waits timed out;" : "");
	for (unsigned x = 0; x < R.w; x++)
		fprintf(stderr, " %d", per[x]);
	fprintf(stderr, "\n");
}

static void reset(void)
{
	for (size_t i = 0; i < MAXK * 2; i++) {
		atomic_store(&R.ran[i], 0);
		atomic_store(&R.who[i], -1);
	}
	for (unsigned x = 0; x < MAXW; x++)
		atomic_store(&R.seen[x], 0);
	atomic_store(&R.nseen, 0);
	atomic_store(&R.bad, 0);
	atomic_store(&R.timeouts, 0);
}

/* k chunks (per inner loop when nested) on a fresh pool of w, then again
 * on the same pool once it is warm. */
static void run_case(enum kind kind, unsigned w, size_t k)
{
	R.w = w;
	R.k = k;
	R.outer = kind == K_NESTED ? (w >= 4 ? 2 : 1) : 1;
	size_t chunks = kind == K_NESTED ? k * R.outer : k;
	ASSERT(chunks <= MAXK * 2);
	R.want = chunks < w ? (unsigned)chunks : w;
	R.pool = test_pool(w);
	reset();
	run_loop(kind);
	check_counts(kind, "fresh");
	reset();
	run_loop(kind);
	check_counts(kind, "warm");
	ASSERT_OK(skua_pool_destroy(R.pool));
	R.pool = NULL;
}

/*
 * The deterministic tree must not depend on who runs it: a floating-point
 * sum on fresh pools of 1..8 workers equals, bit for bit, the serial
 * evaluation of the tree that skua/parallel.h documents (cut at the middle
 * chunk index, a fresh accumulator per right child, combined on the way
 * up).
 */
#define DET_N 100003
#define DET_C 100
static double det_x[DET_N];

static void det_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	double s = *(double *)acc;
	for (size_t i = lo; i < hi; i++)
		s += det_x[i];
	*(double *)acc = s;
}

static void det_comb(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(double *)acc += *(const double *)other;
}

static double det_serial(size_t a, size_t b, double acc)
{
	size_t leaves = (DET_N - 1) / DET_C + 1;
	if (b - a > 1) {
		size_t mid = a + (b - a) / 2;
		acc = det_serial(a, mid, acc);
		return acc + det_serial(mid, b, 0.0);
	}
	size_t hi = b == leaves ? DET_N : b * DET_C;
	det_body(a * DET_C, hi, &acc, NULL);
	return acc;
}

static void det_bits(void)
{
	static const unsigned ws[] = { 1, 2, 3, 8 };
	for (size_t i = 0; i < DET_N; i++)
		det_x[i] = (i % 3 ? 1.0 : -1.0) / (double)(i + 1) * 1e8 +
		    1e-3 * (double)(i % 7);
	double want = det_serial(0, (DET_N - 1) / DET_C + 1, 0.0);
	for (size_t k = 0; k < sizeof ws / sizeof ws[0]; k++) {
		skua_pool *p = test_pool(ws[k]);
		skua_par_opts o;
		skua_par_opts_init(&o);
		o.deterministic = 1;
		o.chunk = DET_C;
		for (int run = 0; run < 2; run++) {
			double id = 0, r = -1;
			ASSERT_OK(skua_parallel_reduce(p, 0, DET_N, &o, sizeof id,
			    &id, det_body, det_comb, NULL, &r));
			if (memcmp(&r, &want, sizeof r) != 0)
				FAIL("deterministic sum on %u workers: %.17g, "
				    "the tree gives %.17g", ws[k], r, want);
		}
		ASSERT_OK(skua_pool_destroy(p));
	}
}

/* Every chunk count on every pool size for one kind of loop; the counts
 * of all of them are printed before the case fails. */
static void all_counts(enum kind kind)
{
	static const unsigned ws[] = { 2, 3, 4, 8 };

	/* A correct scheduler passes each wait within milliseconds; the
	 * bound only turns a wrong one into a failure instead of a hang. */
	R.timeout_s = TEST_SANITIZED ? 4.0 : 1.5;
	for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++)
		run_case(kind, ws[i], ws[i]);
	/* More chunks than workers, an odd count. */
	run_case(kind, 2, 3);
	run_case(kind, 3, 7);
	if (failures != 0)
		FAIL("%d %s loop(s) kept a chunk from an idle worker",
		    failures, kind_name[kind]);
}

TEST_CASE(parallel_for_feeds_every_idle_worker) { all_counts(K_FOR); }
TEST_CASE(parallel_map_feeds_every_idle_worker) { all_counts(K_MAP); }
TEST_CASE(map_chunks_feeds_every_idle_worker) { all_counts(K_MAP_CHUNKS); }
TEST_CASE(reduce_feeds_every_idle_worker) { all_counts(K_REDUCE); }
TEST_CASE(deterministic_for_feeds_every_idle_worker) { all_counts(K_DET_FOR); }
TEST_CASE(deterministic_reduce_feeds_every_idle_worker)
{
	all_counts(K_DET_REDUCE);
}
TEST_CASE(nested_for_feeds_every_idle_worker) { all_counts(K_NESTED); }
TEST_CASE(deterministic_sum_matches_serial_tree_bit_for_bit) { det_bits(); }

static const struct test_case cases[] = {
	TEST_ENTRY(parallel_for_feeds_every_idle_worker),
	TEST_ENTRY(parallel_map_feeds_every_idle_worker),
	TEST_ENTRY(map_chunks_feeds_every_idle_worker),
	TEST_ENTRY(reduce_feeds_every_idle_worker),
	TEST_ENTRY(deterministic_for_feeds_every_idle_worker),
	TEST_ENTRY(deterministic_reduce_feeds_every_idle_worker),
	TEST_ENTRY(nested_for_feeds_every_idle_worker),
	TEST_ENTRY(deterministic_sum_matches_serial_tree_bit_for_bit),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
