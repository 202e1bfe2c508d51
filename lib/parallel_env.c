/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/parallel_env.c - a parallel loop's chunk size from the environment:
 * SKUA_CHUNK_SIZE and SKUA_CHUNK_SIZE_<SITE>, read once and cached.  The
 * precedence (site > opts > global > auto) is argued in skua/parallel.h.
 */
#include "parallel.h"
#include "env.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- chunk size from the environment --------------------------------- */

/*
 * Read once per process (the global variable) and once per site name.  A
 * site's entry is immutable once published: lookups are an FNV-1a hash of
 * the name, a probe of an open-addressed table and a strcmp, with no lock.
 * Measured: getenv() of two variables costs about 0.2 us per call with a
 * 30-variable environment (more with a larger one), comparable to a whole
 * small nested loop; the cached lookup costs about 20 ns.  A full table
 * (more than SITE_SLOTS distinct names) falls back to getenv per call.
 */
#define SITE_SLOTS 128

struct site_entry {
	bool present;        /* the variable is set */
	bool bad;            /* ... to a bad value (warned) */
	uint64_t value;      /* the value when present and not bad */
	char name[SKUA_PAR_SITE_MAX + 1];
};

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;

pthread_mutex_t *skua__par_env_lock(void)
{
	return &env_lock;
}
static _Atomic int global_ready;
static uint64_t global_value;
static bool global_bad;
static _Atomic(struct site_entry *) site_table[SITE_SLOTS];
/* A site was read but not kept (the table full, or out of memory): the
 * table no longer tells which variables the loops used. */
static _Atomic bool sites_overflowed;

static void global_chunk(uint64_t *value, bool *bad)
{
	/* Acquire: pairs with the release below, so the value is complete. */
	if (!atomic_load_explicit(&global_ready, memory_order_acquire)) {
		pthread_mutex_lock(&env_lock);
		if (!atomic_load_explicit(&global_ready, memory_order_relaxed)) {
			global_bad = skua__env_get(SKUA__ENV_CHUNK_SIZE, NULL,
			    0, "auto", &global_value) != 0;
			/* Release: publishes global_value and global_bad. */
			atomic_store_explicit(&global_ready, 1,
			    memory_order_release);
		}
		pthread_mutex_unlock(&env_lock);
	}
	*value = global_value;
	*bad = global_bad;
}

/* Read SKUA_CHUNK_SIZE_<SITE>; fallback is what a bad value gives. */
static void site_read(const char *site, uint64_t fallback, bool from_opts,
    struct site_entry *e)
{
	char var[sizeof "SKUA_CHUNK_SIZE_" + SKUA_PAR_SITE_MAX];
	char doc[64];
	uint64_t v;

	memset(e, 0, sizeof *e);
	strcpy(e->name, site);
	if (!skua__env_site_name("SKUA_CHUNK_SIZE", site, var, sizeof var))
		return; /* not reached: the length was checked */
	if (getenv(var) == NULL)
		return;
	e->present = true;
	if (fallback == 0)
		snprintf(doc, sizeof doc, "auto");
	else
		snprintf(doc, sizeof doc, "%llu (%s)",
		    (unsigned long long)fallback,
		    from_opts ? "opts->chunk" : "SKUA_CHUNK_SIZE");
	e->bad = skua__env_get(SKUA__ENV_CHUNK_SIZE, var, fallback, doc,
	    &v) != 0;
	e->value = v;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * What a bad SKUA_CHUNK_SIZE_<SITE> falls back to: opts->chunk (base) when
 * set, else SKUA_CHUNK_SIZE, which is read only then: a site variable that
 * is unset or valid does not need it, and reading it anyway printed the
 * global's warning on a call that does not use it ("the call fails" under
 * SKUA_STRICT=1, for a call that then succeeded).  Without env_lock held:
 * global_chunk takes it.
 */
static uint64_t site_fallback(const char *site, size_t base)
{
	const struct skua__env_desc *d = &skua__env_table[SKUA__ENV_CHUNK_SIZE];
	char var[sizeof "SKUA_CHUNK_SIZE_" + SKUA_PAR_SITE_MAX];
	uint64_t v;
	bool gbad;

	if (base != 0 || !skua__env_site_name("SKUA_CHUNK_SIZE", site, var,
	    sizeof var))
		return base;
	const char *s = getenv(var);
	if (s == NULL || skua__env_parse(d->kind, s, d->min, d->max, &v) == 0)
		return 0; /* not used: no fallback needed */
	global_chunk(&v, &gbad);
	return v;
}

/* The cached entry for site, or a fresh read in *tmp if the table is full;
 * base is opts->chunk. */
static const struct site_entry *site_lookup(const char *site, size_t base,
    struct site_entry *tmp)
{
	uint32_t h = fnv1a(site);
	unsigned i, k;

