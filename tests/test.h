/*
 * tests/test.h - asserts that survive NDEBUG and print both sides.
 */
#ifndef SKUA_TEST_H
#define SKUA_TEST_H

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skua.h"

#define FAIL(...)                                                          \
	do {                                                               \
		fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);      \
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

#endif
