/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/pool.c - the composition root: skua_pool_create reads the settings
 * (skua_config, else lib/env.c's variables), makes the pool's parts in
 * order (parking, injection queue, blocking threads, trace, profile,
 * workers) and starts the workers; skua_pool_destroy drains, stops and
 * frees them in reverse and prints what was asked for (SKUA_STATS, the
 * trace, the profile).  Also skua_pool_run, a call on the pool from any
 * thread, and the worker count.
 */
#define _GNU_SOURCE
#include "pool_struct.h"
#include "blocking.h"
#include "cpus.h"
#include "env.h"
#include "fork.h"
#include "future.h"
#include "inject.h"
#include "parallel.h" /* skua__par_env_warn_unused */
#include "park.h"
#include "pin.h"
#include "profile.h"
#include "site.h"
#include "spare.h"
#include "stack_guard.h"
#include "stats.h"
#include "trace.h"
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

/* The child of a fork(): the forking thread's roles do not survive.  It is
 * a plain thread there, neither a worker nor a blocking thread of any pool
 * (else destroy of a new pool at the same address gave -EDEADLK). */
static void pool_atfork_child(void)
{
	skua__worker_atfork_child();
	skua__spare_atfork_child();
	skua__blocking_atfork_child();
}

void skua_config_init(skua_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof *cfg);
	cfg->size = sizeof *cfg;
}

static void pool_free(skua_pool *p)
{
	if (p->workers != NULL) {
		for (unsigned i = 0; i < p->cap; i++)
			if (p->workers[i] != NULL)
				skua__worker_free(p->workers[i]);
		skua__free(p->workers, p->cap * sizeof(skua_worker *));
	}
	skua__inject_fini(&p->inject);
	pthread_mutex_destroy(&p->spare_lock);
	skua__trace_pool_free(p);
	skua__free(p->trace_path, 0);
	if (p->places != NULL)
		CPU_FREE(p->places);
	skua__profile_pool_free(p);
	skua__free_aligned(p, sizeof *p);
}

