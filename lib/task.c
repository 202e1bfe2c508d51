/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/task.c - the worker layer over the deque (lib/deque.c): fork's and
 * spawn's slow paths, running a taken task, finding work, helping, and
 * join's wait (leapfrogging, with the rule of docs/design.md).
 */
#include "task.h"
#include "inject.h"
#include "park.h"
#include "pool_struct.h"
#include "spare.h"
#include "worker.h"

#include <ck_backoff.h>
#include <errno.h>
#include <sched.h>
#include <string.h>

/* A thief's mark keeps its address shifted right by one and sets bit 0:
 * the two low bits of the address must be zero. */
_Static_assert(_Alignof(struct skua_worker) >= 4,
    "SKUA__TASK_STOLEN_BY needs the two low bits of a worker's address");

/* A thief asked for work: make the private forks public, wake a sleeper.
 * (skua/task.h's fork calls it; the library's own callers use its internal
 * name, skua__expose, lib/worker.h.) */
void skua_abi_expose(skua_worker *w)
{
	int64_t n = skua__deque_answer_demand(w);
	if (n > 0)
		skua__post(w->pool, n > 1 ? 2 : 1);
}

/* skua/autotask.h, before one serial subtree in 64: the private forks
 * public, so that a thief can take that old work while the subtree runs,
 * however much longer than its estimate that takes (without it, utree's
 * second largest root stayed private under another root's 20 ms serial
 * chain: docs/design.md, "What still goes wrong in utree").  A sleeper is
 * woken for it, as for any published work (P3 of lib/park.md). */
void skua_abi_expose_old(skua_worker *w)
{
	if (skua__deque_expose_private(w) > 0)
		skua__post(w->pool, 1);
}

/* A future's task: public at once (it does not wait for demand).
 * -ENOMEM when the deque is full and cannot grow. */
int skua__push_public(skua_worker *w, skua_task *t)
{
	int64_t exposed = skua__deque_expose_private(w);
	if (!skua__deque_make_room(w)) {
		/* The forks exposed above are public now: P3 for them. */
		if (exposed > 0)
			skua__post(w->pool, 1);
		return -ENOMEM;
	}
	skua__deque_push_public(w, t);
	skua__post(w->pool, 1);
	return 0;
}

/* skua_fork's slow path: the buffer looks full. */
void skua_abi_fork_slow(skua_worker *w, skua_task *t)
{
	if (SKUA_UNLIKELY(!skua__deque_make_room(w))) {
		/*
		 * Full, and no memory to grow: run the child now, inline,
		 * as a plain call (its join finds it INLINED and returns).
		 * Not an older queued task, as before: that is another
		 * frame's work, and this frame may hold a lock across its
		 * fork and join that the older work takes (skua/task.h,
		 * "Locks"; an independent review saw EDEADLK).  Further forks
		 * below run inline the same way until room is made.
		 */
		atomic_store_explicit(&t->state, SKUA__TASK_INLINED,
		    memory_order_relaxed);
		t->fn(w, t);
		return;
	}
	/* skua_fork stored this index already, and make_room leaves head
	 * where it was; stored again beside the push that uses it, so the
	 * two cannot drift apart if make_room ever changes. */
	atomic_store_explicit(&t->state, SKUA__TASK_PRIVATE_AT(w->hot.head),
	    memory_order_relaxed);
	skua__deque_push_private(w, t);
	if (atomic_load_explicit(&w->hot.demand, memory_order_relaxed))
		skua__expose(w);
}

/*
 * Run a task taken from a queue (stolen, taken back after exposure,
 * injected).  A fork's record is marked stolen-by-us, run, then done; a
 * future's fn owns its record and must not be touched afterwards.
 */
void skua__run_taken(skua_worker *w, skua_task *t)
{
	uintptr_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
	uint64_t t0 = SKUA_UNLIKELY(w->trace != NULL) ? skua__now_ns() : 0;

	SKUA_STAT_ADD(w, tasks_run, 1);
	if (s == SKUA__TASK_DETACHED) {
		t->fn(w, t);
		SKUA_TRACE_EVENT(w, SKUA__TR_TASK, t0, skua__now_ns(), 0, 0);
		return;
	}
	SKUA_ASSERT_EQ(s, SKUA__TASK_QUEUED);
	/* What a leapfrogging joiner may take from us: what t pushes. */
	int64_t outer = atomic_load_explicit(&w->steal_base,
	    memory_order_relaxed);
	/* Release (a plain store on x86): a joiner that reads this base
	 * sees everything before it, the DONE of an earlier child too. */
	atomic_store_explicit(&w->steal_base, w->hot.head,
	    memory_order_release);
	/* Release: the joiner reads the thief's pointer to leapfrog. */
	atomic_store_explicit(&t->state, SKUA__TASK_STOLEN_BY(w),
	    memory_order_release);
	t->fn(w, t);
	SKUA_TRACE_EVENT(w, SKUA__TR_TASK, t0, skua__now_ns(), 1, 0);
	/* Release: the child's writes happen before the joiner returns.
	 * NOTE: after this store the joiner may return and t is gone. */
	atomic_store_explicit(&t->state, SKUA__TASK_DONE, memory_order_release);
	/* Release, after DONE: a joiner that reads the outer (lower) base
	 * then also sees DONE when it checks after its steal. */
	atomic_store_explicit(&w->steal_base, outer, memory_order_release);
}

