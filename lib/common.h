/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/common.h - internal helpers shared by every module.  Never installed.
 */
#ifndef SKUA_COMMON_H
#define SKUA_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "skua.h"

#ifdef SKUA_DEBUG
static const bool skua_config_debug = true;
#else
static const bool skua_config_debug = false;
#endif

#define SKUA_LIKELY(x) __builtin_expect(!!(x), 1)
#define SKUA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SKUA_COLD __attribute__((cold, noinline))
#define SKUA_ALIGNED __attribute__((aligned(SKUA_CACHELINE)))

/* Always compiled, checked only in debug builds (jemalloc's config_debug). */
#define SKUA_ASSERT(e)                                                      \
	do {                                                                \
		if (SKUA_UNLIKELY(skua_config_debug && !(e)))               \
			skua__assert_fail(__FILE__, __LINE__, #e);          \
	} while (0)
#define SKUA_ASSERT_EQ(a, b)                                                \
	do {                                                                \
		long long a_ = (long long)(a), b_ = (long long)(b);         \
		if (SKUA_UNLIKELY(skua_config_debug && a_ != b_))           \
			skua__assert_eq_fail(__FILE__, __LINE__, #a, #b,     \
			    a_, b_);                                        \
	} while (0)
#define SKUA_NOT_REACHED() skua__assert_fail(__FILE__, __LINE__, "not reached")

_Noreturn void skua__assert_fail(const char *file, int line, const char *e);
_Noreturn void skua__assert_eq_fail(const char *file, int line,
    const char *a, const char *b, long long av, long long bv);

#define SKUA_CONTAINER_OF(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))

/* ThreadSanitizer: gcc defines __SANITIZE_THREAD__, clang has_feature. */
#if defined(__SANITIZE_THREAD__)
#define SKUA_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SKUA_TSAN 1
#endif
#endif
#ifdef SKUA_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define SKUA_TSAN_ACQUIRE(p) __tsan_acquire((void *)(p))
#define SKUA_TSAN_RELEASE(p) __tsan_release((void *)(p))
#else
#define SKUA_TSAN_ACQUIRE(p) ((void)0)
#define SKUA_TSAN_RELEASE(p) ((void)0)
#endif

/*
 * Allocation (lib/alloc.c): every allocation of the library goes through
 * these, so that jemalloc serves them and a test can make the k-th fail.
 * skua__malloc returns memory aligned to SKUA_CACHELINE when asked.
 */
void *skua__malloc(size_t size);
void *skua__calloc(size_t n, size_t size);
void *skua__malloc_aligned(size_t size); /* cache-line aligned */
void skua__free(void *p, size_t size);   /* size 0: unknown */
void skua__free_aligned(void *p, size_t size);

#include "test_hooks.h" /* the library's own checks use two of them */

#include "clock.h" /* skua__now_ns */

#endif /* SKUA_COMMON_H */
