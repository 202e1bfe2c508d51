/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/profile.c - the per-site loop profile (lib/profile.md): the pool's
 * tables, the per-call figures, and the JSON line written at destroy (or
 * at exit for a pool still alive then).
 */
#define _GNU_SOURCE /* dladdr */
#include "profile.h"
#include "env.h"
#include "site.h"
#include "pool_struct.h"
#include "worker.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Pools with a profile, for the exit-time write of those never
 * destroyed; and the process's pool numbering. */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct skua__profile *live;
static unsigned pools_profiled;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* Append pf's line to its file: one write(2) of the whole line on an
 * O_APPEND descriptor, so that the ranks or children of a program that
 * share the file never interleave.  With live_lock held. */
static void profile_write(struct skua__profile *pf, bool at_exit)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	pf->written = true;
	if (m == NULL)
		return;
	skua__profile_emit(m, pf, at_exit);
	if (fclose(m) != 0) {
		free(buf);
		return;
	}
	int fd = open(pf->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644);
	ssize_t wr = fd >= 0 ? write(fd, buf, len) : -1;
	if (wr != (ssize_t)len)
		fprintf(stderr, "skua: cannot write the profile to %s: %s\n",
		    pf->path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void write_live_at_exit(void)
{
	pthread_mutex_lock(&live_lock);
	for (struct skua__profile *pf = live; pf != NULL; pf = pf->next)
		if (!pf->written && !skua__pool_forked(pf->pool))
			profile_write(pf, true);
	pthread_mutex_unlock(&live_lock);
}

static void exit_register(void)
{
	atexit(write_live_at_exit);
}

int skua__profile_pool_init(struct skua_pool *p)
{
	p->profile = NULL;
	const char *path = skua__env_string(SKUA__ENV_PROFILE);
	if (path == NULL)
		return 0;
	struct skua__profile *pf = skua__calloc(1, sizeof *pf);
	if (pf == NULL)
		return -ENOMEM;
	pf->workers = skua__calloc(p->cap, sizeof *pf->workers);
	pf->path = strdup(path);
	if (pf->workers == NULL || pf->path == NULL ||
	    pthread_mutex_init(&pf->lock, NULL) != 0) {
		skua__free(pf->workers, p->cap * sizeof *pf->workers);
		free(pf->path);
		skua__free(pf, sizeof *pf);
		return -ENOMEM;
	}
	pf->pool = p;
	pf->t_create = skua__now_ns();
	pthread_once(&exit_once, exit_register);
	pthread_mutex_lock(&live_lock);
	pf->next = live;
	live = pf;
	pthread_mutex_unlock(&live_lock);
	p->profile = pf;
	return 0;
}

void skua__profile_pool_started(struct skua_pool *p)
{
	if (p->profile == NULL)
		return;
	pthread_mutex_lock(&live_lock);
	p->profile->number = ++pools_profiled;
	pthread_mutex_unlock(&live_lock);
}

pthread_mutex_t *skua__profile_live_lock(void)
{
	return &live_lock;
}

void skua__profile_pool_write(struct skua_pool *p)
{
	if (p->profile == NULL)
		return;
	pthread_mutex_lock(&live_lock);
	/* Written at exit already: this destroy runs later in exit (an
	 * atexit handler registered before the pool's first create, a
	 * destructor).  A second line would count every call twice in
	 * skua-bench profile, which merges the lines: one line per pool. */
	if (!p->profile->written)
		profile_write(p->profile, false);
	pthread_mutex_unlock(&live_lock);
}

void skua__profile_pool_free(struct skua_pool *p)
{
	struct skua__profile *pf = p->profile;
	if (pf == NULL)
		return;
	pthread_mutex_lock(&live_lock);
	for (struct skua__profile **pp = &live; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == pf) {
			*pp = pf->next;
			break;
		}
	pthread_mutex_unlock(&live_lock);
	for (unsigned i = 0; i < SKUA__SITES; i++) {
		struct skua__prof_site *s = atomic_load_explicit(&pf->sites[i],
		    memory_order_relaxed);
		if (s != NULL)
			skua__free(s, sizeof *s + s->ncells * sizeof s->cells[0]);
	}
	pthread_mutex_destroy(&pf->lock);
	skua__free(pf->workers, p->cap * sizeof *pf->workers);
	free(pf->path);
	skua__free(pf, sizeof *pf);
	p->profile = NULL;
}

/* The pool's profile of site id, made at its first call here. */
static struct skua__prof_site *site_of(skua_pool *p, unsigned id)
{
	struct skua__profile *pf = p->profile;
	/* Acquire: pairs with the release below (the zeroed cells). */
	struct skua__prof_site *s = atomic_load_explicit(&pf->sites[id],
	    memory_order_acquire);
	if (s != NULL)
		return s;
	pthread_mutex_lock(&pf->lock);
	s = atomic_load_explicit(&pf->sites[id], memory_order_relaxed);
	if (s == NULL) {
		s = skua__calloc(1, sizeof *s + p->cap * sizeof s->cells[0]);
		if (s != NULL) {
			s->id = id;
			s->prof = pf;
			s->ncells = p->cap;
			atomic_store_explicit(&s->chunk_min, UINT64_MAX,
			    memory_order_relaxed);
			/* Release: publishes the initialised site. */
			atomic_store_explicit(&pf->sites[id], s,
			    memory_order_release);
		}
	}
	pthread_mutex_unlock(&pf->lock);
	return s;
}

static uint64_t busy_sum(const struct skua__profile *pf, unsigned n)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < n; i++)
		sum += atomic_load_explicit(&pf->workers[i].busy_ns,
		    memory_order_relaxed);
	return sum;
}

