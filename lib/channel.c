/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/channel.c - skua_channel's ring: create, destroy, the sends and
 * receives that do not wait, close.  Waiting is lib/channel_wait.c; the
 * protocol of both is lib/channel.md.
 *
 * Why not Concurrency Kit here (lib/inject.c uses ck_ring for pointers):
 * - ck_ring's MPMC dequeue copies the element out *before* its CAS on the
 *   head and retries when the CAS fails.  For a 4 KiB element that is a
 *   4 KiB copy thrown away per lost race, and the copy races with a
 *   producer that reuses the cell: a real data race on the bytes, which
 *   ThreadSanitizer reports and no release/acquire annotation excuses.
 * - Its MP enqueue waits, spinning, for every earlier producer to publish
 *   (p_tail moves in order): a producer preempted between its CAS and its
 *   copy stalls every other producer.  Here it stalls only the receiver
 *   of its own cell.
 * - Its capacity is a power of two minus one, its element size an
 *   unsigned int passed to underscore-prefixed internals (the typed API,
 *   CK_RING_PROTOTYPE, fixes the type at compile time), and ck_pr's
 *   inline assembly is invisible to ThreadSanitizer.
 * So the ring is Vyukov's bounded MPMC queue in C11 atomics (lib/channel.h):
 * the copy into a cell happens after the cell is owned, and ThreadSanitizer
 * checks every hand-off (the cell's sequence is the release/acquire pair).
 * ck_ec, for the waiting side, is discussed in lib/channel_wait.c.
 */
#include "channel.h"
#include "park.h"
#include "test_hooks.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static inline struct skua__ch_cell *cell_at(const skua_channel *ch,
    uint64_t pos)
{
	size_t i = ch->pow2 ? (size_t)(pos & (ch->cap - 1)) :
	    (size_t)(pos % ch->cap);
	return (struct skua__ch_cell *)(void *)(ch->cells + i * ch->stride);
}

/*
 * P3 of lib/channel.md, after the caller's seq_cst store of a cell: wake
 * one sleeper of side s if any registered.  `closed_wakes_all`: for the
 * receivers, a send that finishes after the close wakes them all, since
 * each may be waiting only for this last cell before it can see the end.
 */
static void post(skua_channel *ch, struct skua__ch_side *s,
    bool closed_wakes_all)
{
	if (SKUA_LIKELY(atomic_load_explicit(&s->waiters,
	    memory_order_seq_cst) == 0))
		return;
	int n = 1;
	if (closed_wakes_all && (atomic_load_explicit(&ch->tail,
	    memory_order_seq_cst) & SKUA__CH_CLOSED))
		n = INT_MAX;
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_seq_cst);
	skua__futex_wake(&s->seq, n);
}

/*
 * Pass a wake on (lib/channel.md, "Only the head matters, and the wake
 * is passed on"): we just finished at position pos.  A sleeper of side s
 * that a later position's P3 woke may have re-checked pos while we were
 * still copying, found nothing, and slept again; if the cell of pos + 1
 * is ready for that side (its seq is `ready`), wake one of s now.
 */
static void pass_on(skua_channel *ch, struct skua__ch_side *s, uint64_t pos,
    uint64_t ready, bool counted, bool closed_wakes_all)
{
	/* Others than us: a wake for ourselves would be a system call for
	 * nothing on every re-check that succeeds. */
	if (SKUA_LIKELY(atomic_load_explicit(&s->waiters,
	    memory_order_seq_cst) <= (uint32_t)counted))
		return;
	if (atomic_load_explicit(&cell_at(ch, pos + 1)->seq,
	    memory_order_seq_cst) == ready)
		post(ch, s, closed_wakes_all);
}

static _Atomic(void (*)(bool)) copy_hook; /* skua__test_channel_copy_hook */

void skua__test_channel_copy_hook(void (*fn)(bool sending))
{
	atomic_store_explicit(&copy_hook, fn, memory_order_relaxed);
}

