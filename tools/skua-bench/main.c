/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/main.c - skua-bench: run the reference workloads serially,
 * on skua at several worker counts (and on OpenMP/oneTBB with --compare),
 * check every answer, and print a table (JSON, CSV, SVG on request).
 *
 *   skua-bench                      the quick profile: every workload,
 *                                   serial and at 1..all workers
 *   skua-bench --report             the speed report (docs/benchmarks.md)
 *   skua-bench --help               every flag
 *
 * Exit status: 0; 1 when a workload computed a wrong answer or the library
 * failed; 2 on a bad command line.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------ */

static bool opt_quiet;
/* SKUA_BENCH_FAULT=wrong-answer (tests only): corrupt skua's results. */
static bool fault_wrong;
static bool progress_open;

void skb_progress(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (opt_quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO)) {
		fprintf(stderr, "\r\033[K%s", line);
		progress_open = true;
	} else {
		fprintf(stderr, "%s\n", line);
	}
}

void skb_progress_done(void)
{
	if (progress_open) {
		fprintf(stderr, "\r\033[K");
		progress_open = false;
	}
}

_Noreturn void skb_die(const char *fmt, ...)
{
	va_list ap;

	skb_progress_done();
	fflush(stdout);
	fprintf(stderr, "skua-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double skb_median(double *v, int n)
{
	double *s = malloc((size_t)n * sizeof *s);
	if (s == NULL)
		skb_die("out of memory");
	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

skua_pool *skb_pool(unsigned workers)
{
	skua_config cfg;
	skua_pool *p;

	skua_config_init(&cfg);
	cfg.workers = workers;
	int rc = skua_pool_create(&cfg, &p);
	if (rc != 0)
		skb_die("skua_pool_create(%u workers): %s", workers,
		    skua_strerror(rc));
	return p;
}

const char *skb_runner_name(enum skb_runner r)
{
	switch (r) {
	case SKB_SERIAL: return "serial";
	case SKB_SKUA: return "skua";
	case SKB_OPENMP: return "openmp";
	case SKB_TBB: return "tbb";
	}
	return "?";
}

/* ---- workloads ---------------------------------------------------- */

/* What a workload keeps between runs. */
typedef struct wl_state {
	long size;
	long expected;      /* the known answer; -1: checked per phase */
	int runs;           /* runs since the phase began (map, matmul) */
	double *x, *y, *a, *b, *c, *ref;
} wl_state;

typedef struct workload {
	const char *name;
	const char *size_doc;
	long quick_size, min_size, max_size;
	bool needs_parallel;
	int (*setup)(wl_state *s);
	void (*teardown)(wl_state *s);
	long (*serial)(wl_state *s);
	long (*skua)(wl_state *s, skua_pool *p, size_t chunk);
	long (*omp)(wl_state *s, unsigned threads);
	long (*tbb)(wl_state *s, unsigned threads);
	void (*phase_begin)(wl_state *s);
	/* Phase check for workloads without a scalar answer: 0 or -1 with msg. */
	int (*phase_check)(wl_state *s, char *msg, size_t len);
	double bytes_per_run; /* set by setup for memory-bound workloads */
} workload;

/* fib */
static int fib_setup(wl_state *s)
{
	long a = 0, b = 1;
	for (long i = 0; i < s->size; i++) {
		long t = a + b;
		a = b;
		b = t;
	}
	s->expected = a;
	return 0;
}
static long fib_ser(wl_state *s) { return skb_fib_serial((int)s->size); }
static long fib_sk(wl_state *s, skua_pool *p, size_t c)
{
	(void)c;
	return skb_fib_skua(p, (int)s->size);
}
static long fib_omp(wl_state *s, unsigned t) { return skb_omp_fib(t, (int)s->size); }
static long fib_tbb(wl_state *s, unsigned t) { return skb_tbb_fib(t, (int)s->size); }

/* nqueens */
static int queens_setup(wl_state *s)
{
	s->expected = skb_queens_known((int)s->size);
	return 0;
}
static long queens_ser(wl_state *s) { return skb_queens_serial((int)s->size); }
static long queens_sk(wl_state *s, skua_pool *p, size_t c)
{
	(void)c;
	return skb_queens_skua(p, (int)s->size);
}
static long queens_omp(wl_state *s, unsigned t) { return skb_omp_queens(t, (int)s->size); }
static long queens_tbb(wl_state *s, unsigned t) { return skb_tbb_queens(t, (int)s->size); }

/* utree: size is Q in parts per million. */
static int utree_setup(wl_state *s)
{
	/* Known for the reference Q; otherwise the serial run's answer. */
	s->expected = s->size == SKB_UTREE_Q ? (long)SKB_UTREE_NODES : -2;
	return 0;
}
static long utree_ser(wl_state *s) { return skb_utree_serial((uint32_t)s->size); }
static long utree_sk(wl_state *s, skua_pool *p, size_t c)
{
	(void)c;
	return skb_utree_skua(p, (uint32_t)s->size);
}
static long utree_omp(wl_state *s, unsigned t) { return skb_omp_utree(t, (uint32_t)s->size); }
static long utree_tbb(wl_state *s, unsigned t) { return skb_tbb_utree(t, (uint32_t)s->size); }

/* primes */
static int primes_setup(wl_state *s)
{
	switch (s->size) {
	case 1000000: s->expected = 78498; break;
	case 2000000: s->expected = 148933; break;
	case 10000000: s->expected = 664579; break;
	default: s->expected = skb_primes_sieve((uint64_t)s->size); break;
	}
	return s->expected < 0 ? -1 : 0;
}
static long primes_ser(wl_state *s) { return skb_primes_serial((uint64_t)s->size); }
static long primes_sk(wl_state *s, skua_pool *p, size_t c)
{
	return skb_primes_skua(p, (uint64_t)s->size, c);
}
static long primes_omp(wl_state *s, unsigned t) { return skb_omp_primes(t, (uint64_t)s->size); }
static long primes_tbb(wl_state *s, unsigned t) { return skb_tbb_primes(t, (uint64_t)s->size); }

/* map: y = 3*x + y; after r runs y = y0 + 3*r*x, exact in doubles. */
#define MAP_A 3.0
static int map_setup(wl_state *s)
{
	size_t n = (size_t)s->size;
	s->x = malloc(n * sizeof(double));
	s->y = malloc(n * sizeof(double));
	if (s->x == NULL || s->y == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		s->x[i] = (double)(i % 7);
	s->expected = -1;
	return 0;
}
static void map_begin(wl_state *s)
{
	size_t n = (size_t)s->size;
	for (size_t i = 0; i < n; i++)
		s->y[i] = (double)(i % 5);
	s->runs = 0;
}
static int map_check(wl_state *s, char *msg, size_t len)
{
	size_t n = (size_t)s->size;
	for (size_t i = 0; i < n; i++) {
		double want = (double)(i % 5) + MAP_A * s->runs * (double)(i % 7);
		if (s->y[i] != want) {
			snprintf(msg, len, "y[%zu] = %.17g, expected %.17g after "
			    "%d runs", i, s->y[i], want, s->runs);
			return -1;
		}
	}
	return 0;
}
static long map_ser(wl_state *s)
{
	skb_map_serial((size_t)s->size, MAP_A, s->x, s->y);
	s->runs++;
	return 0;
}
static long map_sk(wl_state *s, skua_pool *p, size_t c)
{
	int rc = skb_map_skua(p, (size_t)s->size, MAP_A, s->x, s->y, c);
	s->runs++;
	return rc;
}
static long map_omp(wl_state *s, unsigned t)
{
	skb_omp_map(t, (size_t)s->size, MAP_A, s->x, s->y);
	s->runs++;
	return 0;
}
static long map_tbb(wl_state *s, unsigned t)
{
	skb_tbb_map(t, (size_t)s->size, MAP_A, s->x, s->y);
	s->runs++;
	return 0;
}

/* matmul: C += A*B with small integers, so every sum is exact. */
static int matmul_setup(wl_state *s)
{
	size_t n = (size_t)s->size;
	s->a = malloc(n * n * sizeof(double));
	s->b = malloc(n * n * sizeof(double));
	s->c = malloc(n * n * sizeof(double));
	s->ref = calloc(n * n, sizeof(double));
	if (s->a == NULL || s->b == NULL || s->c == NULL || s->ref == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			s->a[i * n + j] = (double)((int)((i * 7 + j * 3) % 11) - 5);
			s->b[i * n + j] = (double)((int)((i * 5 + j * 13) % 9) - 4);
		}
	skb_progress("matmul %zu: serial reference product", n);
	skb_matmul_serial(n, s->a, s->b, s->ref);
	s->expected = -1;
	return 0;
}
static void matmul_begin(wl_state *s)
{
	memset(s->c, 0, (size_t)s->size * (size_t)s->size * sizeof(double));
	s->runs = 0;
}
static int matmul_check(wl_state *s, char *msg, size_t len)
{
	size_t n = (size_t)s->size;
	for (size_t i = 0; i < n * n; i++) {
		double want = s->runs * s->ref[i];
		if (s->c[i] != want) {
			snprintf(msg, len, "C[%zu][%zu] = %.17g, expected %.17g "
			    "(%d runs of C += A*B)", i / n, i % n, s->c[i],
			    want, s->runs);
			return -1;
		}
	}
	return 0;
}
static long matmul_ser(wl_state *s)
{
	skb_matmul_serial((size_t)s->size, s->a, s->b, s->c);
	s->runs++;
	return 0;
}
static long matmul_sk(wl_state *s, skua_pool *p, size_t c)
{
	(void)c;
	int rc = skb_matmul_skua(p, (size_t)s->size, s->a, s->b, s->c);
	s->runs++;
	return rc;
}
static long matmul_omp(wl_state *s, unsigned t)
{
	skb_omp_matmul(t, (size_t)s->size, s->a, s->b, s->c);
	s->runs++;
	return 0;
}
static long matmul_tbb(wl_state *s, unsigned t)
{
	skb_tbb_matmul(t, (size_t)s->size, s->a, s->b, s->c);
	s->runs++;
	return 0;
}

static void free_arrays(wl_state *s)
{
	free(s->x);
	free(s->y);
	free(s->a);
	free(s->b);
	free(s->c);
	free(s->ref);
	s->x = s->y = s->a = s->b = s->c = s->ref = NULL;
}

static workload workloads[] = {
	{ "fib", "n: fib(n), one fork per call", 35, 2, 45, false,
	  fib_setup, NULL, fib_ser, fib_sk, fib_omp, fib_tbb, NULL, NULL, 0 },
	{ "nqueens", "n: queens on an n x n board", 12, 4, 16, false,
	  queens_setup, NULL, queens_ser, queens_sk, queens_omp, queens_tbb,
	  NULL, NULL, 0 },
	{ "utree", "Q: branching probability in ppm (199970 is the reference)",
	  SKB_UTREE_Q, 0, 199990, false,
	  utree_setup, NULL, utree_ser, utree_sk, utree_omp, utree_tbb, NULL,
	  NULL, 0 },
	{ "primes", "N: count the primes below N", 2000000, 2, 1000000000L,
	  true, primes_setup, NULL, primes_ser, primes_sk, primes_omp,
	  primes_tbb, NULL, NULL, 0 },
	{ "map", "n: doubles in x and y (24 bytes moved per element)",
	  10000000, 1, 1L << 31, true, map_setup, free_arrays, map_ser,
	  map_sk, map_omp, map_tbb, map_begin, map_check, 0 },
	{ "matmul", "n: n x n doubles", 512, 1, 4096, false, matmul_setup,
	  free_arrays, matmul_ser, matmul_sk, matmul_omp, matmul_tbb,
	  matmul_begin, matmul_check, 0 },
};
#define NWORKLOADS (int)(sizeof workloads / sizeof workloads[0])

static int workload_index(const char *name)
{
	for (int i = 0; i < NWORKLOADS; i++)
		if (strcmp(workloads[i].name, name) == 0)
			return i;
	return -1;
}

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
	int plan[NWORKLOADS], ran[NWORKLOADS];
	double spent[NWORKLOADS];
	int cur;          /* the current phase's workload; -1: none */
	double cur_start;
} eta = { .cur = -1 };

static void eta_plan(const workload *w, int phases)
{
	eta.plan[w - workloads] += phases;
	eta.total += phases;
}

static void eta_begin(const workload *w)
{
	eta.cur = (int)(w - workloads);
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
	for (int k = 0; k < NWORKLOADS; k++) {
		all += eta.spent[k];
		nall += eta.ran[k];
	}
	if (nall == 0)
		return -1;
	for (int k = 0; k < NWORKLOADS; k++) {
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

/*
 * One phase: warm-up runs, then r->repeat timed runs of one runner, every
 * answer checked.  The pool counters are read before and after the timed
 * runs, so idle time between runs counts too (the checks between runs take
 * microseconds, except for map and matmul, which check once per phase).
 * A worker credits an idle period to idle_ns when the period ends, so both
 * reads follow a sync that has every worker end its idle period then
 * (skb_sync_workers): without the first one, a worker asleep since the
 * pool's creation credited its whole sleep to the phase (idle% 57.8 at a
 * 2.44x speedup, map 10^6 on 2 workers with --warmup 0: docs/data/
 * idle-share-2core-epyc.txt); without the second, the idle time after the
 * last run was lost.
 */
static skb_result *phase(skb_run *r, workload *w, wl_state *s,
    enum skb_runner rn, unsigned workers, long chunk)
{
	skb_result *x = new_result(r);
	skua_pool *pool = NULL;
	skua_worker_stats before, after;
	char msg[256];
	int total = r->warmup + r->repeat;

	x->workload = w->name;
	x->size = s->size;
	x->runner = rn;
	x->workers = workers;
	x->chunk = chunk;
	x->runs = r->repeat;
	x->times = calloc((size_t)r->repeat, sizeof(double));
	if (x->times == NULL)
		skb_die("out of memory");
	eta_begin(w);
	char at[48];
	if (rn == SKB_SKUA)
		pool = skb_pool(workers);
	if (w->phase_begin != NULL)
		w->phase_begin(s);
	double t_phase = 0, t_timed = 0, delay0 = -1;
	for (int i = 0; i < total; i++) {
		bool timed = i >= r->warmup;
		eta_prefix(at, sizeof at);
		/* Into a log (not a terminal): one line per phase, not per run. */
		if (i > 0 && !isatty(STDERR_FILENO))
			;
		else if (rn == SKB_SERIAL)
			skb_progress("%s%s %ld: serial, run %d/%d", at, w->name,
			    s->size, i + 1, total);
		else if (chunk >= 0)
			skb_progress("%s%s %ld: %s %u workers, chunk %ld, run "
			    "%d/%d", at, w->name, s->size, skb_runner_name(rn),
			    workers, chunk, i + 1, total);
		else
			skb_progress("%s%s %ld: %s %u workers, run %d/%d", at,
			    w->name, s->size, skb_runner_name(rn), workers,
			    i + 1, total);
		if (pool != NULL && i == r->warmup) {
			skb_sync_workers(pool, workers, 1.0);
			skua_pool_stats(pool, NULL, 0, &before);
			t_phase = skb_now();
		}
		if (i == r->warmup) {
			delay0 = skb_run_delay();
			t_timed = skb_now();
		}
		long ans = 0;
		double t0 = skb_now();
		switch (rn) {
		case SKB_SERIAL: ans = w->serial(s); break;
		case SKB_SKUA: ans = w->skua(s, pool, (size_t)(chunk > 0 ? chunk : 0)); break;
		case SKB_OPENMP: ans = w->omp(s, workers); break;
		case SKB_TBB: ans = w->tbb(s, workers); break;
		}
		double t1 = skb_now();
		if (fault_wrong && rn == SKB_SKUA) {
			/* Test hook: a wrong result must fail loudly. */
			ans += 1;
			s->runs++;
		}
		if (timed)
			x->times[i - r->warmup] = t1 - t0;
		if (rn == SKB_SKUA && ans < 0)
			skb_die("%s %ld on skua: the library failed: %s",
			    w->name, s->size, skua_strerror((int)ans));
		if (w->phase_check == NULL) {
			if (s->expected == -2) /* first serial answer */
				s->expected = ans;
			if (ans != s->expected) {
				snprintf(msg, sizeof msg, "got %ld, expected %ld",
				    ans, s->expected);
				wrong(w, s, rn, workers, msg);
			}
		}
		x->answer = ans;
	}
	/* Over the timed runs: was the machine busy (noise.c)? */
	double wall_timed = skb_now() - t_timed, delay1 = skb_run_delay();
	skb_noise_judge(&x->noise, x->times, x->runs, delay0 >= 0 &&
	    delay1 >= 0 ? delay1 - delay0 : -1, wall_timed, rn == SKB_SERIAL ?
	    1 : workers, r->cpus, rn == SKB_SKUA);
	if (pool != NULL) {
		skb_sync_workers(pool, workers, 1.0);
		skua_pool_stats(pool, NULL, 0, &after);
		double wall = skb_now() - t_phase;
		x->has_stats = true;
		x->steals = (double)(after.steals - before.steals) / r->repeat;
		x->steal_attempts = (double)(after.steal_attempts -
		    before.steal_attempts) / r->repeat;
		/* Leapfrogging joins count their steals in `steals` but not
		 * in `steal_attempts` (lib/task.c, skua_abi_join_slow), so the
		 * ratio can pass 1: report it capped. */
		x->steal_success = x->steal_attempts > 0 ?
		    x->steals / x->steal_attempts : 0;
		if (x->steal_success > 1)
			x->steal_success = 1;
		x->idle_share = wall > 0 ? (double)(after.idle_ns -
		    before.idle_ns) * 1e-9 / (wall * workers) : 0;
		if (x->idle_share > 1)
			x->idle_share = 1;
		int rc = skua_pool_destroy(pool);
		if (rc != 0)
			skb_die("skua_pool_destroy: %s", skua_strerror(rc));
	}
	if (w->phase_check != NULL) {
		s->runs = s->runs; /* runs counted by the kernels */
		if (w->phase_check(s, msg, sizeof msg) != 0)
			wrong(w, s, rn, workers, msg);
		x->answer = 0;
	}
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
	const skb_result *ser = rn == SKB_SERIAL ? x : find_serial(r, w->name);
	if (ser != NULL && x->median > 0) {
		x->speedup = ser->median / x->median;
		x->efficiency = workers > 0 ? x->speedup / workers : 1;
	}
	eta_end();
	return x;
}

/* "PRIMES" from "primes": the SKUA_CHUNK_SIZE_<SITE> spelling. */
static void site_env(char *out, size_t len, const char *site, long chunk)
{
	char up[32];
	size_t i;
	for (i = 0; site[i] != '\0' && i + 1 < sizeof up; i++)
		up[i] = isalnum((unsigned char)site[i]) ?
		    (char)toupper((unsigned char)site[i]) : '_';
	up[i] = '\0';
	if (chunk > 0)
		snprintf(out, len, "SKUA_CHUNK_SIZE_%s=%ld", up, chunk);
	else
		snprintf(out, len, "SKUA_CHUNK_SIZE_%s=auto", up);
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
static void plan_phases(const skb_run *r, const bool *selected,
    const long *sizes, bool compare, bool do_sweep, unsigned maxw)
{
	int per = 1 + r->nworkers;
	if (compare && skb_omp_available())
		per += r->nworkers;
	if (compare && skb_tbb_available())
		per += r->nworkers;
	bool any = false;
	for (int i = 0; i < NWORKLOADS; i++) {
		if (selected[i])
			eta_plan(&workloads[i], per);
		if (do_sweep && selected[i] && workloads[i].needs_parallel) {
			eta_plan(&workloads[i], sweep_points(sizes[i], maxw));
			any = true;
		}
	}
	int k = workload_index("primes");
	if (do_sweep && !any)
		eta_plan(&workloads[k], sweep_points(sizes[k], maxw) +
		    (selected[k] ? 0 : 1));
}

static void sweep(skb_run *r, workload *w, long size, unsigned workers)
{
	wl_state s = { .size = size };
	if (w->setup(&s) != 0)
		skb_die("%s %ld: setup failed (out of memory?)", w->name, size);
	/* Serial first: the speedups are over it. */
	bool have_serial = find_serial(r, w->name) != NULL;
	if (!have_serial)
		phase(r, w, &s, SKB_SERIAL, 0, -1);
	double best = 0;
	long best_chunk = 0;
	size_t per_worker = (size_t)size / workers;
	for (long c = 0;; c = c == 0 ? 1 : c * 2) {
		if (c > 1 && (size_t)c > per_worker)
			break;
		skb_result *x = phase(r, w, &s, SKB_SKUA, workers, c);
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

/* ---- command line ------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: skua-bench [options]\n"
"       skua-bench profile|tune ... -- PROGRAM [ARGS]\n"
"\n"
"With no options: the quick profile.  Every workload runs serially and on\n"
"skua at 1..all workers; every answer is checked; a table is printed.\n"
"\n"
"  --workers LIST        worker counts, e.g. 1,2,4 (default 1..CPUs)\n"
"  --repeat N            timed runs per measurement (default 5)\n"
"  --warmup N            untimed runs before them (default 1)\n"
"  --workload NAME[,..]  fib, nqueens, utree, primes, map, matmul, or all\n"
"  --size N | NAME=N[,..] problem size for every selected workload, or per\n"
"                        workload (see --list)\n"
"  --json FILE           write the results as JSON\n"
"  --csv FILE            write the results as CSV\n"
"  --plot FILE.svg       speedup-vs-workers and time-vs-chunk charts (SVG);\n"
"                        implies --sweep-chunks\n"
"  --sweep-chunks        time primes/map across chunk sizes (powers of two\n"
"                        and auto) and print the best SKUA_CHUNK_SIZE_<SITE>\n"
"  --compare             also run OpenMP / oneTBB when built with them and\n"
"                        print the time ratio skua/peer\n"
"  --report              the speed report: fib 35, utree, nqueens 13 serial\n"
"                        and on 1 and 2 workers, plain and with autotask.h\n"
"                        (the auto rows), cost per fork, spawn+get\n"
"                        round trips, idle CPU\n"
"  --list                list the workloads and their default sizes\n"
"  --quiet               no progress line on stderr\n"
"  --version             print skua-bench's and libskua's versions\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 ok, 1 wrong answer or library failure, 2 bad usage.\n"
"\n"
"Your own program (skua-bench profile --help, skua-bench tune --help):\n"
"  skua-bench profile [--json FILE] -- PROGRAM [ARGS]\n"
"                        per loop call site: chunks, times, steals, idle,\n"
"                        the chunk size and its source; advice to paste\n"
"  skua-bench tune --site NAME [...] -- PROGRAM [ARGS]\n"
"                        rerun it across SKUA_CHUNK_SIZE_<SITE> values and\n"
"                        name the best one beyond the noise\n");
}

static _Noreturn void bad_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "skua-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: skua-bench [options]; skua-bench --help lists "
	    "them\n");
	exit(2);
}

static long parse_long(const char *s, const char *what, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		bad_usage("%s: '%s' is not a number in [%ld, %ld]", what, s,
		    lo, hi);
	return v;
}

static unsigned machine_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static void machine_info(skb_run *r)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	snprintf(r->cpu_model, sizeof r->cpu_model, "unknown");
	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "model name", 10) == 0) {
				char *v = strchr(line, ':');
				if (v != NULL) {
					v += 1 + (v[1] == ' ');
					v[strcspn(v, "\n")] = '\0';
					snprintf(r->cpu_model,
					    sizeof r->cpu_model, "%s", v);
				}
				break;
			}
		}
		fclose(f);
	}
	r->cpus = machine_cpus();
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(r->kernel, sizeof r->kernel, "%s %s", u.sysname,
		    u.release);
#if defined(__clang__)
	snprintf(r->compiler, sizeof r->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(r->compiler, sizeof r->compiler, "gcc %d.%d.%d", __GNUC__,
	    __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#endif
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

enum {
	OPT_WORKERS = 256, OPT_REPEAT, OPT_WARMUP, OPT_WORKLOAD, OPT_SIZE,
	OPT_JSON, OPT_CSV, OPT_PLOT, OPT_SWEEP, OPT_COMPARE, OPT_REPORT,
	OPT_LIST, OPT_QUIET, OPT_VERSION
};

static int run_subcommand(int argc, char **argv)
{
	if (strcmp(argv[1], "profile") == 0)
		return skb_profile_main(argc - 1, argv + 1);
	return skb_tune_main(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workers", required_argument, NULL, OPT_WORKERS },
		{ "repeat", required_argument, NULL, OPT_REPEAT },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "workload", required_argument, NULL, OPT_WORKLOAD },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "sweep-chunks", no_argument, NULL, OPT_SWEEP },
		{ "compare", no_argument, NULL, OPT_COMPARE },
		{ "report", no_argument, NULL, OPT_REPORT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static skb_run run;
	skb_run *r = &run;
	bool selected[NWORKLOADS] = { false };
	bool any_selected = false, do_sweep = false, do_compare = false;
	bool do_report = false, do_list = false;
	long sizes[NWORKLOADS];
	long size_all = -1;
	const char *json = NULL, *csv = NULL, *plot = NULL;
	char *list, *tok, *save;
	int c;

	if (argc > 1 && (strcmp(argv[1], "profile") == 0 ||
	    strcmp(argv[1], "tune") == 0))
		return run_subcommand(argc, argv);
	for (int i = 0; i < NWORKLOADS; i++)
		sizes[i] = -1;
	const char *fault = getenv("SKUA_BENCH_FAULT");
	fault_wrong = fault != NULL && strcmp(fault, "wrong-answer") == 0;
	r->repeat = 5;
	r->warmup = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_WORKERS:
			list = strdup(optarg);
			r->nworkers = 0;
			for (tok = strtok_r(list, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if (r->nworkers == 64)
					bad_usage("--workers: at most 64 counts");
				r->workers[r->nworkers++] = (unsigned)
				    parse_long(tok, "--workers", 1, 4096);
			}
			free(list);
			if (r->nworkers == 0)
				bad_usage("--workers: empty list");
			break;
		case OPT_REPEAT:
			r->repeat = (int)parse_long(optarg, "--repeat", 1, 100000);
			break;
		case OPT_WARMUP:
			r->warmup = (int)parse_long(optarg, "--warmup", 0, 100000);
			break;
		case OPT_WORKLOAD:
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if (strcmp(tok, "all") == 0) {
					for (int i = 0; i < NWORKLOADS; i++)
						selected[i] = true;
					any_selected = true;
					continue;
				}
				int k = workload_index(tok);
				if (k < 0)
					bad_usage("--workload: unknown workload "
					    "'%s'", tok);
				selected[k] = true;
				any_selected = true;
			}
			free(list);
			if (!any_selected)
				bad_usage("--workload: empty list");
			break;
		case OPT_SIZE:
			list = strdup(optarg);
			for (tok = strtok_r(list, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				char *eq = strchr(tok, '=');
				if (eq == NULL) {
					size_all = parse_long(tok, "--size", 0,
					    1L << 40);
					continue;
				}
				*eq = '\0';
				int k = workload_index(tok);
				if (k < 0)
					bad_usage("--size: unknown workload '%s'",
					    tok);
				sizes[k] = parse_long(eq + 1, "--size",
				    workloads[k].min_size,
				    workloads[k].max_size);
			}
			free(list);
			break;
		case OPT_JSON: json = optarg; break;
		case OPT_CSV: csv = optarg; break;
		case OPT_PLOT: plot = optarg; do_sweep = true; break;
		case OPT_SWEEP: do_sweep = true; break;
		case OPT_COMPARE: do_compare = true; break;
		case OPT_REPORT: do_report = true; break;
		case OPT_LIST: do_list = true; break;
		case OPT_QUIET: opt_quiet = true; break;
		case OPT_VERSION:
			/* The library linked in, and the headers it was built
			 * with (they differ only in a mismatched install). */
			printf("skua-bench %s (libskua %s)\n", SKUA_VERSION_STRING,
			    skua_version());
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default: /* getopt printed what was wrong */
			fprintf(stderr, "usage: skua-bench [options]; "
			    "skua-bench --help lists them\n");
			return 2;
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);

	if (do_list) {
		printf("%-8s %-10s %s\n", "workload", "default", "size");
		for (int i = 0; i < NWORKLOADS; i++)
			printf("%-8s %-10ld %s\n", workloads[i].name,
			    workloads[i].quick_size, workloads[i].size_doc);
		printf("peers built: openmp %s, tbb %s\n",
		    skb_omp_available() ? "yes" : "no",
		    skb_tbb_available() ? "yes" : "no");
		return 0;
	}
	for (int i = 0; i < NWORKLOADS; i++) {
		if (!any_selected)
			selected[i] = true;
		if (sizes[i] < 0)
			sizes[i] = size_all >= 0 ? size_all :
			    workloads[i].quick_size;
		if (selected[i] && (sizes[i] < workloads[i].min_size ||
		    sizes[i] > workloads[i].max_size))
			bad_usage("--size: %s takes %ld..%ld, not %ld",
			    workloads[i].name, workloads[i].min_size,
			    workloads[i].max_size, sizes[i]);
	}
	if (do_compare && !skb_omp_available() && !skb_tbb_available())
		fprintf(stderr, "skua-bench: --compare: built without OpenMP "
		    "and oneTBB; nothing to compare with\n");
	if (do_sweep) {
		/* The per-site variables beat opts->chunk, and the library
		 * reads them once per process: clear them before any call. */
		static const char *vars[] = { "SKUA_CHUNK_SIZE",
			"SKUA_CHUNK_SIZE_PRIMES", "SKUA_CHUNK_SIZE_MAP" };
		for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
			if (getenv(vars[i]) != NULL) {
				fprintf(stderr, "skua-bench: --sweep-chunks: "
				    "ignoring %s=%s\n", vars[i], getenv(vars[i]));
				unsetenv(vars[i]);
			}
	}

	machine_info(r);
	if (r->nworkers == 0) {
		for (unsigned n = 1; n <= r->cpus && r->nworkers < 63;
		    n = n < 8 ? n + 1 : n * 2)
			r->workers[r->nworkers++] = n;
		if (r->workers[r->nworkers - 1] != r->cpus)
			r->workers[r->nworkers++] = r->cpus;
	}
	unsigned maxw = 0;
	for (int i = 0; i < r->nworkers; i++)
		if (r->workers[i] > maxw)
			maxw = r->workers[i];

	if (do_report) {
		if (skb_run_report(r, r->repeat) != 0)
			return 1;
	} else {
		plan_phases(r, selected, sizes, do_compare, do_sweep, maxw);
		for (int i = 0; i < NWORKLOADS; i++) {
			if (!selected[i])
				continue;
			workload *w = &workloads[i];
			wl_state s = { .size = sizes[i] };
			if (strcmp(w->name, "map") == 0)
				w->bytes_per_run = 24.0 * (double)sizes[i];
			if (w->setup(&s) != 0)
				skb_die("%s %ld: setup failed (out of memory?)",
				    w->name, s.size);
			phase(r, w, &s, SKB_SERIAL, 0, -1);
			for (int k = 0; k < r->nworkers; k++)
				phase(r, w, &s, SKB_SKUA, r->workers[k], -1);
			for (int k = 0; do_compare && skb_omp_available() &&
			    k < r->nworkers; k++)
				phase(r, w, &s, SKB_OPENMP, r->workers[k], -1);
			for (int k = 0; do_compare && skb_tbb_available() &&
			    k < r->nworkers; k++)
				phase(r, w, &s, SKB_TBB, r->workers[k], -1);
			if (w->teardown != NULL)
				w->teardown(&s);
		}
		if (do_sweep) {
			bool any = false;
			for (int i = 0; i < NWORKLOADS; i++) {
				if (!selected[i] || !workloads[i].needs_parallel)
					continue;
				sweep(r, &workloads[i], sizes[i], maxw);
				any = true;
			}
			if (!any) {
				int k = workload_index("primes");
				sweep(r, &workloads[k], sizes[k], maxw);
			}
		}
	}
	skb_progress_done();

	if (do_report) {
		skb_print_report(stdout, r);
	} else {
		printf("skua-bench %s: %s, %u CPUs, %s, %s; %d runs per "
		    "figure after %d warm-up\n", SKUA_VERSION_STRING,
		    r->cpu_model, r->cpus, r->kernel, r->compiler, r->repeat,
		    r->warmup);
		skb_print_table(stdout, r);
		if (do_compare)
			skb_print_compare(stdout, r);
		if (r->nbest > 0)
			skb_print_sweep(stdout, r);
	}
	fflush(stdout);
	int rc = 0;
	if (json != NULL && skb_write_json(json, r) != 0)
		rc = 1;
	if (csv != NULL && skb_write_csv(csv, r) != 0)
		rc = 1;
	if (plot != NULL && skb_write_svg(plot, r) != 0)
		rc = 1;
	for (int i = 0; i < r->nresults; i++)
		free(r->results[i].times);
	free(r->results);
	return rc;
}