void skua__backoff(unsigned *b)
{
	ck_backoff_eb(b);
	if (*b > SKUA__BACKOFF_MAX)
		*b = SKUA__BACKOFF_MAX;
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: cheap victim choice. */
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/*
 * One pass over every place work can be: the own deque's public part, the
 * injection queue, then every other worker from a random start.  A steal
 * that leaves more work behind wakes one more sleeper, so a burst spreads.
 *
 * Inside a wait (help_once) the own deque's newest public entry may be a
 * fork of a frame still open below us: running it here, out of join order,
 * is what a thief would do, and its join then finds it done (join_slow
 * looks at the task's state first).  Only with no private part above it:
 * take() works at bottom and would drop [bottom, head).
 */
skua_task *skua__find_work(skua_worker *w)
{
	skua_pool *p = w->pool;
	skua_task *x;
	bool busy;

	w->more = false;

	if (w->hot.head == w->hot.bottom && skua__deque_has_public(w)) {
		x = skua__deque_take(w);
		if (x != NULL)
			return x;
	}
	x = skua__inject_pop(&p->inject);
	if (x != NULL) {
		w->more = !skua__inject_empty(&p->inject);
		return x;
	}
	/* Acquire: the slots below nvisible are initialized workers. */
	unsigned n = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	if (n < 2)
		return NULL;
	unsigned start = (unsigned)(rng_next(&w->rng) % n);
	for (unsigned k = 0; k < n; k++) {
		skua_worker *v = p->workers[(start + k) % n];
		if (v == w)
			continue;
		SKUA_STAT_ADD(w, steal_attempts, 1);
		x = skua__deque_steal(w, v, &busy);
		if (x != NULL) {
			SKUA_STAT_ADD(w, steals, 1);
			SKUA_TRACE_EVENT(w, SKUA__TR_STEAL, skua__now_ns(), 0,
			    v->index, 0);
			w->more = atomic_load_explicit(&v->bottom,
			    memory_order_relaxed) > atomic_load_explicit(
			    &v->top, memory_order_relaxed);
			return x;
		}
	}
	return NULL;
}

/* Run one unrelated task if the help depth allows; true if one ran. */
bool skua__help_once(skua_worker *w)
{
	if (w->help_depth >= SKUA__HELP_DEPTH_MAX)
		return false;
	skua_task *x = skua__find_work(w);
	if (x == NULL)
		return false;
	w->help_depth++;
	skua__run_taken(w, x);
	w->help_depth--;
	return true;
}

/*
 * One leapfrog step of the join of t, stolen by thief: take the oldest task
 * that the thief pushed while running t (steal_base, checked by
 * skua__deque_steal_above) and run it.  Returns true when a task ran;
 * *busy when a CAS was lost (try again at once).
 */
static bool leapfrog_once(skua_worker *w, skua_task *t, skua_worker *thief,
    bool *busy)
{
	/* Acquire: pairs with run_taken's release stores of the base. */
	int64_t base = atomic_load_explicit(&thief->steal_base,
	    memory_order_acquire);
	SKUA_STAT_ADD(w, steal_attempts, 1);
	skua_task *x = skua__deque_steal_above(thief, base, t, busy);
	if (x == NULL)
		return false;
	SKUA_STAT_ADD(w, steals, 1);
	SKUA_TRACE_EVENT(w, SKUA__TR_STEAL, skua__now_ns(), 0, thief->index, 0);
	w->help_depth++;
	skua__run_taken(w, x);
	w->help_depth--;
	return true;
}

/*
 * How long a join may wait idle while work is queued in the pool, before
 * it counts itself blocked (skua_blocking_begin).  The join takes only the
 * child's own work (docs/design.md, "The rule"): not the futures that its
 * frame spawned between the fork and the join (left in its own deque,
 * skua/task.h, "Locks"), not the thief's older entries, nothing elsewhere.
 * The child may be waiting for any of those inside skua_blocking_begin/end
 * while the pool counts this spinning joiner as running, and with every
 * other worker blocked or joining too (on one worker, a lingering spare
 * that stole the child covers its own begin), nobody would ever run it.
 * Blocked, this worker makes the pool wake or start a spare, which does.
 */
#define JOIN_IDLE_BLOCK_NS 50000u

/* wait_for_thief with nothing to do: back off, then yield; every 50 us
 * of that with work queued in the pool, count ourselves blocked (*begun;
 * on -EAGAIN, no spare to be had, try again 50 us later). */
static void join_idle(skua_worker *w, unsigned *idle, unsigned *backoff,
    uint64_t *idle_since, bool *begun)
{
	if (++*idle < 64) {
		skua__backoff(backoff);
		return;
	}
	if (!*begun) {
		uint64_t now = skua__now_ns();
		if (*idle_since == 0) {
			*idle_since = now;
		} else if (now - *idle_since >= JOIN_IDLE_BLOCK_NS) {
			*idle_since = now;
			if (skua__pool_has_work(w->pool))
				*begun = skua__blocking_begin_join() == 0;
		}
	}
	sched_yield();
}

/*
 * Wait until the thief of t has finished it, leapfrogging meanwhile.  The
 * time spent neither running a task nor done goes to join_wait_ns: a
 * worker that spins here is busy for the OS and not idle for idle_ns, so
 * without it a thief running one long unsplittable piece that its
 * victim's join waits for shows as no idle time at all (utree auto at 2
 * workers, docs/benchmarks.md).  A stolen join is rare beside the work it
 * waits for, so the clock reads cost nothing measurable.
 */
static void wait_for_thief(skua_worker *w, skua_task *t)
{
	unsigned backoff = CK_BACKOFF_INITIALIZER >> 4;
	unsigned idle = 0;
	uint64_t t0 = skua__now_ns(), ran = 0, idle_since = 0;
	bool begun = false;
	uintptr_t s;
	while ((s = atomic_load_explicit(&t->state, memory_order_acquire)) !=
	    SKUA__TASK_DONE) {
		skua_worker *thief = skua__task_state_stolen(s) ?
		    (skua_worker *)SKUA__TASK_THIEF(s) : NULL;
		if (thief != NULL && thief != w &&
		    w->help_depth < SKUA__HELP_DEPTH_MAX) {
			bool busy;
			uint64_t r0 = skua__now_ns();
			if (leapfrog_once(w, t, thief, &busy)) {
				ran += skua__now_ns() - r0;
				backoff = CK_BACKOFF_INITIALIZER >> 4;
				idle = 0;
				idle_since = 0;
				continue;
			}
			if (busy)
				continue;
		}
		join_idle(w, &idle, &backoff, &idle_since, &begun);
	}
	if (begun)
		skua__blocking_end_join();
	uint64_t waited = skua__now_ns() - t0;
	SKUA_STAT_ADD(w, join_wait_ns, waited > ran ? waited - ran : 0);
}

/*
 * join's slow path: t is public (exposed) or stolen.  Take it back if it
 * is still there; otherwise leapfrog: steal from the thief only what it
 * pushed while running t (leapfrog_once), so the wait never runs unrelated
 * work that could block on a lock this frame holds, and the stack stays
 * bounded by the task tree's depth.  It spins, then yields, and counts
 * itself blocked while work that it may not take stays queued (join_idle).
 */
SKUA_COLD void skua_abi_join_slow(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;

	uintptr_t s = atomic_load_explicit(&t->state, memory_order_relaxed);
	/* Forked inline by a fork window that this join's translation unit
	 * does not have (a misuse, skua/task.h): it ran already. */
	if (s == SKUA__TASK_INLINED)
		return;
	/* The inline join's test, for a caller that did not make it. */
	if (skua__deque_owner_pop_at(h, s)) {
		t->fn(w, t);
		return;
	}
	/*
	 * Take t back, unless it already left the deque: stolen, or run by
	 * this worker while it helped inside a wait (state not QUEUED; a thief
	 * between its CAS and its state store is caught below, when the deque
	 * runs empty).  Entries above t can only be futures spawned after t
	 * was forked (forks made after t were joined before it): they are not
	 * t's work, and this frame may hold a lock across the fork and join
	 * that they take, so they stay queued (skua__deque_take_under; running
	 * them here deadlocked on such a lock, an independent review).  They
	 * were out of thieves' sight meanwhile: post them again (P1 was the
	 * requeue's seq_cst bottom, lib/park.md).
	 */
	int64_t requeued;
	bool got = skua__deque_take_under(w, t, &requeued);
	if (requeued > 0)
		skua__post(w->pool, 1);
	if (got) {
		t->fn(w, t);
		return;
	}
	SKUA_STAT_ADD(w, joins_stolen, 1);
	wait_for_thief(w, t);
}
