/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/pool.c - pool creation and destruction, the worker loop, the worker
 * count and the statistics table.
 */
#define _GNU_SOURCE
#include "worker.h"
#include "env.h"
#include "fork.h"
#include "parallel.h" /* skua__par_env_warn_unused */
#include "pin.h"

#include <ck_backoff.h>
#ifdef SKUA_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

_Thread_local skua_worker *skua__tls_worker
    __attribute__((tls_model("initial-exec")));

/*
 * How long an idle worker keeps looking for work before it parks.  Long
 * enough that a pool fed in a loop by an outside thread stays warm (round
 * trip well under 1 us), short enough that an idle pool is asleep within a
 * fraction of a millisecond.  Measured with skua-bench / bench_pool.
 */
#define SKUA__IDLE_SPIN_NS 100000u

/* The child of a fork(): the forking thread's roles do not survive.  It is
 * a plain thread there, neither a worker nor a blocking thread of any pool
 * (else destroy of a new pool at the same address gave -EDEADLK). */
static void pool_atfork_child(void)
{
	skua__tls_worker = NULL;
	skua__blocking_atfork_child();
}

bool skua__pool_forked(const skua_pool *p)
{
	return skua__forked(p->fork_gen);
}

void skua_config_init(skua_config *cfg)
{
	if (cfg == NULL)
		return;
	memset(cfg, 0, sizeof *cfg);
	cfg->size = sizeof *cfg;
}

/* The CPUs this process may use: affinity, bounded by a cgroup v2 quota. */
static unsigned machine_cpus(void)
{
	cpu_set_t set;
	long n = 0;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		n = CPU_COUNT(&set);
	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n <= 0)
		n = 1;
	FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r");
	if (f != NULL) {
		char q[32];
		unsigned long long period;
		if (fscanf(f, "%31s %llu", q, &period) == 2 &&
		    strcmp(q, "max") != 0 && period > 0) {
			unsigned long long quota = strtoull(q, NULL, 10);
			long c = (long)((quota + period - 1) / period);
			if (c >= 1 && c < n)
				n = c;
		}
		fclose(f);
	}
	return n > 4096 ? 4096 : (unsigned)n;
}

static void *worker_main(void *arg)
{
	skua_worker *w = arg;
	skua_pool *p = w->pool;
	uint64_t idle_start = 0;
	unsigned backoff = 64, spins = 0;
	bool searching = true; /* counted in p->spinning (from create) */

	skua__tls_worker = w;
	skua__stack_guard_enter();
	for (;;) {
		/* A compensating spare whose blocked worker came back. */
		if (SKUA_UNLIKELY(w->spare) && skua__spare_should_retire(w)) {
			if (searching) {
				searching = false;
				atomic_fetch_sub_explicit(&p->spinning, 1,
				    memory_order_seq_cst);
			}
			/* We may have been woken for work that we now leave
			 * behind: pass the wake-up on (P3 after our seq_cst
			 * decrement), or a parked sibling would never hear. */
			skua__post(p, 1);
			skua__spare_dormant(w);
			if (atomic_load_explicit(&p->shutdown,
			    memory_order_acquire))
				break;
			continue;
		}
		skua_task *x = skua__find_work(w);
		if (x != NULL) {
			if (searching) {
				searching = false;
				/* seq_cst: the poster's skip in skua__post is
				 * safe only while we count as searching. */
				uint32_t left = atomic_fetch_sub_explicit(
				    &p->spinning, 1, memory_order_seq_cst) - 1;
				/* Work left behind, or we were the last one
				 * searching (Go's rule): wake one more, so a
				 * thief is awake to ask for the forks this
				 * task will make.  skua__post only wakes when
				 * some sleep and none searches. */
				if (w->more || left == 0)
					skua__post(p, 1);
			}
			if (idle_start != 0) {
				SKUA_IDLE_SPAN(w,
				    skua__now_ns() - idle_start);
				idle_start = 0;
			}
			skua__run_taken(w, x);
			backoff = 64;
			spins = 0;
			continue;
		}
		if (atomic_load_explicit(&p->shutdown, memory_order_acquire))
			break;
		if (!searching) {
			searching = true;
			atomic_fetch_add_explicit(&p->spinning, 1,
			    memory_order_seq_cst);
		}
		uint64_t now = skua__now_ns();
		if (idle_start == 0)
			idle_start = now;
		if (now - idle_start < SKUA__IDLE_SPIN_NS) {
			/* Spin a little, then let a busy sibling on this core
			 * run (pools larger than the machine). */
			if (++spins < 32) {
				ck_backoff_eb(&backoff);
				if (backoff > 256)
					backoff = 256;
			} else {
				sched_yield();
			}
			continue;
		}
		skua__park(w);
		/* Woken: search hard again before the next park. */
		SKUA_IDLE_SPAN(w, skua__now_ns() - idle_start);
		idle_start = 0;
		backoff = 64;
		spins = 0;
	}
	if (idle_start != 0)
		SKUA_IDLE_SPAN(w, skua__now_ns() - idle_start);
	skua__stack_guard_leave();
	skua__tls_worker = NULL;
	return NULL;
}