/* Stop and join workers [0, started) and every spare. */
static void pool_stop(skua_pool *p, unsigned started)
{
	atomic_store_explicit(&p->shutdown, 1, memory_order_seq_cst);
	skua__notify_all(p);
	skua__spares_stop(p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(p->workers[i]->thread, NULL);
	for (unsigned i = 0; i < p->spares_started; i++)
		pthread_join(p->workers[p->n + i]->thread, NULL);
}

static char *dup_string(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = skua__malloc(n);
	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* Start the n compute workers, pinned as pin says (lib/pin.h).  On a
 * failure the ones started are stopped: RETURNS 0, -ENOMEM or -EAGAIN. */
static int start_workers(skua_pool *p, int pin)
{
	/* The places: the creating thread's mask, as large as the machine's
	 * (a fixed cpu_set_t holds 1024 CPUs: past them nothing was pinned).
	 * Kept for the threads started unpinned later (pool_free frees). */
	if (pin != SKUA_PIN_OFF)
		p->places = skua__cpus_affinity_mask(&p->places_size);
	const cpu_set_t *places = p->places;
	for (unsigned i = 0; i < p->n; i++) {
		int rc = skua__worker_start_on(p, p->workers[i],
		    skua__pin_cpu(places, p->places_size,
		    (enum skua_pin)pin, i, p->n));
		if (rc != 0) {
			pool_stop(p, i);
			return rc == -ENOMEM ? -ENOMEM : -EAGAIN;
		}
	}
	return 0;
}

/* What a pool is created with: cfg's fields, else the variables. */
struct settings {
	unsigned workers;
	size_t stack;
	bool stats;
	uint64_t max_blocking;
	int pin; /* enum skua_pin, never SKUA_PIN_DEFAULT */
};

/* RETURNS 0, or -EINVAL when a variable was bad (it warned; *st holds
 * the fallback), for the caller to fail on under SKUA_STRICT=1. */
static int read_settings(const skua_config *cfg, struct settings *st)
{
	/* The CPUs this process may use (lib/cpus.h): read once, for the
	 * count and for what SKUA_DISPLAY_ENV says of it. */
	struct skua__cpus machine;
	skua__cpus_read(&machine);
	unsigned cpus = skua__cpus_count(&machine);
	uint64_t v;
	int bad = 0;

	st->workers = cfg->workers;
	if (st->workers == 0) {
		char doc[64];
		snprintf(doc, sizeof doc, "%u (the CPUs this process may use)",
		    cpus);
		bad |= skua__env_get(SKUA__ENV_WORKERS, NULL, cpus, doc, &v);
		st->workers = (unsigned)v;
	}
	st->stack = cfg->stack_size;
	if (st->stack == 0) {
		bad |= skua__env_get(SKUA__ENV_STACK_SIZE, NULL, 8u << 20,
		    "8M", &v);
		st->stack = (size_t)v;
	}
	/* A field set wins over its variable, which is then not read (nor
	 * warned about, nor failed on under SKUA_STRICT). */
	v = 0;
	if (cfg->stats == 0)
		bad |= skua__env_get(SKUA__ENV_STATS, NULL, 0, "0", &v);
	st->stats = cfg->stats != 0 || v == 1;
	bad |= skua__env_get(SKUA__ENV_MAX_BLOCKING, NULL, 64, "64",
	    &st->max_blocking);
	st->pin = cfg->pin;
	if (st->pin == SKUA_PIN_DEFAULT) {
		bad |= skua__env_get(SKUA__ENV_PIN, NULL, SKUA_PIN_OFF, "off",
		    &v);
		st->pin = (int)v;
	}
	/* SKUA_DISPLAY_ENV, typos */
	bad |= skua__env_settings(cfg, &machine, st->workers, st->stack,
	    st->pin);
	return bad != 0 ? -EINVAL : 0;
}

/* What is wrong with cfg's fields (the same bounds as lib/env.c's
 * table), or NULL: they are in range. */
static const char *config_problem(const skua_config *cfg)
{
	const struct skua__env_desc *sd = &skua__env_table[SKUA__ENV_STACK_SIZE];
	if (cfg->size != sizeof(skua_config))
		return "cfg->size is not sizeof(skua_config) (call "
		    "skua_config_init first)";
	if (cfg->workers > 4096)
		return "cfg->workers is over 4096";
	if (cfg->stack_size != 0 && (cfg->stack_size < sd->min ||
	    cfg->stack_size > sd->max))
		return "cfg->stack_size is outside 64 KiB .. 4 GiB";
	if (cfg->pin < SKUA_PIN_DEFAULT || cfg->pin > SKUA_PIN_SPREAD)
		return "cfg->pin is not an enum skua_pin";
	if (cfg->trace != NULL && cfg->trace[0] == '\0')
		return "cfg->trace is \"\" (NULL for none)";
	return NULL;
}

/* A bad config is -EINVAL, said on stderr only when the user asked for
 * the settings (SKUA_DISPLAY_ENV) or for strictness (SKUA_STRICT=1):
 * otherwise the return code speaks, as for any call. */
static void say_config_problem(const char *why, bool strict)
{
	uint64_t display = 0;
	if (!strict)
		(void)skua__env_get(SKUA__ENV_DISPLAY_ENV, NULL, 0, "0",
		    &display);
	if (strict || display != 0)
		fprintf(stderr, "skua: skua_pool_create: %s: -EINVAL\n", why);
}

/* The pool with its counters, locks and queues, no workers yet; NULL when
 * out of memory. */
static skua_pool *pool_alloc(const struct settings *st)
{
	skua_pool *p = skua__malloc_aligned(sizeof *p);
	if (p == NULL)
		return NULL;
	p->n = st->workers;
	p->max_blocking = (unsigned)st->max_blocking;
	p->cap = p->n + p->max_blocking;
	atomic_init(&p->nvisible, p->n);
	atomic_init(&p->blocked, 0);
	atomic_init(&p->spares_active, 0);
	p->spares_started = 0;
	p->stack_size = st->stack;
	p->stats_print = st->stats;
	p->fork_gen = skua__fork_generation();
	skua__park_init(p, p->n); /* workers start searching */
	atomic_init(&p->pending, 0);
	atomic_init(&p->uncounting, 0);
	atomic_init(&p->shutdown, 0);
	if (pthread_mutex_init(&p->spare_lock, NULL) != 0)
		goto no_lock;
	if (skua__inject_init(&p->inject) != 0)
		goto no_inject;
	if (skua__blocking_init(p) != 0)
		goto no_blocking;
	return p;
no_blocking:
	skua__inject_fini(&p->inject);
no_inject:
	pthread_mutex_destroy(&p->spare_lock);
no_lock:
	skua__free_aligned(p, sizeof *p);
	return NULL;
}

/* The trace, the profile and the worker records; 0 or -ENOMEM (the
 * caller frees what was made with pool_free). */
static int pool_add_workers(skua_pool *p, const skua_config *cfg)
{
	const char *trace = cfg->trace != NULL ? cfg->trace :
	    skua__env_string(SKUA__ENV_TRACE);
	if (trace != NULL && (p->trace_path = dup_string(trace)) == NULL)
		return -ENOMEM;
	if (skua__profile_pool_init(p) != 0)
		return -ENOMEM;
	if (p->trace_path != NULL && skua__trace_pool_init(p) != 0)
		return -ENOMEM;
	p->workers = skua__calloc(p->cap, sizeof(skua_worker *));
	if (p->workers == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < p->n; i++)
		if ((p->workers[i] = skua__worker_new(p, i)) == NULL)
			return -ENOMEM;
	return 0;
}

int skua_pool_create(const skua_config *cfg, skua_pool **out)
{
	skua_config def;
	bool strict = skua__env_strict();

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (cfg == NULL) {
		skua_config_init(&def);
		cfg = &def;
	}
	const char *why = config_problem(cfg);
	if (why != NULL) {
		say_config_problem(why, strict);
		return -EINVAL;
	}
	/* The process-wide locks, in their nesting order: the chunk
	 * variables' cache (which warns under it), the warned-once table,
	 * the live profiles (a write reads the call sites), the call
	 * sites. */
	pthread_mutex_t *const globals[] = { skua__par_env_lock(),
		skua__env_warned_lock(), skua__profile_live_lock(),
		skua__site_lock() };
	skua__fork_init(pool_atfork_child, globals,
	    sizeof globals / sizeof globals[0]);
	skua__stack_guard_install();

	struct settings st;
	if (read_settings(cfg, &st) != 0 && strict)
		return -EINVAL;
	skua_pool *p = pool_alloc(&st);
	if (p == NULL)
		return -ENOMEM;
	int rc = pool_add_workers(p, cfg);
	if (rc == 0)
		rc = start_workers(p, st.pin);
	if (rc != 0) {
		skua__blocking_fini(p);
		pool_free(p);
		return rc;
	}
	skua__trace_pool_started(p);
	skua__profile_pool_started(p);
	/* fork() quiesces the pool: these, in this order (lib/fork.c). */
	p->reg.locks[0] = &p->spare_lock;
	p->reg.locks[1] = &p->blk.lock;
	p->reg.locks[2] = &p->inject.lock;
	p->reg.nlocks = 3;
	skua__fork_register(&p->reg);
	*out = p;
	return 0;
}

/* Wait, as an outside thread, until pending reaches 0 (lib/park.md). */
static void wait_drained(skua_pool *p)
{
	while (atomic_load_explicit(&p->pending, memory_order_seq_cst) != 0) {
		uint32_t seq = atomic_load_explicit(&p->done_seq,
		    memory_order_seq_cst);
		atomic_fetch_add_explicit(&p->ext_waiters, 1,
		    memory_order_seq_cst);
		if (atomic_load_explicit(&p->pending, memory_order_seq_cst) != 0)
			skua__futex_wait(&p->done_seq, seq, 0);
		atomic_fetch_sub_explicit(&p->ext_waiters, 1,
		    memory_order_seq_cst);
	}
}

/* A canceller may still be in its notify after its decrement of pending
 * (lib/future.c): wait until none is, just before the free.  Short: at
 * most the rest of a futex wake; yields in case that thread lost its
 * CPU.  Acquire: its reads of the pool happen before the free. */
static void wait_uncounted(skua_pool *p)
{
	while (atomic_load_explicit(&p->uncounting, memory_order_acquire) != 0)
		sched_yield();
}

static void stats_print(skua_pool *p)
{
	skua_worker_stats t;
	unsigned nw = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	skua_worker_stats *all = skua__calloc(nw, sizeof *all);
	if (all != NULL)
		skua_pool_stats(p, all, nw, &t);
	skua__stats_print(p->n, nw, all, &t);
	skua__free(all, nw * sizeof *all);
}

int skua_pool_destroy(skua_pool *p)
{
	if (p == NULL)
		return -EINVAL;
	if (skua__pool_forked(p)) {
		/* The child of a fork(): the threads do not exist here, the
		 * locks were released by atfork_child.  Free the memory; tasks
		 * still queued are dropped with it (they cannot run). */
		skua__fork_unregister(&p->reg);
		/* No pthread_cond_destroy: it would wait for the parent's
		 * waiters, which do not exist here. */
		skua__free(p->blk.slots, p->max_blocking * sizeof *p->blk.slots);
		pool_free(p);
		return 0;
	}
	skua_worker *w = skua__tls_worker;
	if ((w != NULL && w->pool == p) || skua__tls_blocking_pool == p ||
	    skua__future_cancelling(p))
		return -EDEADLK;
	wait_drained(p);
	bool last = skua__fork_unregister(&p->reg);
	skua__blocking_fini(p);
	pool_stop(p, p->n);
	if (p->stats_print)
		stats_print(p);
	if (p->trace_path != NULL)
		skua__trace_write(p);
	skua__profile_pool_write(p);
	wait_uncounted(p);
	pool_free(p);
	if (last)
		skua__par_env_warn_unused();
	return 0;
}

unsigned skua_pool_workers(const skua_pool *p)
{
	return p != NULL ? p->n : 0;
}

unsigned skua_pool_worker_slots(const skua_pool *p)
{
	return p != NULL ? p->cap : 0;
}

/* skua_pool_run's task: call fn(worker, arg) on the worker running it. */
struct run_call {
	void (*fn)(skua_worker *, void *);
	void *arg;
};

static void *run_adapter(void *a)
{
	struct run_call *c = a;
	c->fn(skua__tls_worker, c->arg);
	return NULL;
}

int skua_pool_run(skua_pool *pool, void (*fn)(skua_worker *w, void *arg),
    void *arg)
{
	if (pool == NULL || fn == NULL)
		return -EINVAL;
	if (skua__pool_forked(pool))
		return -ECHILD;
	skua_worker *w = skua__tls_worker;
	if (w != NULL && w->pool == pool) {
		fn(w, arg);
		return 0;
	}
	struct run_call c = { fn, arg };
	skua_future *f;
	int rc = skua_spawn(pool, run_adapter, &c, &f);
	if (rc != 0)
		return rc;
	skua_future_get(f, NULL);
	skua_future_release(f);
	return 0;
}
