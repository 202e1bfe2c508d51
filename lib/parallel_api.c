/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/parallel_api.c - the public parallel calls: argument checks, then a
 * job for the engine in lib/parallel.c.  The _try forms let a body stop
 * the loop (their contract is in skua/parallel.h).
 */
#include "parallel.h"

#include <errno.h>
#include <stdalign.h>
#include <string.h>

void skua_par_opts_init(skua_par_opts *o)
{
	if (o == NULL)
		return;
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
}

/* ---- the public calls ------------------------------------------------ */

static int opts_check(const skua_par_opts *o)
{
	if (o == NULL)
		return 0;
	if (o->size != sizeof *o)
		return -EINVAL;
	if (o->deterministic != 0 && o->deterministic != 1)
		return -EINVAL;
	if (o->site != NULL) {
		size_t len = strnlen(o->site, SKUA_PAR_SITE_MAX + 1);
		if (len == 0 || len > SKUA_PAR_SITE_MAX)
			return -EINVAL;
	}
	return 0;
}

/*
 * An empty range calls nothing, but its chunk variables are checked as a
 * call's are: its site counts as used (else the last destroy warned that
 * no loop with the site ran, "a typo?", for a correctly spelled
 * SKUA_CHUNK_SIZE_<SITE>), and a bad value in use fails it under
 * SKUA_STRICT=1 like any other bad argument.
 */
static int empty_range(const skua_par_opts *o)
{
	enum skua__chunk_src src;
	size_t chunk;
	return skua__par_chunk_resolve(o, &chunk, &src);
}

/* The checks every call shares. */
static int pool_check(skua_pool *pool, const skua_par_opts *o)
{
	if (pool == NULL)
		return -EINVAL;
	return opts_check(o);
}

/* Both for forms: the range checks, then the job j (kind and body set). */
static int for_run(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, struct par_job *j, bool body_null)
{
	int rc = pool_check(pool, opts);

	if (rc != 0)
		return rc;
	if (body_null || begin > end)
		return -EINVAL;
	if (begin == end)
		return empty_range(opts);
	j->begin = begin;
	j->n = end - begin;
	return skua__par_job_run(pool, j, opts, NULL);
}

int skua_parallel_for(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, void (*body)(size_t lo, size_t hi, void *ctx),
    void *ctx)
{
	struct par_job j = { .kind = PAR_FOR, .ctx = ctx };
	j.fn.for_body = body;
	return for_run(pool, begin, end, opts, &j, body == NULL);
}

/* The array checks shared by both maps. */
static int map_check(skua_pool *pool, const void *in, void *out, size_t n,
    size_t in_size, size_t out_size, const skua_par_opts *opts)
{
	int rc = pool_check(pool, opts);

	if (rc != 0)
		return rc;
	if (in_size == 0 || out_size == 0 || (n > 0 && (in == NULL ||
	    out == NULL)))
		return -EINVAL;
	if (n == 0)
		return empty_range(opts);
	if (n > SIZE_MAX / in_size || n > SIZE_MAX / out_size)
		return -EOVERFLOW;
	if ((uintptr_t)in > UINTPTR_MAX - n * in_size ||
	    (uintptr_t)out > UINTPTR_MAX - n * out_size)
		return -EOVERFLOW;
	return 0;
}

int skua_parallel_map(skua_pool *pool, const void *in, void *out, size_t n,
    size_t in_size, size_t out_size,
    void (*fn)(const void *in, void *out, void *ctx), void *ctx,
    const skua_par_opts *opts)
{
	if (fn == NULL)
		return -EINVAL;
	int rc = map_check(pool, in, out, n, in_size, out_size, opts);
	if (rc != 0 || n == 0)
		return rc;
	struct par_job j = { .kind = PAR_MAP, .n = n, .ctx = ctx,
	    .in = in, .out = out, .in_size = in_size, .out_size = out_size };
	j.fn.map_fn = fn;
	return skua__par_job_run(pool, &j, opts, NULL);
}

