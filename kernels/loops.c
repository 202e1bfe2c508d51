/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernels/loops.c - the data-parallel kernels, primes (a reduce) and map (a
 * loop over chunks), serial and on skua, and the sieve that checks primes
 * independently of both (kernels.h).
 */
#include "kernels.h"

#include <errno.h>
#include <stdlib.h>

#include "skua/parallel.h"

/* ---- primes and map ----------------------------------------------- */

int skb_is_prime(uint64_t n)
{
	if (n < 2)
		return 0;
	for (uint64_t i = 2; i * i <= n; i++)
		if (n % i == 0)
			return 0;
	return 1;
}

long skb_primes_serial(uint64_t n)
{
	long count = 0;
	for (uint64_t i = 1; i < n; i++)
		count += skb_is_prime(i);
	return count;
}

long skb_primes_sieve(uint64_t n)
{
	if (n < 3)
		return 0;
	unsigned char *composite = calloc(n, 1);
	if (composite == NULL)
		return -ENOMEM;
	long count = 0;
	for (uint64_t i = 2; i < n; i++) {
		if (composite[i])
			continue;
		count++;
		for (uint64_t j = i * i; j < n; j += i)
			composite[j] = 1;
	}
	free(composite);
	return count;
}

void skb_map_serial(size_t n, double a, const double *x, double *y)
{
	for (size_t i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

static void primes_body(size_t lo, size_t hi, void *acc, void *ctx)
{
	long *count = acc;
	(void)ctx;
	for (size_t i = lo; i < hi; i++)
		*count += skb_is_prime(i);
}

static void primes_combine(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

long skb_primes_skua(skua_pool *p, uint64_t n, size_t chunk)
{
	skua_par_opts o;
	long zero = 0, result = 0;

	skua_par_opts_init(&o);
	o.chunk = chunk;
	o.site = SKB_SITE_PRIMES;
	if (n < 1)
		return 0;
	int rc = skua_parallel_reduce(p, 1, (size_t)n, &o, sizeof(long),
	    &zero, primes_body, primes_combine, NULL, &result);
	return rc != 0 ? rc : result;
}

/* y = a*x + y a chunk at a time: in is x, out is y (read and written). */
static void map_chunk(const void *in, void *out, size_t count, void *ctx)
{
	double a = *(const double *)ctx;
	const double *x = in;
	double *y = out;
	for (size_t i = 0; i < count; i++)
		y[i] = a * x[i] + y[i];
}

int skb_map_skua(skua_pool *p, size_t n, double a, const double *x,
    double *y, size_t chunk)
{
	skua_par_opts o;

	skua_par_opts_init(&o);
	o.chunk = chunk;
	o.site = SKB_SITE_MAP;
	return skua_parallel_map_chunks(p, x, y, n, sizeof(double),
	    sizeof(double), map_chunk, &a, &o);
}
