/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program for `skua-bench profile` and `tune` to run (tests/profile/
 * check_profile.py):
 *   profile_app two    two named sites, "rows" with "cols" nested in it
 *                      (64 x 1000 elements), and one unnamed loop
 *   profile_app exit3  a loop, then exit status 3
 *   profile_app tiny   one loop, site "tiny", and a skua-metric line that
 *                      is smallest at SKUA_CHUNK_SIZE_TINY=64
 * Each checks its loops' results and fails (exit 1) on a wrong one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skua.h>

static void cols_body(size_t lo, size_t hi, void *ctx)
{
	long s = 0;
	for (size_t i = lo; i < hi; i++)
		s += (long)i;
	__atomic_fetch_add((long *)ctx, s, __ATOMIC_RELAXED);
}

struct rows {
	skua_pool *pool;
	long total;
	int bad;
};

static void rows_body(size_t lo, size_t hi, void *ctx)
{
	struct rows *r = ctx;
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.site = "cols";
	for (size_t i = lo; i < hi; i++) {
		long s = 0;
		if (skua_parallel_for(r->pool, 0, 1000, &o, cols_body, &s) != 0 ||
		    s != 499500)
			__atomic_store_n(&r->bad, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->total, s, __ATOMIC_RELAXED);
	}
}

static void square(const void *in, void *out, void *ctx)
{
	(void)ctx;
	*(long *)out = *(const long *)in * *(const long *)in;
}

static int two(skua_pool *p)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.site = "rows";
	struct rows r = { p, 0, 0 };
	if (skua_parallel_for(p, 0, 64, &o, rows_body, &r) != 0 || r.bad ||
	    r.total != 64L * 499500)
		return 1;
	long in[4096], out[4096];
	for (int i = 0; i < 4096; i++)
		in[i] = i;
	if (skua_parallel_map(p, in, out, 4096, sizeof in[0], sizeof out[0],
	    square, NULL, NULL) != 0 || out[4095] != 4095L * 4095)
		return 1;
	printf("two: ok\n");
	return 0;
}

static void tiny_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	double s = 0;
	for (size_t i = lo; i < hi; i++)
		s += sqrt((double)i);
	*(double *)acc += s;
}

static void add_double(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(double *)acc += *(const double *)other;
}

static int tiny(skua_pool *p)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.site = "tiny";
	double zero = 0, sum = 0;
	if (skua_parallel_reduce(p, 0, 20000, &o, sizeof zero, &zero,
	    tiny_body, add_double, NULL, &sum) != 0 ||
	    fabs(sum - 1885547.16) > 1.0)
		return 1;
	/* A figure of merit that tune can rank exactly: smallest at 64. */
	const char *v = getenv("SKUA_CHUNK_SIZE_TINY");
	double c = v != NULL && strcmp(v, "auto") != 0 ? atof(v) : 0;
	printf("skua-metric: %g\n", c > 0 ? fabs(log2(c) - 6) + 1 : 10.0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	skua_config cfg;
	skua_pool *p;
	skua_config_init(&cfg);
	cfg.workers = 2;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	int rc;
	if (strcmp(mode, "two") == 0) {
		rc = two(p);
	} else if (strcmp(mode, "tiny") == 0) {
		rc = tiny(p);
	} else if (strcmp(mode, "exit3") == 0) {
		rc = tiny(p) == 0 ? 3 : 1;
	} else {
		fprintf(stderr, "usage: profile_app two|tiny|exit3\n");
		rc = 2;
	}
	if (skua_pool_destroy(p) != 0)
		return 1;
	return rc;
}