int skua_parallel_map_chunks(skua_pool *pool, const void *in, void *out,
    size_t n, size_t in_size, size_t out_size,
    void (*fn)(const void *in, void *out, size_t count, void *ctx), void *ctx,
    const skua_par_opts *opts)
{
	if (fn == NULL)
		return -EINVAL;
	int rc = map_check(pool, in, out, n, in_size, out_size, opts);
	if (rc != 0 || n == 0)
		return rc;
	struct par_job j = { .kind = PAR_MAP_CHUNKS, .n = n, .ctx = ctx,
	    .in = in, .out = out, .in_size = in_size, .out_size = out_size };
	j.fn.chunks_fn = fn;
	return skua__par_job_run(pool, &j, opts, NULL);
}

/* The accumulator checks, the identity's private copy and the root
 * accumulator, the job, and the copy-out: both reduce forms. */
static int reduce_run(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, size_t acc_size, const void *identity,
    struct par_job *j, bool body_null,
    void (*combine)(void *acc, const void *other, void *ctx), void *result)
{
	int rc = pool_check(pool, opts);

	if (rc != 0)
		return rc;
	if (acc_size == 0 || identity == NULL || body_null ||
	    combine == NULL || result == NULL || begin > end)
		return -EINVAL;
	if (begin == end) {
		if ((rc = empty_range(opts)) == 0)
			memmove(result, identity, acc_size);
		return rc;
	}
	struct acc_buf small[2];
	unsigned char *mem = NULL;
	size_t stride = 0;
	void *id, *acc;
	if (acc_size <= SKUA_PAR_ACC_STACK) {
		id = small[0].b;
		acc = small[1].b;
	} else {
		const size_t a = alignof(max_align_t);
		if (acc_size > SIZE_MAX / 2 - a)
			return -ENOMEM;
		stride = (acc_size + a - 1) / a * a;
		mem = skua__malloc(2 * stride);
		if (mem == NULL)
			return -ENOMEM;
		id = mem;
		acc = mem + stride;
	}
	memcpy(id, identity, acc_size);
	memcpy(acc, identity, acc_size);
	j->begin = begin;
	j->n = end - begin;
	j->acc_size = acc_size;
	j->identity = id;
	j->combine = combine;
	rc = skua__par_job_run(pool, j, opts, acc);
	if (rc == 0)
		memcpy(result, acc, acc_size);
	if (mem != NULL)
		skua__free(mem, 2 * stride);
	return rc;
}

int skua_parallel_reduce(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, size_t acc_size, const void *identity,
    void (*body)(size_t lo, size_t hi, void *acc, void *ctx),
    void (*combine)(void *acc, const void *other, void *ctx), void *ctx,
    void *result)
{
	struct par_job j = { .kind = PAR_REDUCE, .ctx = ctx };
	j.fn.reduce_body = body;
	return reduce_run(pool, begin, end, opts, acc_size, identity, &j,
	    body == NULL, combine, result);
}

int skua_parallel_reduce_try(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, size_t acc_size, const void *identity,
    int (*body)(size_t lo, size_t hi, void *acc, void *ctx),
    void (*combine)(void *acc, const void *other, void *ctx), void *ctx,
    void *result)
{
	struct par_job j = { .kind = PAR_REDUCE_TRY, .ctx = ctx };
	j.fn.reduce_try = body;
	return reduce_run(pool, begin, end, opts, acc_size, identity, &j,
	    body == NULL, combine, result);
}

int skua_parallel_for_try(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, int (*body)(size_t lo, size_t hi, void *ctx),
    void *ctx)
{
	struct par_job j = { .kind = PAR_FOR_TRY, .ctx = ctx };
	j.fn.for_try = body;
	return for_run(pool, begin, end, opts, &j, body == NULL);
}

int skua_parallel_map_try(skua_pool *pool, const void *in, void *out,
    size_t n, size_t in_size, size_t out_size,
    int (*fn)(const void *in, void *out, void *ctx), void *ctx,
    const skua_par_opts *opts)
{
	if (fn == NULL)
		return -EINVAL;
	int rc = map_check(pool, in, out, n, in_size, out_size, opts);
	if (rc != 0 || n == 0)
		return rc;
	struct par_job j = { .kind = PAR_MAP_TRY, .n = n, .ctx = ctx,
	    .in = in, .out = out, .in_size = in_size, .out_size = out_size };
	j.fn.map_try = fn;
	return skua__par_job_run(pool, &j, opts, NULL);
}
