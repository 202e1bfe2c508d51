/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/chunk_curve.c - time of skua_parallel_for against the chunk
 * size for three element costs (docs/optimization-guide.md, "Chunk size"):
 *
 *   cheap     y[i] = 3 * x[i] + y[i] over 10^7 doubles (~1 ns, memory-bound)
 *   expensive a fixed ~2 us of arithmetic per element, 2*10^4 elements
 *   skewed    element i costs ~ i / n * 4 us (a triangle: the last chunks
 *             are the dearest), 2*10^4 elements
 *
 * usage: chunk_curve [workers [repeat]]  (prints: kind chunk median_ms min_ms)
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/chunk_curve.c \
 *            build-docs/libskua.a -ljemalloc -lpthread -o /tmp/chunk_curve
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

struct ctx {
	double *x, *y;
	size_t n;
	unsigned spin; /* iterations of the spin loop for one "unit" */
	int kind;      /* 0 cheap, 1 expensive, 2 skewed */
};

static volatile double sink;

static double spin(unsigned k)
{
	double a = 1.0;
	for (unsigned i = 0; i < k; i++)
		a = a * 1.0000001 + 1e-9;
	return a;
}

static void body(size_t lo, size_t hi, void *arg)
{
	struct ctx *c = arg;
	if (c->kind == 0) {
		for (size_t i = lo; i < hi; i++)
			c->y[i] = 3.0 * c->x[i] + c->y[i];
		return;
	}
	double s = 0;
	for (size_t i = lo; i < hi; i++) {
		unsigned k = c->kind == 1 ? c->spin :
		    (unsigned)((double)c->spin * 2.0 * (double)i / (double)c->n);
		s += spin(k);
	}
	sink = s;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	skua_config cfg;
	skua_pool *pool;
	int repeat = argc > 2 ? atoi(argv[2]) : 7;
	double t[64];

	skua_config_init(&cfg);
	cfg.workers = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
	if (skua_pool_create(&cfg, &pool) != 0 || repeat < 1 || repeat > 64)
		return 1;
	/* Calibrate: how many spin iterations take 2 us. */
	double t0 = now();
	sink = spin(1000000);
	unsigned per2us = (unsigned)(1000000 * 2e-6 / (now() - t0));
	size_t big = 10000000;
	struct ctx c = { malloc(big * sizeof(double)),
	    malloc(big * sizeof(double)), 0, per2us, 0 };
	if (c.x == NULL || c.y == NULL)
		return 1;
	for (size_t i = 0; i < big; i++)
		c.x[i] = c.y[i] = (double)i;
	printf("# %u workers, spin %u iterations = 2 us\n",
	    skua_pool_workers(pool), per2us);
	printf("# kind       chunk   median_ms    min_ms\n");
	for (int kind = 0; kind < 3; kind++) {
		c.kind = kind;
		c.n = kind == 0 ? big : 20000;
		for (size_t chunk = 0; chunk <= c.n / 2; chunk = chunk ? chunk * 4 : 1) {
			skua_par_opts o;
			skua_par_opts_init(&o);
			o.chunk = chunk;
			for (int r = -1; r < repeat; r++) {
				double a = now();
				if (skua_parallel_for(pool, 0, c.n, &o, body, &c) != 0)
					return 1;
				if (r >= 0)
					t[r] = now() - a;
			}
			qsort(t, (size_t)repeat, sizeof t[0], cmp);
			char name[32];
			snprintf(name, sizeof name, chunk ? "%zu" : "auto", chunk);
			printf("%-10s %8s %10.3f %10.3f\n",
			    kind == 0 ? "cheap" : kind == 1 ? "expensive" : "skewed",
			    name, t[repeat / 2] * 1e3, t[0] * 1e3);
			fflush(stdout);
		}
	}
	skua_pool_destroy(pool);
	return 0;
}
