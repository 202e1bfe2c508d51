/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/nested_fixed.c - what a small fixed-chunk loop nested in a
 * busy pool costs per call (issue 11: fixed chunks are spread over the
 * workers at a loop's start, so where every worker is busy the pieces are
 * forked and exposed for nobody and taken back at their joins).
 *
 * An outer skua_parallel_for (automatic chunks) over `rows` rows keeps
 * every worker busy; each row runs an inner skua_parallel_for over 256
 * elements of y[i] = 3 * x[i] + y[i] with opts.chunk = `chunk` (so
 * 256 / chunk chunks), or automatic chunks for chunk 0.  Prints the time
 * per inner call per worker: wall * workers / rows.
 *
 * The machine is shared: a timing during which other processes used more
 * than 5% of its CPU time (/proc/stat less our own getrusage) is taken
 * again.
 *
 * usage: nested_fixed [workers [repeat [rows [chunk]]]]
 *        (default 2 7 200000, every chunk of the table; 0 = auto)
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/nested_fixed.c \
 *            build-docs/libskua.a -ljemalloc -lpthread -o /tmp/nested_fixed
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "skua.h"

#define M 256

static skua_pool *pool;
static double x[M], y[64][M];
static size_t inner_chunk;

static void inner(size_t lo, size_t hi, void *ctx)
{
	double *yy = ctx;
	for (size_t i = lo; i < hi; i++)
		yy[i] = 3.0 * x[i] + yy[i];
}

static void outer(size_t lo, size_t hi, void *ctx)
{
	(void)ctx;
	skua_par_opts o;
	skua_par_opts_init(&o);
	o.chunk = inner_chunk;
	/* A row of y per worker: two workers never write the same line. */
	double *yy = y[skua_worker_index(skua_worker_current()) % 64];
	for (size_t r = lo; r < hi; r++)
		if (skua_parallel_for(pool, 0, M, &o, inner, yy) != 0)
			exit(1);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of the whole machine (/proc/stat, in seconds) and of us. */
static double machine_busy(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	if (f == NULL || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu "
	    "%llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
	    &v[7]) != 8) {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	fclose(f);
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	    (double)sysconf(_SC_CLK_TCK);
}

static double self_busy(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
}

static int retries;

static double timed(size_t rows)
{
	for (int tries = 0;; tries++) {
		double m0 = machine_busy(), s0 = self_busy(), t0 = now();
		if (skua_parallel_for(pool, 0, rows, NULL, outer, NULL) != 0)
			exit(1);
		double t = now() - t0;
		double others = (machine_busy() - m0) - (self_busy() - s0);
		if (others <= 0.05 * t * 2 + 0.02 || tries == 50)
			return t;
		retries++;
		struct timespec ts = { 0, 200000000 };
		nanosleep(&ts, NULL);
	}
}

static int cmp(const void *a, const void *b)
{
	double u = *(const double *)a, v = *(const double *)b;
	return u < v ? -1 : u > v;
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	int repeat = argc > 2 ? atoi(argv[2]) : 7;
	size_t rows = argc > 3 ? (size_t)atol(argv[3]) : 200000;
	static const size_t chunks[] = { 0, 256, 128, 64, 16, 1 };
	skua_config cfg;
	double t[101];

	if (repeat < 1 || repeat > 101)
		return 2;
	skua_config_init(&cfg);
	cfg.workers = workers;
	if (skua_pool_create(&cfg, &pool) != 0)
		return 1;
	printf("# %u workers, %zu inner loops of %d elements, median of %d\n"
	    "# %-6s %7s %12s\n", workers, rows, M, repeat, "chunk",
	    "chunks", "ns_per_call");
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		if (argc > 4 && chunks[c] != (size_t)atol(argv[4]))
			continue;
		inner_chunk = chunks[c];
		for (int r = 0; r < repeat + 1; r++) {
			double dt = timed(rows);
			if (r > 0) /* the first is a warm-up */
				t[r - 1] = dt;
		}
		qsort(t, (size_t)repeat, sizeof t[0], cmp);
		double med = t[repeat / 2];
		char name[24], nch[24];
		snprintf(name, sizeof name, "auto");
		if (chunks[c] != 0) {
			snprintf(name, sizeof name, "%zu", chunks[c]);
			snprintf(nch, sizeof nch, "%zu", M / chunks[c]);
		} else {
			snprintf(nch, sizeof nch, "-");
		}
		printf("%-8s %7s %12.1f\n", name, nch,
		    med * 1e9 * workers / (double)rows);
	}
	printf("# %d timings taken again\n", retries);
	return skua_pool_destroy(pool);
}
