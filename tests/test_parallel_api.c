/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Parallel API contract: argument checks (-EINVAL / -EOVERFLOW before any
 * callback), n = 0, opts NULL, skua_par_opts_init, reduce's identity and
 * result aliasing, -ENOMEM before any work, and a non-commutative combine.
 */
#include "test.h"
#include "test_hooks.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>


static atomic_long calls;

static void body_count(size_t lo, size_t hi, void *ctx)
{
	(void)lo;
	(void)hi;
	(void)ctx;
	atomic_fetch_add(&calls, 1);
}

static void map_count(const void *in, void *out, void *ctx)
{
	(void)in;
	(void)out;
	(void)ctx;
	atomic_fetch_add(&calls, 1);
}

static void chunks_count(const void *in, void *out, size_t k, void *ctx)
{
	(void)in;
	(void)out;
	(void)k;
	(void)ctx;
	atomic_fetch_add(&calls, 1);
}

static void red_sum(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&calls, 1);
	for (size_t i = lo; i < hi; i++)
		*(long *)acc += (long)i;
}

static void comb_sum(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

/* A big accumulator (over SKUA_PAR_ACC_STACK): a histogram of i % 64. */
struct hist {
	long h[64];
};

static void red_hist(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&calls, 1);
	for (size_t i = lo; i < hi; i++)
		((struct hist *)acc)->h[i % 64]++;
}

static void comb_hist(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	for (int k = 0; k < 64; k++)
		((struct hist *)acc)->h[k] += ((const struct hist *)other)->h[k];
}

/* Affine maps x -> a*x + b mod p, composed left then right: associative,
 * not commutative, so any reordering of the elements shows. */
#define P 1000003ull
struct aff {
	uint64_t a, b;
};

static struct aff aff_then(struct aff f, struct aff g)
{
	/* g(f(x)) = g.a*(f.a x + f.b) + g.b */
	return (struct aff){ g.a * f.a % P, (g.a * f.b + g.b) % P };
}

static struct aff aff_elem(size_t i)
{
	return (struct aff){ (i * 7919 + 3) % P, (i * 104729 + 11) % P };
}

static void red_aff(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	struct aff *f = acc;
	for (size_t i = lo; i < hi; i++)
		*f = aff_then(*f, aff_elem(i));
}

static void comb_aff(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(struct aff *)acc = aff_then(*(struct aff *)acc,
	    *(const struct aff *)other);
}

TEST_CASE(opts_init_fills_defaults)
{
	skua_par_opts o;
	skua_par_opts_init(NULL);
	skua_par_opts_init(&o);
	ASSERT_EQ(o.size, sizeof o);
	ASSERT_EQ(o.chunk, 0);
	ASSERT(o.site == NULL);
	ASSERT_EQ(o.deterministic, 0);
}

