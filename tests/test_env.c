/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/env.c: the parser's table of values (every kind, exact result codes
 * and values), the table itself, site names, and what skua_pool_create does
 * with bad SKUA_WORKERS values: one warning line per value, on stderr,
 * naming the variable, the value and what is used instead; SKUA_STRICT=1
 * makes the call fail.
 *
 * Usage: test_env [CASE]       run the cases (tests/test.h)
 *        test_env --dump-table print "NAME<TAB>DEFAULT" per table entry
 *                             (tests/env_readme.py compares it to README.md)
 */
#define _GNU_SOURCE
#include "test.h"
#include "env.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>

#define U64MAX UINT64_MAX
#define SENTINEL 0x5EED5EED5EED5EEDULL

struct pcase {
	enum skua__env_kind kind;
	const char *s;
	uint64_t min, max;
	int rc;
	uint64_t v; /* when rc == 0 */
};

#define W 1, 4096 /* SKUA_WORKERS' range */
#define S (64 * 1024), ((uint64_t)1 << 32) /* SKUA_STACK_SIZE's */
#define C 1, SIZE_MAX /* SKUA_CHUNK_SIZE's */

static const struct pcase parse_cases[] = {
	/* UINT */
	{ SKUA__ENV_UINT, "4", W, 0, 4 },
	{ SKUA__ENV_UINT, " 4 ", W, 0, 4 },
	{ SKUA__ENV_UINT, "\t7\n", W, 0, 7 },
	{ SKUA__ENV_UINT, "007", W, 0, 7 },
	{ SKUA__ENV_UINT, "1", W, 0, 1 },
	{ SKUA__ENV_UINT, "4096", W, 0, 4096 },
	{ SKUA__ENV_UINT, "4097", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "0", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "   ", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "-3", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "+3", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "abc", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "3x", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "4,abc", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "4 4", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "2147483648", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "99999999999", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "18446744073709551615", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "18446744073709551616", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "99999999999999999999999", W, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "1e3", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "0x10", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "4.0", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "auto", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "4K", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "\v4", W, -EINVAL, 0 },
	{ SKUA__ENV_UINT, "18446744073709551615", 0, U64MAX, 0, U64MAX },
	{ SKUA__ENV_UINT, "18446744073709551616", 0, U64MAX, -ERANGE, 0 },
	{ SKUA__ENV_UINT, "0", 0, U64MAX, 0, 0 },
	{ SKUA__ENV_UINT, "5", 10, 1, -ERANGE, 0 }, /* empty range */
	/* SIZE */
	{ SKUA__ENV_SIZE, "8M", S, 0, 8u << 20 },
	{ SKUA__ENV_SIZE, "65536", S, 0, 65536 },
	{ SKUA__ENV_SIZE, "64K", S, 0, 65536 },
	{ SKUA__ENV_SIZE, "64k", S, 0, 65536 },
	{ SKUA__ENV_SIZE, "64KB", S, 0, 65536 },
	{ SKUA__ENV_SIZE, " 1G ", S, 0, 1u << 30 },
	{ SKUA__ENV_SIZE, "1g", S, 0, 1u << 30 },
	{ SKUA__ENV_SIZE, "1Gb", S, 0, 1u << 30 },
	{ SKUA__ENV_SIZE, "4G", S, 0, (uint64_t)4 << 30 },
	{ SKUA__ENV_SIZE, "5G", S, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "4K", S, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "0", S, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "1GiB", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "1T", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "1 G", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "K", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "-1K", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "1e3", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "abc", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "auto", S, -EINVAL, 0 },
	{ SKUA__ENV_SIZE, "4K", 0, U64MAX, 0, 4096 },
	{ SKUA__ENV_SIZE, "17179869183G", 0, U64MAX, 0,
	    (((uint64_t)1 << 34) - 1) << 30 },
	{ SKUA__ENV_SIZE, "17179869184G", 0, U64MAX, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "18446744073709551615K", 0, U64MAX, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "18446744073709551616", 0, U64MAX, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "18446744073709551616K", 0, U64MAX, -ERANGE, 0 },
	{ SKUA__ENV_SIZE, "18446744073709551616X", 0, U64MAX, -EINVAL, 0 },
	/* BOOL: min and max do not matter */
	{ SKUA__ENV_BOOL, "1", 0, 1, 0, 1 },
	{ SKUA__ENV_BOOL, "0", 0, 1, 0, 0 },
	{ SKUA__ENV_BOOL, " 1 ", 0, 1, 0, 1 },
	{ SKUA__ENV_BOOL, "true", 0, 1, 0, 1 },
	{ SKUA__ENV_BOOL, "TRUE", 0, 1, 0, 1 },
	{ SKUA__ENV_BOOL, "Yes", 0, 1, 0, 1 },
	{ SKUA__ENV_BOOL, "on", 0, 1, 0, 1 },
	{ SKUA__ENV_BOOL, "false", 0, 1, 0, 0 },
	{ SKUA__ENV_BOOL, "No", 0, 1, 0, 0 },
	{ SKUA__ENV_BOOL, "OFF", 0, 1, 0, 0 },
	{ SKUA__ENV_BOOL, "2", 0, 1, -EINVAL, 0 },
	{ SKUA__ENV_BOOL, "01", 0, 1, -EINVAL, 0 },
	{ SKUA__ENV_BOOL, "truex", 0, 1, -EINVAL, 0 },
	{ SKUA__ENV_BOOL, "t", 0, 1, -EINVAL, 0 },
	{ SKUA__ENV_BOOL, "abc", 0, 1, -EINVAL, 0 },
	{ SKUA__ENV_BOOL, "", 0, 1, -EINVAL, 0 },
	{ SKUA__ENV_BOOL, "-1", 0, 1, -EINVAL, 0 },
	/* CHUNK: "auto" is 0, below min */
	{ SKUA__ENV_CHUNK, "auto", C, 0, 0 },
	{ SKUA__ENV_CHUNK, "AUTO", C, 0, 0 },
	{ SKUA__ENV_CHUNK, " auto ", C, 0, 0 },
	{ SKUA__ENV_CHUNK, "64", C, 0, 64 },
	{ SKUA__ENV_CHUNK, "1", C, 0, 1 },
	{ SKUA__ENV_CHUNK, "0", C, -ERANGE, 0 },
	{ SKUA__ENV_CHUNK, "autox", C, -EINVAL, 0 },
	{ SKUA__ENV_CHUNK, "au to", C, -EINVAL, 0 },
	{ SKUA__ENV_CHUNK, "4K", C, -EINVAL, 0 },
	{ SKUA__ENV_CHUNK, "-1", C, -EINVAL, 0 },
	{ SKUA__ENV_CHUNK, "", C, -EINVAL, 0 },
	{ SKUA__ENV_CHUNK, "18446744073709551615", C, 0, U64MAX },
	{ SKUA__ENV_CHUNK, "18446744073709551616", C, -ERANGE, 0 },
	/* STRING: any non-blank text, *out = 0 */
	{ SKUA__ENV_STRING, "x", 0, 0, 0, 0 },
	{ SKUA__ENV_STRING, "/tmp/t.json", 0, 0, 0, 0 },
	{ SKUA__ENV_STRING, "", 0, 0, -EINVAL, 0 },
	{ SKUA__ENV_STRING, " \t", 0, 0, -EINVAL, 0 },
	/* LEVEL: a BOOL, or "verbose" (2) */
	{ SKUA__ENV_LEVEL, "1", 0, 2, 0, 1 },
	{ SKUA__ENV_LEVEL, "0", 0, 2, 0, 0 },
	{ SKUA__ENV_LEVEL, "on", 0, 2, 0, 1 },
	{ SKUA__ENV_LEVEL, "FALSE", 0, 2, 0, 0 },
	{ SKUA__ENV_LEVEL, "verbose", 0, 2, 0, 2 },
	{ SKUA__ENV_LEVEL, " Verbose ", 0, 2, 0, 2 },
	{ SKUA__ENV_LEVEL, "2", 0, 2, -EINVAL, 0 },
	{ SKUA__ENV_LEVEL, "verbos", 0, 2, -EINVAL, 0 },
	{ SKUA__ENV_LEVEL, "verbose1", 0, 2, -EINVAL, 0 },
	{ SKUA__ENV_LEVEL, "", 0, 2, -EINVAL, 0 },
	/* not a kind */
	{ (enum skua__env_kind)99, "4", 0, 10, -EINVAL, 0 },
};