/* Between taking a turn and copying: where a test stalls a copy. */
static inline void before_copy(bool sending)
{
	void (*fn)(bool) = atomic_load_explicit(&copy_hook,
	    memory_order_relaxed);
	if (SKUA_UNLIKELY(fn != NULL))
		fn(sending);
}

int skua__ch_send_once(skua_channel *ch, const void *elem, bool counted)
{
	uint64_t t = atomic_load_explicit(&ch->tail, memory_order_seq_cst);
	struct skua__ch_cell *c;

	for (;;) {
		if (t & SKUA__CH_CLOSED)
			return -EPIPE;
		c = cell_at(ch, t);
		/* seq_cst: also the re-check of a registered sender (W3). */
		uint64_t s = atomic_load_explicit(&c->seq, memory_order_seq_cst);
		int64_t d = (int64_t)(s - 2 * t);
		if (d == 0) {
			/* Free for t: take the turn (a failed CAS reloads t,
			 * with the closed bit if a close came first). */
			if (atomic_compare_exchange_weak_explicit(&ch->tail, &t,
			    t + 1, memory_order_seq_cst, memory_order_seq_cst))
				break;
		} else if (d < 0) {
			/* The cell still holds position t - cap: full. */
			return -EAGAIN;
		} else {
			/* Another send took t: our t is stale. */
			t = atomic_load_explicit(&ch->tail, memory_order_seq_cst);
		}
	}
	before_copy(true);
	memcpy(c->data, elem, ch->elem_size);
	/* P1: seq_cst, the release of the bytes and the publish step. */
	atomic_store_explicit(&c->seq, 2 * t + 1, memory_order_seq_cst);
	post(ch, &ch->recv_side, true);
	/* A sender woken by the receive that freed t + 1's cell may have
	 * found t, still ours, and slept again. */
	pass_on(ch, &ch->send_side, t, 2 * (t + 1), counted, false);
	return 0;
}

/* Position h has no element yet: -EPIPE when the channel is closed and
 * h is its end, else -EAGAIN (empty, or h's send is still copying in). */
static int recv_empty(skua_channel *ch, uint64_t h)
{
	uint64_t t = atomic_load_explicit(&ch->tail, memory_order_seq_cst);
	if ((t & SKUA__CH_CLOSED) && (t & ~SKUA__CH_CLOSED) == h)
		return -EPIPE;
	return -EAGAIN;
}

int skua__ch_recv_once(skua_channel *ch, void *elem, bool counted)
{
	uint64_t h = atomic_load_explicit(&ch->head, memory_order_seq_cst);
	struct skua__ch_cell *c;

	for (;;) {
		c = cell_at(ch, h);
		/* seq_cst: also the re-check of a registered receiver (W3). */
		uint64_t s = atomic_load_explicit(&c->seq, memory_order_seq_cst);
		int64_t d = (int64_t)(s - (2 * h + 1));
		if (d == 0) {
			if (atomic_compare_exchange_weak_explicit(&ch->head, &h,
			    h + 1, memory_order_seq_cst, memory_order_seq_cst))
				break;
		} else if (d < 0) {
			return recv_empty(ch, h);
		} else {
			h = atomic_load_explicit(&ch->head, memory_order_seq_cst);
		}
	}
	before_copy(false);
	memcpy(elem, c->data, ch->elem_size);
	/* P1 for the senders: the cell is free for position h + cap. */
	atomic_store_explicit(&c->seq, 2 * (h + ch->cap), memory_order_seq_cst);
	post(ch, &ch->send_side, false);
	/* A receiver woken by the send of h + 1 may have found h, still
	 * being copied in, and slept again. */
	pass_on(ch, &ch->recv_side, h, 2 * (h + 1) + 1, counted,
	    true);
	return 0;
}

int skua_channel_try_send(skua_channel *ch, const void *elem)
{
	if (ch == NULL || elem == NULL)
		return -EINVAL;
	return skua__ch_send_once(ch, elem, false);
}

