/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/util.c - what every part of skua-bench uses: the
 * progress line, fatal errors, sorting, the median and percentiles,
 * sleeping, CPU time (util.h), a pool of n workers, the runners' names
 * (bench.h).  Kept out of main.c, so that the parts below it call down
 * into here and never back up into main.
 */
#include "bench.h"
#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

bool skb_quiet;
static bool progress_open;

void skb_progress(const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (skb_quiet)
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

void skb_sort(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
}

static double *sorted_copy(const double *v, int n)
{
	double *s = malloc((size_t)n * sizeof *s);
	if (s == NULL)
		skb_die("out of memory");
	memcpy(s, v, (size_t)n * sizeof *s);
	skb_sort(s, n);
	return s;
}

double skb_median(const double *v, int n)
{
	double *s = sorted_copy(v, n);
	double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

double skb_percentile(const double *v, int n, double q)
{
	double *s = sorted_copy(v, n);
	double p = s[(int)(q * (n - 1) + 0.5)];
	free(s);
	return p;
}

void skb_sleep(double s)
{
	struct timespec ts = { (time_t)s,
		(long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

double skb_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
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