	for (k = 0; k < SITE_SLOTS; k++) {
		i = (h + k) % SITE_SLOTS;
		/* Acquire: pairs with the release that published the entry. */
		struct site_entry *e = atomic_load_explicit(&site_table[i],
		    memory_order_acquire);
		if (e == NULL)
			break;
		if (strcmp(e->name, site) == 0)
			return e;
	}
	uint64_t fallback = site_fallback(site, base);
	pthread_mutex_lock(&env_lock);
	for (k = 0; k < SITE_SLOTS; k++) {
		i = (h + k) % SITE_SLOTS;
		struct site_entry *e = atomic_load_explicit(&site_table[i],
		    memory_order_relaxed);
		if (e != NULL && strcmp(e->name, site) == 0) {
			pthread_mutex_unlock(&env_lock);
			return e;
		}
		if (e == NULL)
			break;
	}
	/* Plain malloc: kept for the life of the process, like env.c's. */
	struct site_entry *e = k < SITE_SLOTS ? malloc(sizeof *e) : NULL;
	site_read(site, fallback, base != 0, e != NULL ? e : tmp);
	if (e != NULL)
		/* Release: publishes the entry's fields to lock-free readers. */
		atomic_store_explicit(&site_table[i], e, memory_order_release);
	else
		atomic_store_explicit(&sites_overflowed, true,
		    memory_order_relaxed);
	pthread_mutex_unlock(&env_lock);
	return e != NULL ? e : tmp;
}

/* Whether a loop looked up a site whose variable is var (NAME=...). */
static bool var_used(const char *var, size_t len)
{
	char name[sizeof "SKUA_CHUNK_SIZE_" + SKUA_PAR_SITE_MAX];
	for (unsigned i = 0; i < SITE_SLOTS; i++) {
		struct site_entry *e = atomic_load_explicit(&site_table[i],
		    memory_order_acquire);
		if (e != NULL && skua__env_site_name("SKUA_CHUNK_SIZE", e->name,
		    name, sizeof name) && strlen(name) == len &&
		    strncmp(name, var, len) == 0)
			return true;
	}
	return false;
}

/* The sites that ran, for the warning: "primes, map" or "none". */
static void sites_seen(char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < SITE_SLOTS && o + 1 < len; i++) {
		struct site_entry *e = atomic_load_explicit(&site_table[i],
		    memory_order_acquire);
		if (e != NULL)
			o += (size_t)snprintf(buf + o, len - o, "%s%s",
			    o ? ", " : "", e->name);
	}
	if (o == 0)
		snprintf(buf, len, "none");
}

void skua__par_env_warn_unused(void)
{
	static atomic_flag warned = ATOMIC_FLAG_INIT;
	extern char **environ;
	const size_t plen = strlen("SKUA_CHUNK_SIZE_");
	char seen[512];
	bool listed = false;

	/* More sites ran than the table keeps: a variable not found there
	 * may well have been used, and a false "typo?" is worse than none. */
	if (atomic_load_explicit(&sites_overflowed, memory_order_relaxed))
		return;

	for (char **ep = environ; ep != NULL && *ep != NULL; ep++) {
		const char *v = *ep;
		size_t len = strcspn(v, "=");
		if (len <= plen || strncmp(v, "SKUA_CHUNK_SIZE_", plen) != 0 ||
		    var_used(v, len))
			continue;
		if (atomic_flag_test_and_set(&warned) && !listed)
			return; /* said once per process */
		if (!listed)
			sites_seen(seen, sizeof seen);
		listed = true;
		/* The site part quoted as env.c quotes values (a name may
		 * hold any byte but '='): one line, at most 64 bytes of it. */
		char site[SKUA_PAR_SITE_MAX + 2], quoted[64 * 4 + 8];
		size_t sl = len - plen < sizeof site - 1 ? len - plen :
		    sizeof site - 1;
		memcpy(site, v + plen, sl);
		site[sl] = '\0';
		skua__env_quote(site, quoted, sizeof quoted);
		fprintf(stderr, "skua: SKUA_CHUNK_SIZE_%s is set, but no loop "
		    "with that site ran (sites that ran: %s); a typo?\n", quoted,
		    seen);
	}
}

/*
 * Test-only: forget what was read, so that a test can setenv() and call
 * again.  Only while no parallel call runs.
 */
void skua__par_env_reset(void)
{
	pthread_mutex_lock(&env_lock);
	atomic_store_explicit(&global_ready, 0, memory_order_relaxed);
	atomic_store_explicit(&sites_overflowed, false, memory_order_relaxed);
	for (unsigned i = 0; i < SITE_SLOTS; i++) {
		free(atomic_load_explicit(&site_table[i], memory_order_relaxed));
		atomic_store_explicit(&site_table[i], NULL,
		    memory_order_relaxed);
	}
	pthread_mutex_unlock(&env_lock);
}

/*
 * The effective chunk size: SKUA_CHUNK_SIZE_<SITE>, then opts->chunk, then
 * SKUA_CHUNK_SIZE, then automatic (0); see skua/parallel.h for why.
 * RETURNS 0, or -EINVAL for a bad value under SKUA_STRICT=1.
 */
int skua__par_chunk_resolve(const skua_par_opts *o, size_t *chunk,
    enum skua__chunk_src *src)
{
	uint64_t g = 0;
	bool bad = false, gbad = false;
	size_t base = o != NULL ? o->chunk : 0;

	if (o != NULL && o->site != NULL) {
		struct site_entry tmp;
		const struct site_entry *e = site_lookup(o->site, base, &tmp);
		if (e->present && !e->bad) {
			*chunk = (size_t)e->value;
			*src = SKUA__CHUNK_ENV_SITE; /* =auto too */
			return 0;
		}
		bad = e->present && e->bad;
	}
	*src = base != 0 ? SKUA__CHUNK_OPTS : SKUA__CHUNK_AUTO;
	if (base == 0) {
		global_chunk(&g, &gbad);
		base = (size_t)g;
		if (base != 0)
			*src = SKUA__CHUNK_ENV;
	}
	*chunk = base;
	if ((bad || (gbad && (o == NULL || o->chunk == 0))) &&
	    skua__env_strict())
		return -EINVAL;
	return 0;
}

