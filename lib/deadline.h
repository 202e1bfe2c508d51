/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/deadline.h - absolute CLOCK_MONOTONIC deadlines for the timed waits
 * (lib/future_wait.c, lib/channel_wait.c).  The public calls take a
 * relative timeout; deadline_in turns it into a deadline at entry.
 */
#ifndef SKUA_DEADLINE_H
#define SKUA_DEADLINE_H

#include "common.h"

#define NO_DEADLINE UINT64_MAX

static inline bool past(uint64_t deadline)
{
	return deadline != NO_DEADLINE && skua__now_ns() >= deadline;
}

/* The futex timeout until deadline: 0 for none, at least 1 ns. */
static inline uint64_t time_left(uint64_t deadline)
{
	if (deadline == NO_DEADLINE)
		return 0;
	uint64_t now = skua__now_ns();
	return deadline > now ? deadline - now : 1;
}

/* A relative timeout as a deadline; huge ones mean none. */
static inline uint64_t deadline_in(uint64_t timeout_ns)
{
	uint64_t now = skua__now_ns();
	return timeout_ns >= NO_DEADLINE - now ? NO_DEADLINE : now + timeout_ns;
}

#endif
