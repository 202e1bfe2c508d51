/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program with awkward loop sites, for the writers and skua-bench
 * profile (tests/profile/check_profile_edges.py):
 *   sites_app names     six sites named with a quote, a backslash,
 *                       controls, bytes that are not UTF-8, UTF-8, and
 *                       "other" (an ordinary name)
 *   sites_app overflow  255 sites of one element, which fill the table,
 *                       then "hot_loop" (1000000 elements in chunks of 4)
 *                       in the overflow bucket past it
 *   sites_app many N    N sites "s0".."s<N-1>", each 100000 elements in
 *                       chunks of 4: every one gets advice
 * Each checks its loops' sums and exits 1 on a wrong one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skua.h>

static void sum_body(size_t lo, size_t hi, void *ctx)
{
	long s = 0;
	for (size_t i = lo; i < hi; i++)
		s += (long)i;
	__atomic_fetch_add((long *)ctx, s, __ATOMIC_RELAXED);
}

/* One loop over [0, n) at site name in chunks of chunk (0: auto); false
 * when its sum is wrong. */
static bool loop(skua_pool *p, const char *name, size_t n, size_t chunk)
{
	skua_par_opts o;
	long sum = 0;
	skua_par_opts_init(&o);
	o.site = name;
	o.chunk = chunk;
	int rc = skua_parallel_for(p, 0, n, &o, sum_body, &sum);
	if (rc != 0 || sum != (long)(n * (n - 1) / 2)) {
		fprintf(stderr, "site %s: rc %d, sum %ld\n", name, rc, sum);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "q\"uote", "back\\slash",
		"ctl\x01\ttab\n", "bad\xff\xfeutf", "caf\xc3\xa9", "other" };
	const char *mode = argc > 1 ? argv[1] : "";
	skua_config cfg;
	skua_pool *p;
	char name[32];
	bool ok = true;

	skua_config_init(&cfg);
	cfg.workers = 2;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	if (strcmp(mode, "names") == 0) {
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			ok &= loop(p, names[i], 10000, 0);
	} else if (strcmp(mode, "overflow") == 0) {
		for (int i = 0; i < 255; i++) {
			snprintf(name, sizeof name, "s%d", i);
			ok &= loop(p, name, 1, 0);
		}
		ok &= loop(p, "hot_loop", 1000000, 4);
	} else if (strcmp(mode, "many") == 0 && argc > 2) {
		for (int i = 0; i < atoi(argv[2]); i++) {
			snprintf(name, sizeof name, "s%d", i);
			ok &= loop(p, name, 100000, 4);
		}
	} else {
		fprintf(stderr, "usage: sites_app names|overflow|many N\n");
		ok = false;
	}
	skua_pool_destroy(p);
	return ok ? 0 : 1;
}
