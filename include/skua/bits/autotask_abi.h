/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/bits/autotask_abi.h - private: the estimate's record, the cheap
 * clock and the out-of-line entry points (lib/autotask.c) of
 * skua/bits/autotask.h.  Installed, because the macros expand in your
 * code; not an API.  It calls nothing in the library, so lib/autotask.c
 * includes it without the inline code that calls lib/autotask.c.
 */
#ifndef SKUA_BITS_AUTOTASK_ABI_H
#define SKUA_BITS_AUTOTASK_ABI_H

#include <stdatomic.h>
#include <stdint.h>

#include "export.h"

#define SKUA_AUTO_DEPTHS 64
/* The target's default.  It is a library build option, used only inside
 * lib/autotask.c: a library built with another -DSKUA_AUTO_TARGET_NS
 * uses that one, and defining it before including skua.h changes
 * nothing (no inline code reads it). */
#ifndef SKUA_AUTO_TARGET_NS
#define SKUA_AUTO_TARGET_NS 10000u
#endif

struct skua_auto {
	/* The cut: 1 + the shallowest depth whose estimate is within the
	 * target (0: none yet).  Subtree times are taken to shrink with
	 * depth, so every level at or below the cut runs lazily. */
	_Atomic uint32_t cut;
	/* Per depth, the samples' sum (ns) and count (0: none yet): a running
	 * mean that halves its weight every 256 samples, so it follows a
	 * change within a few hundred. */
	_Atomic uint64_t sum[SKUA_AUTO_DEPTHS];
	_Atomic uint32_t count[SKUA_AUTO_DEPTHS];
};

/*
 * lib/autotask.c: what the inline code below calls, exported from
 * libskua.so under skua_abi_* names but not an API (docs/design.md,
 * "Exported symbols").  The monotonic clock in ns.
 */
SKUA_API uint64_t skua_abi_now_ns(void);

/* A cheap clock around every serial subtree: the TSC on x86 (a few ns),
 * else the library's monotonic clock in ns (then "cycles" are ns; not
 * C11's timespec_get, whose TIME_UTC is the wall clock, which steps). */
static inline uint64_t skua__auto_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return skua_abi_now_ns();
#endif
}

/* lib/autotask.c: a serial subtree over this many cycles (32 targets) is
 * a misprediction and always counts as a sample; until calibrated, never.
 * Written once (at calibration), read by every worker: relaxed. */
SKUA_API extern _Atomic uint64_t skua_abi_auto_big_cycles;
SKUA_API void skua_abi_auto_record_cycles(struct skua_auto *a,
    unsigned depth, uint64_t cycles);
/* lib/autotask.c: fold a sample of ns into the estimate of its depth. */
SKUA_API void skua_abi_auto_record(struct skua_auto *a, unsigned depth,
    uint64_t ns);

#endif /* SKUA_BITS_AUTOTASK_ABI_H */