int skua_channel_try_recv(skua_channel *ch, void *elem)
{
	if (ch == NULL || elem == NULL)
		return -EINVAL;
	return skua__ch_recv_once(ch, elem, false);
}

int skua_channel_close(skua_channel *ch)
{
	if (ch == NULL)
		return -EINVAL;
	/* seq_cst RMW: no send takes a turn after it (their CAS expects
	 * the bit clear), and it precedes the bumps below. */
	uint64_t old = atomic_fetch_or_explicit(&ch->tail, SKUA__CH_CLOSED,
	    memory_order_seq_cst);
	if (old & SKUA__CH_CLOSED)
		return -EPIPE;
	/* Wake everyone, registered or not yet: each re-checks and sees
	 * the close (lib/channel.md, "Close"). */
	struct skua__ch_side *sides[2] = { &ch->recv_side, &ch->send_side };
	for (int i = 0; i < 2; i++) {
		atomic_fetch_add_explicit(&sides[i]->seq, 1,
		    memory_order_seq_cst);
		skua__futex_wake(&sides[i]->seq, INT_MAX);
	}
	return 0;
}

int skua_channel_create(size_t capacity, size_t elem_size,
    skua_channel **out)
{
	if (out != NULL)
		*out = NULL;
	if (out == NULL || capacity == 0 || elem_size == 0)
		return -EINVAL;
	/* A cell: the 8-byte sequence, the element rounded up to 8. */
	if (elem_size > SIZE_MAX - 16 ||
	    capacity > SIZE_MAX / (8 + ((elem_size + 7) & ~(size_t)7)) ||
	    capacity >= (size_t)1 << 62)
		return -EOVERFLOW;
	size_t stride = 8 + ((elem_size + 7) & ~(size_t)7);
	skua_channel *ch = skua__malloc_aligned(sizeof *ch);
	if (ch == NULL)
		return -ENOMEM;
	ch->cap = capacity;
	ch->elem_size = elem_size;
	ch->stride = stride;
	ch->bytes = capacity * stride;
	ch->pow2 = (capacity & (capacity - 1)) == 0;
	ch->cells = skua__malloc_aligned(ch->bytes);
	if (ch->cells == NULL) {
		skua__free_aligned(ch, sizeof *ch);
		return -ENOMEM;
	}
	for (size_t i = 0; i < capacity; i++)
		atomic_init(&cell_at(ch, i)->seq, 2 * (uint64_t)i);
	atomic_init(&ch->tail, 0);
	atomic_init(&ch->head, 0);
	atomic_init(&ch->recv_side.seq, 0);
	atomic_init(&ch->recv_side.waiters, 0);
	atomic_init(&ch->send_side.seq, 0);
	atomic_init(&ch->send_side.waiters, 0);
	*out = ch;
	return 0;
}

int skua_channel_destroy(skua_channel *ch)
{
	if (ch == NULL)
		return -EINVAL;
	skua__free_aligned(ch->cells, ch->bytes);
	skua__free_aligned(ch, sizeof *ch);
	return 0;
}

size_t skua_channel_len(const skua_channel *ch)
{
	if (ch == NULL)
		return 0;
	/* Head first: the tail read after it is at least as new, so the
	 * difference never goes below zero. */
	uint64_t h = atomic_load_explicit(&ch->head, memory_order_seq_cst);
	uint64_t t = atomic_load_explicit(&ch->tail, memory_order_seq_cst) &
	    ~SKUA__CH_CLOSED;
	uint64_t n = t > h ? t - h : 0;
	return n > ch->cap ? ch->cap : (size_t)n;
}

size_t skua_channel_capacity(const skua_channel *ch)
{
	return ch == NULL ? 0 : ch->cap;
}

size_t skua_channel_elem_size(const skua_channel *ch)
{
	return ch == NULL ? 0 : ch->elem_size;
}