TEST_CASE(invalid_arguments_are_einval_before_any_callback)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o, bad;
	int in[4] = { 1, 2, 3, 4 }, out[4];

	skua_par_opts_init(&o);
	/* EINVAL: no callback may run. */
	atomic_store(&calls, 0);
	ASSERT_EQ(skua_parallel_for(NULL, 0, 10, NULL, body_count, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_for(p, 0, 10, NULL, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_for(p, 10, 0, NULL, body_count, NULL), -EINVAL);
	bad = o;
	bad.size = 8;
	ASSERT_EQ(skua_parallel_for(p, 0, 10, &bad, body_count, NULL), -EINVAL);
	bad = o;
	bad.deterministic = 2;
	ASSERT_EQ(skua_parallel_for(p, 0, 10, &bad, body_count, NULL), -EINVAL);
	bad = o;
	bad.site = "";
	ASSERT_EQ(skua_parallel_for(p, 0, 10, &bad, body_count, NULL), -EINVAL);
	bad.site = "a_site_name_that_is_much_longer_than_sixty_four_characters_in_total";
	ASSERT_EQ(skua_parallel_for(p, 0, 10, &bad, body_count, NULL), -EINVAL);

	ASSERT_EQ(skua_parallel_map(p, in, out, 4, 0, 4, map_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, in, out, 4, 4, 0, map_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, in, out, 0, 0, 4, map_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, NULL, out, 4, 4, 4, map_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, in, NULL, 4, 4, 4, map_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, in, out, 4, 4, 4, NULL, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(NULL, in, out, 4, 4, 4, map_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, in, out, 4, 4, 4, map_count, NULL, &bad), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, in, out, SIZE_MAX / 2, 4, 4, map_count, NULL, NULL), -EOVERFLOW);
	ASSERT_EQ(skua_parallel_map(p, in, out, SIZE_MAX / 8, 4, 16, map_count, NULL, NULL), -EOVERFLOW);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(element_ranges_past_address_space_are_eoverflow)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o, bad;
	long id = 0, res = -1;
	int in[4] = { 1, 2, 3, 4 }, out[4];

	skua_par_opts_init(&o);
	/* Fits size_t but runs past the end of the address space. */
	ASSERT_EQ(skua_parallel_map(p, (const void *)(UINTPTR_MAX - 64), out, 100, 4, 4, map_count, NULL, NULL), -EOVERFLOW);
	ASSERT_EQ(skua_parallel_map(p, in, (void *)(UINTPTR_MAX - 64), 100, 4, 1, map_count, NULL, NULL), -EOVERFLOW);
	ASSERT_EQ(skua_parallel_map_chunks(p, in, out, 4, 0, 4, chunks_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_chunks(p, NULL, out, 4, 4, 4, chunks_count, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_chunks(p, in, out, 4, 4, 4, NULL, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map_chunks(p, in, out, SIZE_MAX / 3, 4, 4, chunks_count, NULL, NULL), -EOVERFLOW);

	ASSERT_EQ(skua_parallel_reduce(NULL, 0, 10, NULL, sizeof(long), &id, red_sum, comb_sum, NULL, &res), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 0, 10, NULL, 0, &id, red_sum, comb_sum, NULL, &res), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 0, 10, NULL, sizeof(long), NULL, red_sum, comb_sum, NULL, &res), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 0, 10, NULL, sizeof(long), &id, NULL, comb_sum, NULL, &res), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 0, 10, NULL, sizeof(long), &id, red_sum, NULL, NULL, &res), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 0, 10, NULL, sizeof(long), &id, red_sum, comb_sum, NULL, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 10, 0, NULL, sizeof(long), &id, red_sum, comb_sum, NULL, &res), -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 0, 10, &bad, sizeof(long), &id, red_sum, comb_sum, NULL, &res), -EINVAL);
	ASSERT_EQ(res, -1);
	ASSERT_EQ(atomic_load(&calls), 0);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(empty_ranges_succeed_and_call_nothing)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	long id = 0, res = -1;

	skua_par_opts_init(&o);
	/* n = 0: success, nothing called; NULL arrays are fine. */
	ASSERT_OK(skua_parallel_for(p, 5, 5, NULL, body_count, NULL));
	ASSERT_OK(skua_parallel_map(p, NULL, NULL, 0, 4, 4, map_count, NULL, NULL));
	ASSERT_OK(skua_parallel_map_chunks(p, NULL, NULL, 0, 4, 4, chunks_count, NULL, &o));
	id = 42;
	ASSERT_OK(skua_parallel_reduce(p, 7, 7, NULL, sizeof(long), &id, red_sum, comb_sum, NULL, &res));
	ASSERT_EQ(res, 42);
	ASSERT_EQ(atomic_load(&calls), 0);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(result_may_alias_identity)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	long id = 0;

	skua_par_opts_init(&o);
	/* result may alias identity. */
	id = 5;
	ASSERT_OK(skua_parallel_reduce(p, 0, 1000, NULL, sizeof(long), &id, red_sum, comb_sum, NULL, &id));
	/* Every piece starts from the identity, so 5 is added once per
	 * accumulator: a sum needs identity 0.  With the identity 5 the
	 * result is 499500 + 5 * (number of accumulators) >= 499505. */
	ASSERT(id >= 499505 && (id - 499500) % 5 == 0);
	id = 0;
	ASSERT_OK(skua_parallel_reduce(p, 0, 1000, NULL, sizeof(long), &id, red_sum, comb_sum, NULL, &id));
	ASSERT_EQ(id, 499500);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(big_accumulator_right_or_enomem_before_work)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;

	skua_par_opts_init(&o);
	/* Big accumulator: correct, and -ENOMEM before any work. */
	struct hist hid, hres;
	memset(&hid, 0, sizeof hid);
	for (int det = 0; det <= 1; det++) {
		o.deterministic = det;
		o.chunk = det ? 7 : 0;
		ASSERT_OK(skua_parallel_reduce(p, 0, 100000, &o, sizeof hid, &hid, red_hist, comb_hist, NULL, &hres));
		for (int k = 0; k < 64; k++)
			ASSERT_EQ(hres.h[k], 100000 / 64 + (k < 100000 % 64));
		atomic_store(&calls, 0);
		memset(&hres, 0xAB, sizeof hres);
		skua__test_alloc_fail_at(1);
		ASSERT_EQ(skua_parallel_reduce(p, 0, 100000, &o, sizeof hid, &hid, red_hist, comb_hist, NULL, &hres), -ENOMEM);
		skua__test_alloc_fail_at(0);
		ASSERT_EQ(atomic_load(&calls), 0);
		ASSERT_EQ(hres.h[0], (long)0xABABABABABABABABull);
	}
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(deterministic_reduce_alloc_failure_is_enomem)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	struct hist hid, hres;

	skua_par_opts_init(&o);
	memset(&hid, 0, sizeof hid);
	/* Deterministic with an allocation failing mid-tree: -ENOMEM. */
	o.deterministic = 1;
	o.chunk = 1;
	skua__test_alloc_fail_at(3);
	int rc = skua_parallel_reduce(p, 0, 100000, &o, sizeof hid, &hid, red_hist, comb_hist, NULL, &hres);
	skua__test_alloc_fail_at(0);
	ASSERT_EQ(rc, -ENOMEM);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(failed_split_only_means_fewer_pieces)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	struct hist hid, hres;

	skua_par_opts_init(&o);
	memset(&hid, 0, sizeof hid);
	/* Not deterministic: a failing split only means fewer pieces. */
	o.deterministic = 0;
	o.chunk = 1;
	for (long k = 3; k < 40; k += 3) {
		skua__test_alloc_fail_at(k);
		ASSERT_OK(skua_parallel_reduce(p, 0, 20000, &o, sizeof hid, &hid, red_hist, comb_hist, NULL, &hres));
		skua__test_alloc_fail_at(0);
		for (int m = 0; m < 64; m++)
			ASSERT_EQ(hres.h[m], 20000 / 64 + (m < 20000 % 64));
	}
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(outside_call_handoff_alloc_failure_is_enomem)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;
	int rc;

	skua_par_opts_init(&o);
	/* Outside thread: the hand-off allocation fails before any work. */
	atomic_store(&calls, 0);
	skua__test_alloc_fail_at(1);
	rc = skua_parallel_for(p, 0, 10, NULL, body_count, NULL);
	skua__test_alloc_fail_at(0);
	ASSERT_EQ(rc, -ENOMEM);
	ASSERT_EQ(atomic_load(&calls), 0);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(non_commutative_combine_keeps_order_in_every_mode)
{
	skua_pool *p = test_pool(2);
	skua_par_opts o;

	skua_par_opts_init(&o);
	/* Non-commutative combine keeps the order, in every mode. */
	struct aff want = { 1, 0 }, got, aid = { 1, 0 };
	size_t n = 30011;
	for (size_t i = 0; i < n; i++)
		want = aff_then(want, aff_elem(i));
	size_t chunks[] = { 0, 1, 3, 64, 1000, n, n + 7 };
	for (int det = 0; det <= 1; det++) {
		for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
			skua_par_opts_init(&o);
			o.chunk = chunks[c];
			o.deterministic = det;
			ASSERT_OK(skua_parallel_reduce(p, 0, n, &o, sizeof aid, &aid, red_aff, comb_aff, NULL, &got));
			if (got.a != want.a || got.b != want.b)
				FAIL("affine det=%d chunk=%zu: %llu,%llu != %llu,%llu",
				    det, chunks[c], (unsigned long long)got.a,
				    (unsigned long long)got.b,
				    (unsigned long long)want.a,
				    (unsigned long long)want.b);
		}
	}
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(opts_init_fills_defaults),
	TEST_ENTRY(invalid_arguments_are_einval_before_any_callback),
	TEST_ENTRY(element_ranges_past_address_space_are_eoverflow),
	TEST_ENTRY(empty_ranges_succeed_and_call_nothing),
	TEST_ENTRY(result_may_alias_identity),
	TEST_ENTRY(big_accumulator_right_or_enomem_before_work),
	TEST_ENTRY(deterministic_reduce_alloc_failure_is_enomem),
	TEST_ENTRY(failed_split_only_means_fewer_pieces),
	TEST_ENTRY(outside_call_handoff_alloc_failure_is_enomem),
	TEST_ENTRY(non_commutative_combine_keeps_order_in_every_mode),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(60);
	return test_run_cases(argc, argv, cases);
}
