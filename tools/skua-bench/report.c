/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/report.c - the speed report (skua-bench --report): the
 * figures of issue 2, all measured in one run against serial C built with
 * the same flags.
 *
 *   fib 35, utree, nqueens 13: serial, skua on 1 and 2 workers, T/Ts and the
 *       cost per fork (T1 - Ts) / forks;
 *   spawn+get of an empty task from an outside thread: to a warm pool (back
 *       to back) and to a parked one (each sample after the workers slept),
 *       the parked samples interleaved with floors.c's two OS floors;
 *   the CPU an idle pool burns: getrusage over 1 s, after 10 ms idle;
 *   the first loop on a fresh pool: 2 fixed chunks on 1 and 2 workers.
 *
 * The kernel rows are timed by measure.c's loop, the phases' (warm-up,
 * timed runs, median, noise marks); what only the report measures (round
 * trips, idle CPU, the first loop) is here, the floors beside the round
 * trips in floors.c.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <stdlib.h>
#include <string.h>

/* The plain kernels, then their autotask forms (K_AUTO + kernel). */
enum { K_FIB, K_UTREE, K_QUEENS, K_AUTO };

static long kernel_run(int k, skua_pool *p)
{
	bool a = k >= K_AUTO;
	switch (k % K_AUTO) {
	case K_FIB: return !p ? skb_fib_serial(35) : a ? skb_fib_auto(p, 35) :
	    skb_fib_skua(p, 35);
	case K_UTREE: return !p ? skb_utree_serial(SKB_UTREE_Q) : a ?
	    skb_utree_auto(p, SKB_UTREE_Q) : skb_utree_skua(p, SKB_UTREE_Q);
	default: return !p ? skb_queens_serial(13) : a ? skb_queens_auto(p,
	    13) : skb_queens_skua(p, 13);
	}
}

/* One kernel row's figure as skb_time_runs (measure.c) sees it. */
struct kernel {
	int k;
	skua_pool *p;
	long expect;
	const char *label;
};

static long kernel_once(void *ctx)
{
	const struct kernel *kr = ctx;
	return kernel_run(kr->k, kr->p);
}

static void kernel_check(void *ctx, long ans)
{
	const struct kernel *kr = ctx;
	if (ans != kr->expect)
		skb_die("WRONG ANSWER: %s: got %ld, expected %ld", kr->label,
		    ans, kr->expect);
}

static void kernel_show(void *ctx, int i, int total)
{
	const struct kernel *kr = ctx;
	skb_progress("report: %s, run %d/%d", kr->label, i + 1, total);
}

/* The median of repeat timed runs of kernel k on p (NULL: serial), and
 * in *z whether they were noisy (noise.c): the phases' timing loop. */
static double measure(int k, skua_pool *p, int repeat, int warmup,
    long expect, const char *label, unsigned cpus, skb_noise *z)
{
	struct kernel kr = { k, p, expect, label };
	skb_timed t = { .warmup = warmup, .repeat = repeat,
		.threads = p != NULL ? skua_pool_workers(p) : 1, .cpus = cpus,
		.faultable = p != NULL, .ctx = &kr, .run = kernel_once,
		.check = kernel_check, .progress = kernel_show };
	double *times = calloc((size_t)repeat, sizeof *times);
	if (times == NULL)
		skb_die("out of memory");
	skb_time_runs(&t, times, z);
	double m = skb_median(times, repeat);
	free(times);
	return m;
}

static void *empty_task(void *arg)
{
	return arg;
}

static double round_trip(skua_pool *p)
{
	skua_future *f;
	void *res = NULL;
	double t0 = skb_now();
	int rc = skua_spawn(p, empty_task, &res, &f);
	if (rc != 0)
		skb_die("skua_spawn: %s", skua_strerror(rc));
	skua_future_get(f, &res);
	double t1 = skb_now();
	skua_future_release(f);
	if (res != &res)
		skb_die("WRONG ANSWER: spawn+get returned %p, expected %p", res,
		    (void *)&res);
	return t1 - t0;
}

/*
 * The first loop on a fresh pool: numpy.array_split(a, 2) + Pool.map, as a
 * user coming from Python writes it first.  2 chunks of about 20 ms each
 * (2000 elements of 10 us), timed right after skua_pool_create on 1 and on
 * 2 workers, then once more on the warm 2-worker pool.  Before issue 11 the
 * 2-worker first loop ran both chunks on one worker (T2/T1 about 1).
 */
#define FIRST_N 4000
#define FIRST_ELEM_US 10.0