static void fetch_min(_Atomic uint64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
	while (v < cur && !atomic_compare_exchange_weak_explicit(a, &cur, v,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

static void fetch_max(_Atomic uint64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load_explicit(a, memory_order_relaxed);
	while (v > cur && !atomic_compare_exchange_weak_explicit(a, &cur, v,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

struct skua__prof_site *skua__profile_loop_begin(struct skua_pool *p,
    const char *site, const void *fn, size_t n, size_t chunk,
    enum skua__chunk_src src, struct skua__prof_call *c)
{
	struct skua__prof_site *s = site_of(p, skua__site_id(site, fn));
	c->site = s;
	if (s == NULL)
		return NULL;
	/* Relaxed: counters, read after the workers are joined (or at exit,
	 * as a snapshot). */
	atomic_fetch_add_explicit(&s->calls, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->elements, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->src_calls[src], 1, memory_order_relaxed);
	if (chunk != 0) {
		fetch_min(&s->chunk_min, chunk);
		fetch_max(&s->chunk_max, chunk);
	}
	skua_worker *w = skua__tls_worker;
	c->top = w == NULL || w->pool != p;
	if (!c->top) {
		atomic_fetch_add_explicit(&s->nested_calls, 1,
		    memory_order_relaxed);
		return s;
	}
	c->workers = p->n;
	c->busy0 = busy_sum(p->profile, p->cap);
	c->t0 = skua__now_ns();
	return s;
}

void skua__profile_loop_end(struct skua__prof_call *c)
{
	struct skua__prof_site *s = c->site;
	if (s == NULL || !c->top)
		return;
	uint64_t span = (skua__now_ns() - c->t0) * c->workers;
	uint64_t busy = busy_sum(s->prof, s->ncells) - c->busy0;
	atomic_fetch_add_explicit(&s->top_span_ns, span, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->top_busy_ns, busy < span ? busy : span,
	    memory_order_relaxed);
}

void skua__profile_count_future(struct skua_pool *p, bool blocking)
{
	atomic_fetch_add_explicit(blocking ? &p->profile->blocking :
	    &p->profile->futures, 1, memory_order_relaxed);
}

void skua__profile_uncount_future(struct skua_pool *p)
{
	atomic_fetch_sub_explicit(&p->profile->futures, 1,
	    memory_order_relaxed);
}
