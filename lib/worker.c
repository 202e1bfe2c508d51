/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/worker.c - a worker's life: its record and thread, and the loop it
 * runs: search (lib/task.c's find_work), run, and when idle spin a little,
 * then park (lib/park.md); a spare goes dormant between tasks when its
 * blocked worker came back (lib/spare.c).  Also the workers' counters for
 * skua_pool_stats and the public worker accessors.
 */
#define _GNU_SOURCE
#include "worker.h"
#include "inject.h"
#include "park.h"
#include "park_spot.h"
#include "pool_struct.h"
#include "spare.h"
#include "stack_guard.h"
#include "trace.h"

#include <ck_backoff.h>
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

/* An idle worker's state between two tasks. */
struct idle {
	uint64_t start;   /* when it ran out of work; 0 while busy */
	unsigned backoff, spins;
	bool searching;   /* counted in p->spinning (from create) */
	bool slept_long;  /* its last park lasted SKUA__PARK_HOLD_NS or more */
	struct skua__hold_cost hold; /* what its holds cost (park_spot.h) */
};

/* S3 of lib/park.md: any published work, seen with seq_cst loads?  Also
 * lib/task.c's look, from a join, for work it may not take. */
bool skua__pool_has_work(skua_pool *p)
{
	if (atomic_load_explicit(&p->shutdown, memory_order_seq_cst) ||
	    !skua__inject_empty(&p->inject))
		return true;
	unsigned n = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	for (unsigned i = 0; i < n; i++) {
		skua_worker *v = p->workers[i];
		if (atomic_load_explicit(&v->bottom, memory_order_seq_cst) >
		    atomic_load_explicit(&v->top, memory_order_seq_cst))
			return true;
	}
	return false;
}

/*
 * Steps S1-S5 of the fall-asleep protocol (lib/park.md).  Returns when
 * woken, when the re-check finds work (left for the next search), or at
 * shutdown.
 */
static void worker_park(skua_worker *w, struct idle *s)
{
	skua_pool *p = w->pool;
	uint32_t seq = skua__park_announce(p, w->index); /* S1-S2b */
	if (!skua__pool_has_work(p)) {                   /* S3 */
		SKUA_STAT_ADD(w, parks, 1);
		/* Where to sleep: a hint (lib/park.md); held to that CPU
		 * unless the last sleep was long or holds cost too much. */
		struct skua__park_spot spot;
		skua__park_spot_take(p, w->index, !s->slept_long &&
		    skua__park_hold_pays(&s->hold), &spot);
		uint64_t t0 = skua__now_ns();
		skua__park_sleep(p, seq, w->index);      /* S4 */
		uint64_t t1 = skua__now_ns();
		uint64_t restore = skua__park_spot_leave(p, &spot);
		s->slept_long = t1 - t0 >= SKUA__PARK_HOLD_NS;
		if (restore != 0 && !s->slept_long)
			skua__park_hold_cost_add(&s->hold, restore);
		SKUA_TRACE_EVENT(w, SKUA__TR_PARK, t0, t1, 0, 0);
	}
	skua__park_resume(p, w->index);                  /* S5 */
}

/* A compensating spare whose blocked worker came back goes dormant.
 * RETURNS false at shutdown. */
static bool spare_retire(skua_worker *w, struct idle *s)
{
	skua_pool *p = w->pool;
	if (s->searching) {
		s->searching = false;
		skua__park_search_end(p);
	}
	/* We may have been woken for work that we now leave behind: pass
	 * the wake-up on (P3 after our seq_cst decrement), or a parked
	 * sibling would never hear. */
	skua__post(p, 1);
	skua__spare_dormant(w);
	return !atomic_load_explicit(&p->shutdown, memory_order_acquire);
}

/*
 * We found a task and stopped searching (`left` still search).  Work left
 * where we took it from: pass the baton (wake one more).  The last
 * searcher with somebody asleep keeps Go's invariant (lib/park.md, D1)
 * without a wake-up on its own path: it re-checks every queue after its
 * seq_cst decrement (a poster that skipped its wake because we searched
 * published before that, Dekker-style) and wakes only for what it sees;
 * for the forks its task will make it asks itself for work, so the first
 * fork is exposed and wakes a sleeper (skua_abi_expose).
 */
static void search_ended(skua_worker *w, uint32_t left)
{
	skua_pool *p = w->pool;
	if (w->more) {
		skua__post(p, 1);
		return;
	}
	if (left != 0 || !skua__park_any_sleeper(p))
		return;
	if (skua__pool_has_work(p))
		skua__post(p, 1);
	else
		skua__deque_ask_owner(w);
}

/* A task found: stop searching, close the idle stretch. */
static void idle_end(skua_worker *w, struct idle *s)
{
	if (s->searching) {
		s->searching = false;
		search_ended(w, skua__park_search_end(w->pool));
	}
	if (s->start != 0) {
		SKUA_IDLE_END(w, s->start);
		s->start = 0;
	}
	s->backoff = 64;
	s->spins = 0;
}

/* Nothing found: search again, spin a little, then park. */
static void idle_step(skua_worker *w, struct idle *s)
{
	if (!s->searching) {
		s->searching = true;
		skua__park_search_begin(w->pool);
	}
	uint64_t now = skua__now_ns();
	if (s->start == 0) {
		s->start = now;
		SKUA_IDLE_BEGIN(w, now);
	}
	if (now - s->start < SKUA__IDLE_SPIN_NS) {
		/* Spin a little, then let a busy sibling on this core run
		 * (pools larger than the machine). */
		if (++s->spins < 32) {
			ck_backoff_eb(&s->backoff);
			if (s->backoff > 256)
				s->backoff = 256;
		} else {
			sched_yield();
		}
		return;
	}
	worker_park(w, s);
	/* Woken: search hard again before the next park. */
	SKUA_IDLE_END(w, s->start);
	s->start = 0;
	s->backoff = 64;
	s->spins = 0;
}

static void *worker_main(void *arg)
{
	skua_worker *w = arg;
	skua_pool *p = w->pool;
	struct idle s = { .start = 0, .backoff = 64, .spins = 0,
	    .searching = true, .slept_long = false };

	skua__tls_worker = w;
	skua__stack_guard_enter(w->index);
	for (;;) {
		if (SKUA_UNLIKELY(w->spare) && skua__spare_should_retire(w)) {
			if (!spare_retire(w, &s))
				break;
			continue;
		}
		skua_task *x = skua__find_work(w);
		if (x != NULL) {
			idle_end(w, &s);
			skua__run_taken(w, x);
			continue;
		}
		if (atomic_load_explicit(&p->shutdown, memory_order_acquire))
			break;
		idle_step(w, &s);
	}
	if (s.start != 0)
		SKUA_IDLE_END(w, s.start);
	skua__stack_guard_leave();
	skua__tls_worker = NULL;
	return NULL;
}

void skua__worker_free(skua_worker *w)
{
	skua__trace_free(w->trace);
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
	w->trace = NULL;
	if (p->trace_path != NULL && (w->trace = skua__trace_new()) == NULL) {
		skua__deque_fini(w);
		skua__free_aligned(w, sizeof *w);
		return NULL;
	}
	return w;
}

/* The stack size a thread of p is started with: p's, rounded up to the
 * system's least (sysconf(_SC_THREAD_STACK_MIN): 16 KiB on x86-64 glibc,
 * 128 KiB on arm64 kernels with 64 KiB pages, above skua's 64 KiB floor;
 * pthread_attr_setstacksize refuses less, and the thread would silently
 * get the default stack instead). */
static size_t thread_stack_size(const skua_pool *p)
{
	long min = sysconf(_SC_THREAD_STACK_MIN);
	size_t size = p->stack_size;
	if (min > 0 && size < (size_t)min)
		size = (size_t)min;
	return size;
}

/* thread_create's affinity besides a CPU number: the pool's places, or
 * none (the starting thread's mask). */
enum { AFF_PLACES = -1, AFF_NONE = -2 };

/* attr's affinity (in the attributes, so that the thread never runs
 * elsewhere): CPU cpu only, in a set large enough for it (a cpu_set_t
 * holds CPUs 0..1023 only), when cpu >= 0; else the pool's places (the
 * creating thread's mask, kept when the pool pins), so that a spare or a
 * blocking thread started from a pinned worker does not inherit its one
 * CPU; else nothing: the starting thread's mask.  Ignored on failure:
 * pinning is a placement hint.  RETURNS whether an affinity was set, or
 * -ENOMEM. */
static int attr_affinity(pthread_attr_t *attr, const skua_pool *p, int cpu)
{
	if (cpu == AFF_PLACES) {
		if (p->places == NULL)
			return 0;
		pthread_attr_setaffinity_np(attr, p->places_size, p->places);
		return 1;
	}
	cpu_set_t *one = CPU_ALLOC((size_t)cpu + 1);
	if (one == NULL)
		return -ENOMEM;
	size_t size = CPU_ALLOC_SIZE((size_t)cpu + 1);
	CPU_ZERO_S(size, one);
	CPU_SET_S((size_t)cpu, size, one);
	pthread_attr_setaffinity_np(attr, size, one);
	CPU_FREE(one);
	return 1;
}

/* Start fn(arg) on *t with affinity cpu (a CPU, AFF_PLACES or AFF_NONE)
 * and p's stack size.  RETURNS
 * pthread_create's 0 or error number (ENOMEM for the attributes). */
static int thread_create(const skua_pool *p, pthread_t *t, int cpu,
    void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return ENOMEM;
	int aff = cpu == AFF_NONE ? 0 : attr_affinity(&attr, p, cpu);
	if (aff < 0 || pthread_attr_setstacksize(&attr,
	    thread_stack_size(p)) != 0) {
		pthread_attr_destroy(&attr);
		return ENOMEM;
	}
	int rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	/* EINVAL: the CPU, or every CPU of the places, left our mask since
	 * create read it (another thread's sched_setaffinity, a CPU taken
	 * offline, a cpuset narrowed).  Pinning is a placement hint: start
	 * the thread with the starting thread's mask rather than fail. */
	if (rc == EINVAL && aff > 0)
		return thread_create(p, t, AFF_NONE, fn, arg);
	return rc;
}

int skua__thread_start(skua_pool *p, pthread_t *t, void *(*fn)(void *),
    void *arg)
{
	return thread_create(p, t, AFF_PLACES, fn, arg);
}

int skua__worker_start_on(skua_pool *p, skua_worker *w, int cpu)
{
	if (skua__test_thread_should_fail())
		return -EAGAIN;
	int rc = thread_create(p, &w->thread, cpu, worker_main, w);
	return rc == 0 ? 0 : rc == ENOMEM ? -ENOMEM : -EAGAIN;
}

int skua__worker_start(skua_pool *p, skua_worker *w)
{
	return skua__worker_start_on(p, w, AFF_PLACES);
}

void skua__worker_atfork_child(void)
{
	skua__tls_worker = NULL;
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

/* w's counters, its idle stretch still open included: idle_ns and
 * idle_since read as one under idle_seq, and the open part counted only
 * up to a clock that the stretch's end will not undercut (idle_seen;
 * SKUA_IDLE_END, lib/stats.h). */
void skua__worker_stats_load(skua_worker *w, skua_worker_stats *s)
{
	for (unsigned tries = 1;; tries++) {
		uint32_t q = atomic_load_explicit(&w->idle_seq,
		    memory_order_acquire);
		skua__stats_load(&w->stats, s);
		uint64_t idle = atomic_load_explicit(&w->stats.idle_ns,
		    memory_order_acquire);
		uint64_t since = atomic_load_explicit(&w->idle_since,
		    memory_order_acquire);
		uint64_t now = since != 0 ? skua__now_ns() : 0;
		if (since != 0) {
			uint64_t seen = atomic_load_explicit(&w->idle_seen,
			    memory_order_relaxed);
			while (!atomic_compare_exchange_weak_explicit(
			    &w->idle_seen, &seen, seen > now ? seen : now,
			    memory_order_seq_cst, memory_order_relaxed))
				;
		}
		if ((q & 1) == 0 && atomic_load_explicit(&w->idle_seq,
		    memory_order_seq_cst) == q) {
			s->idle_ns = idle;
			if (since != 0 && now > since)
				s->idle_ns += now - since;
			return;
		}
		if (tries % 64 == 0) /* the owner lost its CPU mid-update */
			sched_yield();
	}
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
		if (i < nw)
			skua__worker_stats_load(p->workers[i], &s);
		if (i < n)
			per_worker[i] = s;
		if (total != NULL && i < nw)
			skua__stats_add(total, &s);
	}
	return 0;
}
