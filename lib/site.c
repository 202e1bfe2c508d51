/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/site.c - the numbered parallel-loop call sites (lib/site.h).
 *
 * An append-only table: entries [0, count) are immutable once published,
 * so a lookup is a scan with no lock.  A process has a few dozen sites at
 * most, and only the profile and the trace look them up, once per loop
 * call, so a scan costs less than the hash table parallel_env.c needs for
 * every call.
 */
#define _GNU_SOURCE /* dladdr */
#include "site.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct skua__site sites[SKUA__SITES];
static _Atomic unsigned site_count;
static pthread_mutex_t site_lock = PTHREAD_MUTEX_INITIALIZER;

pthread_mutex_t *skua__site_lock(void)
{
	return &site_lock;
}

static bool site_is(const struct skua__site *s, const char *name,
    const void *fn)
{
	if (name != NULL)
		return s->name != NULL && strcmp(s->name, name) == 0;
	return s->name == NULL && s->fn == fn;
}

static unsigned site_find(unsigned n, const char *name, const void *fn)
{
	for (unsigned i = 0; i < n; i++)
		if (site_is(&sites[i], name, fn))
			return i;
	return SKUA__SITES;
}

unsigned skua__site_id(const char *name, const void *fn)
{
	/* Acquire: pairs with the release below; entries below n are
	 * complete. */
	unsigned n = atomic_load_explicit(&site_count, memory_order_acquire);
	unsigned id = site_find(n, name, fn);
	if (id != SKUA__SITES)
		return id;
	pthread_mutex_lock(&site_lock);
	n = atomic_load_explicit(&site_count, memory_order_relaxed);
	id = site_find(n, name, fn);
	if (id == SKUA__SITES) {
		char *copy = name != NULL ? strdup(name) : NULL;
		if (n == SKUA__SITE_OTHER || (name != NULL && copy == NULL)) {
			free(copy);
			id = SKUA__SITE_OTHER;
		} else {
			sites[n] = (struct skua__site){ copy, fn };
			/* Release: publishes the entry to the scans. */
			atomic_store_explicit(&site_count, n + 1,
			    memory_order_release);
			id = n;
		}
	}
	pthread_mutex_unlock(&site_lock);
	return id;
}

struct skua__site skua__site_get(unsigned id)
{
	unsigned n = atomic_load_explicit(&site_count, memory_order_acquire);
	if (id >= n)
		return (struct skua__site){ NULL, NULL };
	return sites[id];
}

const char *skua__site_label(unsigned id, char *buf, size_t len)
{
	struct skua__site s = skua__site_get(id);
	Dl_info info;

	if (id >= atomic_load_explicit(&site_count, memory_order_acquire))
		snprintf(buf, len, "(sites past %u)", (unsigned)SKUA__SITE_OTHER);
	else if (s.name != NULL)
		snprintf(buf, len, "%s", s.name);
	else if (dladdr(s.fn, &info) != 0 && info.dli_sname != NULL &&
	    info.dli_saddr == s.fn)
		snprintf(buf, len, "%s", info.dli_sname);
	else
		snprintf(buf, len, "fn@%p", s.fn);
	return buf;
}
