/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Chunk-size environment variables: SKUA_CHUNK_SIZE and
 * SKUA_CHUNK_SIZE_<SITE>, their precedence over opts->chunk, one warning per
 * bad value naming the variable and the value used instead, right answers
 * with bad values, SKUA_STRICT=1, and the cache (read once).
 */
#include "test.h"
#include "test_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>


static atomic_size_t max_chunk;
static atomic_long total;

static void body(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	size_t m = atomic_load(&max_chunk);
	while (hi - lo > m && !atomic_compare_exchange_weak(&max_chunk, &m,
	    hi - lo))
		;
	atomic_fetch_add(&total, (long)(hi - lo));
}

static void red_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)acc;
	body(lo, hi, ctx);
}

static void red_comb(void *acc, const void *other, void *ctx)
{
	(void)acc;
	(void)other;
	(void)ctx;
}

static void map_nop(const void *in, void *out, void *ctx)
{
	(void)in;
	(void)out;
	(void)ctx;
	atomic_fetch_add(&total, 1);
}

/* The largest chunk a 10000-element loop got. */
static size_t probe(skua_pool *p, size_t chunk, const char *site)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = chunk;
	o.site = site;
	atomic_store(&max_chunk, 0);
	atomic_store(&total, 0);
	ASSERT_OK(skua_parallel_for(p, 0, 10000, &o, body, NULL));
	ASSERT_EQ(atomic_load(&total), 10000);
	return atomic_load(&max_chunk);
}

static void env(const char *name, const char *value)
{
	if (value == NULL)
		unsetenv(name);
	else
		setenv(name, value, 1);
	skua__par_env_reset();
}




static int count(const char *s, const char *sub)
{
	int k = 0;
	for (const char *p = s; (p = strstr(p, sub)) != NULL; p++)
		k++;
	return k;
}

/* No chunk variable set, the cache empty, and a pool of 2. */
static skua_pool *fresh_env_pool(void)
{
	unsetenv("SKUA_STRICT");
	env("SKUA_CHUNK_SIZE", NULL);
	env("SKUA_CHUNK_SIZE_MY_LOOP", NULL);
	return test_pool(2);
}