static double first_loop(unsigned workers, double *warm)
{
	skua_pool *p = skb_pool(workers);
	double t0 = skb_now();
	int rc = skb_spin_loop(p, FIRST_N, FIRST_N / 2);
	double t1 = skb_now();
	if (rc == 0 && warm != NULL) {
		rc = skb_spin_loop(p, FIRST_N, FIRST_N / 2);
		*warm = skb_now() - t1;
	}
	if (rc != 0)
		skb_die("first loop: skua_parallel_for: %s", skua_strerror(rc));
	skua_pool_destroy(p);
	return t1 - t0;
}

static void measure_first_loop(skb_report *rep, int repeat, int warmup)
{
	double *t = calloc((size_t)repeat * 3, sizeof *t);
	if (t == NULL)
		skb_die("out of memory");
	skb_spin_calibrate(FIRST_ELEM_US);
	for (int i = 0; i < warmup + repeat; i++) {
		skb_progress("report: first loop on a fresh pool, run %d/%d",
		    i + 1, warmup + repeat);
		double w = 0, a = first_loop(1, NULL), b = first_loop(2, &w);
		if (i >= warmup) {
			t[i - warmup] = a;
			t[repeat + i - warmup] = b;
			t[2 * repeat + i - warmup] = w;
		}
	}
	rep->first_t1 = skb_median(t, repeat);
	rep->first_t2 = skb_median(t + repeat, repeat);
	rep->first_warm2 = skb_median(t + 2 * repeat, repeat);
	rep->first_chunk_ms = rep->first_t1 / 2 * 1e3;
	free(t);
}

/* The kernel rows: serial, 1 and (where there are 2 CPUs) 2 workers. */
static void kernel_rows(skb_run *r, int repeat, unsigned wmax)
{
	static const struct {
		const char *name;
		long size;
		double g1, g2;
	} ks[] = {
		{ "fib", 35, 1.9, 1.0 },
		{ "utree", SKB_UTREE_Q, 1.05, 0.53 },
		{ "nqueens", 13, 1.15, 0.58 },
		/* issue 12, part 2: the automatic cut-off */
		{ "fib", 35, 1.3, 0.65 },
		{ "utree", SKB_UTREE_Q, 1.02, 0.52 },
		{ "nqueens", 13, 1.02, 0.52 },
	};
	skb_report *rep = &r->report;
	skua_pool *pools[3] = { NULL, skb_pool(1), wmax >= 2 ? skb_pool(2) : NULL };
	for (int k = 0; k < 2 * K_AUTO; k++) {
		skb_report_line *l = &rep->lines[rep->nlines++];
		int base = k % K_AUTO;
		long expect = base == K_FIB ? 9227465 : base == K_UTREE ?
		    (long)SKB_UTREE_NODES : 73712;
		char label[64];
		l->is_auto = k >= K_AUTO;
		l->workload = ks[k].name;
		l->size = ks[k].size;
		l->goal_t1 = ks[k].g1;
		l->goal_t2 = ks[k].g2;
		snprintf(label, sizeof label, "%s serial", ks[k].name);
		l->ts = measure(k, NULL, repeat, r->warmup, expect, label,
		    r->cpus, &l->ns);
		snprintf(label, sizeof label, "%s %s 1 worker", ks[k].name,
		    l->is_auto ? "auto" : "skua");
		l->t1 = measure(k, pools[1], repeat, r->warmup, expect, label,
		    r->cpus, &l->n1);
		if (pools[2] != NULL) {
			snprintf(label, sizeof label, "%s %s 2 workers",
			    ks[k].name, l->is_auto ? "auto" : "skua");
			l->t2 = measure(k, pools[2], repeat, r->warmup, expect,
			    label, r->cpus, &l->n2);
		}
		/* For the auto rows: spawns, of which few fork. */
		l->forks = base == K_FIB ? skb_fib_forks(35) : base == K_UTREE ?
		    SKB_UTREE_NODES - 1 : skb_queens_forks(13);
		l->fork_ns = (l->t1 - l->ts) / (double)l->forks * 1e9;
	}
	skua_pool_destroy(pools[1]);
	if (pools[2] != NULL)
		skua_pool_destroy(pools[2]);
}

