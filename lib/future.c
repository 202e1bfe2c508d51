/*
 * lib/future.c - futures: spawn, get, wait for all or any, release.
 *
 * A future is one jemalloc allocation (size class 64 or 80 bytes; jemalloc's
 * thread cache is the per-worker free list) with two references: the
 * caller's (skua_future_release) and the queue entry's (dropped by whoever
 * dequeues it).  Running is claimed by a CAS on status, so a worker that
 * waits for a future nobody started yet runs it itself, and the queue entry
 * then finds it claimed and only drops its reference.
 */
#include "future.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <time.h>

/*
 * How an outside waiter polls before it sleeps: spinning for EXT_SPIN_NS
 * (a warm pool answers in well under a microsecond), then yielding the CPU
 * between polls until EXT_YIELD_NS.  Yielding matters: the kernel often
 * places the worker it wakes for our task on our own CPU, where it runs
 * only once we stop spinning (measured: 115 us to start with a pause loop
 * of 4000 iterations, 15 us with yields; docs/benchmarks.md).  Spinning
 * first matters too: yielding at once took the warm round trip from 0.36
 * to 1.06 us.
 */
#define EXT_SPIN_NS 3000u
#define EXT_YIELD_NS 20000u

/*
 * How long a waiting worker that finds nothing to help with keeps polling
 * (backing off, then yielding) before it sleeps as a blocked worker.  A
 * future that runs on another worker usually finishes sooner; a blocking
 * job or another pool's loop may take far longer, and then polling would
 * burn a CPU for the whole wait.
 */
#define WORKER_WAIT_IDLE_NS 50000u

static void future_unref(skua_future *f)
{
	/* acq_rel: the last owner sees every write before freeing. */
	if (atomic_fetch_sub_explicit(&f->refs, 1, memory_order_acq_rel) == 1)
		skua__free(f, sizeof *f);
}

/* status: the state in the low bits, SKUA__F_WAITERS when an outside
 * thread sleeps on the word (a futex in the future itself, so a waiter
 * never touches the pool, which may be destroyed meanwhile). */
#define SKUA__F_STATE 3u
#define SKUA__F_WAITERS 4u

/* In the child of a fork(), for a future of an inherited pool.  Reads the
 * future only: an outside waiter must not touch a pool that may be in
 * skua_pool_destroy meanwhile. */
static bool future_forked(const skua_future *f)
{
	return f->fork_gen != skua__fork_generation();
}

static bool future_claim(skua_future *f)
{
	uint32_t e = atomic_load_explicit(&f->status, memory_order_relaxed);
	while ((e & SKUA__F_STATE) == SKUA__F_PENDING) {
		if (atomic_compare_exchange_weak_explicit(&f->status, &e,
		    SKUA__F_RUNNING | (e & SKUA__F_WAITERS),
		    memory_order_acq_rel, memory_order_relaxed))
			return true;
	}
	return false;
}

static void future_run_claimed(skua_future *f)
{
	skua_pool *p = f->pool;
	f->result = f->fn(f->arg);
	/* seq_cst: publishes the result (release) and is the "published"
	 * store of the waiters' Dekker pair in skua__ext_notify.  The one
	 * who runs it holds a reference, so f is alive for the wake. */
	uint32_t old = atomic_exchange_explicit(&f->status, SKUA__F_DONE,
	    memory_order_seq_cst);
	if (old & SKUA__F_WAITERS)
		skua__futex_wake(&f->status, INT_MAX);
	atomic_fetch_sub_explicit(&p->pending, 1, memory_order_seq_cst);
	skua__ext_notify(p);
}

