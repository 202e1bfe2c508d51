/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/profile.h - the per-site loop profile (SKUA_PROFILE=<file>), read by
 * `skua-bench profile`.  What is counted, where, and the file's format:
 * lib/profile.md.
 *
 * Off (the default) a pool's profile pointer is NULL and a loop pays one
 * branch on it per call and one on its job's copy per chunk.  On, each
 * worker counts into its own cell of the site (no shared writes per
 * chunk); the calling thread adds the per-call figures.
 */
#ifndef SKUA_PROFILE_H
#define SKUA_PROFILE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "site.h"

#define SKUA__PROF_HIST 256 /* log-linear buckets: 4 per power of two */

/* One worker's counters for one site: written by that worker only. */
struct skua__prof_cell {
	_Atomic uint64_t chunks, elems, ns, splits, steals;
	_Atomic uint64_t elems_min, elems_max;
	_Atomic uint32_t elems_hist[SKUA__PROF_HIST];
	_Atomic uint32_t ns_hist[SKUA__PROF_HIST];
};

/* Where a loop's chunk size came from (skua__par_chunk_resolve). */
enum skua__chunk_src {
	SKUA__CHUNK_AUTO,     /* automatic: sized by the clock */
	SKUA__CHUNK_DET_AUTO, /* deterministic, sized from n */
	SKUA__CHUNK_OPTS,     /* skua_par_opts.chunk */
	SKUA__CHUNK_ENV,      /* SKUA_CHUNK_SIZE */
	SKUA__CHUNK_ENV_SITE, /* SKUA_CHUNK_SIZE_<SITE> */
	SKUA__CHUNK_SRC_COUNT
};

/* A worker's chunk nesting, so that only its outermost chunks count as
 * busy time (an outer chunk's time holds its inner loops' chunks). */
struct skua__prof_worker {
	_Atomic uint64_t busy_ns;
	unsigned depth;
};

struct skua__profile {
	struct skua_pool *pool;
	char *path;
	unsigned number;                   /* 1, 2, ... in this process */
	uint64_t t_create;
	bool written;
	_Atomic uint64_t futures, blocking;
	pthread_mutex_t lock;              /* making a site */
	_Atomic(struct skua__prof_site *) sites[SKUA__SITES];
	struct skua__profile *next;        /* the live list, for atexit */
	struct skua__prof_worker *workers; /* one per slot */
};

/* One site's profile in one pool. */
struct skua__prof_site {
	unsigned id;                      /* lib/site.h */
	_Atomic uint64_t calls, elements;
	_Atomic uint64_t nested_calls;    /* made from a worker of the pool */
	/* Calls from outside the pool: the workers' time they spanned and
	 * the part of it spent in this site's chunks. */
	_Atomic uint64_t top_span_ns, top_busy_ns;
	_Atomic uint64_t chunk_min, chunk_max;  /* fixed sizes in effect */
	_Atomic uint32_t src_calls[SKUA__CHUNK_SRC_COUNT];
	struct skua__profile *prof;       /* the pool's, for its workers */
	unsigned ncells;
	struct skua__prof_cell cells[];   /* one per worker slot */
};

/* What a loop call keeps between begin and end. */
struct skua__prof_call {
	struct skua__prof_site *site;
	uint64_t t0, busy0;
	unsigned workers;
	bool top;
};

struct skua_pool;
struct skua_worker;

/* Pool create: allocate the pool's profile when SKUA_PROFILE is set.
 * Returns 0 or -ENOMEM. */
int skua__profile_pool_init(struct skua_pool *p);
/* The pool started (its create succeeds): number it, 1, 2, ... in the
 * process, so that a failed create takes no number. */
void skua__profile_pool_started(struct skua_pool *p);
/* The lock of the live profiles (held across fork(): lib/fork.h); it
 * nests the site table's lock (a write reads the sites' names). */
pthread_mutex_t *skua__profile_live_lock(void);
/* Pool destroy, after the workers stopped: append the pool's profile to
 * the SKUA_PROFILE file. */
void skua__profile_pool_write(struct skua_pool *p);
/* Free the pool's profile (NULL: nothing); from pool_free. */
void skua__profile_pool_free(struct skua_pool *p);

/*
 * A loop call on a profiled pool: begin returns the site's profile (NULL
 * when out of memory: the call goes unprofiled) and fills *c; end adds the
 * call's figures.  chunk: the size in effect (0: automatic).
 */
struct skua__prof_site *skua__profile_loop_begin(struct skua_pool *p,
    const char *site, const void *fn, size_t n, size_t chunk,
    enum skua__chunk_src src, struct skua__prof_call *c);
void skua__profile_loop_end(struct skua__prof_call *c);

/* lib/profile_write.c: the pool's profile as one JSON line. */
void skua__profile_emit(FILE *f, struct skua__profile *pf, bool at_exit);

/* Futures and blocking jobs, counted per pool while profiling. */
void skua__profile_count_future(struct skua_pool *p, bool blocking);
/* A future counted by skua__future_new whose spawn then failed. */
void skua__profile_uncount_future(struct skua_pool *p);

/* The owner's counters: a relaxed load and store, as SKUA_STAT_ADD. */
#define SKUA__PROF_ADD(field, n)                                             \
	atomic_store_explicit(&(field),                                      \
	    atomic_load_explicit(&(field), memory_order_relaxed) + (n),      \
	    memory_order_relaxed)

/* The bucket of v: exact below 16, then 4 per power of two. */
static inline unsigned skua__prof_bucket(uint64_t v)
{
	if (v < 16)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	return 16u + (e - 4u) * 4u + (unsigned)((v >> (e - 2u)) & 3u);
}


/* Worker `index` ran a chunk of elems elements in ns nanoseconds. */
static inline void skua__profile_chunk(struct skua__prof_site *s,
    unsigned index, uint64_t elems, uint64_t ns)
{
	struct skua__prof_cell *c = &s->cells[index];
	SKUA__PROF_ADD(c->chunks, 1);
	SKUA__PROF_ADD(c->elems, elems);
	SKUA__PROF_ADD(c->ns, ns);
	SKUA__PROF_ADD(c->elems_hist[skua__prof_bucket(elems)], 1);
	SKUA__PROF_ADD(c->ns_hist[skua__prof_bucket(ns)], 1);
	if (elems > atomic_load_explicit(&c->elems_max, memory_order_relaxed))
		atomic_store_explicit(&c->elems_max, elems,
		    memory_order_relaxed);
	uint64_t mn = atomic_load_explicit(&c->elems_min, memory_order_relaxed);
	if (mn == 0 || elems < mn)
		atomic_store_explicit(&c->elems_min, elems,
		    memory_order_relaxed);
}

#endif
