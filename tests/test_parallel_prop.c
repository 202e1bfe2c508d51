/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Property tests: for random n, chunk sizes 0 (automatic) and 1..n+7, 1..8
 * workers and both split modes, parallel for covers [begin, end) exactly
 * once (with a fixed chunk c, in chunks that start at begin + k*c and hold at
 * most c elements), map and map_chunks equal a serial loop for odd element
 * sizes, reduce equals the serial sum, and a deterministic floating-point
 * reduce is bit-for-bit the same for every worker count.  Also primes below
 * 10^6 = 78498.
 *
 * usage: [TEST_SEED=N] test_parallel_prop [CASE]
 */
#include "test.h"

#include <math.h>
#include <stdatomic.h>

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct cover {
	size_t begin, end, chunk; /* chunk 0: do not check alignment */
	atomic_uchar *hits;
	atomic_int bad;
};

static void cover_body(size_t lo, size_t hi, void *ctx)
{
	struct cover *c = ctx;
	if (lo >= hi || lo < c->begin || hi > c->end)
		atomic_store(&c->bad, 1);
	if (c->chunk != 0 && ((lo - c->begin) % c->chunk != 0 ||
	    hi - lo > c->chunk || (hi - lo < c->chunk && hi != c->end)))
		atomic_store(&c->bad, 2);
	for (size_t i = lo; i < hi && i < c->end; i++)
		atomic_fetch_add_explicit(&c->hits[i - c->begin], 1,
		    memory_order_relaxed);
}

/* A 3-byte input, a 5-byte output: odd sizes catch stride bugs. */
struct in3 {
	unsigned char b[3];
};
struct out5 {
	unsigned char b[5];
};

static void map_fn(const void *in, void *out, void *ctx)
{
	const struct in3 *x = in;
	struct out5 *y = out;
	unsigned k = (unsigned)(uintptr_t)ctx;
	for (int i = 0; i < 5; i++)
		y->b[i] = (unsigned char)(x->b[i % 3] * (i + 1) + k);
}

static void chunks_fn(const void *in, void *out, size_t count, void *ctx)
{
	for (size_t i = 0; i < count; i++)
		map_fn((const struct in3 *)in + i, (struct out5 *)out + i, ctx);
}

static void sum_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	uint64_t s = *(uint64_t *)acc;
	for (size_t i = lo; i < hi; i++)
		s += i * i + 1;
	*(uint64_t *)acc = s;
}

static void sum_comb(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(uint64_t *)acc += *(const uint64_t *)other;
}

static const double *fdata;

static void fsum_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	double s = *(double *)acc;
	for (size_t i = lo; i < hi; i++)
		s += fdata[i];
	*(double *)acc = s;
}

static void fsum_comb(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(double *)acc += *(const double *)other;
}

static int is_prime(size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 2; i * i <= n; i++)
		if (n % i == 0)
			return 0;
	return 1;
}

static void primes_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	long c = 0;
	for (size_t i = lo; i < hi; i++)
		c += is_prime(i);
	*(long *)acc += c;
}

static void long_comb(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

static void one_case(skua_pool *p, unsigned workers, size_t n, size_t chunk,
    int det, int it)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = chunk;
	o.deterministic = det;

	/* for: exact cover, chunk shape. */
	size_t begin = (size_t)(rnd() % 1000);
	struct cover c = { begin, begin + n, chunk, NULL, 0 };
	c.hits = calloc(n + 1, 1);
	ASSERT(c.hits != NULL);
	ASSERT_OK(skua_parallel_for(p, begin, begin + n, &o, cover_body, &c));
	if (atomic_load(&c.bad) != 0)
		FAIL("it %d: bad chunk (%d) w=%u n=%zu chunk=%zu det=%d", it,
		    atomic_load(&c.bad), workers, n, chunk, det);
	for (size_t i = 0; i < n; i++)
		if (atomic_load(&c.hits[i]) != 1)
			FAIL("it %d: element %zu run %d times (w=%u n=%zu chunk=%zu det=%d)",
			    it, i, atomic_load(&c.hits[i]), workers, n, chunk, det);
	free(c.hits);

	/* map and map_chunks against serial. */
	struct in3 *in = malloc((n + 1) * sizeof *in);
	struct out5 *out = malloc((n + 1) * sizeof *out);
	struct out5 *want = malloc((n + 1) * sizeof *want);
	ASSERT(in && out && want);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 3; k++)
			in[i].b[k] = (unsigned char)rnd();
	void *key = (void *)(uintptr_t)(it & 0xff);
	for (size_t i = 0; i < n; i++)
		map_fn(&in[i], &want[i], key);
	memset(out, 0, (n + 1) * sizeof *out);
	ASSERT_OK(skua_parallel_map(p, in, out, n, sizeof *in, sizeof *out,
	    map_fn, key, &o));
	if (memcmp(out, want, n * sizeof *out) != 0)
		FAIL("it %d: map differs (w=%u n=%zu chunk=%zu)", it, workers, n, chunk);
	memset(out, 0, (n + 1) * sizeof *out);
	ASSERT_OK(skua_parallel_map_chunks(p, in, out, n, sizeof *in,
	    sizeof *out, chunks_fn, key, &o));
	if (memcmp(out, want, n * sizeof *out) != 0)
		FAIL("it %d: map_chunks differs (w=%u n=%zu chunk=%zu)", it, workers, n, chunk);
	free(in);
	free(out);
	free(want);

	/* reduce against serial. */
	uint64_t id = 0, got = 0, exp = 0;
	for (size_t i = begin; i < begin + n; i++)
		exp += i * i + 1;
	ASSERT_OK(skua_parallel_reduce(p, begin, begin + n, &o, sizeof id,
	    &id, sum_body, sum_comb, NULL, &got));
	if (got != exp)
		FAIL("it %d: reduce %llu != %llu (w=%u n=%zu chunk=%zu det=%d)",
		    it, (unsigned long long)got, (unsigned long long)exp,
		    workers, n, chunk, det);
}