/* spawn+get round trips on p, warm and after the workers parked. */
static void round_trips(skb_report *rep, skua_pool *p, unsigned cpus)
{
	enum { WARM = 20000, PARKED = 200 };
	double *t = calloc(WARM, sizeof *t);
	if (t == NULL)
		skb_die("out of memory");
	skb_progress("report: spawn+get round trip, warm pool");
	for (int i = 0; i < 2000; i++)
		round_trip(p);
	for (int i = 0; i < WARM; i++)
		t[i] = round_trip(p);
	rep->warm_med_us = skb_median(t, WARM) * 1e6;
	rep->warm_p99_us = skb_percentile(t, WARM, 0.99) * 1e6;

	/* Sample by sample: the parked trip, then the two OS floors
	 * (floors.c), each after 3 ms asleep, so that a noisy phase of the
	 * host hits all three alike. */
	skb_progress("report: spawn+get round trip, parked pool, and the OS "
	    "futex floors");
	double *fw = calloc(2 * PARKED, sizeof *fw), *ft = fw + PARKED;
	if (fw == NULL)
		skb_die("out of memory");
	skb_os_floor_start();
	rep->park_samples = PARKED;
	skua_worker_stats a, b;
	skua_pool_stats(p, NULL, 0, &a);
	for (int i = 0; i < PARKED; i++) {
		skb_sleep(0.003); /* workers park after ~0.1 ms idle */
		skua_pool_stats(p, NULL, 0, &b);
		/* The worker that ran the last task has parked again (the
		 * others never woke: a submission wakes one). */
		if (b.parks > a.parks)
			rep->parked_samples++;
		t[i] = round_trip(p);
		skua_pool_stats(p, NULL, 0, &a);
		skb_sleep(0.003);
		fw[i] = skb_os_wake_sample();
		skb_sleep(0.003);
		ft[i] = skb_os_trip_sample();
	}
	skb_os_floor_stop();
	rep->park_med_us = skb_median(t, PARKED) * 1e6;
	rep->park_p99_us = skb_percentile(t, PARKED, 0.99) * 1e6;
	rep->os_wake_med_us = skb_median(fw, PARKED) * 1e6;
	rep->os_wake_p99_us = skb_percentile(fw, PARKED, 0.99) * 1e6;
	rep->os_trip_med_us = skb_median(ft, PARKED) * 1e6;
	rep->os_trip_p99_us = skb_percentile(ft, PARKED, 0.99) * 1e6;
	free(fw);
	if (cpus >= 2) {
		skb_progress("report: cache-line round trip baseline");
		skb_line_floor(&rep->line_rt_med_us, &rep->line_rt_p99_us);
	}
	free(t);
}

int skb_run_report(skb_run *r, int repeat)
{
	skb_report *rep = &r->report;
	unsigned wmax = r->cpus >= 2 ? 2 : r->cpus;

	rep->present = true;
	rep->workers = wmax;
	r->nworkers = 0;
	for (unsigned n = 1; n <= wmax; n++)
		r->workers[r->nworkers++] = n;
	kernel_rows(r, repeat, wmax);
	if (wmax >= 2)
		measure_first_loop(rep, repeat, r->warmup);

	/* Round trips and idle CPU, on a pool of every CPU. */
	skua_pool *p = skb_pool(r->cpus);
	round_trips(rep, p, r->cpus);
	skb_progress("report: CPU of an idle pool over 1 s");
	skb_sleep(0.010);
	double c0 = skb_cpu_seconds(), w0 = skb_now();
	skb_sleep(1.0);
	double c1 = skb_cpu_seconds(), w1 = skb_now();
	rep->idle_cpu_ms_per_s = (c1 - c0) / (w1 - w0) * 1e3;
	skua_pool_destroy(p);
	skb_progress_done();
	return 0;
}

static const char *verdict(double v, double goal)
{
	if (goal <= 0)
		return "";
	return v <= goal ? "met" : "MISSED";
}

/* A ratio of two medians: no verdict when either was noisy (noise.c),
 * since a busy machine or a spread of runs can turn either way. */
static const char *verdict_of(double v, double goal, const skb_noise *a,
    const skb_noise *b)
{
	if (goal > 0 && (a->noisy || b->noisy))
		return "noisy: rerun";
	return verdict(v, goal);
}

