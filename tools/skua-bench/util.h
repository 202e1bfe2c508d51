/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/util.h - util.c's helpers that need no pool: the
 * progress line, fatal errors, sorting and the median and percentiles of
 * timed runs, sleeping, the process's CPU time.  Every part of skua-bench
 * uses them, the bench (through bench.h) and profile and tune alike, so
 * that each is written once.  (The clock is kernels.h's skb_now.)
 */
#ifndef SKUA_BENCH_UTIL_H
#define SKUA_BENCH_UTIL_H

#include <stdbool.h>

extern bool skb_quiet; /* --quiet: no progress line */
void skb_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void skb_progress_done(void);
_Noreturn void skb_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* v sorted in place, ascending. */
void skb_sort(double *v, int n);
/* The median of v[0..n), n >= 1 (v is left as it is). */
double skb_median(const double *v, int n);
/* The value at share q of v[0..n) sorted: index q x (n - 1), rounded
 * (v is left as it is). */
double skb_percentile(const double *v, int n, double q);

/* Sleep s seconds, through signals. */
void skb_sleep(double s);
/* This process's user + system CPU time so far, in seconds. */
double skb_cpu_seconds(void);

#endif
