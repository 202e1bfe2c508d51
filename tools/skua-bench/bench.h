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
#include "util.h"

enum skb_runner { SKB_SERIAL, SKB_SKUA, SKB_OPENMP, SKB_TBB };
const char *skb_runner_name(enum skb_runner r);

/* ---- workloads.c: the workload table ------------------------------ */

/* What a workload keeps between runs. */
typedef struct wl_state {
	long size;
	long expected;      /* the known answer; -1: checked per phase */
	int runs;           /* runs since the phase began (map, matmul) */
	double *x, *y, *a, *b, *c, *ref;
} wl_state;

/* How a phase runs a workload: the runner and what it needs. */
typedef struct skb_exec {
	enum skb_runner runner;
	skua_pool *pool;    /* skua */
	unsigned threads;   /* the worker count (OpenMP, TBB: threads) */
	size_t chunk;       /* skua's data-parallel loops; 0: auto */
} skb_exec;

typedef struct workload {
	const char *name;
	const char *size_doc;
	long quick_size, min_size, max_size;
	bool sweepable;     /* a data-parallel loop: --sweep-chunks times it */
	int (*setup)(wl_state *s);
	void (*teardown)(wl_state *s);
	/* One run on x's runner: the answer, or (skua) a negative error. */
	long (*run)(wl_state *s, const skb_exec *x);
	void (*phase_begin)(wl_state *s);
	/* Phase check for workloads without a scalar answer: 0 or -1 with msg. */
	int (*phase_check)(wl_state *s, char *msg, size_t len);
	double bytes_per_run; /* set by setup for memory-bound workloads */
} workload;

enum { SKB_NWORKLOADS = 7 };
extern workload skb_workloads[SKB_NWORKLOADS];
int skb_workload_index(const char *name); /* -1: no such workload */

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
	double wait_share;    /* join_wait_ns / (workers * phase wall time) */
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
	double os_trip_med_us, os_trip_p99_us; /* wake and answer, no skua */
	double line_rt_med_us, line_rt_p99_us; /* a cache line's round trip
	                                        * (0: not measured, 1 CPU) */
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

/* emit.c: the table, JSON and CSV from one field table; --plot, the
 * charts of the JSON document (plot.c) */
/* "auto" for 0, "-" for none (negative), else the number. */
const char *skb_chunk_str(long chunk, char *buf, size_t len);
void skb_print_table(FILE *f, const skb_run *r);
void skb_print_compare(FILE *f, const skb_run *r);
void skb_print_sweep(FILE *f, const skb_run *r);
int skb_write_json(const char *path, const skb_run *r);
int skb_write_csv(const char *path, const skb_run *r);
int skb_write_svg(const char *path, const skb_run *r);

/* floors.c: a plain thread in FUTEX_WAIT (start, then samples after the
 * caller's sleep, in seconds: woken until it runs; woken until its answer
 * is back, both sides yielding as skua's do), and a cache line's round trip
 * between two threads, median and p99 in us. */
void skb_os_floor_start(void);
double skb_os_wake_sample(void);
double skb_os_trip_sample(void);
void skb_os_floor_stop(void);
void skb_line_floor(double *med, double *p99);

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

/* ---- cli.c: the command line ------------------------------------- */

typedef struct skb_opts {
	bool selected[SKB_NWORKLOADS], any_selected;
	long sizes[SKB_NWORKLOADS]; /* -1 until settled */
	long size_all;              /* --size N; -1: none */
	bool sweep, compare, report, list;
	const char *json, *csv, *plot;
} skb_opts;

/* Reads argv into o and r's configuration: -1 to go on, else the exit
 * status (a bad command line exits 2 from inside). */
int skb_parse(int argc, char **argv, skb_opts *o, skb_run *r);
void skb_usage(FILE *f);
void skb_machine_info(skb_run *r);

/* ---- measure.c: phases -------------------------------------------- */

extern bool skb_fault_wrong; /* SKUA_BENCH_FAULT=wrong-answer */

/* The one timing loop (a phase's, the report's kernel rows'): warmup
 * untimed runs, then repeat timed ones of run(ctx), each answer handed to
 * check(ctx, answer) outside the timing (it dies on a wrong one). */
typedef struct skb_timed {
	int warmup, repeat;
	unsigned threads;    /* the runs' threads and the machine's CPUs, */
	unsigned cpus;       /* for the busy test (noise.c) */
	bool faultable;      /* SKUA_BENCH_FAULT may fake noise (skua's) */
	void *ctx;
	long (*run)(void *ctx);
	void (*check)(void *ctx, long answer);
	void (*progress)(void *ctx, int i, int total); /* before run i */
	void (*timed_begin)(void *ctx); /* NULL, or before the 1st timed run */
} skb_timed;
/* The timed runs' seconds into times (repeat of them), their noise into
 * *z. */
void skb_time_runs(const skb_timed *t, double *times, skb_noise *z);
skb_result *skb_phase(skb_run *r, workload *w, wl_state *s,
    enum skb_runner rn, unsigned workers, long chunk);
void skb_sweep(skb_run *r, workload *w, long size, unsigned workers);
/* The phases main() will run, for the progress line's "phase i/n". */
void skb_plan_phases(const skb_run *r, const bool *selected,
    const long *sizes, bool compare, bool do_sweep, unsigned maxw);

/* ---- util.c: the helpers every part uses (more in util.h) ---------- */
skua_pool *skb_pool(unsigned workers);

#endif
