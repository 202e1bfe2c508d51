/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/trace_write.c's file names (skua__trace_file_name): "%p" and "%n"
 * expanded however many there are, ".k" before an extension of any
 * length; the tids of threads that are not workers; and lib/site.c's
 * overflow bucket, which the trace names.
 */
#define _GNU_SOURCE /* syscall(SYS_gettid) */
#include "test.h"
#include "site.h"
#include "trace.h"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void expect_name(const char *path, unsigned k, long pid,
    const char *want)
{
	char *got = skua__trace_file_name(path, k, pid);
	ASSERT(got != NULL);
	if (strcmp(got, want) != 0)
		FAIL("name of %s (k %u, pid %ld):\n  %s\nwant\n  %s", path, k,
		    pid, got, want);
	free(got);
}

TEST_CASE(many_placeholders_are_expanded_whole)
{
	char path[256] = "/t/", want[1024] = "/t/";
	for (int i = 0; i < 40; i++) {
		strcat(path, i % 2 ? "%n" : "%p");
		strcat(want, i % 2 ? "4000000000" : "-1234567890123");
	}
	strcat(path, ".json");
	strcat(want, ".json");
	expect_name(path, 4000000000u, -1234567890123L, want);
}

TEST_CASE(pool_number_goes_before_a_long_extension)
{
	char path[600] = "/t/trace.", want[600] = "/t/trace.7.";
	for (int i = 0; i < 300; i++) {
		strcat(path, "x");
		strcat(want, "x");
	}
	expect_name(path, 7, 1, want);
	expect_name("/t/trace.json", 2, 1, "/t/trace.2.json");
	expect_name("/t/trace.json", 1, 1, "/t/trace.json");
	expect_name("/t.d/trace", 3, 1, "/t.d/trace.3");
	expect_name("/t/%p-%n.json", 12, 99, "/t/99-12.json");
}

TEST_CASE(sites_past_the_table_are_an_unnamed_bucket)
{
	char name[32], label[64];
	unsigned last = 0;
	for (int i = 0; i < SKUA__SITES + 10; i++) {
		snprintf(name, sizeof name, "s%d", i);
		last = skua__site_id(name, NULL);
		ASSERT(last < SKUA__SITES);
		if (i < SKUA__SITE_OTHER)
			ASSERT_EQ(last, i);
	}
	ASSERT_EQ(last, SKUA__SITE_OTHER);
	struct skua__site s = skua__site_get(SKUA__SITE_OTHER);
	ASSERT(s.name == NULL && s.fn == NULL);
	skua__site_label(SKUA__SITE_OTHER, label, sizeof label);
	if (strcmp(label, "(sites past 255)") != 0)
		FAIL("the bucket's label is %s", label);
	skua__site_label(3, label, sizeof label);
	ASSERT(strcmp(label, "s3") == 0);
}

/* Other threads keep their kernel id unless it is a worker's tid (a
 * container's main thread is 1): then it moves past every real id. */
TEST_CASE(other_threads_never_take_a_workers_tid)
{
	ASSERT_EQ(skua__trace_ext_tid(1, 2), (1u << 30) + 1);
	ASSERT_EQ(skua__trace_ext_tid(0, 1), 1u << 30);
	ASSERT_EQ(skua__trace_ext_tid(2, 2), 2);
	ASSERT_EQ(skua__trace_ext_tid(4194303, 4096), 4194303);
	for (uint32_t t = 0; t < 64; t++)
		ASSERT(skua__trace_ext_tid(t, 64) >= 64);
}

/* The child of a fork() labels its thread with its own kernel id, not the
 * one its parent thread had cached (a review note: the cache was per
 * thread and survived fork()). */
TEST_CASE(a_fork_child_labels_its_own_tid)
{
	skua_pool *p = test_pool(1); /* the fork count needs a pool */
	struct skua__trace_ext *x = skua__trace_ext_new();
	ASSERT(x != NULL);
	struct skua__trace_ev ev = { .kind = 0 };
	skua__trace_ext_event(x, ev, false);
	ASSERT_EQ(x->tid[0], (uint32_t)syscall(SYS_gettid));
	pid_t pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		skua__trace_ext_event(x, ev, false);
		_exit(x->tid[1] == (uint32_t)syscall(SYS_gettid) &&
		    x->tid[1] != x->tid[0] ? 0 : 1);
	}
	int status = 0;
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	skua__trace_ext_free(x);
	ASSERT_OK(skua_pool_destroy(p));
}

static const struct test_case cases[] = {
	TEST_ENTRY(many_placeholders_are_expanded_whole),
	TEST_ENTRY(pool_number_goes_before_a_long_extension),
	TEST_ENTRY(sites_past_the_table_are_an_unnamed_bucket),
	TEST_ENTRY(other_threads_never_take_a_workers_tid),
	TEST_ENTRY(a_fork_child_labels_its_own_tid),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