static const char *kind_name(enum skua__env_kind k)
{
	switch (k) {
	case SKUA__ENV_UINT: return "UINT";
	case SKUA__ENV_SIZE: return "SIZE";
	case SKUA__ENV_BOOL: return "BOOL";
	case SKUA__ENV_CHUNK: return "CHUNK";
	case SKUA__ENV_STRING: return "STRING";
	case SKUA__ENV_LEVEL: return "LEVEL";
	case SKUA__ENV_BIND: return "BIND";
	}
	return "?";
}

TEST_CASE(parser_gives_exact_codes_and_values_per_kind)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct pcase *c = &parse_cases[i];
		uint64_t v = SENTINEL;
		int rc = skua__env_parse(c->kind, c->s, c->min, c->max, &v);
		if (rc != c->rc)
			FAIL("case %zu: parse(%s, \"%s\", %llu, %llu) returned "
			    "%d, expected %d", i, kind_name(c->kind), c->s,
			    (unsigned long long)c->min,
			    (unsigned long long)c->max, rc, c->rc);
		/* On failure *out is left alone. */
		uint64_t want = c->rc == 0 ? c->v : SENTINEL;
		if (v != want)
			FAIL("case %zu: parse(%s, \"%s\") gave %llu, expected "
			    "%llu", i, kind_name(c->kind), c->s,
			    (unsigned long long)v, (unsigned long long)want);
	}
	uint64_t v = SENTINEL;
	ASSERT_EQ(skua__env_parse(SKUA__ENV_UINT, NULL, 0, 10, &v), -EINVAL);
	ASSERT(v == SENTINEL);
	ASSERT_EQ(skua__env_parse(SKUA__ENV_UINT, "4", 0, 10, NULL), -EINVAL);
	printf("parse table: %zu parse_cases\n", sizeof parse_cases / sizeof parse_cases[0]);
}

