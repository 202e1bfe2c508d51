/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/task.c - the deque's slow paths, stealing, and join's wait.
 *
 * The memory-order recipe of every operation is in lib/worker.h and
 * docs/design.md.  Where Le et al. use a stand-alone seq_cst fence, we use a
 * seq_cst store and a seq_cst load instead: the same StoreLoad order in the
 * C11 model, and a form ThreadSanitizer understands (it ignores fences).
 */
#include "worker.h"

#include <ck_backoff.h>
#include <errno.h>
#include <sched.h>
#include <string.h>

static struct skua__dqbuf *dqbuf_new(int64_t cap)
{
	struct skua__dqbuf *b = skua__malloc(sizeof *b +
	    (size_t)cap * sizeof(b->slots[0]));
	if (b == NULL)
		return NULL;
	b->mask = cap - 1;
	b->retired = NULL;
	for (int64_t i = 0; i < cap; i++)
		atomic_init(&b->slots[i], NULL);
	return b;
}

static size_t dqbuf_size(const struct skua__dqbuf *b)
{
	return sizeof *b + (size_t)(b->mask + 1) * sizeof(b->slots[0]);
}

int skua__deque_init(skua_worker *w)
{
	struct skua__dqbuf *b = dqbuf_new(SKUA__DEQUE_INITIAL);
	if (b == NULL)
		return -ENOMEM;
	w->cur = b;
	atomic_init(&w->buf, b);
	atomic_init(&w->top, 0);
	atomic_init(&w->bottom, 0);
	atomic_init(&w->steal_base, 0);
	w->hot.slots = b->slots;
	w->hot.mask = b->mask;
	w->hot.head = w->hot.bottom = w->hot.top_cache = 0;
	w->hot.auto_tick = 0;
	atomic_init(&w->hot.demand, 0);
	return 0;
}

void skua__deque_fini(skua_worker *w)
{
	struct skua__dqbuf *b = w->cur;
	while (b != NULL) {
		struct skua__dqbuf *r = b->retired;
		skua__free(b, dqbuf_size(b));
		b = r;
	}
	w->cur = NULL;
}

/* Double the buffer; the owner only.  false: out of memory. */
static bool deque_grow(skua_worker *w)
{
	struct skua__dqbuf *old = w->cur;
	int64_t cap = (old->mask + 1) * 2;
	struct skua__dqbuf *b = dqbuf_new(cap);
	if (b == NULL)
		return false;
	int64_t t = atomic_load_explicit(&w->top, memory_order_relaxed);
	for (int64_t i = t; i < w->hot.head; i++)
		atomic_store_explicit(&b->slots[i & b->mask],
		    atomic_load_explicit(&old->slots[i & old->mask],
		    memory_order_relaxed), memory_order_relaxed);
	b->retired = old;
	w->cur = b;
	/* Release: a thief that loads the new buffer sees the copied slots. */
	atomic_store_explicit(&w->buf, b, memory_order_release);
	w->hot.slots = b->slots;
	w->hot.mask = b->mask;
	return true;
}

/* Make [bottom, head) public.  The caller wakes sleepers (published()). */
static int64_t expose_private(skua_worker *w)
{
	struct skua__whot *h = &w->hot;
	int64_t n = h->head - h->bottom;

	if (n <= 0)
		return 0;
	/* skua_fork stores QUEUED already; a task pushed by the fork window
	 * path or a fallback may not have: thieves need it queued. */
	for (int64_t i = h->bottom; i < h->head; i++) {
		skua_task *t = atomic_load_explicit(&h->slots[i & h->mask],
		    memory_order_relaxed);
		atomic_store_explicit(&t->state, SKUA__TASK_QUEUED,
		    memory_order_relaxed);
	}
	h->bottom = h->head;
	/* seq_cst: releases the slots and the task fields to thieves, and
	 * is the publish step P1 before the loads in skua__post (park.md). */
	atomic_store_explicit(&w->bottom, h->head, memory_order_seq_cst);
	SKUA_STAT_ADD(w, forks_exposed, (uint64_t)n);
	return n;
}

/* A thief asked for work: make the private forks public. */
void skua__expose(skua_worker *w)
{
	/* Relaxed: a demand set again later is seen at a later fork. */
	atomic_store_explicit(&w->hot.demand, 0, memory_order_relaxed);
	/* Thieves took what was queued: reopen skua_fork's window so the
	 * next forks are queued again, not run inline.  Acquire: this bound
	 * lets later pushes reuse slots; it must come after the thieves'
	 * reads of those slots (Le et al.'s push loads top with acquire). */
	w->hot.top_cache = atomic_load_explicit(&w->top, memory_order_acquire);
	int64_t n = expose_private(w);
	if (n > 0)
		skua__post(w->pool, n > 1 ? 2 : 1);
}

/* Room for one more slot: refresh top, grow, or (out of memory) run the
 * oldest task here. */
