/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SKUA_STATS table that skua_pool_destroy prints on stderr (docs/api.md,
 * "Statistics"): its header, a row per worker with the same counters that
 * skua_pool_stats returned just before, and a total row that is their sum;
 * M futures spawned from outside are M tasks_run, each once.  Switched on
 * by skua_config.stats or SKUA_STATS=1; off, destroy prints nothing.
 * Usage: test_stats_table [CASE]
 */
#include "test.h"

#include <skua/future.h>
#include <skua/stats.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { WORKERS = 2, FUTURES = 500 };




static void *nothing(void *arg)
{
	return arg;
}

/* FUTURES outside spawns, each waited for: FUTURES tasks run. */
static void run_futures(skua_pool *p)
{
	for (int i = 0; i < FUTURES; i++) {
		skua_future *f;
		void *r = NULL;
		ASSERT_OK(skua_spawn(p, nothing, (void *)(intptr_t)(i + 1), &f));
		ASSERT_OK(skua_future_get(f, &r));
		ASSERT_EQ((intptr_t)r, i + 1);
		ASSERT_OK(skua_future_release(f));
	}
}

/* The next line of *s, NUL-terminated in place; NULL at the end. */
static char *next_line(char **s)
{
	if (**s == '\0')
		return NULL;
	char *line = *s, *nl = strchr(line, '\n');
	if (nl == NULL) {
		*s = line + strlen(line);
	} else {
		*nl = '\0';
		*s = nl + 1;
	}
	return line;
}

static const char *const columns[] = { "tasks_run", "forks_exp",
	"joins_stol", "steal_attempts", "steals", "parks", "idle_ms",
	"join_wait_ms" };
enum { NCOLUMNS = sizeof columns / sizeof columns[0] };

/* The header row: "worker", then every column in the field list's order. */
static void check_header(char *line)
{
	char *save = NULL, *tok = strtok_r(line, " ", &save);
	ASSERT(tok != NULL && strcmp(tok, "worker") == 0);
	for (int c = 0; c < NCOLUMNS; c++) {
		tok = strtok_r(NULL, " ", &save);
		if (tok == NULL || strcmp(tok, columns[c]) != 0)
			FAIL("column %d: \"%s\", want \"%s\"", c,
			    tok ? tok : "(none)", columns[c]);
	}
	ASSERT(strtok_r(NULL, " ", &save) == NULL);
}

/* One row: its name and its first four counters (integers; the first
 * three no longer change on an idle pool). */
struct row {
	char name[16];
	unsigned long long v[4];
};

static void parse_row(char *line, struct row *r)
{
	char *save = NULL, *tok = strtok_r(line, " ", &save);
	ASSERT(tok != NULL && strlen(tok) < sizeof r->name);
	strcpy(r->name, tok);
	for (int c = 0; c < NCOLUMNS; c++) {
		tok = strtok_r(NULL, " ", &save);
		ASSERT(tok != NULL);
		char *end;
		if (c < 4)
			r->v[c] = strtoull(tok, &end, 10);
		else
			(void)strtod(tok, &end);
		if (*end != '\0')
			FAIL("row %s, column %s: \"%s\" is not a number",
			    r->name, columns[c], tok);
	}
	ASSERT(strtok_r(NULL, " ", &save) == NULL);
}

static unsigned long long counter(const skua_worker_stats *s, int c)
{
	return c == 0 ? s->tasks_run : c == 1 ? s->forks_exposed :
	    c == 2 ? s->joins_stolen : s->steal_attempts;
}

/* Destroy p with its table on stderr and check the table against the
 * counters read just before. */
static void destroy_and_check_table(skua_pool *p)
{
	skua_worker_stats total;
	unsigned slots = skua_pool_worker_slots(p);
	ASSERT(slots >= WORKERS);
	skua_worker_stats *per = calloc(slots, sizeof *per);
	ASSERT(per != NULL);
	ASSERT_OK(skua_pool_stats(p, per, slots, &total));
	ASSERT_EQ(total.tasks_run, FUTURES);

	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	char *out = test_captured_stderr(), *s = out, *line;

	line = next_line(&s);
	ASSERT(line != NULL);
	if (strcmp(line, "skua: pool of 2 workers") != 0)
		FAIL("first line \"%s\"", line);
	line = next_line(&s);
	ASSERT(line != NULL);
	check_header(line);

	unsigned long long sum[4] = { 0 };
	unsigned rows = 0;
	struct row r;
	for (;;) {
		line = next_line(&s);
		ASSERT(line != NULL);
		parse_row(line, &r);
		if (strcmp(r.name, "total") == 0)
			break;
		ASSERT(rows < slots);
		char want[16];
		snprintf(want, sizeof want, rows < WORKERS ? "%u" : "%u*", rows);
		if (strcmp(r.name, want) != 0)
			FAIL("row %u named \"%s\", want \"%s\"", rows, r.name,
			    want);
		for (int c = 0; c < 4; c++) {
			/* An idle worker may still probe (steal_attempts)
			 * until it parks: that one is only summed. */
			if (c < 3 && r.v[c] != counter(&per[rows], c))
				FAIL("worker %u %s: printed %llu, stats %llu",
				    rows, columns[c], r.v[c],
				    counter(&per[rows], c));
			sum[c] += r.v[c];
		}
		rows++;
	}
	ASSERT(rows >= WORKERS);
	for (int c = 0; c < 4; c++)
		if (r.v[c] != sum[c] || (c < 3 && r.v[c] != counter(&total, c)))
			FAIL("total %s: printed %llu, rows sum to %llu, "
			    "stats %llu", columns[c], r.v[c], sum[c],
			    counter(&total, c));
	ASSERT_EQ(r.v[0], FUTURES);
	/* Then at most jemalloc's one line (a build with jemalloc). */
	line = next_line(&s);
	if (line != NULL &&
	    strncmp(line, "jemalloc (whole process): ", 26) != 0)
		FAIL("after the table: \"%s\"", line);
	ASSERT(next_line(&s) == NULL);
	free(per);
}

static skua_pool *make_pool(int stats)
{
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = WORKERS;
	cfg.stats = stats;
	skua_pool *p = NULL;
	ASSERT_OK(skua_pool_create(&cfg, &p));
	return p;
}

TEST_CASE(config_stats_prints_a_row_per_worker_and_their_total)
{
	unsetenv("SKUA_STATS");
	skua_pool *p = make_pool(1);
	run_futures(p);
	destroy_and_check_table(p);
}

TEST_CASE(env_stats_1_prints_the_same_table)
{
	ASSERT_EQ(setenv("SKUA_STATS", "1", 1), 0);
	test_capture_stderr();
	skua_pool *p = make_pool(0);
	const char *created = test_captured_stderr();
	if (created[0] != '\0')
		FAIL("create with SKUA_STATS=1 wrote \"%s\"", created);
	run_futures(p);
	destroy_and_check_table(p);
	unsetenv("SKUA_STATS");
}

TEST_CASE(stats_off_destroy_prints_nothing)
{
	ASSERT_EQ(setenv("SKUA_STATS", "0", 1), 0);
	skua_pool *p = make_pool(0);
	run_futures(p);
	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	const char *out = test_captured_stderr();
	if (out[0] != '\0')
		FAIL("stats off, yet destroy wrote \"%s\"", out);
	unsetenv("SKUA_STATS");
}

static const struct test_case cases[] = {
	TEST_ENTRY(config_stats_prints_a_row_per_worker_and_their_total),
	TEST_ENTRY(env_stats_1_prints_the_same_table),
	TEST_ENTRY(stats_off_destroy_prints_nothing),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