void skb_print_report(FILE *f, const skb_run *r)
{
	const skb_report *p = &r->report;
	bool noisy = false;
	fprintf(f, "skua-bench %s speed report: %s, %u CPUs, %s, %s\n"
	    "medians of %d runs after %d warm-up; serial = plain C, same "
	    "flags, same run\n\n", SKUA_VERSION_STRING, r->cpu_model, r->cpus,
	    r->kernel, r->compiler, r->repeat, r->warmup);
	fprintf(f, "%-16s %10s %10s %10s %25s %25s %10s %9s\n", "kernel",
	    "serial", "skua 1", "skua 2", "T1/Ts (goal)", "T2/Ts (goal)",
	    "forks", "ns/fork");
	for (int i = 0; i < p->nlines; i++) {
		const skb_report_line *l = &p->lines[i];
		char name[32], g1[32], g2[32];
		if (strcmp(l->workload, "utree") == 0)
			snprintf(name, sizeof name, "utree%s", l->is_auto ?
			    " auto" : "");
		else
			snprintf(name, sizeof name, "%s %ld%s", l->workload,
			    l->size, l->is_auto ? " auto" : "");
		double r1 = l->t1 / l->ts, r2 = l->t2 / l->ts;
		snprintf(g1, sizeof g1, "%.3f (%.2f %s)", r1, l->goal_t1,
		    verdict_of(r1, l->goal_t1, &l->ns, &l->n1));
		if (l->t2 > 0)
			snprintf(g2, sizeof g2, "%.3f (%.2f %s)", r2,
			    l->goal_t2, verdict_of(r2, l->goal_t2, &l->ns,
			    &l->n2));
		else
			snprintf(g2, sizeof g2, "- (1 CPU)");
		fprintf(f, "%-16s %9.4fs %9.4fs %9.4fs %25s %25s %10llu %9.2f\n",
		    name, l->ts, l->t1, l->t2, g1, g2,
		    (unsigned long long)l->forks, l->fork_ns);
		noisy |= l->ns.noisy || l->n1.noisy || l->n2.noisy;
	}
	if (noisy)
		fprintf(f, "noisy: rerun = no verdict: the runs of a figure "
		    "spread over 10%% of their median, or\nthe machine was "
		    "busy (the threads waited for a CPU over 5%% of the "
		    "time)\n");
	if (p->first_t1 > 0) {
		double ratio = p->first_t2 / p->first_t1;
		fprintf(f, "\nfirst loop on a fresh pool, 2 fixed chunks of "
		    "%.1f ms: 1 worker %.2f ms, 2 workers %.2f ms,\n"
		    "  T2/T1 %.3f (goal <= 0.60: %s); second loop on the same "
		    "pool %.2f ms (T2/T1 %.3f)\n", p->first_chunk_ms,
		    p->first_t1 * 1e3, p->first_t2 * 1e3, ratio,
		    verdict(ratio, 0.60), p->first_warm2 * 1e3,
		    p->first_warm2 / p->first_t1);
	}
	fprintf(f, "\nspawn+get of an empty task from an outside thread "
	    "(%u workers):\n", r->cpus);
	fprintf(f, "  warm pool:   median %7.2f us  p99 %7.2f us   (goal: "
	    "median <= 0.5 us: %s)\n", p->warm_med_us, p->warm_p99_us,
	    verdict(p->warm_med_us, 0.5));
	if (p->line_rt_med_us > 0)
		fprintf(f, "  line floor:  median %7.2f us  p99 %7.2f us   (a "
		    "cache line to another thread and back, no skua; warm / "
		    "floor %.1fx)\n", p->line_rt_med_us, p->line_rt_p99_us,
		    p->warm_med_us / p->line_rt_med_us);
	fprintf(f, "  parked pool: median %7.2f us  p99 %7.2f us   (goal: "
	    "median <= 10 us: %s, p99 <= 40 us: %s; in %d/%d samples a worker "
	    "had parked again)\n", p->park_med_us, p->park_p99_us,
	    verdict(p->park_med_us, 10.0), verdict(p->park_p99_us, 40.0),
	    p->parked_samples, p->park_samples);
	double floor_x = p->park_med_us / p->os_wake_med_us;
	fprintf(f, "  OS floor:    median %7.2f us  p99 %7.2f us   (a plain thread "
	    "woken from FUTEX_WAIT, no skua; parked / floor %.1fx, goal <= "
	    "1.5x: %s)\n", p->os_wake_med_us, p->os_wake_p99_us, floor_x,
	    verdict(floor_x, 1.5));
	fprintf(f, "  OS trip:     median %7.2f us  p99 %7.2f us   (that thread "
	    "answers and yields, its waker yields until it sees the answer: the "
	    "parked trip's pattern, no skua; parked / trip %.1fx)\n",
	    p->os_trip_med_us, p->os_trip_p99_us,
	    p->park_med_us / p->os_trip_med_us);
	fprintf(f, "idle pool CPU: %.3f ms per second  (goal: <= 1 ms/s: %s)\n",
	    p->idle_cpu_ms_per_s, verdict(p->idle_cpu_ms_per_s, 1.0));
}
