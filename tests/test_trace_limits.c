/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trace's buffer limit (lib/trace.h): a worker keeps its first
 * SKUA__TRACE_EVENTS events; the rest are dropped, counted in the file's
 * otherData.dropped_events, and destroy says so on stderr, since a trace
 * that just stops early looks like a pool that stopped working.
 * Usage: test_trace_limits [CASE]
 */
#include "test.h"
#include "pool_struct.h" /* trace_number */
#include "trace.h"

#include <skua/parallel.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void body(size_t lo, size_t hi, void *ctx)
{
	(void)lo;
	(void)hi;
	(void)ctx;
}

/* n chunks of one element on a traced 1-worker pool; destroy's stderr
 * into err, the file's dropped_events into *dropped. */
static void traced_chunks(size_t n, char *err, size_t len, uint64_t *dropped)
{
	char path[] = "/tmp/skua_test_trace.XXXXXX";
	int fd = mkstemp(path);
	ASSERT(fd >= 0);
	close(fd);
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 1;
	cfg.trace = path;
	skua_pool *p;
	ASSERT_OK(skua_pool_create(&cfg, &p));
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = 1;
	ASSERT_OK(skua_parallel_for(p, 0, n, &o, body, NULL));
	/* The file this pool writes: path itself only for the process's
	 * first pool (".k" after that, when the cases share a process). */
	char *file = skua__trace_file_name(path, p->trace_number,
	    (long)getpid());
	ASSERT(file != NULL);
	test_capture_stderr();
	ASSERT_OK(skua_pool_destroy(p));
	const char *captured = test_captured_stderr();
	size_t clen = strlen(captured);
	if (clen >= len)
		clen = len - 1; /* only its start is compared */
	memcpy(err, captured, clen);
	err[clen] = '\0';

	/* otherData ends the file. */
	FILE *f = fopen(file, "r");
	ASSERT(f != NULL);
	/* The whole file: where otherData falls is the writer's business. */
	ASSERT(fseek(f, 0, SEEK_END) == 0);
	long size = ftell(f);
	ASSERT(size > 0);
	char *tail = malloc((size_t)size + 1);
	ASSERT(tail != NULL);
	rewind(f);
	size_t got = fread(tail, 1, (size_t)size, f);
	tail[got] = '\0';
	fclose(f);
	unlink(file);
	unlink(path);
	free(file);
	const char *d = strstr(tail, "\"dropped_events\":");
	ASSERT(d != NULL);
	*dropped = strtoull(d + strlen("\"dropped_events\":"), NULL, 10);
	free(tail);
}

TEST_CASE(a_full_buffer_is_said_on_stderr)
{
	char err[4096];
	uint64_t dropped;
	traced_chunks(SKUA__TRACE_EVENTS + 1000, err, sizeof err, &dropped);
	/* The chunks and the loop's task: over the cap by 1001 at least. */
	if (dropped < 1000)
		FAIL("dropped_events %" PRIu64 ", want 1000 or more", dropped);
	char want[64];
	snprintf(want, sizeof want, "lost %" PRIu64 " events", dropped);
	if (strstr(err, want) == NULL)
		FAIL("destroy's stderr does not say \"%s\": \"%s\"", want, err);
}

TEST_CASE(a_trace_that_fits_says_nothing)
{
	char err[4096];
	uint64_t dropped;
	traced_chunks(1000, err, sizeof err, &dropped);
	ASSERT_EQ(dropped, 0);
	if (err[0] != '\0')
		FAIL("destroy wrote \"%s\"", err);
}

static const struct test_case cases[] = {
	TEST_ENTRY(a_full_buffer_is_said_on_stderr),
	TEST_ENTRY(a_trace_that_fits_says_nothing),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
