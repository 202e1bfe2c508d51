/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/test.h - asserts that survive NDEBUG and print both sides.
 */
#ifndef SKUA_TEST_H
#define SKUA_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skua.h"

/* The case running now (test_run_cases), so that a failure names the
 * behaviour that broke before the line that saw it. */
static const char *test_current_case = "main";
#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "%s: FAIL at %s:%d: ", test_current_case,  \
		    __FILE__, __LINE__);                                   \
		fprintf(stderr, __VA_ARGS__);                              \
		fprintf(stderr, "\n");                                     \
		exit(1);                                                   \
	} while (0)
#define ASSERT(e)                                                          \
	do {                                                               \
		if (!(e))                                                  \
			FAIL("%s", #e);                                    \
	} while (0)
#define ASSERT_EQ(a, b)                                                    \
	do {                                                               \
		long long a_ = (long long)(a), b_ = (long long)(b);        \
		if (a_ != b_)                                              \
			FAIL("%s == %s (%lld != %lld)", #a, #b, a_, b_);   \
	} while (0)
#define ASSERT_OK(e)                                                       \
	do {                                                               \
		int rc_ = (e);                                             \
		if (rc_ != 0)                                              \
			FAIL("%s returned %d (%s)", #e, rc_,               \
			    skua_strerror(rc_));                           \
	} while (0)

/* Sanitizer builds run smaller sizes. */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#else
#define TEST_SANITIZED 0
#endif
static inline long test_scale(long full, long sanitized)
{
	return TEST_SANITIZED ? sanitized : full;
}

/* A hang fails the test instead of the CI run. */
static inline void test_watchdog(unsigned seconds)
{
	signal(SIGALRM, SIG_DFL);
	alarm(seconds);
}

static inline skua_pool *test_pool(unsigned workers)
{
	skua_config cfg;
	skua_pool *p = NULL;
	skua_config_init(&cfg);
	cfg.workers = workers;
	ASSERT_OK(skua_pool_create(&cfg, &p));
	ASSERT(p != NULL);
	ASSERT_EQ(skua_pool_workers(p), workers);
	return p;
}

/* fib by fork/join, one fork per call: kernels/'s skb_fib_fj, the one
 * copy that the bench and the tools time too. */
#include "kernels.h"

/* skua_pool_run's entry for fib: c->r = fib(c->n). */
struct fib_call {
	int n;
	long r;
};

static inline void fib_entry(skua_worker *w, void *arg)
{
	struct fib_call *c = arg;
	c->r = skb_fib_fj(w, c->n);
}

/*
 * Named cases (libuv's test-list.h is the model).  A test file defines
 * each case with TEST_CASE(name) { ... }, names the behaviour it checks
 * (fib_is_exact_on_1_to_8_workers, not fib2), lists them once:
 *
 *	static const struct test_case cases[] = {
 *		TEST_ENTRY(fib_is_exact_on_1_to_8_workers),
 *		...
 *		TEST_END,
 *	};
 *
 * and returns test_run_cases(argc, argv, cases) from main().  Then
 *   test_x            runs every case in order, in this process;
 *   test_x NAME       runs the one case NAME;
 *   test_x --list     prints the names, one a line;
 *   test_x --check-list NAME...   exits 1 unless the names are exactly
 *                     the list, in order: tests/CMakeLists.txt reads the
 *                     TEST_ENTRY lines with a regex to register one CTest
 *                     test per case, and this keeps that reading honest.
 */
struct test_case {
	const char *name;
	void (*fn)(void);
};
#define TEST_CASE(name) static void case_##name(void)
#define TEST_ENTRY(name) { #name, case_##name }
#define TEST_END { NULL, NULL }

static inline int test_check_list(int argc, char **argv,
    const struct test_case *cases)
{
	int i = 0;
	for (const struct test_case *c = cases; c->name != NULL; c++, i++)
		if (i >= argc || strcmp(argv[i], c->name) != 0) {
			fprintf(stderr, "case %d is %s, CMake registered %s\n",
			    i, c->name, i < argc ? argv[i] : "nothing");
			return 1;
		}
	if (i != argc) {
		fprintf(stderr, "CMake registered %s, no such case\n", argv[i]);
		return 1;
	}
	return 0;
}

static inline int test_run_cases(int argc, char **argv,
    const struct test_case *cases)
{
	int ran = 0;
	if (argc > 1 && strcmp(argv[1], "--check-list") == 0)
		return test_check_list(argc - 2, argv + 2, cases);
	for (const struct test_case *c = cases; c->name != NULL; c++) {
		if (argc > 1 && strcmp(argv[1], "--list") == 0) {
			printf("%s\n", c->name);
			ran++;
			continue;
		}
		if (argc > 1 && strcmp(argv[1], c->name) != 0)
			continue;
		printf("== %s\n", c->name);
		fflush(stdout);
		test_current_case = c->name;
		c->fn();
		test_current_case = "main";
		printf("%s: ok\n", c->name);
		fflush(stdout);
		ran++;
	}
	if (ran == 0) {
		fprintf(stderr, "no case named %s\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	return 0;
}

/* Spin until *flag is nonzero or ms milliseconds passed; true if set. */
#include <stdatomic.h>
#include <time.h>
static inline uint64_t test_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
static inline bool test_spin_until(_Atomic int *flag, unsigned ms)
{
	uint64_t end = test_now_ns() + (uint64_t)ms * 1000000u;
	while (!atomic_load(flag))
		if (test_now_ns() > end)
			return false;
	return true;
}
static inline void test_spin_us(unsigned us)
{
	uint64_t end = test_now_ns() + (uint64_t)us * 1000u;
	while (test_now_ns() < end)
		;
}

/* Resident memory of this process in KiB, from /proc/self/statm. */
static inline long test_rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The threads of this process, from /proc/self/task. */
#include <dirent.h>
static inline int thread_count(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	ASSERT(d != NULL);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* A joined thread can stay listed in /proc for a moment after
 * pthread_join returns (the kernel clears the tid before it reaps the
 * task): wait up to 1 s for the count to come down to want. */
static inline int settled_thread_count(int want)
{
	int n = thread_count();
	for (int i = 0; i < 1000 && n != want; i++) {
		usleep(1000);
		n = thread_count();
	}
	return n;
}

/* stderr into a temporary file (test_capture_stderr) and back, its text
 * returned (test_captured_stderr; up to 16 KiB, valid until the next
 * call): what a warning or SKUA_DISPLAY_ENV printed. */
struct test_capture {
	int saved;
	char path[64];
	char text[16384];
};
static inline struct test_capture *test_capture_state(void)
{
	static struct test_capture c = { -1, "", "" };
	return &c;
}
static inline void test_capture_stderr(void)
{
	struct test_capture *c = test_capture_state();
	strcpy(c->path, "/tmp/skua_test_stderr.XXXXXX");
	int fd = mkstemp(c->path);
	ASSERT(fd >= 0);
	fflush(stderr);
	c->saved = dup(2);
	ASSERT(c->saved >= 0);
	ASSERT(dup2(fd, 2) == 2);
	close(fd);
}
static inline char *test_captured_stderr(void)
{
	struct test_capture *c = test_capture_state();
	fflush(stderr);
	ASSERT(dup2(c->saved, 2) == 2);
	close(c->saved);
	FILE *f = fopen(c->path, "r");
	ASSERT(f != NULL);
	size_t n = fread(c->text, 1, sizeof c->text - 1, f);
	c->text[n] = '\0';
	fclose(f);
	unlink(c->path);
	return c->text;
}

#endif
