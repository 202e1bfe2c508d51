/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/measure.c - measuring: the one timing loop (warm-up,
 * timed runs, every answer checked, the noise judgement) that --report's
 * kernel rows use too, one phase over it (a workload on one runner at one
 * worker count, the pool's counters), the chunk sweep, and the progress
 * line's phase count and time left.
 */
#include "bench.h"
#include "profile_data.h" /* skb_site_env_name */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* SKUA_BENCH_FAULT=wrong-answer (tests only): corrupt skua's results. */
bool skb_fault_wrong;

/* ---- progress over the run ---------------------------------------- */

/*
 * "[phase 5/14, ~40 s left]" before every progress line.  The time left is
 * each remaining phase at the mean time of the finished phases of its own
 * workload (of all finished phases, for a workload not started yet), less
 * what the current phase has already taken.  Coarse, since the serial and
 * the skua phases of one workload differ, but it tracks the big variable:
 * how heavy the workload is.
 */
static struct {
	int total, done;
	int plan[SKB_NWORKLOADS], ran[SKB_NWORKLOADS];
	double spent[SKB_NWORKLOADS];
	int cur;          /* the current phase's workload; -1: none */
	double cur_start;
} eta = { .cur = -1 };

static void eta_plan(const workload *w, int phases)
{
	eta.plan[w - skb_workloads] += phases;
	eta.total += phases;
}

static void eta_begin(const workload *w)
{
	eta.cur = (int)(w - skb_workloads);
	eta.cur_start = skb_now();
}

static void eta_end(void)
{
	if (eta.cur < 0)
		return;
	eta.spent[eta.cur] += skb_now() - eta.cur_start;
	eta.ran[eta.cur]++;
	eta.done++;
	eta.cur = -1;
}

/* Seconds left, or -1 before any phase has finished. */
static double eta_left(void)
{
	double all = 0, left = 0;
	int nall = 0;
	for (int k = 0; k < SKB_NWORKLOADS; k++) {
		all += eta.spent[k];
		nall += eta.ran[k];
	}
	if (nall == 0)
		return -1;
	for (int k = 0; k < SKB_NWORKLOADS; k++) {
		double mean = eta.ran[k] > 0 ? eta.spent[k] / eta.ran[k] :
		    all / nall;
		int rest = eta.plan[k] - eta.ran[k];
		if (k == eta.cur && rest > 0) {
			double in = skb_now() - eta.cur_start;
			left += in < mean ? mean - in : 0;
			rest--;
		}
		left += rest > 0 ? rest * mean : 0;
	}
	return left;
}

static void eta_prefix(char *buf, size_t len)
{
	double t = eta_left();
	if (eta.total == 0)
		buf[0] = '\0';
	else if (t < 0)
		snprintf(buf, len, "[phase %d/%d] ", eta.done + 1, eta.total);
	else if (t < 90)
		snprintf(buf, len, "[phase %d/%d, ~%.0f s left] ",
		    eta.done + 1, eta.total, t);
	else
		snprintf(buf, len, "[phase %d/%d, ~%.0f min left] ",
		    eta.done + 1, eta.total, t / 60);
}

/* ---- measuring ---------------------------------------------------- */

static skb_result *new_result(skb_run *r)
{
	if (r->nresults == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 32;
		r->results = realloc(r->results, (size_t)r->cap *
		    sizeof *r->results);
		if (r->results == NULL)
			skb_die("out of memory");
	}
	skb_result *x = &r->results[r->nresults++];
	memset(x, 0, sizeof *x);
	x->chunk = -1;
	return x;
}

static const skb_result *find_serial(const skb_run *r, const char *wl)
{
	for (int i = 0; i < r->nresults; i++)
		if (r->results[i].runner == SKB_SERIAL &&
		    strcmp(r->results[i].workload, wl) == 0)
			return &r->results[i];
	return NULL;
}

static void wrong(const workload *w, const wl_state *s, enum skb_runner rn,
    unsigned workers, const char *what)
{
	skb_die("WRONG ANSWER: %s %ld on %s (%u workers): %s", w->name,
	    s->size, skb_runner_name(rn), workers, what);
}

/* The progress line of run i of total; into a log (not a terminal), one
 * line per phase, not per run. */
static void phase_progress(const workload *w, long size,
    const skb_exec *ex, long chunk, int i, int total)
{
	char at[48];
	if (i > 0 && !isatty(STDERR_FILENO))
		return;
	eta_prefix(at, sizeof at);
	if (ex->runner == SKB_SERIAL)
		skb_progress("%s%s %ld: serial, run %d/%d", at, w->name, size,
		    i + 1, total);
	else if (chunk >= 0)
		skb_progress("%s%s %ld: %s %u workers, chunk %ld, run %d/%d",
		    at, w->name, size, skb_runner_name(ex->runner),
		    ex->threads, chunk, i + 1, total);
	else
		skb_progress("%s%s %ld: %s %u workers, run %d/%d", at, w->name,
		    size, skb_runner_name(ex->runner), ex->threads, i + 1,
		    total);
}

/* One run's answer against the known one (workloads with a scalar
 * answer; map and matmul check once per phase). */
static void check_answer(const workload *w, wl_state *s, const skb_exec *ex,
    long ans)
{
	char msg[96];
	if (ex->runner == SKB_SKUA && ans < 0)
		skb_die("%s %ld on skua: the library failed: %s", w->name,
		    s->size, skua_strerror((int)ans));
	if (w->phase_check != NULL)
		return;
	if (s->expected == -2) /* first serial answer */
		s->expected = ans;
	if (ans != s->expected) {
		snprintf(msg, sizeof msg, "got %ld, expected %ld", ans,
		    s->expected);
		wrong(w, s, ex->runner, ex->threads, msg);
	}
}

/* The pool's counters over the timed runs, per run (see phase()). */
static void pool_figures(skb_result *x, skua_pool *pool,
    const skua_worker_stats *before, double t_phase, unsigned workers,
    int repeat)
{
	skua_worker_stats after;
	skb_sync_workers(pool, workers, 1.0);
	skua_pool_stats(pool, NULL, 0, &after);
	double wall = skb_now() - t_phase;
	x->has_stats = true;
	x->steals = (double)(after.steals - before->steals) / repeat;
	x->steal_attempts = (double)(after.steal_attempts -
	    before->steal_attempts) / repeat;
	/* Every steal counts its attempt first (lib/task.c, leapfrogging
	 * joins too), but the two are loaded one after the other while the
	 * workers may run, so a steal can be seen without its attempt:
	 * report the ratio capped at 1. */
	x->steal_success = x->steal_attempts > 0 ?
	    x->steals / x->steal_attempts : 0;
	if (x->steal_success > 1)
		x->steal_success = 1;
	x->idle_share = wall > 0 ? (double)(after.idle_ns -
	    before->idle_ns) * 1e-9 / (wall * workers) : 0;
	if (x->idle_share > 1)
		x->idle_share = 1;
	/* A join waiting for a stolen child spins, running nothing: busy
	 * for the OS, so not in idle_ns, but lost all the same (one worker
	 * inside an unsplittable piece that the other's join waits for). */
	x->wait_share = wall > 0 ? (double)(after.join_wait_ns -
	    before->join_wait_ns) * 1e-9 / (wall * workers) : 0;
	if (x->wait_share > 1)
		x->wait_share = 1;
}

/* Median, range, bandwidth and speedup of a finished phase. */
static void phase_figures(const skb_run *r, const workload *w,
    skb_result *x)
{
	x->correct = true;
	x->median = skb_median(x->times, x->runs);
	x->min = x->max = x->times[0];
	for (int i = 1; i < x->runs; i++) {
		if (x->times[i] < x->min)
			x->min = x->times[i];
		if (x->times[i] > x->max)
			x->max = x->times[i];
	}
	if (w->bytes_per_run > 0 && x->median > 0)
		x->gbps = w->bytes_per_run / x->median * 1e-9;
	const skb_result *ser = x->runner == SKB_SERIAL ? x :
	    find_serial(r, w->name);
	if (ser != NULL && x->median > 0) {
		x->speedup = ser->median / x->median;
		x->efficiency = x->workers > 0 ? x->speedup / x->workers : 1;
	}
}

static skb_result *begin_result(skb_run *r, const workload *w, long size,
    enum skb_runner rn, unsigned workers, long chunk)
{
	skb_result *x = new_result(r);
	x->workload = w->name;
	x->size = size;
	x->runner = rn;
	x->workers = workers;
	x->chunk = chunk;
	x->runs = r->repeat;
	x->times = calloc((size_t)r->repeat, sizeof(double));
	if (x->times == NULL)
		skb_die("out of memory");
	return x;
}

/*
 * The one timing loop, for skb_phase and the report's kernel rows alike:
 * t->warmup untimed runs, then t->repeat timed ones into times, the
 * answer of each handed to t->check after its clock stopped, and over the
 * timed runs the noise judgement (noise.c).  t->timed_begin, if set, runs
 * just before the first timed run, before the run-queue wait is read.
 */
void skb_time_runs(const skb_timed *t, double *times, skb_noise *z)
{
	int total = t->warmup + t->repeat;
	double t_timed = 0, delay0 = -1;
	for (int i = 0; i < total; i++) {
		t->progress(t->ctx, i, total);
		if (i == t->warmup) {
			if (t->timed_begin != NULL)
				t->timed_begin(t->ctx);
			delay0 = skb_run_delay();
			t_timed = skb_now();
		}
		double t0 = skb_now();
		long ans = t->run(t->ctx);
		double t1 = skb_now();
		if (i >= t->warmup)
			times[i - t->warmup] = t1 - t0;
		t->check(t->ctx, ans);
	}
	/* Over the timed runs: was the machine busy (noise.c)? */
	double wall = skb_now() - t_timed, delay1 = skb_run_delay();
	skb_noise_judge(z, times, t->repeat, delay0 >= 0 && delay1 >= 0 ?
	    delay1 - delay0 : -1, wall, t->threads, t->cpus, t->faultable);
}

/* A phase as skb_time_runs sees it. */
struct phase {
	workload *w;
	wl_state *s;
	skb_exec ex;
	skb_result *x;
	long chunk;
	skua_worker_stats before; /* the pool's counters at the timed runs */
	double t_phase;
};

static long phase_run(void *ctx)
{
	struct phase *p = ctx;
	return p->w->run(p->s, &p->ex);
}

static void phase_check(void *ctx, long ans)
{
	struct phase *p = ctx;
	if (skb_fault_wrong && p->ex.runner == SKB_SKUA) {
		/* Test hook: a wrong result must fail loudly. */
		ans += 1;
		p->s->runs++;
	}
	check_answer(p->w, p->s, &p->ex, ans);
	p->x->answer = ans;
}

static void phase_show(void *ctx, int i, int total)
{
	struct phase *p = ctx;
	phase_progress(p->w, p->s->size, &p->ex, p->chunk, i, total);
}

static void phase_timed_begin(void *ctx)
{
	struct phase *p = ctx;
	if (p->ex.pool == NULL)
		return;
	skb_sync_workers(p->ex.pool, p->ex.threads, 1.0);
	skua_pool_stats(p->ex.pool, NULL, 0, &p->before);
	p->t_phase = skb_now();
}

/*
 * One phase: warm-up runs, then r->repeat timed runs of one runner, every
 * answer checked.  The pool counters are read before and after the timed
 * runs, so idle time between runs counts too (the checks between runs take
 * microseconds, except for map and matmul, which check once per phase).
 * Both reads follow a sync that has every worker end its idle period then
 * (skb_sync_workers).  When a worker credited an idle period to idle_ns
 * only as it ended, without the first one a worker asleep since the
 * pool's creation credited its whole sleep to the phase (idle% 57.8 at a
 * 2.44x speedup, map 10^6 on 2 workers with --warmup 0: docs/data/
 * idle-share-2core-epyc.txt), and without the second the idle time after
 * the last run was lost; skua_pool_stats now counts the open period too,
 * and the syncs still start and end the phase on awake workers.
 */
skb_result *skb_phase(skb_run *r, workload *w, wl_state *s,
    enum skb_runner rn, unsigned workers, long chunk)
{
	struct phase p = { .w = w, .s = s, .chunk = chunk,
		.ex = { .runner = rn, .threads = workers,
			.chunk = (size_t)(chunk > 0 ? chunk : 0) } };
	skb_timed t = { .warmup = r->warmup, .repeat = r->repeat,
		.threads = rn == SKB_SERIAL ? 1 : workers, .cpus = r->cpus,
		.faultable = rn == SKB_SKUA, .ctx = &p, .run = phase_run,
		.check = phase_check, .progress = phase_show,
		.timed_begin = phase_timed_begin };
	char msg[256];

	p.x = begin_result(r, w, s->size, rn, workers, chunk);
	eta_begin(w);
	if (rn == SKB_SKUA)
		p.ex.pool = skb_pool(workers);
	if (w->phase_begin != NULL)
		w->phase_begin(s);
	skb_time_runs(&t, p.x->times, &p.x->noise);
	if (p.ex.pool != NULL) {
		pool_figures(p.x, p.ex.pool, &p.before, p.t_phase, workers,
		    r->repeat);
		int rc = skua_pool_destroy(p.ex.pool);
		if (rc != 0)
			skb_die("skua_pool_destroy: %s", skua_strerror(rc));
	}
	if (w->phase_check != NULL) {
		if (w->phase_check(s, msg, sizeof msg) != 0)
			wrong(w, s, rn, workers, msg);
		p.x->answer = 0;
	}
	phase_figures(r, w, p.x);
	eta_end();
	return p.x;
}

/* The line to paste for a sweep's best point: SKUA_CHUNK_SIZE_<SITE>=N
 * (or auto), the variable named as the library names it. */
static void site_env(char *out, size_t len, const char *site, long chunk)
{
	char var[64];
	skb_site_env_name(site, var, sizeof var);
	if (chunk > 0)
		snprintf(out, len, "%s=%ld", var, chunk);
	else
		snprintf(out, len, "%s=auto", var);
}

/* The chunk sizes sweep() times: auto, then 1, 2, 4, ... up to a
 * worker's share of the range. */
static int sweep_points(long size, unsigned workers)
{
	size_t per_worker = (size_t)size / workers;
	int n = 0;
	for (long c = 0; !(c > 1 && (size_t)c > per_worker);
	    c = c == 0 ? 1 : c * 2)
		n++;
	return n;
}

/* The phases main() will run, for the progress line's "phase i/n". */
void skb_plan_phases(const skb_run *r, const bool *selected,
    const long *sizes, bool compare, bool do_sweep, unsigned maxw)
{
	int per = 1 + r->nworkers;
	if (compare && skb_omp_available())
		per += r->nworkers;
	if (compare && skb_tbb_available())
		per += r->nworkers;
	bool any = false;
	for (int i = 0; i < SKB_NWORKLOADS; i++) {
		if (selected[i])
			eta_plan(&skb_workloads[i], per);
		if (do_sweep && selected[i] && skb_workloads[i].sweepable) {
			eta_plan(&skb_workloads[i], sweep_points(sizes[i], maxw));
			any = true;
		}
	}
	int k = skb_workload_index("primes");
	if (do_sweep && !any)
		eta_plan(&skb_workloads[k], sweep_points(sizes[k], maxw) +
		    (selected[k] ? 0 : 1));
}

void skb_sweep(skb_run *r, workload *w, long size, unsigned workers)
{
	wl_state s = { .size = size };
	if (w->setup(&s) != 0)
		skb_die("%s %ld: setup failed (out of memory?)", w->name, size);
	/* Serial first: the speedups are over it. */
	bool have_serial = find_serial(r, w->name) != NULL;
	if (!have_serial)
		skb_phase(r, w, &s, SKB_SERIAL, 0, -1);
	double best = 0;
	long best_chunk = 0;
	size_t per_worker = (size_t)size / workers;
	for (long c = 0;; c = c == 0 ? 1 : c * 2) {
		if (c > 1 && (size_t)c > per_worker)
			break;
		skb_result *x = skb_phase(r, w, &s, SKB_SKUA, workers, c);
		if (best == 0 || x->median < best) {
			best = x->median;
			best_chunk = c;
		}
	}
	int k = r->nbest++;
	r->best[k].workload = w->name;
	r->best[k].size = size;
	r->best[k].workers = workers;
	r->best[k].chunk = best_chunk;
	r->best[k].median = best;
	site_env(r->best[k].env, sizeof r->best[k].env,
	    strcmp(w->name, "map") == 0 ? SKB_SITE_MAP : SKB_SITE_PRIMES,
	    best_chunk);
	if (w->teardown != NULL)
		w->teardown(&s);
}