/* The table: names, ranges, and defaults that parse as their kind. */
TEST_CASE(table_names_ranges_and_defaults_parse)
{
	for (int i = 0; i < SKUA__ENV_COUNT; i++) {
		const struct skua__env_desc *d = &skua__env_table[i];
		ASSERT(d->name != NULL && strncmp(d->name, "SKUA_", 5) == 0);
		ASSERT(d->doc != NULL && d->doc[0] != '\0');
		ASSERT(d->default_doc != NULL && d->default_doc[0] != '\0');
		for (int j = 0; j < i; j++)
			ASSERT(strcmp(d->name, skua__env_table[j].name) != 0);
		if (d->kind != SKUA__ENV_STRING)
			ASSERT(d->min <= d->max);
		/* A default written as a value must be a valid value
		 * ("CPUs available" and "unset" are words). */
		uint64_t v;
		if (strcmp(d->default_doc, "CPUs available") != 0 &&
		    strcmp(d->default_doc, "unset") != 0) {
			int rc = skua__env_parse(d->kind, d->default_doc,
			    d->min, d->max, &v);
			if (rc != 0)
				FAIL("%s: default \"%s\" does not parse (%d)",
				    d->name, d->default_doc, rc);
		}
	}
	ASSERT_EQ(skua__env_table[SKUA__ENV_WORKERS].kind, SKUA__ENV_UINT);
	ASSERT(strcmp(skua__env_table[SKUA__ENV_WORKERS].name,
	    "SKUA_WORKERS") == 0);
	ASSERT(strcmp(skua__env_table[SKUA__ENV_STRICT].name,
	    "SKUA_STRICT") == 0);
}

