/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/clock.h - the library's clock: monotonic nanoseconds, inline (a
 * vDSO call).  A leaf: lib/autotask.c uses it without lib/common.h.
 */
#ifndef SKUA_CLOCK_H
#define SKUA_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t skua__now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif /* SKUA_CLOCK_H */
