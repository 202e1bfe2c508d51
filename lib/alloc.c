/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/alloc.c - the one allocation hook of the library.
 *
 * With SKUA_WITH_JEMALLOC the memory comes from jemalloc's own API (mallocx
 * with size classes known, sdallocx on free); otherwise from malloc.  A
 * test-only countdown makes the k-th allocation fail, so that every -ENOMEM
 * path can be driven.
 */
#include "common.h"

#include <stdatomic.h>
#include <string.h>

#ifdef SKUA_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static _Atomic long alloc_fail_at;  /* 0: off; else countdown */
static _Atomic long thread_fail_at; /* the same for pthread_create */

static bool countdown_hit(_Atomic long *c)
{
	/* Relaxed: a test knob, read once per allocation. */
	if (SKUA_LIKELY(atomic_load_explicit(c, memory_order_relaxed) == 0))
		return false;
	long v = atomic_fetch_sub_explicit(c, 1, memory_order_relaxed);
	if (v == 1)
		return true;
	if (v <= 0) /* lost a race with the reset to 0 */
		atomic_store_explicit(c, 0, memory_order_relaxed);
	return false;
}

void skua__test_alloc_fail_at(long k)
{
	atomic_store_explicit(&alloc_fail_at, k < 0 ? 0 : k,
	    memory_order_relaxed);
}

long skua__test_alloc_countdown(void)
{
	return atomic_load_explicit(&alloc_fail_at, memory_order_relaxed);
}

void skua__test_thread_fail_at(long k)
{
	atomic_store_explicit(&thread_fail_at, k < 0 ? 0 : k,
	    memory_order_relaxed);
}

static void (*_Atomic thread_fail_hook)(void);

void skua__test_thread_fail_hook(void (*fn)(void))
{
	atomic_store_explicit(&thread_fail_hook, fn, memory_order_relaxed);
}

bool skua__test_thread_should_fail(void)
{
	if (!countdown_hit(&thread_fail_at))
		return false;
	void (*fn)(void) = atomic_load_explicit(&thread_fail_hook,
	    memory_order_relaxed);
	if (fn != NULL)
		fn();
	return true;
}

void *skua__malloc(size_t size)
{
	if (countdown_hit(&alloc_fail_at) || size == 0)
		return NULL;
#ifdef SKUA_WITH_JEMALLOC
	return mallocx(size, 0);
#else
	return malloc(size);
#endif
}

void *skua__calloc(size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if (countdown_hit(&alloc_fail_at) || n * size == 0)
		return NULL;
#ifdef SKUA_WITH_JEMALLOC
	return mallocx(n * size, MALLOCX_ZERO);
#else
	return calloc(n, size);
#endif
}

void *skua__malloc_aligned(size_t size)
{
	if (countdown_hit(&alloc_fail_at) || size == 0)
		return NULL;
#ifdef SKUA_WITH_JEMALLOC
	return mallocx(size, MALLOCX_ALIGN(SKUA_CACHELINE) | MALLOCX_ZERO);
#else
	void *p = NULL;
	if (size > SIZE_MAX - (SKUA_CACHELINE - 1))
		return NULL; /* the round-up below would wrap to 0 */
	size = (size + SKUA_CACHELINE - 1) & ~(size_t)(SKUA_CACHELINE - 1);
	if (posix_memalign(&p, SKUA_CACHELINE, size) != 0)
		return NULL;
	memset(p, 0, size);
	return p;
#endif
}

void skua__free(void *p, size_t size)
{
	if (p == NULL)
		return;
#ifdef SKUA_WITH_JEMALLOC
	if (size != 0)
		sdallocx(p, size, 0);
	else
		dallocx(p, 0);
#else
	(void)size;
	free(p);
#endif
}

void skua__free_aligned(void *p, size_t size)
{
	if (p == NULL)
		return;
#ifdef SKUA_WITH_JEMALLOC
	if (size != 0)
		sdallocx(p, size, MALLOCX_ALIGN(SKUA_CACHELINE));
	else
		dallocx(p, MALLOCX_ALIGN(SKUA_CACHELINE));
#else
	(void)size;
	free(p);
#endif
}

long long skua__test_allocated(void)
{
#ifdef SKUA_WITH_JEMALLOC
	uint64_t epoch = 1;
	size_t allocated = 0, sz = sizeof allocated;
	mallctl("epoch", NULL, NULL, &epoch, sizeof epoch);
	if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) != 0)
		return -1;
	return (long long)allocated;
#else
	return -1;
#endif
}

_Noreturn void skua__assert_fail(const char *file, int line, const char *e)
{
	fprintf(stderr, "<skua>: %s:%d: failed assertion: %s\n", file, line, e);
	abort();
}

_Noreturn void skua__assert_eq_fail(const char *file, int line,
    const char *a, const char *b, long long av, long long bv)
{
	fprintf(stderr, "<skua>: %s:%d: failed assertion: %s == %s (%lld != %lld)\n",
	    file, line, a, b, av, bv);
	abort();
}