void skua__worker_free(skua_worker *w)
{
	skua__trace_free(w);
	skua__deque_fini(w);
	skua__free_aligned(w, sizeof *w);
}

skua_worker *skua__worker_new(skua_pool *p, unsigned index)
{
	skua_worker *w = skua__malloc_aligned(sizeof *w);
	if (w == NULL)
		return NULL;
	w->pool = p;
	w->index = index;
	w->rng = 0x9E3779B97F4A7C15ULL * (index + 1) ^ (uintptr_t)p;
	atomic_init(&w->wake, 0);
	if (skua__deque_init(w) != 0) {
		skua__free_aligned(w, sizeof *w);
		return NULL;
	}
	if (skua__trace_alloc(p, w) != 0) {
		skua__deque_fini(w);
		skua__free_aligned(w, sizeof *w);
		return NULL;
	}
	return w;
}

/* Start w's thread, pinned to CPU cpu when cpu >= 0 (lib/pin.h). */
static int worker_start_on(skua_pool *p, skua_worker *w, int cpu)
{
	pthread_attr_t attr;
	int rc;

	if (skua__test_thread_should_fail())
		return -EAGAIN;
	if (pthread_attr_init(&attr) != 0)
		return -ENOMEM;
	pthread_attr_setstacksize(&attr, p->stack_size);
	if (cpu >= 0) {
		/* In the attributes, so the thread never runs elsewhere. */
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_attr_setaffinity_np(&attr, sizeof one, &one);
	}
	rc = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	/* EINVAL: the CPU left our mask since create read it (another
	 * thread's sched_setaffinity, a CPU taken offline).  Pinning is a
	 * placement hint: start the worker unpinned rather than fail. */
	if (rc == EINVAL && cpu >= 0)
		return worker_start_on(p, w, -1);
	return rc == 0 ? 0 : -EAGAIN;
}