static void site(const char *prefix, const char *s, size_t len,
    const char *want)
{
	char buf[128];
	memset(buf, 'Z', sizeof buf);
	ASSERT(len <= sizeof buf);
	bool ok = skua__env_site_name(prefix, s, buf, len);
	if (want == NULL) {
		if (ok)
			FAIL("site_name(%s, %s, %zu) = \"%s\", expected false",
			    prefix, s ? s : "NULL", len, buf);
		return;
	}
	if (!ok)
		FAIL("site_name(%s, %s, %zu) failed, expected \"%s\"", prefix,
		    s, len, want);
	if (strcmp(buf, want) != 0)
		FAIL("site_name(%s, %s, %zu) = \"%s\", expected \"%s\"",
		    prefix, s, len, buf, want);
	/* Nothing written past the terminator. */
	ASSERT(strlen(want) + 1 == sizeof buf || buf[strlen(want) + 1] == 'Z');
}

TEST_CASE(site_names_map_to_variable_names)
{
	site("SKUA_CHUNK_SIZE", "mysite", 64, "SKUA_CHUNK_SIZE_MYSITE");
	site("SKUA_CHUNK_SIZE", "my-site.v2", 64, "SKUA_CHUNK_SIZE_MY_SITE_V2");
	site("SKUA_CHUNK_SIZE", "a b/c", 64, "SKUA_CHUNK_SIZE_A_B_C");
	site("SKUA_CHUNK_SIZE", "Mixed_Case9", 64,
	    "SKUA_CHUNK_SIZE_MIXED_CASE9");
	site("P", "\xc3\xa9t\xc3\xa9", 64, "P___T__");
	site("AB", "c", 5, "AB_C");  /* exactly fits */
	site("AB", "c", 4, NULL);    /* one short */
	site("AB", "cd", 5, NULL);
	site("AB", "c", 3, NULL);
	site("AB", "c", 0, NULL);
	site("AB", "", 64, NULL);
	site("AB", NULL, 64, NULL);
	site("", "x", 3, "_X");
}




