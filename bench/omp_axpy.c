/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/omp_axpy.c - y = a*x + y over doubles: OpenMP schedule(static)
 * against skua_parallel_for with automatic chunks (BENCHMARKS.md, "Memory
 * bandwidth").  Best of R runs each, in GB/s at 24 bytes per element; the
 * two are run alternately on the same arrays after the same first touch.
 *
 *     usage: omp_axpy [n=10^8] [threads=all] [runs=5]
 *
 * Build: cc -O2 -fopenmp omp_axpy.c -lskua (bench/CMakeLists.txt, with
 * find_package(OpenMP) and OpenMP::OpenMP_C).
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct axpy {
	double a;
	const double *x;
	double *y;
};

static void axpy_chunk(size_t lo, size_t hi, void *ctx)
{
	const struct axpy *k = ctx;
	const double a = k->a, *restrict x = k->x;
	double *restrict y = k->y;
	for (size_t i = lo; i < hi; i++)
		y[i] = a * x[i] + y[i];
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000;
	int threads = argc > 2 ? atoi(argv[2]) : omp_get_max_threads();
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
	double best_omp = 1e30, best_skua = 1e30;
	skua_config cfg;
	skua_pool *pool;

	if (x == NULL || y == NULL || threads < 1)
		return 1;
	/* The pool first: OMP_PROC_BIND=true pins the initial thread to one
	 * CPU at the first parallel region, and threads created after that
	 * inherit the mask (all 16 workers on one CPU: 7x slower, measured). */
	skua_config_init(&cfg);
	cfg.workers = (unsigned)threads;
	if (skua_pool_create(&cfg, &pool) != 0)
		return 1;
	omp_set_num_threads(threads);
	/* First touch in the static layout both versions use. */
#pragma omp parallel for schedule(static)
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(i % 1000);
		y[i] = 1.0;
	}
	struct axpy k = { 3.0, x, y };
	for (int r = 0; r < runs; r++) {
		double t0 = now();
#pragma omp parallel for schedule(static)
		for (size_t i = 0; i < n; i++)
			y[i] = 3.0 * x[i] + y[i];
		double t1 = now();
		if (skua_parallel_for(pool, 0, n, NULL, axpy_chunk, &k) != 0)
			return 1;
		double t2 = now();
		if (t1 - t0 < best_omp)
			best_omp = t1 - t0;
		if (t2 - t1 < best_skua)
			best_skua = t2 - t1;
	}
	/* Every element saw 2 * runs updates: y = 1 + 6 * runs * x. */
	for (size_t i = 0; i < n; i += n / 97 + 1)
		if (y[i] != 1.0 + 6.0 * runs * x[i]) {
			printf("FAIL at %zu\n", i);
			return 1;
		}
	double gb = 24.0 * (double)n / 1e9;
	printf("axpy n=%zu threads=%d: openmp static %.4f s (%.1f GB/s), "
	    "skua auto %.4f s (%.1f GB/s), skua/omp %.3f\n", n, threads,
	    best_omp, gb / best_omp, best_skua, gb / best_skua,
	    best_skua / best_omp);
	skua_pool_destroy(pool);
	free(x);
	free(y);
	return 0;
}