/* An outside thread sleeps until f is done, on f's own status word. */
static void wait_one_outside(skua_future *f)
{
	for (;;) {
		uint32_t s = atomic_load_explicit(&f->status,
		    memory_order_acquire);
		if ((s & SKUA__F_STATE) == SKUA__F_DONE)
			return;
		/* Acquire on failure: the value is re-checked above. */
		if (!(s & SKUA__F_WAITERS) &&
		    !atomic_compare_exchange_weak_explicit(&f->status, &s,
		    s | SKUA__F_WAITERS, memory_order_acq_rel,
		    memory_order_acquire))
			continue;
		/* Sleeps only while the word still reads "not done, waited
		 * for": the finisher's exchange then sees the bit and wakes. */
		skua__futex_wait(&f->status, s | SKUA__F_WAITERS, 0);
	}
}

void skua__future_run_queued(skua_future *f)
{
	if (future_claim(f))
		future_run_claimed(f);
	future_unref(f);
}

static void future_task(skua_worker *w, skua_task *t)
{
	(void)w;
	skua__future_run_queued(SKUA_CONTAINER_OF(t, skua_future, task));
}

skua_future *skua__future_new(skua_pool *pool, skua_fn fn, void *arg)
{
	skua_future *f = skua__malloc(sizeof *f);
	if (f == NULL)
		return NULL;
	f->task.fn = future_task;
	atomic_init(&f->task.state, SKUA__TASK_DETACHED);
	f->fn = fn;
	f->arg = arg;
	f->result = NULL;
	f->pool = pool;
	f->next = NULL;
	f->blocking = false;
	f->fork_gen = pool->fork_gen;
	atomic_init(&f->status, SKUA__F_PENDING);
	atomic_init(&f->refs, 2);
	/* seq_cst: counted before it can run; destroy waits for 0. */
	atomic_fetch_add_explicit(&pool->pending, 1, memory_order_seq_cst);
	return f;
}

void skua__future_discard(skua_future *f)
{
	atomic_fetch_sub_explicit(&f->pool->pending, 1, memory_order_seq_cst);
	skua__free(f, sizeof *f);
}

int skua_spawn(skua_pool *pool, skua_fn fn, void *arg, skua_future **out)
{
	if (out != NULL)
		*out = NULL;
	if (pool == NULL || fn == NULL || out == NULL)
		return -EINVAL;
	if (skua__pool_forked(pool))
		return -ECHILD;
	skua_future *f = skua__future_new(pool, fn, arg);
	if (f == NULL)
		return -ENOMEM;

	skua_worker *w = skua__tls_worker;
	if (w != NULL && w->pool == pool) {
		skua__push_public(w, &f->task);
	} else {
		int rc = skua__inject_push(&pool->inject, &f->task);
		if (rc != 0) {
			skua__future_discard(f);
			return rc;
		}
		/* P3 of lib/park.md, after the seq_cst publish in the push. */
		skua__post(pool, 1);
	}
	*out = f;
	return 0;
}

static bool is_done(const skua_future *f)
{
	/* seq_cst: also the re-check load of the waiters' Dekker pair. */
	return (atomic_load_explicit(&f->status, memory_order_seq_cst) &
	    SKUA__F_STATE) == SKUA__F_DONE;
}

static bool any_done(skua_future *const *fs, size_t n, size_t *index)
{
	for (size_t i = 0; i < n; i++) {
		if (fs[i] != NULL && is_done(fs[i])) {
			if (index != NULL)
				*index = i;
			return true;
		}
	}
	return false;
}

/* All done (from *first on, which advances), or any done (sets *index). */
static bool ready(skua_future *const *fs, size_t n, bool all, size_t *index,
    size_t *first)
{
	if (!all)
		return any_done(fs, n, index);
	while (*first < n && (fs[*first] == NULL || is_done(fs[*first])))
		(*first)++;
	return *first == n;
}

/* The pool of the first listed future; wait_any's outside sleep uses it. */
static skua_pool *first_pool(skua_future *const *fs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fs[i] != NULL)
			return fs[i]->pool;
	return NULL;
}

