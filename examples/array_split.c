/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * array_split.c - the numpy idiom
 *
 *     chunks = numpy.array_split(a, k)
 *     with Pool() as pool:
 *         parts = pool.map(f, chunks)
 *     b = numpy.concatenate(parts)
 *
 * without the copies: skua_parallel_map_chunks() hands f a pointer to each
 * chunk of the input and of the output, in place.  Here f computes
 * b = sqrt(a) * 0.5 + 1 over 10^7 doubles, first with k = 8 equal chunks
 * (opts.chunk = ceil(n / k), what array_split(a, 8) does up to one element
 * per chunk), then with automatic chunks, and checks both against a serial
 * loop.
 *
 *     usage: array_split [n]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skua.h"

struct stats {
	size_t calls, min, max;
};

/* One chunk: a plain loop over count elements, which the compiler can
 * vectorise. */
static void f(const void *in, void *out, size_t count, void *ctx)
{
	const double *a = in;
	double *b = out;
	(void)ctx;
	for (size_t i = 0; i < count; i++)
		b[i] = sqrt(a[i]) * 0.5 + 1.0;
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	if (n == 0 || n > SIZE_MAX / sizeof(double)) {
		fprintf(stderr, "usage: array_split [N >= 1]\n");
		return 2;
	}
	double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
	skua_pool *pool;
	int rc, bad = 0;

	if (a == NULL || b == NULL) {
		fprintf(stderr, "array_split: out of memory\n");
		free(a);
		free(b);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		a[i] = (double)i;
	if ((rc = skua_pool_create(NULL, &pool)) != 0) {
		fprintf(stderr, "skua_pool_create: %s\n", skua_strerror(rc));
		return 1;
	}
	for (int pass = 0; pass < 2; pass++) {
		skua_par_opts opts;
		skua_par_opts_init(&opts);
		opts.chunk = pass == 0 ? (n + 7) / 8 : 0;
		opts.site = "array_split";
		memset(b, 0, n * sizeof *b);
		rc = skua_parallel_map_chunks(pool, a, b, n, sizeof *a,
		    sizeof *b, f, NULL, &opts);
		if (rc != 0) {
			fprintf(stderr, "skua_parallel_map_chunks: %s\n",
			    skua_strerror(rc));
			return 1;
		}
		double sum = 0;
		for (size_t i = 0; i < n; i++) {
			if (b[i] != sqrt(a[i]) * 0.5 + 1.0)
				bad++;
			sum += b[i];
		}
		printf("%s chunks: sum %.6e, %d wrong\n",
		    pass == 0 ? "8 equal" : "automatic", sum, bad);
	}
	skua_pool_destroy(pool);
	free(a);
	free(b);
	if (bad != 0) {
		printf("FAIL\n");
		return 1;
	}
	printf("OK\n");
	return 0;
}
