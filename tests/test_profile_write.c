/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SKUA_PROFILE file that lib/profile.c appends to (lib/profile.md,
 * "The file"): one line per pool, whether destroy writes it or the exit
 * handler does, and also when the pool is destroyed during the exit,
 * after that handler ran (an atexit handler registered before the pool's
 * first create, as a program's cleanup often is): a second line would
 * count every call twice in skua-bench profile, which adds the lines up.
 * Each case runs in a child process, whose exit runs the handlers.
 * Usage: test_profile_write [CASE]
 */
#include "test.h"

#include <skua/parallel.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static skua_pool *pool;

static void body(size_t lo, size_t hi, void *ctx)
{
	(void)lo;
	(void)hi;
	(void)ctx;
}

static void one_loop(void)
{
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.site = "once";
	ASSERT_OK(skua_parallel_for(pool, 0, 1000, &o, body, NULL));
}

static void destroy_at_exit(void)
{
	if (skua_pool_destroy(pool) != 0)
		_exit(3);
}

enum how { DESTROYED, ALIVE_AT_EXIT, DESTROYED_DURING_EXIT, IDLE_AT_EXIT };

/* A child that profiles one loop into path, then ends as `how` says. */
static void child(const char *path, enum how how)
{
	if (how == DESTROYED_DURING_EXIT)
		atexit(destroy_at_exit); /* before the profile's handler */
	if (setenv("SKUA_PROFILE", path, 1) != 0)
		_exit(2);
	pool = test_pool(2);
	one_loop();
	if (how == DESTROYED && skua_pool_destroy(pool) != 0)
		_exit(3);
	if (how == IDLE_AT_EXIT)
		usleep(300 * 1000); /* both workers idle (asleep) meanwhile */
	exit(0);
}

/* The lines that a child ending as `how` appends, and their "calls";
 * the line into line_out if not NULL. */
static void expect_one_line_into(enum how how, const char *at_exit,
    char *line_out, size_t size)
{
	char path[] = "/tmp/skua_test_profile.XXXXXX";
	int fd = mkstemp(path);
	ASSERT(fd >= 0);
	close(fd);
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0)
		child(path, how);
	int st;
	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	FILE *f = fopen(path, "r");
	ASSERT(f != NULL);
	char line[65536];
	int lines = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		lines++;
		if (strstr(line, at_exit) == NULL)
			FAIL("line %d has no %s: %.200s", lines, at_exit, line);
		if (strstr(line, "\"name\":\"once\"") == NULL ||
		    strstr(line, "\"calls\":1,") == NULL)
			FAIL("line %d: not one call of \"once\": %.300s",
			    lines, line);
		if (line_out != NULL)
			snprintf(line_out, size, "%s", line);
	}
	fclose(f);
	unlink(path);
	if (lines != 1)
		FAIL("%d lines for one pool, want 1", lines);
}

static void expect_one_line(enum how how, const char *at_exit)
{
	expect_one_line_into(how, at_exit, NULL, 0);
}

TEST_CASE(destroy_writes_one_line)
{
	expect_one_line(DESTROYED, "\"at_exit\":false");
}

TEST_CASE(a_pool_alive_at_exit_gets_one_line)
{
	expect_one_line(ALIVE_AT_EXIT, "\"at_exit\":true");
}

TEST_CASE(a_destroy_after_the_exit_write_adds_no_line)
{
	expect_one_line(DESTROYED_DURING_EXIT, "\"at_exit\":true");
}

/* The exit-time line counts the idle stretch each worker is in, as
 * skua_pool_stats does: two workers idle through the child's last 300 ms
 * read at least 200 ms each (they read only the stretches closed before,
 * a few ms, when the file took the raw counters). */
TEST_CASE(the_exit_line_counts_the_idle_stretch_workers_are_in)
{
	static char line[65536];
	expect_one_line_into(IDLE_AT_EXIT, "\"at_exit\":true", line,
	    sizeof line);
	const char *at = strstr(line, "\"workers_stats\":[");
	ASSERT(at != NULL);
	int workers = 0;
	while ((at = strstr(at, "\"idle_ns\":")) != NULL) {
		at += strlen("\"idle_ns\":");
		unsigned long long ns = strtoull(at, NULL, 10);
		if (ns < 200000000ull)
			FAIL("worker %d idle_ns %llu after 300 ms idle", workers,
			    ns);
		workers++;
	}
	ASSERT_EQ(workers, 2);
}

static const struct test_case cases[] = {
	TEST_ENTRY(destroy_writes_one_line),
	TEST_ENTRY(a_pool_alive_at_exit_gets_one_line),
	TEST_ENTRY(a_destroy_after_the_exit_write_adds_no_line),
	TEST_ENTRY(the_exit_line_counts_the_idle_stretch_workers_are_in),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
