/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/sync.h - what skua-bench itself adds to the kernels
 * (kernels/kernels.h): a pool-wide sync before reading the counters and
 * the first-loop kernel of --report (sync.c).
 */
#ifndef SKUA_BENCH_SYNC_H
#define SKUA_BENCH_SYNC_H

#include <stddef.h>

#include "kernels.h"

/*
 * Every worker of p runs one task at the same moment, waiting for the
 * others at most timeout_s: each one ends the idle period it was in, so
 * the pool's idle_ns (credited when an idle period ends) then holds no idle
 * time from before the call, and nothing of a period still open is missed.
 * 0, or -1 when the wait timed out.
 */
int skb_sync_workers(skua_pool *p, unsigned workers, double timeout_s);
/* The first-loop row of --report: n elements of about us microseconds
 * each (a spin loop calibrated once), in fixed chunks; 0 or an error. */
void skb_spin_calibrate(double us);
int skb_spin_loop(skua_pool *p, size_t n, size_t chunk);

#endif