TEST_CASE(site_variable_beats_opts_beats_chunk_size_read_once)
{
	skua_pool *p = fresh_env_pool();
	/* Defaults: opts->chunk is exact. */
	ASSERT_EQ(probe(p, 100, NULL), 100);
	ASSERT_EQ(probe(p, 100, "my-loop"), 100);

	/* SKUA_CHUNK_SIZE replaces automatic only. */
	env("SKUA_CHUNK_SIZE", "37");
	ASSERT_EQ(probe(p, 0, NULL), 37);
	ASSERT_EQ(probe(p, 0, "my-loop"), 37);
	ASSERT_EQ(probe(p, 100, NULL), 100);
	ASSERT_EQ(probe(p, 100, "my-loop"), 100);

	/* SKUA_CHUNK_SIZE_<SITE> beats opts->chunk and SKUA_CHUNK_SIZE. */
	env("SKUA_CHUNK_SIZE_MY_LOOP", " 250 ");
	ASSERT_EQ(probe(p, 100, "my-loop"), 250);
	ASSERT_EQ(probe(p, 0, "my-loop"), 250);
	ASSERT_EQ(probe(p, 100, "other"), 100);
	ASSERT_EQ(probe(p, 0, "other"), 37);
	ASSERT_EQ(probe(p, 0, "My Loop"), 250); /* same variable */

	/* Read once: a later setenv is not seen until the cache resets. */
	setenv("SKUA_CHUNK_SIZE_MY_LOOP", "11", 1);
	ASSERT_EQ(probe(p, 0, "my-loop"), 250);
	skua__par_env_reset();
	ASSERT_EQ(probe(p, 0, "my-loop"), 11);

	/* "auto" on the site forces automatic chunks over opts->chunk:
	 * the largest chunk is then not 100 (it starts at 1 and grows). */
	env("SKUA_CHUNK_SIZE_MY_LOOP", "auto");
	size_t m = probe(p, 100, "my-loop");
	ASSERT(m != 100);

	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(bad_values_warn_once_and_fall_back)
{
	skua_pool *p = fresh_env_pool();
	/* Bad values: one warning each, naming the variable, the value and
	 * the fallback; the answer is still right. */
	const char *bad[] = { "abc", "0", "-1", "99999999999999999999", "12x" };
	for (int i = 0; i < 5; i++) {
		env("SKUA_CHUNK_SIZE", "37");
		env("SKUA_CHUNK_SIZE_MY_LOOP", bad[i]);
		test_capture_stderr();
		size_t a = probe(p, 100, "my-loop");
		size_t b = probe(p, 0, "my-loop");
		skua__par_env_reset();
		size_t c = probe(p, 100, "my-loop");
		char *err = test_captured_stderr();
		ASSERT_EQ(a, 100); /* falls back to opts->chunk */
		ASSERT_EQ(b, 37); /* no opts->chunk: SKUA_CHUNK_SIZE */
		ASSERT_EQ(c, 100);
		char want[128];
		snprintf(want, sizeof want, "SKUA_CHUNK_SIZE_MY_LOOP=\"%s\"",
		    bad[i]);
		if (count(err, want) != 1 || strstr(err, "using 100") == NULL)
			FAIL("warning for %s: got \"%s\"", bad[i], err);
	}
	env("SKUA_CHUNK_SIZE_MY_LOOP", NULL);
	for (int i = 0; i < 5; i++) {
		env("SKUA_CHUNK_SIZE", bad[i]);
		test_capture_stderr();
		size_t a = probe(p, 0, NULL);
		size_t b = probe(p, 0, "x");
		size_t c = probe(p, 64, NULL);
		char *err = test_captured_stderr();
		ASSERT(a != 0 && b != 0);
		ASSERT_EQ(c, 64);
		char want[128];
		snprintf(want, sizeof want, "SKUA_CHUNK_SIZE=\"%s\"", bad[i]);
		if (count(err, want) != 1 || strstr(err, "using auto") == NULL)
			FAIL("warning for %s: got \"%s\"", bad[i], err);
	}
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(strict_fails_only_a_bad_value_in_use)
{
	skua_pool *p = fresh_env_pool();
	/* SKUA_STRICT=1: a bad value in use fails the call before any work. */
	setenv("SKUA_STRICT", "1", 1);
	env("SKUA_CHUNK_SIZE", "abc");
	skua_par_opts o;
	skua_par_opts_init(&o);
	atomic_store(&total, 0);
	test_capture_stderr();
	int rc = skua_parallel_for(p, 0, 100, &o, body, NULL);
	o.chunk = 10; /* not in use: fine */
	int rc2 = skua_parallel_for(p, 0, 100, &o, body, NULL);
	test_captured_stderr();
	ASSERT_EQ(rc, -EINVAL);
	ASSERT_EQ(rc2, 0);
	ASSERT_EQ(atomic_load(&total), 100);
	unsetenv("SKUA_STRICT");
	env("SKUA_CHUNK_SIZE", NULL);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(global_not_read_when_the_site_variable_decides)
{
	skua_pool *p = fresh_env_pool();
	/* A valid SKUA_CHUNK_SIZE_<SITE> decides the chunk: a bad
	 * SKUA_CHUNK_SIZE is not in use, so the call succeeds without a word
	 * about it (it used to be read for the site's fallback, and under
	 * SKUA_STRICT=1 its warning said "the call fails" for a call that
	 * then succeeded). */
	setenv("SKUA_STRICT", "1", 1);
	env("SKUA_CHUNK_SIZE", "not-a-size"); /* no other case warns of it */
	env("SKUA_CHUNK_SIZE_MY_LOOP", "9");
	test_capture_stderr();
	size_t got = probe(p, 0, "my-loop");
	char *err = test_captured_stderr();
	ASSERT_EQ(got, 9);
	if (strstr(err, "SKUA_CHUNK_SIZE=") != NULL)
		FAIL("a warning for a variable not in use: %s", err);
	/* A call that does use it still fails, with the warning. */
	skua_par_opts o;
	skua_par_opts_init(&o);
	test_capture_stderr();
	int rc = skua_parallel_for(p, 0, 100, &o, body, NULL);
	err = test_captured_stderr();
	ASSERT_EQ(rc, -EINVAL);
	if (count(err, "SKUA_CHUNK_SIZE=\"not-a-size\"") != 1 ||
	    strstr(err, "the call fails") == NULL)
		FAIL("no strict warning: %s", err);
	/* A bad site variable still falls back to SKUA_CHUNK_SIZE. */
	unsetenv("SKUA_STRICT");
	env("SKUA_CHUNK_SIZE", "37");
	env("SKUA_CHUNK_SIZE_MY_LOOP", "bad");
	test_capture_stderr();
	got = probe(p, 0, "my-loop");
	err = test_captured_stderr();
	ASSERT_EQ(got, 37);
	if (strstr(err, "using 37 (SKUA_CHUNK_SIZE)") == NULL)
		FAIL("fallback not named: %s", err);
	env("SKUA_CHUNK_SIZE", NULL);
	env("SKUA_CHUNK_SIZE_MY_LOOP", NULL);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(more_sites_than_the_cache_holds_still_work)
{
	skua_pool *p = fresh_env_pool();
	/* Many distinct sites (more than the cache holds) still work, the
	 * ones past the cache too. */
	env("SKUA_CHUNK_SIZE_S77", "77");
	setenv("SKUA_CHUNK_SIZE_S250", "250", 1);
	for (int i = 0; i < 300; i++) {
		char site[16];
		snprintf(site, sizeof site, "s%d", i);
		size_t got = probe(p, 5, site);
		ASSERT_EQ(got, i == 77 ? 77 : i == 250 ? 250 : 5);
	}
	/* The last destroy's check for unused variables: S250's loop ran,
	 * past the cache; no "a typo?" for it (there was, before). */
	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	char *err = test_captured_stderr();
	if (strstr(err, "SKUA_CHUNK_SIZE_S250") != NULL)
		FAIL("a false warning: %s", err);
	env("SKUA_CHUNK_SIZE_S77", NULL);
	env("SKUA_CHUNK_SIZE_S250", NULL);
}

TEST_CASE(empty_ranges_count_their_site_and_strict_checks_them)
{
	skua_par_opts o;
	long id = 42, res = -1;

	/* A site whose only call had an empty range was used: no "a typo?"
	 * for its variable at the last destroy (there was). */
	env("SKUA_CHUNK_SIZE_EMPTY_ONLY", "64");
	skua_pool *p = fresh_env_pool();
	skua_par_opts_init(&o);
	o.site = "empty-only";
	ASSERT_OK(skua_parallel_for(p, 5, 5, &o, body, NULL));
	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	char *err = test_captured_stderr();
	if (strstr(err, "a typo") != NULL)
		FAIL("a false typo warning: %s", err);
	env("SKUA_CHUNK_SIZE_EMPTY_ONLY", NULL);

	/* Under SKUA_STRICT=1 a bad value in use fails an empty range too,
	 * as bad opts do; *result untouched, nothing called. */
	p = fresh_env_pool();
	setenv("SKUA_STRICT", "1", 1);
	env("SKUA_CHUNK_SIZE_MY_LOOP", "empty-bad");
	o.site = "my-loop";
	atomic_store(&total, 0);
	test_capture_stderr();
	ASSERT_EQ(skua_parallel_for(p, 5, 5, &o, body, NULL), -EINVAL);
	ASSERT_EQ(skua_parallel_map(p, NULL, NULL, 0, 4, 4, map_nop, NULL, &o),
	    -EINVAL);
	ASSERT_EQ(skua_parallel_reduce(p, 7, 7, &o, sizeof id, &id,
	    red_body, red_comb, NULL, &res), -EINVAL);
	test_captured_stderr();
	ASSERT_EQ(res, -1);
	unsetenv("SKUA_STRICT");
	ASSERT_OK(skua_parallel_reduce(p, 7, 7, &o, sizeof id, &id, red_body,
	    red_comb, NULL, &res));
	ASSERT_EQ(res, 42);
	ASSERT_EQ(atomic_load(&total), 0);
	env("SKUA_CHUNK_SIZE_MY_LOOP", NULL);
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(unused_site_warning_is_one_quoted_line)
{
	/* A variable name may hold any byte but '=': the typo warning at
	 * the last destroy quotes it as env.c quotes values (it printed the
	 * raw name: a newline split the warning, an escape sequence reached
	 * the terminal, and a long name was printed whole). */
	const char *name = "SKUA_CHUNK_SIZE_A\nB\x1b[31m";
	setenv(name, "5", 1);
	skua_pool *p = fresh_env_pool();
	ASSERT_EQ(probe(p, 10, "my-loop"), 10);
	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	char *err = test_captured_stderr();
	unsetenv(name);
	const char *want = "skua: SKUA_CHUNK_SIZE_A\\nB\\x1b[31m is set, "
	    "but no loop with that site ran (sites that ran: my-loop); a "
	    "typo?\n";
	if (strcmp(err, want) != 0)
		FAIL("got \"%s\"", err);
}

static const struct test_case cases[] = {
	TEST_ENTRY(site_variable_beats_opts_beats_chunk_size_read_once),
	TEST_ENTRY(bad_values_warn_once_and_fall_back),
	TEST_ENTRY(strict_fails_only_a_bad_value_in_use),
	TEST_ENTRY(global_not_read_when_the_site_variable_decides),
	TEST_ENTRY(more_sites_than_the_cache_holds_still_work),
	TEST_ENTRY(empty_ranges_count_their_site_and_strict_checks_them),
	TEST_ENTRY(unused_site_warning_is_one_quoted_line),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(60);
	return test_run_cases(argc, argv, cases);
}