static void make_room(skua_worker *w)
{
	struct skua__whot *h = &w->hot;

	for (;;) {
		/* Acquire: the slots below this top may be overwritten now;
		 * the thieves' reads of them must happen before. */
		h->top_cache = atomic_load_explicit(&w->top,
		    memory_order_acquire);
		if (h->head - h->top_cache <= h->mask || deque_grow(w))
			return;
		/*
		 * Out of memory and full.  Make everything public and run the
		 * oldest task ourselves, as a thief would: a fork's child may
		 * run before its parent's continuation, so this is correct,
		 * and it frees a slot.  The parent's join finds it done.
		 */
		expose_private(w);
		bool busy;
		skua_task *x = skua__deque_steal(w, w, &busy);
		if (x != NULL)
			skua__run_taken(w, x);
	}
}

/* A future's task: public at once (it does not wait for demand). */
void skua__push_public(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;

	expose_private(w);
	make_room(w);
	atomic_store_explicit(&h->slots[h->head & h->mask], t,
	    memory_order_relaxed);
	h->head++;
	h->bottom = h->head;
	/* seq_cst: release the slot, and P1 of lib/park.md. */
	atomic_store_explicit(&w->bottom, h->head, memory_order_seq_cst);
	skua__post(w->pool, 1);
}

/* skua_fork's slow path: the buffer looks full. */
void skua__fork_slow(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;

	make_room(w);
	atomic_store_explicit(&h->slots[h->head & h->mask], t,
	    memory_order_relaxed);
	h->head++;
	if (atomic_load_explicit(&h->demand, memory_order_relaxed))
		skua__expose(w);
}

skua_task *skua__deque_take(skua_worker *w)
{
	struct skua__whot *h = &w->hot;
	int64_t b, t;
	skua_task *x = NULL;

	SKUA_ASSERT_EQ(h->head, h->bottom);
	b = h->bottom - 1;
	/* seq_cst store, then seq_cst load of top: Le et al.'s fence in take.
	 * Either a thief sees the smaller bottom, or we see its top. */
	atomic_store_explicit(&w->bottom, b, memory_order_seq_cst);
	t = atomic_load_explicit(&w->top, memory_order_seq_cst);
	if (t <= b) {
		x = atomic_load_explicit(&h->slots[b & h->mask],
		    memory_order_relaxed);
		if (t == b) {
			/* The last one: race the thieves for it. */
			if (!atomic_compare_exchange_strong_explicit(&w->top,
			    &t, t + 1, memory_order_seq_cst,
			    memory_order_relaxed))
				x = NULL;
			b++;
			/* Release: keeps the older slots published. */
			atomic_store_explicit(&w->bottom, b,
			    memory_order_release);
		}
	} else {
		b++;
		atomic_store_explicit(&w->bottom, b, memory_order_release);
	}
	h->bottom = h->head = b;
	h->top_cache = t;
	return x;
}

/*
 * Take t back if it is the newest entry of w's deque (public, nothing
 * private above it): a future that its spawner awaits at once.  Without
 * this, a task that spawns and gets in a loop on a one-worker pool would
 * leave one dead entry (and its future's memory) per round until it
 * returns.  True if t was removed, false if it was not on top or a thief
 * took it first.
 */
bool skua__deque_pop_if(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;

	if (h->head != h->bottom || h->bottom <=
	    atomic_load_explicit(&w->top, memory_order_relaxed) ||
	    atomic_load_explicit(&h->slots[(h->bottom - 1) & h->mask],
	    memory_order_relaxed) != t)
		return false;
	skua_task *x = skua__deque_take(w);
	if (x == t)
		return true;
	SKUA_ASSERT(x == NULL);
	return false;
}

/* Nothing public at v: ask its owner to expose its next fork.  Read first
 * so that idle thieves do not keep the line bouncing. */
static void ask_for_work(skua_worker *v)
{
	if (!atomic_load_explicit(&v->hot.demand, memory_order_relaxed))
		atomic_store_explicit(&v->hot.demand, 1, memory_order_relaxed);
}

/* The second half of a steal: take the entry at t, which the caller saw
 * below bottom, by a CAS on top. */
static skua_task *steal_at(skua_worker *v, int64_t t, bool *busy)
{
	/* Acquire, and after top: the buffer may have been replaced. */
	struct skua__dqbuf *buf = atomic_load_explicit(&v->buf,
	    memory_order_acquire);
	skua_task *x = atomic_load_explicit(&buf->slots[t & buf->mask],
	    memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&v->top, &t, t + 1,
	    memory_order_seq_cst, memory_order_relaxed)) {
		*busy = true;
		return NULL;
	}
	return x;
}

skua_task *skua__deque_steal(skua_worker *thief, skua_worker *v, bool *busy)
{
	*busy = false;
	/* seq_cst loads of top then bottom: Le et al.'s acquire + fence. */
	int64_t t = atomic_load_explicit(&v->top, memory_order_seq_cst);
	int64_t b = atomic_load_explicit(&v->bottom, memory_order_seq_cst);
	if (t >= b) {
		if (v != thief)
			ask_for_work(v);
		return NULL;
	}
	return steal_at(v, t, busy);
}