static int count_lines(const char *s)
{
	int n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static unsigned default_workers(void)
{
	skua_pool *p = NULL;
	unsetenv("SKUA_WORKERS");
	test_capture_stderr();
	ASSERT_OK(skua_pool_create(NULL, &p));
	unsigned n = skua_pool_workers(p);
	ASSERT_OK(skua_pool_destroy(p));
	const char *out = test_captured_stderr();
	if (out[0] != '\0')
		FAIL("no variables set, yet stderr says: %s", out);
	return n;
}

/* SKUA_WORKERS=value: created with the default count, one line (first
 * time only), the exact text. */
static void bad_workers(const char *value, const char *why, unsigned def)
{
	char want[512];
	snprintf(want, sizeof want, "skua: SKUA_WORKERS=\"%s\" %s (expected "
	    "1..4096); using %u (the CPUs this process may use)\n", value, why,
	    def);
	ASSERT_EQ(setenv("SKUA_WORKERS", value, 1), 0);
	for (int round = 0; round < 2; round++) {
		skua_pool *p = NULL;
		test_capture_stderr();
		int rc = skua_pool_create(NULL, &p);
		unsigned n = p != NULL ? skua_pool_workers(p) : 0;
		if (p != NULL)
			skua_pool_destroy(p);
		const char *out = test_captured_stderr();
		if (rc != 0 || n != def)
			FAIL("SKUA_WORKERS=%s: rc %d, %u workers, expected 0, "
			    "%u", value, rc, n, def);
		if (round == 0) {
			if (count_lines(out) != 1 || strcmp(out, want) != 0)
				FAIL("SKUA_WORKERS=%s: stderr\n  \"%s\"\n"
				    "expected\n  \"%s\"", value, out, want);
		} else if (out[0] != '\0') {
			FAIL("SKUA_WORKERS=%s: warned twice: \"%s\"", value,
			    out);
		}
	}
	unsetenv("SKUA_WORKERS");
}

TEST_CASE(bad_skua_workers_warns_once_strict_fails)
{
	unsigned def = default_workers();
	ASSERT(def >= 1);
	bad_workers("abc", "is not valid", def);
	bad_workers("0", "is out of range", def);
	bad_workers("-3", "is not valid", def);
	bad_workers("99999999999", "is out of range", def);
	bad_workers("4,abc", "is not valid", def);

	/* A value that is fine: no output, that count. */
	ASSERT_EQ(setenv("SKUA_WORKERS", " 3 ", 1), 0);
	skua_pool *p = NULL;
	test_capture_stderr();
	ASSERT_OK(skua_pool_create(NULL, &p));
	ASSERT_EQ(skua_pool_workers(p), 3);
	skua_pool_destroy(p);
	ASSERT(test_captured_stderr()[0] == '\0');

	/* SKUA_STRICT=1: the bad value fails the call, *out NULL, and the
	 * message (once per value) says so. */
	ASSERT_EQ(setenv("SKUA_STRICT", "1", 1), 0);
	ASSERT_EQ(setenv("SKUA_WORKERS", "abc", 1), 0);
	for (int round = 0; round < 2; round++) {
		p = (skua_pool *)&p; /* not NULL */
		test_capture_stderr();
		int rc = skua_pool_create(NULL, &p);
		const char *out = test_captured_stderr();
		ASSERT_EQ(rc, -EINVAL);
		ASSERT(p == NULL);
		if (round == 0 && (count_lines(out) != 1 ||
		    strstr(out, "SKUA_WORKERS=\"abc\"") == NULL ||
		    strstr(out, "SKUA_STRICT=1") == NULL))
			FAIL("strict: stderr \"%s\"", out);
		if (round == 1 && out[0] != '\0')
			FAIL("strict: warned twice: \"%s\"", out);
	}
	/* A config's explicit worker count does not read SKUA_WORKERS. */
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 2;
	p = NULL;
	test_capture_stderr();
	ASSERT_OK(skua_pool_create(&cfg, &p));
	ASSERT(test_captured_stderr()[0] == '\0');
	ASSERT_EQ(skua_pool_workers(p), 2);
	skua_pool_destroy(p);
	unsetenv("SKUA_WORKERS");

	/* A bad SKUA_STRICT is not strict; it warns once, using 0. */
	ASSERT_EQ(setenv("SKUA_STRICT", "maybe", 1), 0);
	ASSERT_EQ(setenv("SKUA_WORKERS", "xyz", 1), 0);
	p = NULL;
	test_capture_stderr();
	ASSERT_OK(skua_pool_create(NULL, &p));
	const char *out = test_captured_stderr();
	skua_pool_destroy(p);
	if (count_lines(out) != 2 ||
	    strstr(out, "skua: SKUA_STRICT=\"maybe\" is not valid (expected 0 "
	    "or 1); using 0\n") == NULL ||
	    strstr(out, "SKUA_WORKERS=\"xyz\"") == NULL)
		FAIL("bad SKUA_STRICT: stderr \"%s\"", out);
	unsetenv("SKUA_STRICT");
	unsetenv("SKUA_WORKERS");

	/* Values with control characters still make one line. */
	ASSERT_EQ(setenv("SKUA_WORKERS", "4\n5\x01", 1), 0);
	p = NULL;
	test_capture_stderr();
	ASSERT_OK(skua_pool_create(NULL, &p));
	out = test_captured_stderr();
	skua_pool_destroy(p);
	if (count_lines(out) != 1 ||
	    strstr(out, "SKUA_WORKERS=\"4\\n5\\x01\"") == NULL)
		FAIL("control characters: stderr \"%s\"", out);
	unsetenv("SKUA_WORKERS");

}

/* SKUA_STACK_SIZE and SKUA_STATS are checked like SKUA_WORKERS. */
TEST_CASE(bad_stack_size_and_stats_warn)
{
	skua_config cfg;
	skua_pool *p = NULL;
	const char *out;

	skua_config_init(&cfg);
	ASSERT_EQ(setenv("SKUA_STACK_SIZE", "4K", 1), 0);
	ASSERT_EQ(setenv("SKUA_STATS", "2", 1), 0);
	cfg.workers = 1;
	test_capture_stderr();
	ASSERT_OK(skua_pool_create(&cfg, &p));
	out = test_captured_stderr();
	skua_pool_destroy(p);
	if (count_lines(out) != 2 ||
	    strstr(out, "skua: SKUA_STACK_SIZE=\"4K\" is out of range") == NULL ||
	    strstr(out, "; using 8M\n") == NULL ||
	    strstr(out, "skua: SKUA_STATS=\"2\" is not valid (expected 0 or "
	    "1); using 0\n") == NULL)
		FAIL("stack/stats: stderr \"%s\"", out);
	unsetenv("SKUA_STACK_SIZE");
	unsetenv("SKUA_STATS");
}

static void *ident(void *arg)
{
	return arg;
}

/* A profile or trace that cannot be written: one line naming the file
 * and the reason; the pool's work and its destroy are unaffected. */
TEST_CASE(unwritable_profile_and_trace_say_so_and_lose_nothing)
{
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 2;
	ASSERT_EQ(setenv("SKUA_PROFILE", "/nonexistent-skua-dir/p.jsonl", 1), 0);
	ASSERT_EQ(setenv("SKUA_TRACE", "/nonexistent-skua-dir/t.json", 1), 0);
	skua_pool *p = NULL;
	ASSERT_OK(skua_pool_create(&cfg, &p));
	long sum = 0;
	for (int i = 0; i < 100; i++) {
		skua_future *f;
		void *r = NULL;
		ASSERT_OK(skua_spawn(p, ident, (void *)(intptr_t)i, &f));
		ASSERT_OK(skua_future_get(f, &r));
		sum += (intptr_t)r;
		ASSERT_OK(skua_future_release(f));
	}
	ASSERT_EQ(sum, 4950);
	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	const char *out = test_captured_stderr();
	unsetenv("SKUA_PROFILE");
	unsetenv("SKUA_TRACE");
	if (strstr(out, "skua: cannot write the profile to "
	    "/nonexistent-skua-dir/p.jsonl: No such file or directory\n") == NULL ||
	    strstr(out, "skua: cannot write the trace to "
	    "/nonexistent-skua-dir/t.json: No such file or directory\n") == NULL ||
	    count_lines(out) != 2)
		FAIL("unwritable profile/trace: stderr \"%s\"", out);
}

static void dump_table(void)
{
	for (int i = 0; i < SKUA__ENV_COUNT; i++)
		printf("%s\t%s\n", skua__env_table[i].name,
		    skua__env_table[i].default_doc);
}

static const struct test_case cases[] = {
	TEST_ENTRY(parser_gives_exact_codes_and_values_per_kind),
	TEST_ENTRY(table_names_ranges_and_defaults_parse),
	TEST_ENTRY(site_names_map_to_variable_names),
	TEST_ENTRY(bad_skua_workers_warns_once_strict_fails),
	TEST_ENTRY(bad_stack_size_and_stats_warn),
	TEST_ENTRY(unwritable_profile_and_trace_say_so_and_lose_nothing),
	TEST_END,
};

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--dump-table") == 0) {
		dump_table();
		return 0;
	}
	test_watchdog(60);
	static const char *vars[] = { "SKUA_WORKERS", "SKUA_STACK_SIZE",
	    "SKUA_STATS", "SKUA_TRACE", "SKUA_STRICT", "SKUA_CHUNK_SIZE",
	    "SKUA_MAX_BLOCKING", "SKUA_DISPLAY_ENV" };
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		unsetenv(vars[i]);
	return test_run_cases(argc, argv, cases);
}