/* wait_any's sleep: on the pool's done_seq (lib/park.md, "waiters"), or,
 * for futures of several pools, polls with a sleep that backs off to 1 ms
 * (no one futex covers them all). */
static void sleep_any(skua_future *const *fs, size_t n, size_t *index)
{
	skua_pool *p = first_pool(fs, n);
	bool mixed = false;
	size_t first = 0;

	for (size_t i = 0; i < n; i++)
		mixed |= fs[i] != NULL && fs[i]->pool != p;
	if (mixed) {
		long ns = 1000;
		while (!any_done(fs, n, index)) {
			struct timespec ts = { 0, ns };
			nanosleep(&ts, NULL);
			if (ns < 1000000)
				ns *= 2;
		}
		return;
	}
	for (;;) {
		uint32_t seq = atomic_load_explicit(&p->done_seq,
		    memory_order_seq_cst);
		atomic_fetch_add_explicit(&p->ext_waiters, 1,
		    memory_order_seq_cst);
		/* W3: seq_cst loads of status after the seq_cst registration:
		 * either we see DONE, or the finisher sees ext_waiters != 0
		 * and moves done_seq, so the futex wait returns. */
		bool r = ready(fs, n, false, index, &first);
		if (!r)
			skua__futex_wait(&p->done_seq, seq, 0);
		atomic_fetch_sub_explicit(&p->ext_waiters, 1,
		    memory_order_seq_cst);
		if (r || ready(fs, n, false, index, &first))
			return;
	}
}

/* Sleep until ready, touching no pool for wait_all: one future at a time,
 * each on its own word, so it is safe even if a pool is destroyed while we
 * sleep (the futures outlive it). */
static void sleep_until_ready(skua_future *const *fs, size_t n, bool all,
    size_t *index, size_t *first)
{
	if (!all) {
		sleep_any(fs, n, index);
		return;
	}
	for (size_t i = *first; i < n; i++)
		if (fs[i] != NULL)
			wait_one_outside(fs[i]);
	*first = n;
}

/* A thread that is no worker, or a worker inside blocking_begin/end: spin
 * EXT_SPIN_NS, yield until EXT_YIELD_NS, then sleep. */
static void wait_outside(skua_future *const *fs, size_t n, bool all,
    size_t *index, size_t *first)
{
	uint64_t spin_start = skua__now_ns();
	for (unsigned i = 1;; i++) {
		if (ready(fs, n, all, index, first))
			return;
		if (i % 16 != 0) {
			__builtin_ia32_pause();
			continue;
		}
		uint64_t spent = skua__now_ns() - spin_start;
		if (spent > EXT_YIELD_NS)
			break;
		if (spent > EXT_SPIN_NS)
			sched_yield();
	}
	sleep_until_ready(fs, n, all, index, first);
}

/*
 * Run, here, the listed futures of w's own pool that nobody started (not
 * blocking jobs: those run only on blocking threads).  Our own newest push
 * is removed from the deque, so it does not linger.  For wait_any, returns
 * true as soon as any is done, with the lowest done index.
 */
static bool run_own_pending(skua_worker *w, skua_future *const *fs, size_t n,
    bool all, size_t *index)
{
	for (size_t i = 0; i < n; i++) {
		skua_future *f = fs[i];
		if (f == NULL || f->pool != w->pool || f->blocking)
			continue;
		if (skua__deque_pop_if(w, &f->task))
			skua__future_run_queued(f);
		else if (future_claim(f))
			future_run_claimed(f);
		else
			continue;
		if (!all && any_done(fs, n, index))
			return true;
	}
	return false;
}

/*
 * A worker waits: it exposes its frame's private forks (what it waits for
 * may need them, and only a fork would expose them otherwise), runs the
 * listed futures of its own pool that nobody started, then helps with any
 * task of its pool (which may be anything: see skua/future.h), whatever
 * pool the futures belong to.  With nothing to help for WORKER_WAIT_IDLE_NS
 * it sleeps as a blocked worker (skua_blocking_begin: a spare takes its
 * place), so a long wait costs no CPU.  At the spare cap it naps instead.
 */