/*
 * A leapfrogging joiner's steal from v, the thief of child: the oldest entry
 * of v, only if its index is base or above and child was still running
 * when that entry was published.  Below base sit the thief's older frames'
 * tasks: others may steal those, the joiner may not.
 *
 * Why the check of child's state between the slot read and the CAS is
 * enough (docs/design.md, "The rule"): we read bottom > t, so the entry at
 * t was published by a bottom store we read.  If that push came after
 * child's DONE in the thief's program order, that (seq_cst, so release)
 * store follows the DONE store (release), and our acquire load of bottom
 * makes DONE visible to the state load below, which then refuses.  So an
 * entry we do take was pushed before DONE; and after child started,
 * because base was read (acquire) after the thief's release store of it,
 * so no bottom store older than child's start can be read either.  What
 * happens between the check and the CAS does not matter: the entry's
 * push time is what counts.
 */
skua_task *skua__deque_steal_above(skua_worker *v, int64_t base,
    const skua_task *child, bool *busy)
{
	*busy = false;
	int64_t t = atomic_load_explicit(&v->top, memory_order_seq_cst);
	int64_t b = atomic_load_explicit(&v->bottom, memory_order_seq_cst);
	if (t >= b) {
		ask_for_work(v); /* the child's forks may be private still */
		return NULL;
	}
	if (t < base)
		return NULL;
	struct skua__dqbuf *buf = atomic_load_explicit(&v->buf,
	    memory_order_acquire);
	skua_task *x = atomic_load_explicit(&buf->slots[t & buf->mask],
	    memory_order_relaxed);
	if (atomic_load_explicit(&child->state, memory_order_acquire) ==
	    SKUA__TASK_DONE)
		return NULL; /* x may be newer than child: not ours */
	if (!atomic_compare_exchange_strong_explicit(&v->top, &t, t + 1,
	    memory_order_seq_cst, memory_order_relaxed)) {
		*busy = true;
		return NULL;
	}
	return x;
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
		SKUA_TRACE_EVENT(w, SKUA__TR_TASK, t0, skua__now_ns(), 0);
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
	atomic_store_explicit(&t->state, (uintptr_t)w | SKUA__TASK_STOLEN,
	    memory_order_release);
	t->fn(w, t);
	SKUA_TRACE_EVENT(w, SKUA__TR_TASK, t0, skua__now_ns(), 1);
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

	if (w->hot.head == w->hot.bottom && w->hot.bottom >
	    atomic_load_explicit(&w->top, memory_order_relaxed)) {
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
			    v->index);
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
	SKUA_TRACE_EVENT(w, SKUA__TR_STEAL, skua__now_ns(), 0, thief->index);
	w->help_depth++;
	skua__run_taken(w, x);
	w->help_depth--;
	return true;
}

/*
 * join's slow path: t is public (exposed) or stolen.  Take it back if it
 * is still there; otherwise leapfrog: steal from the thief only what it
 * pushed while running t (leapfrog_once), so the wait never runs unrelated
 * work that could block on a lock this frame holds, and the stack stays
 * bounded by the task tree's depth.  A worker never sleeps here; it spins,
 * then yields.
 */
SKUA_COLD void skua__join_slow(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;

	if (h->head > h->bottom) { /* exposed after the inline check */
		h->head--;
		t->fn(w, t);
		return;
	}
	/*
	 * Take t back, unless it already left the deque: stolen, or run by
	 * this worker while it helped inside a wait (state not QUEUED; a thief
	 * between its CAS and its state store is caught below, when the deque
	 * runs empty).  Entries above t can only be futures spawned after t
	 * was forked (forks made after t were joined before it): they are this
	 * frame's own work, so run them here on the way down to t.  Relaxed
	 * top: it only grows, so top >= bottom means t was stolen.
	 */
	while (atomic_load_explicit(&t->state, memory_order_relaxed) ==
	    SKUA__TASK_QUEUED &&
	    h->bottom > atomic_load_explicit(&w->top, memory_order_relaxed)) {
		skua_task *x = skua__deque_take(w);
		if (x == NULL)
			break; /* a thief took the last entry */
		if (x == t) {
			t->fn(w, t);
			return;
		}
		SKUA_ASSERT_EQ(atomic_load_explicit(&x->state,
		    memory_order_relaxed), SKUA__TASK_DETACHED);
		skua__run_taken(w, x);
	}
	SKUA_STAT_ADD(w, joins_stolen, 1);
	unsigned backoff = CK_BACKOFF_INITIALIZER >> 4;
	unsigned idle = 0;
	uintptr_t s;
	while ((s = atomic_load_explicit(&t->state, memory_order_acquire)) !=
	    SKUA__TASK_DONE) {
		skua_worker *thief = (skua_worker *)(s & ~(uintptr_t)SKUA__TASK_STOLEN);
		if (thief != NULL && thief != w &&
		    w->help_depth < SKUA__HELP_DEPTH_MAX) {
			bool busy;
			if (leapfrog_once(w, t, thief, &busy)) {
				backoff = CK_BACKOFF_INITIALIZER >> 4;
				idle = 0;
				continue;
			}
			if (busy)
				continue;
		}
		if (++idle < 64)
			skua__backoff(&backoff);
		else
			sched_yield();
	}
}
