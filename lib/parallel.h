/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/parallel.h - the parallel loops' job, shared by the engine
 * (lib/parallel.c), the environment's chunk sizes (lib/parallel_env.c) and
 * the public calls (lib/parallel_api.c).
 */
#ifndef SKUA_PARALLEL_INTERNAL_H
#define SKUA_PARALLEL_INTERNAL_H

#include "common.h"
#include "profile.h"

#include <stdalign.h>

#include <pthread.h>

/* The _TRY kinds' bodies return an int: non-zero stops the loop. */
enum par_kind {
	PAR_FOR, PAR_MAP, PAR_MAP_CHUNKS, PAR_REDUCE,
	PAR_FOR_TRY, PAR_MAP_TRY, PAR_REDUCE_TRY
};

struct par_job {
	enum par_kind kind;
	bool det;
	size_t begin;           /* added to the offsets for for and reduce */
	size_t n;               /* the work is the offsets [0, n) */
	size_t chunk;           /* effective chunk size; 0: automatic */
	uint64_t target_ns;     /* automatic: a chunk's target time */
	/* Observed: profiled (prof) or traced (site) chunks take the slow
	 * path, run_chunk_observed; one branch per chunk otherwise. */
	bool observed;
	unsigned site;          /* lib/site.h, when traced */
	struct skua__prof_site *prof; /* when profiled (lib/profile.h) */
	void *ctx;
	union {
		void (*for_body)(size_t, size_t, void *);
		void (*map_fn)(const void *, void *, void *);
		void (*chunks_fn)(const void *, void *, size_t, void *);
		void (*reduce_body)(size_t, size_t, void *, void *);
		int (*for_try)(size_t, size_t, void *);
		int (*map_try)(const void *, void *, void *);
		int (*reduce_try)(size_t, size_t, void *, void *);
	} fn;
	const char *in;
	char *out;
	size_t in_size, out_size;
	size_t acc_size;
	const void *identity;   /* the call's private copy */
	void (*combine)(void *, const void *, void *);
	/* -ENOMEM when a deterministic reduce could not keep its tree.  Relaxed
	 * everywhere: it is a hint to skip work, and the final read follows the
	 * root's join, which orders every write before it. */
	_Atomic int err;
	/*
	 * Early exit (the _TRY kinds).  stop_lo: the lowest offset where a
	 * body failed so far (SIZE_MAX: none), and stop_code its value, both
	 * written under stop_lock (failures are rare; the pair must agree).
	 * Chunks that start above stop_lo are skipped; those below still run,
	 * since one of them may fail lower, which keeps the result the one
	 * of the lowest failing offset whatever the schedule.  Relaxed loads
	 * of stop_lo: a stale one only runs a chunk more.
	 */
	bool stoppable;
	_Atomic size_t stop_lo;
	int stop_code;
	pthread_mutex_t stop_lock;
};

/* Skip the chunk at offset lo: a body failed below it. */
static inline bool skua__par_stopped(const struct par_job *j, size_t lo)
{
	return j->stoppable && lo > atomic_load_explicit(&j->stop_lo,
	    memory_order_relaxed);
}

/* A reduce accumulator small enough for the stack. */
struct acc_buf {
	alignas(max_align_t) unsigned char b[SKUA_PAR_ACC_STACK];
};

/* lib/parallel_env.c: the effective chunk (0: automatic) and where it
 * came from, or -EINVAL for a bad value under SKUA_STRICT=1. */
int skua__par_chunk_resolve(const skua_par_opts *o, size_t *chunk,
    enum skua__chunk_src *src);
/*
 * lib/parallel_env.c: when the last pool is destroyed, warn once per
 * process about each SKUA_CHUNK_SIZE_<SITE> in the environment whose site
 * no loop used (a typo such as SKUA_CHUNK_SIZE_PRIMS), naming the sites
 * that did run.
 */
void skua__par_env_warn_unused(void);
/* The lock of the chunk variables' cache (held across fork(): lib/fork.h). */
pthread_mutex_t *skua__par_env_lock(void);

/* lib/parallel.c: the automatic chunk's target time, SKUA_PAR_CHUNK_TARGET_NS
 * or, where a clock read is slow, 100 of them (the clock's share of a
 * chunk stays under 1%); _for is its rule, given one read's cost. */
uint64_t skua__par_chunk_target(void);
uint64_t skua__par_chunk_target_for(uint64_t clock_read_ns);

/* lib/parallel.c: resolve the chunk, run the job on the pool, wait. */
int skua__par_job_run(skua_pool *pool, struct par_job *j,
    const skua_par_opts *o, void *acc);

#endif