static void wait_on_worker(skua_worker *w, skua_future *const *fs, size_t n,
    bool all, size_t *index, size_t *first)
{
	if (w->hot.head > w->hot.bottom)
		skua__expose(w);
	if (run_own_pending(w, fs, n, all, index))
		return;
	unsigned backoff = 16, idle = 0;
	uint64_t idle_since = 0;
	while (!ready(fs, n, all, index, first)) {
		if (skua__help_once(w)) {
			idle = 0;
			idle_since = 0;
			continue;
		}
		if (++idle < 64) {
			skua__backoff(&backoff);
			continue;
		}
		uint64_t now = skua__now_ns();
		if (idle_since == 0)
			idle_since = now;
		if (now - idle_since < WORKER_WAIT_IDLE_NS) {
			sched_yield();
			continue;
		}
		if (skua_blocking_begin() == 0) {
			sleep_until_ready(fs, n, all, index, first);
			skua_blocking_end();
			return;
		}
		struct timespec ts = { 0, 50000 };
		nanosleep(&ts, NULL);
	}
}

/*
 * Wait until any of fs is done (all == false, *index the lowest done one)
 * or all of them are (all == true).
 */
static void wait_futures(skua_future *const *fs, size_t n, bool all,
    size_t *index)
{
	skua_worker *w = skua__tls_worker;
	size_t first = 0;

	if (ready(fs, n, all, index, &first))
		return;
	if (w != NULL && !skua__blocking_active()) {
		wait_on_worker(w, fs, n, all, index, &first);
		return;
	}
	/* Inside blocking_begin/end a worker waits as an outside thread:
	 * it runs nothing, so a lock held across the wait is safe (the
	 * spare runs the pool's work meanwhile).  Forks made since begin
	 * must still be visible. */
	if (w != NULL && w->hot.head > w->hot.bottom)
		skua__expose(w);
	wait_outside(fs, n, all, index, &first);
}

int skua_future_get(skua_future *f, void **result)
{
	if (result != NULL)
		*result = NULL;
	if (f == NULL)
		return -EINVAL;
	if (!is_done(f) && future_forked(f))
		return -ECHILD; /* it would never finish here */
	if (!is_done(f)) {
		skua_future *one[1] = { f };
		size_t index;
		wait_futures(one, 1, true, &index);
	}
	if (result != NULL)
		*result = f->result;
	return 0;
}

int skua_future_done(const skua_future *f)
{
	if (f == NULL)
		return -EINVAL;
	return is_done(f) ? 1 : 0;
}

int skua_future_wait_all(skua_future *const *fs, size_t n)
{
	if (n == 0)
		return 0;
	if (fs == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (fs[i] == NULL)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!is_done(fs[i]) && future_forked(fs[i]))
			return -ECHILD;
	wait_futures(fs, n, true, NULL);
	return 0;
}

int skua_future_wait_any(skua_future *const *fs, size_t n, size_t *index)
{
	size_t i;

	if (index != NULL)
		*index = SIZE_MAX; /* no index, on every failure */
	if (fs == NULL || index == NULL || n == 0)
		return -EINVAL;
	for (i = 0; i < n && fs[i] == NULL; i++)
		;
	if (i == n)
		return -EINVAL;
	if (!any_done(fs, n, index)) {
		bool all_forked = true;
		for (size_t k = 0; k < n; k++)
			if (fs[k] != NULL && !future_forked(fs[k]))
				all_forked = false;
		if (all_forked)
			return -ECHILD; /* none of them can ever finish */
	}
	wait_futures(fs, n, false, index);
	return 0;
}

int skua_future_release(skua_future *f)
{
	if (f == NULL)
		return -EINVAL;
	future_unref(f);
	return 0;
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