int skua__worker_start(skua_pool *p, skua_worker *w)
{
	return worker_start_on(p, w, -1);
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
	/* The places: the creating thread's mask. */
	cpu_set_t places;
	CPU_ZERO(&places);
	if (pin != SKUA_PIN_OFF &&
	    sched_getaffinity(0, sizeof places, &places) != 0)
		CPU_ZERO(&places);
	for (unsigned i = 0; i < p->n; i++) {
		int rc = worker_start_on(p, p->workers[i],
		    skua__pin_cpu(&places, (enum skua_pin)pin, i, p->n));
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
	unsigned cpus = machine_cpus();
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
	bad |= skua__env_settings(cfg, st->workers, st->stack, st->pin);
	return bad != 0 ? -EINVAL : 0;
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
	/* The same bounds as SKUA_STACK_SIZE's (lib/env.c's table). */
	const struct skua__env_desc *sd = &skua__env_table[SKUA__ENV_STACK_SIZE];
	if (cfg->size != sizeof(skua_config) || cfg->workers > 4096 ||
	    (cfg->stack_size != 0 && (cfg->stack_size < sd->min ||
	    cfg->stack_size > sd->max)) || cfg->pin < SKUA_PIN_DEFAULT ||
	    cfg->pin > SKUA_PIN_SPREAD)
		return -EINVAL;
	skua__fork_init(pool_atfork_child);
	skua__stack_guard_install();

	struct settings st;
	if (read_settings(cfg, &st) != 0 && strict)
		return -EINVAL;
	unsigned n = st.workers;
	size_t stack = st.stack;
	bool stats = st.stats;
	uint64_t max_blocking = st.max_blocking;
	int pin = st.pin;

	skua_pool *p = skua__malloc_aligned(sizeof *p);
	if (p == NULL)
		return -ENOMEM;
	p->n = n;
	p->max_blocking = (unsigned)max_blocking;
	p->cap = n + p->max_blocking;
	atomic_init(&p->nvisible, n);
	atomic_init(&p->blocked, 0);
	atomic_init(&p->spares_active, 0);
	p->spares_started = 0;
	p->stack_size = stack;
	p->stats_print = stats;
	p->fork_gen = skua__fork_generation();
	atomic_init(&p->wake_seq, 0);
	atomic_init(&p->sleepers, 0);
	atomic_init(&p->spinning, n); /* workers start searching */
	atomic_init(&p->done_seq, 0);
	atomic_init(&p->ext_waiters, 0);
	atomic_init(&p->pending, 0);
	atomic_init(&p->shutdown, 0);
	const char *trace = cfg->trace != NULL ? cfg->trace :
	    skua__env_string(SKUA__ENV_TRACE);
	if (pthread_mutex_init(&p->spare_lock, NULL) != 0) {
		skua__free_aligned(p, sizeof *p);
		return -ENOMEM;
	}
	if (skua__inject_init(&p->inject) != 0) {
		pthread_mutex_destroy(&p->spare_lock);
		skua__free_aligned(p, sizeof *p);
		return -ENOMEM;
	}
	if (skua__blocking_init(p) != 0) {
		skua__inject_fini(&p->inject);
		pthread_mutex_destroy(&p->spare_lock);
		skua__free_aligned(p, sizeof *p);
		return -ENOMEM;
	}
	if (trace != NULL && (p->trace_path = dup_string(trace)) == NULL)
		goto nomem;
	if (skua__profile_pool_init(p) != 0)
		goto nomem;
	if (p->trace_path != NULL && skua__trace_pool_init(p) != 0)
		goto nomem;
	p->workers = skua__calloc(p->cap, sizeof(skua_worker *));
	if (p->workers == NULL)
		goto nomem;
	for (unsigned i = 0; i < n; i++)
		if ((p->workers[i] = skua__worker_new(p, i)) == NULL)
			goto nomem;
	int rc = start_workers(p, pin);
	if (rc != 0) {
		skua__blocking_fini(p);
		pool_free(p);
		return rc;
	}
	/* fork() quiesces the pool: these, in this order (lib/fork.c). */
	p->reg.locks[0] = &p->spare_lock;
	p->reg.locks[1] = &p->blk.lock;
	p->reg.locks[2] = &p->inject.lock;
	p->reg.nlocks = 3;
	skua__fork_register(&p->reg);
	*out = p;
	return 0;
nomem:
	skua__blocking_fini(p);
	pool_free(p);
	return -ENOMEM;
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

/* One row of the SKUA_STATS table: the name, then every counter. */
static void stats_row(const char *name, const skua_worker_stats *s)
{
	fprintf(stderr, "%6s", name);
#define STATS_CELL(f, column, unit, doc)                                     \
	if ((unit) == 1)                                                     \
		fprintf(stderr, " %*llu", (int)sizeof column > 12 ?         \
		    (int)sizeof column : 12, (unsigned long long)s->f);        \
	else                                                                 \
		fprintf(stderr, " %*.1f", (int)sizeof column > 12 ?          \
		    (int)sizeof column : 12, (double)s->f / (unit));
	SKUA_WORKER_STATS_FIELDS(STATS_CELL)
#undef STATS_CELL
	fprintf(stderr, "\n");
}

static void stats_print(skua_pool *p)
{
	skua_worker_stats t;
	fprintf(stderr, "skua: pool of %u workers\n", p->n);
	fprintf(stderr, "%6s", "worker");
#define STATS_HEAD(f, column, unit, doc)                                     \
	fprintf(stderr, " %*s", (int)sizeof column > 12 ? (int)sizeof column : \
	    12, column);
	SKUA_WORKER_STATS_FIELDS(STATS_HEAD)
#undef STATS_HEAD
	fprintf(stderr, "\n");
	unsigned nw = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	skua_worker_stats *all = skua__calloc(nw, sizeof *all);
	if (all == NULL)
		return;
	skua_pool_stats(p, all, nw, &t);
	for (unsigned i = 0; i <= nw; i++) {
		char name[16];
		snprintf(name, sizeof name, i < p->n ? "%u" : i < nw ? "%u*" :
		    "total", i);
		stats_row(name, i < nw ? &all[i] : &t);
	}
	skua__free(all, nw * sizeof *all);
#ifdef SKUA_WITH_JEMALLOC
	/* jemalloc's figures are process-wide: skua's and the program's. */
	uint64_t epoch = 1;
	size_t allocated = 0, resident = 0, sz = sizeof(size_t);
	mallctl("epoch", NULL, NULL, &epoch, sizeof epoch);
	if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) == 0 &&
	    mallctl("stats.resident", &resident, &sz, NULL, 0) == 0)
		fprintf(stderr, "jemalloc (whole process): %.1f KiB allocated, "
		    "%.1f KiB resident; MALLOC_CONF=stats_print:true for more\n",
		    allocated / 1024.0, resident / 1024.0);
#endif
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
	if ((w != NULL && w->pool == p) || skua__tls_blocking_pool == p)
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

skua_worker *skua_worker_current(void)
{
	return skua__tls_worker;
}

skua_pool *skua_worker_pool(const skua_worker *w)
{
	return w != NULL ? w->pool : NULL;
}

unsigned skua_worker_index(const skua_worker *w)
{
	return w != NULL ? w->index : 0;
}

int skua_pool_stats(const skua_pool *p, skua_worker_stats *per_worker,
    size_t n, skua_worker_stats *total)
{
	if (p == NULL || (per_worker == NULL && n > 0))
		return -EINVAL;
	if (skua__pool_forked(p))
		return -ECHILD;
	if (total != NULL)
		memset(total, 0, sizeof *total);
	unsigned nw = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	for (size_t i = 0; i < n || (total != NULL && i < nw); i++) {
		skua_worker_stats s;
		memset(&s, 0, sizeof s);
		if (i < nw) {
			const struct skua__wstats *c = &p->workers[i]->stats;
#define LOAD(f, column, unit, doc)                                           \
	s.f = atomic_load_explicit(&c->f, memory_order_relaxed);
			SKUA_WORKER_STATS_FIELDS(LOAD)
#undef LOAD
		}
		if (i < n)
			per_worker[i] = s;
		if (total != NULL && i < nw) {
#define ADD(f, column, unit, doc) total->f += s.f;
			SKUA_WORKER_STATS_FIELDS(ADD)
#undef ADD
		}
	}
	return 0;
}