TEST_CASE(random_ranges_and_chunks_match_serial_on_1_to_8_workers)
{
	int iters = (int)test_scale(60, 15);
	for (unsigned w = 1; w <= 8; w++) {
		skua_pool *p = test_pool(w);
		for (int it = 0; it < iters; it++) {
			size_t n = (size_t)(rnd() % (it % 4 == 0 ? 20 : 5000));
			size_t chunk = it % 3 == 0 ? 0 :
			    (size_t)(rnd() % (n + 7) + 1);
			one_case(p, w, n, chunk, (int)(rnd() % 2), it);
		}
		/* Edge chunks: 1, n, n + 7, SIZE_MAX. */
		size_t n = 1237, edge[] = { 1, n, n + 7, SIZE_MAX };
		for (int e = 0; e < 4; e++)
			for (int det = 0; det <= 1; det++)
				one_case(p, w, n, edge[e], det, -1);
		ASSERT_OK(skua_pool_destroy(p));
	}
}

TEST_CASE(deterministic_float_sum_bit_identical_across_workers)
{
	/* Deterministic float sums: bit-for-bit across workers and runs. */
	size_t fn = (size_t)test_scale(1000000, 200000);
	double *d = malloc(fn * sizeof *d);
	ASSERT(d != NULL);
	for (size_t i = 0; i < fn; i++)
		d[i] = (double)(rnd() % 2000001) * 1e-3 * ((i & 1) ? 1e8 : 1e-8);
	fdata = d;
	size_t fchunks[] = { 0, 1000, 333 };
	for (int c = 0; c < 3; c++) {
		double ref = 0;
		int have = 0;
		for (unsigned w = 1; w <= 8; w += (w < 4 ? 1 : 4)) {
			skua_pool *p = test_pool(w);
			for (int rep = 0; rep < 3; rep++) {
				skua_par_opts o;
				skua_par_opts_init(&o);
				o.deterministic = 1;
				o.chunk = fchunks[c];
				double id = 0, r = -1;
				ASSERT_OK(skua_parallel_reduce(p, 0, fn, &o,
				    sizeof id, &id, fsum_body, fsum_comb, NULL,
				    &r));
				if (!have) {
					ref = r;
					have = 1;
				} else if (memcmp(&r, &ref, sizeof r) != 0) {
					FAIL("deterministic sum differs: chunk %zu, %u workers: %.17g != %.17g",
					    fchunks[c], w, r, ref);
				}
			}
			ASSERT_OK(skua_pool_destroy(p));
		}
		/* And close to the serial sum. */
		double s = 0;
		for (size_t i = 0; i < fn; i++)
			s += d[i];
		ASSERT(fabs(s - ref) <= 1e-9 * fabs(s));
	}
	free(d);
}

TEST_CASE(primes_reduce_exact_in_every_mode)
{
	/* Primes below 10^6 (10^5 under sanitizers), every mode. */
	size_t pn = (size_t)test_scale(1000000, 100000);
	long pwant = pn == 1000000 ? 78498 : 9592, pserial = 0;
	primes_body(0, pn, &pserial, NULL);
	ASSERT_EQ(pserial, pwant);
	for (unsigned w = 1; w <= 4; w *= 2) {
		skua_pool *p = test_pool(w);
		size_t pch[] = { 0, 1, 1000 };
		for (int c = 0; c < 3; c++) {
			for (int det = 0; det <= 1; det++) {
				skua_par_opts o;
				skua_par_opts_init(&o);
				o.chunk = pch[c];
				o.deterministic = det;
				o.site = "primes";
				long id = 0, r = 0;
				ASSERT_OK(skua_parallel_reduce(p, 0, pn, &o,
				    sizeof id, &id, primes_body, long_comb, NULL,
				    &r));
				ASSERT_EQ(r, pwant);
			}
		}
		ASSERT_OK(skua_pool_destroy(p));
	}
}

static const struct test_case cases[] = {
	TEST_ENTRY(random_ranges_and_chunks_match_serial_on_1_to_8_workers),
	TEST_ENTRY(deterministic_float_sum_bit_identical_across_workers),
	TEST_ENTRY(primes_reduce_exact_in_every_mode),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(TEST_SANITIZED ? 240 : 60);
	/* TEST_SEED=N replays a failure (the seed is printed). */
	if (getenv("TEST_SEED") != NULL)
		rng = strtoull(getenv("TEST_SEED"), NULL, 0) | 1;
	printf("seed %llu\n", (unsigned long long)rng);
	return test_run_cases(argc, argv, cases);
}
