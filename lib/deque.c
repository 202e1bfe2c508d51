/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/deque.c - the deque's operations.  The memory-order recipe of each is
 * in lib/deque.h and docs/design.md.  Where Le et al. use a stand-alone
 * seq_cst fence, we use a seq_cst store and a seq_cst load instead: the
 * same StoreLoad order in the C11 model, and a form ThreadSanitizer
 * understands (it ignores fences).  The deque calls nothing above it: the
 * caller wakes sleepers after an exposure and runs what room() returns.
 */
#include "worker.h"

#include <errno.h>

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

/* Make [bottom, head) public.  The caller wakes sleepers. */
int64_t skua__deque_expose_private(skua_worker *w)
{
	struct skua__whot *h = &w->hot;
	int64_t n = h->head - h->bottom;

	if (n <= 0)
		return 0;
	/* A private fork's state is its index (SKUA__TASK_PRIVATE_AT);
	 * thieves, and join_slow's take-back, need it queued. */
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

/* A thief asked for work: clear the request, reopen the fork window, and
 * make the private forks public. */
int64_t skua__deque_answer_demand(skua_worker *w)
{
	/* Relaxed: a demand set again later is seen at a later fork. */
	atomic_store_explicit(&w->hot.demand, 0, memory_order_relaxed);
	/* Thieves took what was queued: reopen skua_fork's window so the
	 * next forks are queued again, not run inline.  Acquire: this bound
	 * lets later pushes reuse slots; it must come after the thieves'
	 * reads of those slots (Le et al.'s push loads top with acquire). */
	w->hot.top_cache = atomic_load_explicit(&w->top, memory_order_acquire);
	return skua__deque_expose_private(w);
}

bool skua__deque_make_room(skua_worker *w)
{
	struct skua__whot *h = &w->hot;

	/* Acquire: the slots below this top may be overwritten now; the
	 * thieves' reads of them must happen before. */
	h->top_cache = atomic_load_explicit(&w->top, memory_order_acquire);
	return h->head - h->top_cache <= h->mask || deque_grow(w);
}

void skua__deque_push_private(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;
	atomic_store_explicit(&h->slots[h->head & h->mask], t,
	    memory_order_relaxed);
	h->head++;
}

void skua__deque_push_public(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = &w->hot;
	skua__deque_push_private(w, t);
	h->bottom = h->head;
	/* seq_cst: release the slot, and P1 of lib/park.md. */
	atomic_store_explicit(&w->bottom, h->head, memory_order_seq_cst);
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
 * Put back the n entries that take() removed just now from [src, src + n),
 * still in the buffer there, at the new bottom: one below src when the
 * last take() took the entry under them without a race (its slot is free),
 * one above when a take() won a race for the last entry (top moved past
 * it), else where they were.  Slots are copied in the direction that keeps
 * the unread ones; the seq_cst bottom releases them, as a push does.
 */
static void deque_requeue(skua_worker *w, int64_t src, int64_t n)
{
	struct skua__whot *h = &w->hot;
	int64_t dst = h->bottom;

	SKUA_ASSERT(dst >= src - 1 && dst <= src + 1);
	for (int64_t k = 0; k < n && dst != src; k++) {
		int64_t i = dst < src ? k : n - 1 - k;
		atomic_store_explicit(&h->slots[(dst + i) & h->mask],
		    atomic_load_explicit(&h->slots[(src + i) & h->mask],
		    memory_order_relaxed), memory_order_relaxed);
	}
	h->bottom = h->head = dst + n;
	atomic_store_explicit(&w->bottom, h->head, memory_order_seq_cst);
}

/*
 * A join's take-back: take t, public and not yet taken (state QUEUED), from
 * under the entries above it, and leave those queued.  They can only be
 * futures that t's frame spawned after forking t (forks made after it were
 * joined before it); they are not t's work, and the frame may hold a lock
 * across the fork and join that they take (skua/task.h, "Locks").  True
 * if t was taken; false if a thief has it.  *requeued: how many entries
 * went back (they were out of thieves' sight meanwhile: the caller posts).
 */
bool skua__deque_take_under(skua_worker *w, const skua_task *t,
    int64_t *requeued)
{
	int64_t end = w->hot.bottom, n = 0;
	bool got = false;

	while (atomic_load_explicit(&t->state, memory_order_relaxed) ==
	    SKUA__TASK_QUEUED && skua__deque_has_public(w)) {
		skua_task *x = skua__deque_take(w);
		if (x == NULL)
			break; /* a thief took the last entry */
		if (x == t) {
			got = true;
			break;
		}
		SKUA_ASSERT_EQ(atomic_load_explicit(&x->state,
		    memory_order_relaxed), SKUA__TASK_DETACHED);
		n++;
	}
	if (n > 0)
		deque_requeue(w, end - n, n);
	*requeued = n;
	return got;
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
void skua__deque_ask_owner(skua_worker *v)
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
			skua__deque_ask_owner(v);
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
		skua__deque_ask_owner(v); /* the child's forks may be private still */
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

