/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * map_squares.c - Python's
 *
 *     with Pool() as pool:
 *         print(pool.map(square, range(10)))
 *
 * in C: skua_parallel_map() calls square(&in[i], &out[i]) for every i.
 */
#include <stdio.h>

#include "skua.h"

static void square(const void *in, void *out, void *ctx)
{
	(void)ctx;
	long x = *(const long *)in;
	*(long *)out = x * x;
}

int main(void)
{
	long in[10], out[10];
	skua_pool *pool;
	int rc;

	for (int i = 0; i < 10; i++)
		in[i] = i;
	if ((rc = skua_pool_create(NULL, &pool)) != 0) {
		fprintf(stderr, "skua_pool_create: %s\n", skua_strerror(rc));
		return 1;
	}
	rc = skua_parallel_map(pool, in, out, 10, sizeof in[0], sizeof out[0],
	    square, NULL, NULL);
	skua_pool_destroy(pool);
	if (rc != 0) {
		fprintf(stderr, "skua_parallel_map: %s\n", skua_strerror(rc));
		return 1;
	}
	printf("[");
	for (int i = 0; i < 10; i++)
		printf("%s%ld", i ? ", " : "", out[i]);
	printf("]\n");
	for (int i = 0; i < 10; i++)
		if (out[i] != (long)i * i)
			return 1;
	return 0;
}
