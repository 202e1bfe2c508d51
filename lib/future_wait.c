/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/future_wait.c - every wait on futures: get, wait_all, wait_any and
 * their timed forms.  The rules (which thread runs what while it waits)
 * are in skua/future.h and docs/design.md, "Waits on a worker".
 *
 * Deadlines are absolute CLOCK_MONOTONIC nanoseconds inside this file
 * (NO_DEADLINE for none); the public timed calls take a relative timeout
 * and turn it into one at entry.  A wait that passes its deadline returns
 * false and changes nothing.  On a worker the deadline is checked between
 * tasks, so a timed wait overshoots it by at most the task that was
 * running when it passed (plus the scheduler's delay).
 */
#include "future.h"
#include "blocking.h"
#include "deadline.h"
#include "park.h"
#include "pool_struct.h"
#include "spare.h"
#include "worker.h"

#include <ck_pr.h>
#include <errno.h>
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
 * to 1.06 us.  But not when our own skua_spawn woke a parked worker for
 * the future (it is WATCHED already): that worker most likely waits for
 * our CPU, the kernel does not preempt us for it (a worker that spun
 * before parking has used its share), and the spin only delayed its
 * start by EXT_SPIN_NS (a parked trip of 5.8 us against a futex floor of
 * 1.8 us on an Intel VM: docs/benchmarks.md).
 */
#define EXT_SPIN_NS 3000u
#define EXT_YIELD_NS 20000u
/* ... and when the worker woken for our task sleeps on another CPU
 * (SKUA__F_WOKE_FAR): it starts once that CPU wakes, 20-50 us on a VM,
 * and a waiter asleep by then would need a wake-up of its own CPU too.
 * Our yields cannot delay that worker: it is not on our CPU. */
#define EXT_FAR_YIELD_NS 100000u

/*
 * How long a waiting worker that finds nothing to help with keeps polling
 * (backing off, then yielding) before it sleeps as a blocked worker.  A
 * future that runs on another worker usually finishes sooner; a blocking
 * job or another pool's loop may take far longer, and then polling would
 * burn a CPU for the whole wait.
 */
#define WORKER_WAIT_IDLE_NS 50000u

static bool any_done(skua_future *const *fs, size_t n, size_t *index)
{
	for (size_t i = 0; i < n; i++) {
		if (fs[i] != NULL && skua__future_finished(fs[i])) {
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
	while (*first < n && (fs[*first] == NULL ||
	    skua__future_finished(fs[*first])))
		(*first)++;
	return *first == n;
}

/* An outside thread sleeps until f is finished, on f's own status word. */
static bool wait_one_outside(skua_future *f, uint64_t deadline)
{
	for (;;) {
		uint32_t s = atomic_load_explicit(&f->status,
		    memory_order_acquire);
		if ((s & SKUA__F_STATE) >= SKUA__F_DONE)
			return true;
		if (past(deadline))
			return false;
		/* Acquire on failure: the value is re-checked above. */
		if (!(s & SKUA__F_WAITERS) &&
		    !atomic_compare_exchange_weak_explicit(&f->status, &s,
		    s | SKUA__F_WAITERS, memory_order_acq_rel,
		    memory_order_acquire))
			continue;
		/* Sleeps only while the word still reads "not done, waited
		 * for": the finisher's exchange then sees the bit and wakes. */
		skua__futex_wait(&f->status, s | SKUA__F_WAITERS,
		    time_left(deadline));
	}
}

/* The pool of the first listed future; wait_any's outside sleep uses it. */
static skua_pool *first_pool(skua_future *const *fs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fs[i] != NULL)
			return fs[i]->pool;
	return NULL;
}

/* Is this thread running a task of a pool other than p: a worker of
 * another pool, or a blocking thread of one (a skua_spawn_blocking job)? */
static bool in_task_of_other_pool(const skua_pool *p)
{
	skua_worker *w = skua__tls_worker;
	if (w != NULL)
		return w->pool != p;
	return skua__tls_blocking_pool != NULL && skua__tls_blocking_pool != p;
}

/* wait_any's sleep: on the pool's done_seq (lib/park.md, "waiters"), or,
 * for futures of several pools or in a task of another pool, polls with a
 * sleep that backs off to 1 ms (no one futex covers them all; p may be
 * destroyed while a task of another pool waits). */
static bool sleep_any(skua_future *const *fs, size_t n, size_t *index,
    uint64_t deadline)
{
	skua_pool *p = first_pool(fs, n);
	bool mixed = false;
	size_t first = 0;

	for (size_t i = 0; i < n; i++)
		mixed |= fs[i] != NULL && fs[i]->pool != p;
	/* A task of another pool polls too, on a worker or on a blocking
	 * thread: the limit below (return before p's destroy) is documented
	 * for outside threads, and a task of another pool cannot know when
	 * p's owner destroys it.  A worker or blocking thread of p itself is
	 * safe: its running task holds p's destroy back. */
	if (mixed || in_task_of_other_pool(p)) {
		long ns = 1000;
		while (!any_done(fs, n, index)) {
			if (past(deadline))
				return false;
			uint64_t left = time_left(deadline);
			struct timespec ts = { 0, left != 0 &&
			    left < (uint64_t)ns ? (long)left : ns };
			nanosleep(&ts, NULL);
			if (ns < 1000000)
				ns *= 2;
		}
		return true;
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
		if (!r && !past(deadline))
			skua__futex_wait(&p->done_seq, seq, time_left(deadline));
		atomic_fetch_sub_explicit(&p->ext_waiters, 1,
		    memory_order_seq_cst);
		if (r || ready(fs, n, false, index, &first))
			return true;
		if (past(deadline))
			return false;
	}
}

/* Sleep until ready, touching no pool for wait_all: one future at a time,
 * each on its own word, so it is safe even if a pool is destroyed while we
 * sleep (the futures outlive it). */
static bool sleep_until_ready(skua_future *const *fs, size_t n, bool all,
    size_t *index, size_t *first, uint64_t deadline)
{
	if (!all)
		return sleep_any(fs, n, index, deadline);
	for (; *first < n; (*first)++)
		if (fs[*first] != NULL && !wait_one_outside(fs[*first], deadline))
			return false;
	return true;
}

/* We poll fs and yield: ask their finishers to yield once when done
 * (SKUA__F_WATCHED).  Relaxed: a hint; a late bit on a finished word is
 * harmless (every test of the state masks it). */
static void watch(skua_future *const *fs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fs[i] != NULL)
			atomic_fetch_or_explicit(&fs[i]->status,
			    SKUA__F_WATCHED, memory_order_relaxed);
}

/* The flags that any of fs carries (skua_spawn marks WATCHED when it woke
 * a parked worker, WOKE_FAR when that one sleeps on another CPU).
 * Relaxed: hints. */
static uint32_t flags_of(skua_future *const *fs, size_t n)
{
	uint32_t f = 0;
	for (size_t i = 0; i < n; i++)
		if (fs[i] != NULL)
			f |= atomic_load_explicit(&fs[i]->status,
			    memory_order_relaxed) & SKUA__F_FLAGS;
	return f;
}

/* A thread that is no worker, or a worker inside blocking_begin/end: spin
 * EXT_SPIN_NS (none when a worker was woken for us), yield until
 * EXT_YIELD_NS, then sleep. */
static bool wait_outside(skua_future *const *fs, size_t n, bool all,
    size_t *index, size_t *first, uint64_t deadline)
{
	uint64_t spin_start = skua__now_ns();
	uint32_t flags = flags_of(fs, n);
	bool watched = (flags & SKUA__F_WATCHED) != 0;
	uint64_t spin_ns = watched ? 0 : EXT_SPIN_NS;
	uint64_t yield_ns = (flags & SKUA__F_WOKE_FAR) != 0 ?
	    EXT_FAR_YIELD_NS : EXT_YIELD_NS;
	for (unsigned i = 1;; i++) {
		if (ready(fs, n, all, index, first))
			return true;
		if (i % 16 != 0 && spin_ns != 0) {
			ck_pr_stall(); /* pause on x86, yield on arm64 */
			continue;
		}
		uint64_t now = skua__now_ns();
		if (deadline != NO_DEADLINE && now >= deadline)
			return false;
		if (now - spin_start > yield_ns)
			break;
		if (now - spin_start >= spin_ns) {
			if (!watched) {
				watched = true;
				watch(fs, n);
			}
			sched_yield();
		}
	}
	return sleep_until_ready(fs, n, all, index, first, deadline);
}

/*
 * Run, here, the listed futures of w's own pool that nobody started (not
 * blocking jobs: those run only on blocking threads).  Our own newest push
 * is removed from the deque, so it does not linger.  For wait_any, returns
 * true as soon as any is done, with the lowest done index.  Stops at the
 * deadline (checked before each).
 */
static bool run_own_pending(skua_worker *w, skua_future *const *fs, size_t n,
    bool all, size_t *index, uint64_t deadline)
{
	for (size_t i = 0; i < n && !past(deadline); i++) {
		skua_future *f = fs[i];
		if (f == NULL || f->pool != w->pool || f->blocking)
			continue;
		if (skua__deque_pop_if(w, &f->task))
			skua__future_run_queued(f);
		else if (skua__future_claim(f))
			skua__future_run_claimed(f);
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
static bool wait_on_worker(skua_worker *w, skua_future *const *fs, size_t n,
    bool all, size_t *index, size_t *first, uint64_t deadline)
{
	if (w->hot.head > w->hot.bottom)
		skua__expose(w);
	if (run_own_pending(w, fs, n, all, index, deadline))
		return true;
	unsigned backoff = 16, idle = 0;
	uint64_t idle_since = 0;
	while (!ready(fs, n, all, index, first)) {
		if (past(deadline))
			return false;
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
			bool r = sleep_until_ready(fs, n, all, index, first,
			    deadline);
			skua_blocking_end();
			return r;
		}
		struct timespec ts = { 0, 50000 };
		nanosleep(&ts, NULL);
	}
	return true;
}

/*
 * Wait until any of fs is done (all == false, *index the lowest done one)
 * or all of them are (all == true), or the deadline passes (false).
 */
static bool wait_futures(skua_future *const *fs, size_t n, bool all,
    size_t *index, uint64_t deadline)
{
	skua_worker *w = skua__tls_worker;
	size_t first = 0;

	if (ready(fs, n, all, index, &first))
		return true;
	if (w != NULL && !skua__blocking_active())
		return wait_on_worker(w, fs, n, all, index, &first, deadline);
	/* Inside blocking_begin/end a worker waits as an outside thread:
	 * it runs nothing, so a lock held across the wait is safe (the
	 * spare runs the pool's work meanwhile).  Forks made since begin
	 * must still be visible. */
	if (w != NULL && w->hot.head > w->hot.bottom)
		skua__expose(w);
	return wait_outside(fs, n, all, index, &first, deadline);
}

/* An untimed wait that could never end: its task resumes only once the
 * wait returns.  For all, one of fs runs lower on this thread's stack (a
 * task run inside the task's own wait waits for it); for any, every
 * unfinished one does.  A timed wait just times out, as documented. */
static bool waits_for_itself(skua_future *const *fs, size_t n, bool all,
    uint64_t deadline)
{
	bool here = false, elsewhere = false;
	if (deadline != NO_DEADLINE)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (fs[i] == NULL || skua__future_finished(fs[i]))
			continue;
		if (skua__future_runs_here(fs[i]))
			here = true;
		else
			elsewhere = true;
	}
	return here && (all || !elsewhere);
}

static int get_until(skua_future *f, void **result, uint64_t deadline)
{
	if (result != NULL)
		*result = NULL;
	if (f == NULL)
		return -EINVAL;
	if (!skua__future_finished(f)) {
		if (skua__future_forked(f))
			return -ECHILD; /* it would never finish here */
		skua_future *one[1] = { f };
		if (waits_for_itself(one, 1, true, deadline))
			return -EDEADLK;
		if (!wait_futures(one, 1, true, NULL, deadline))
			return -ETIMEDOUT;
	}
	/* Acquire: the finished state was read with seq_cst above. */
	if ((atomic_load_explicit(&f->status, memory_order_acquire) &
	    SKUA__F_STATE) == SKUA__F_CANCELLED)
		return -ECANCELED;
	if (result != NULL)
		*result = f->result;
	return 0;
}

int skua_future_get(skua_future *f, void **result)
{
	return get_until(f, result, NO_DEADLINE);
}

int skua_future_get_timeout(skua_future *f, void **result,
    uint64_t timeout_ns)
{
	return get_until(f, result, deadline_in(timeout_ns));
}

static int wait_all_until(skua_future *const *fs, size_t n, uint64_t deadline)
{
	if (n == 0)
		return 0;
	if (fs == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (fs[i] == NULL)
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!skua__future_finished(fs[i]) && skua__future_forked(fs[i]))
			return -ECHILD;
	if (waits_for_itself(fs, n, true, deadline))
		return -EDEADLK;
	return wait_futures(fs, n, true, NULL, deadline) ? 0 : -ETIMEDOUT;
}

int skua_future_wait_all(skua_future *const *fs, size_t n)
{
	return wait_all_until(fs, n, NO_DEADLINE);
}

int skua_future_wait_all_timeout(skua_future *const *fs, size_t n,
    uint64_t timeout_ns)
{
	return wait_all_until(fs, n, deadline_in(timeout_ns));
}

static int wait_any_until(skua_future *const *fs, size_t n, size_t *index,
    uint64_t deadline)
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
	if (!any_done(fs, n, NULL)) {
		bool all_forked = true;
		for (size_t k = 0; k < n; k++)
			if (fs[k] != NULL && !skua__future_forked(fs[k]))
				all_forked = false;
		if (all_forked)
			return -ECHILD; /* none of them can ever finish */
		if (waits_for_itself(fs, n, false, deadline))
			return -EDEADLK;
	}
	size_t found;
	if (!wait_futures(fs, n, false, &found, deadline))
		return -ETIMEDOUT;
	*index = found;
	return 0;
}

int skua_future_wait_any(skua_future *const *fs, size_t n, size_t *index)
{
	return wait_any_until(fs, n, index, NO_DEADLINE);
}

int skua_future_wait_any_timeout(skua_future *const *fs, size_t n,
    size_t *index, uint64_t timeout_ns)
{
	return wait_any_until(fs, n, index, deadline_in(timeout_ns));
}
