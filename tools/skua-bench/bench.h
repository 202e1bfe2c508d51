/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/bench.h - skua-bench's internal model: workloads,
 * runners, results, and the emitters (table, JSON, CSV, SVG).
 */
#ifndef SKUA_BENCH_BENCH_H
#define SKUA_BENCH_BENCH_H

#include <stdbool.h>
#include <stdio.h>

#include "sync.h"
#include "peers.h"

enum skb_runner { SKB_SERIAL, SKB_SKUA, SKB_OPENMP, SKB_TBB };
const char *skb_runner_name(enum skb_runner r);

/* Whether a figure can be trusted (noise.c says how it is judged). */
typedef struct skb_noise {
	double spread;  /* (max - min) / median of the timed runs */
	double busy;    /* run-queue wait / (wall x threads); -1: unknown */
	bool busy_noisy; /* busy over its bound */
	bool noisy;     /* either over its bound: print "noisy: rerun" */
} skb_noise;

/* One measured phase: a runner at a worker count (and chunk, for sweeps). */
typedef struct skb_result {
	const char *workload;
	long size;
	enum skb_runner runner;
	unsigned workers;    /* 0 for serial */
	long chunk;          /* -1: not a sweep point; 0: auto */
	int runs;
	double *times;       /* seconds, runs of them */
	double median, min, max;
	double speedup;      /* serial median / median; 0 if unknown */
	double efficiency;   /* speedup / workers */
	double gbps;         /* bytes moved per second, map only; else 0 */
	/* skua only: pool counters over the phase */
	bool has_stats;
	double steals;        /* per run */
	double steal_attempts;/* per run */
	double steal_success; /* steals / attempts, capped at 1 */
	double idle_share;    /* idle_ns / (workers * phase wall time) */
	skb_noise noise;
	long answer;
	bool correct;
} skb_result;

/* The speed report of issue 2 (--report). */
typedef struct skb_report_line {
	const char *workload;
	long size;
	double ts, t1, t2;   /* medians, seconds */
	uint64_t forks;
	double fork_ns;      /* (t1 - ts) / forks */
	double goal_t1, goal_t2; /* ratios to serial; 0: none */
	bool is_auto;        /* the skua/autotask.h form (issue 12) */
	skb_noise ns, n1, n2; /* of ts, t1, t2 */
} skb_report_line;

typedef struct skb_report {
	bool present;
	unsigned workers;
	skb_report_line lines[6];
	int nlines;
	double warm_med_us, warm_p99_us;
	double park_med_us, park_p99_us;
	int park_samples, parked_samples;
	double os_wake_med_us, os_wake_p99_us; /* futex wake, no skua */
	double idle_cpu_ms_per_s;
	/* The first loop after skua_pool_create (issue 11): 2 fixed chunks
	 * of equal cost; medians, seconds; 0 when not measured (1 CPU). */
	double first_t1;     /* on a fresh 1-worker pool */
	double first_t2;     /* on a fresh 2-worker pool: the row */
	double first_warm2;  /* the second loop on that pool */
	double first_chunk_ms; /* one chunk's cost on one worker */
} skb_report;

typedef struct skb_run {
	/* machine */
	char cpu_model[192];
	unsigned cpus;
	char kernel[256];
	char compiler[64];
	char date[32];
	/* configuration */
	int repeat, warmup;
	unsigned workers[64];
	int nworkers;
	/* results */
	skb_result *results;
	int nresults, cap;
	/* sweep: best point per workload */
	struct {
		const char *workload;
		long size;
		unsigned workers;
		long chunk;       /* 0: auto */
		double median;
		char env[96];
	} best[4];
	int nbest;
	skb_report report;
} skb_run;

/* emit.c */
void skb_print_table(FILE *f, const skb_run *r);
void skb_print_compare(FILE *f, const skb_run *r);
void skb_print_sweep(FILE *f, const skb_run *r);
int skb_write_json(const char *path, const skb_run *r);
int skb_write_csv(const char *path, const skb_run *r);
int skb_write_svg(const char *path, const skb_run *r);

/* report.c */
int skb_run_report(skb_run *r, int repeat);
void skb_print_report(FILE *f, const skb_run *r);

/* noise.c */
/* The run-queue wait of every thread of this process so far, in seconds;
 * -1 when the kernel does not say (no /proc/<pid>/task/<tid>/schedstat). */
double skb_run_delay(void);
/* Judge n timed runs that took wall seconds in all, during which this
 * process's threads waited delay seconds (-1: unknown) with threads of
 * them runnable on a machine of cpus.  faultable: SKUA_BENCH_FAULT may
 * fake noise here (skua phases). */
void skb_noise_judge(skb_noise *z, const double *times, int n,
    double delay, double wall, unsigned threads, unsigned cpus,
    bool faultable);
/* "noisy: rerun (spread 14%)", "noisy: rerun (busy: waited 9%)" or "". */
const char *skb_noise_why(const skb_noise *z, char *buf, size_t len);

/* main.c helpers shared with report.c */
void skb_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void skb_progress_done(void);
double skb_median(double *v, int n);
_Noreturn void skb_die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
skua_pool *skb_pool(unsigned workers);

#endif
