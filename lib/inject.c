/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/inject.c - the queue for tasks submitted from outside the pool.
 *
 * A Concurrency Kit MPMC ring (ck_ring_*_mpmc) takes the common case; when
 * it is full, tasks go to an overflow array under a mutex, so a submission
 * never fails for lack of room in the ring and never blocks on a consumer.
 *
 * Order is FIFO across both parts: while the overflow array holds anything,
 * new submissions go there too (behind it), and consumers take the ring
 * first, whose tasks are all older than the overflow's.  So the ring fills
 * again only once the overflow has drained.  The one exception is
 * submissions racing on different threads (a producer that read an empty
 * overflow just before another filled it): those have no order between
 * them anyway, and each can be passed only by submissions that raced it.
 * (Before, the overflow was read only when the ring was empty, so a steady
 * stream of new submissions could starve it: issue 10, bug 4.)
 *
 * `count` is a C11 seq_cst counter of queued tasks: it is the "work was
 * published" store of the parking protocol (lib/park.md), which
 * ThreadSanitizer can see, unlike ck_pr's inline assembly.  The task
 * hand-off through the ring is annotated with __tsan_release/acquire.
 */
#include "inject.h"

#include <errno.h>
#include <sched.h>
#include <string.h>

#define INJECT_RING_SLOTS 1024

/*
 * ck_ring_enqueue_mpmc, with a commit that yields.  A producer reserves a
 * slot (a CAS on the ring's head), fills it, then waits until every
 * earlier producer has committed before it commits (the ring's tail moves
 * in ticket order).  ck's commit waits with ck_pr_stall() for as long as
 * it takes: with more submitting threads than CPUs, a producer preempted
 * between its reservation and its commit holds every later one, each
 * spinning out a whole time slice before the holder runs again.  That
 * convoy ran test_inject_stress (4 producers, 3 consumers, 2 CPUs) at
 * ~400 submissions a second instead of ~4 million, for over 250 s, in 1
 * run of 75 (reproduced: 2 of 150 before this, with the library of
 * b9b1fc3 too).  Here the wait yields after a short spin, so the holder
 * gets the CPU back at once.  False: the ring is full.
 */
static bool ring_enqueue(struct skua__inject *q, skua_task *t)
{
	unsigned int ticket;
	void **slot = ck_ring_enqueue_reserve_mpmc(&q->ring, q->buf, &ticket);
	if (slot == NULL)
		return false;
	/* For ThreadSanitizer, which cannot see ck_pr's ordering: the ring
	 * is one sync object, acquired before a slot is touched and released
	 * after (here and in skua__inject_pop), so that a slot's write after
	 * the previous lap's write and read is not reported as a race. */
	SKUA_TSAN_ACQUIRE(&q->ring);
	*slot = t;
	for (unsigned spins = 0;
	    ck_pr_load_uint(&q->ring.p_tail) != ticket; spins++) {
		if (spins < 64)
			ck_pr_stall();
		else
			sched_yield();
	}
	/* As ck's commit: the slot's store before the tail's. */
	ck_pr_fence_store();
	ck_pr_store_uint(&q->ring.p_tail, ticket + 1);
	SKUA_TSAN_RELEASE(&q->ring);
	return true;
}

int skua__inject_init(struct skua__inject *q)
{
	memset(q, 0, sizeof *q);
	q->cap = INJECT_RING_SLOTS;
	q->buf = skua__calloc(q->cap, sizeof *q->buf);
	if (q->buf == NULL)
		return -ENOMEM;
	ck_ring_init(&q->ring, q->cap);
	if (pthread_mutex_init(&q->lock, NULL) != 0) {
		skua__free(q->buf, q->cap * sizeof *q->buf);
		return -ENOMEM;
	}
	atomic_init(&q->count, 0);
	return 0;
}

void skua__inject_fini(struct skua__inject *q)
{
	pthread_mutex_destroy(&q->lock);
	skua__free(q->buf, q->cap * sizeof *q->buf);
	skua__free(q->ovf, q->ovf_cap * sizeof *q->ovf);
	q->buf = NULL;
	q->ovf = NULL;
}

static int overflow_push(struct skua__inject *q, skua_task *t)
{
	pthread_mutex_lock(&q->lock);
	if (q->ovf_n == q->ovf_cap) {
		size_t cap = q->ovf_cap ? q->ovf_cap * 2 : 256;
		skua_task **a = skua__malloc(cap * sizeof *a);
		if (a == NULL) {
			pthread_mutex_unlock(&q->lock);
			return -ENOMEM;
		}
		for (size_t i = 0; i < q->ovf_n; i++)
			a[i] = q->ovf[(q->ovf_head + i) % q->ovf_cap];
		skua__free(q->ovf, q->ovf_cap * sizeof *q->ovf);
		q->ovf = a;
		q->ovf_cap = cap;
		q->ovf_head = 0;
	}
	q->ovf[(q->ovf_head + q->ovf_n) % q->ovf_cap] = t;
	q->ovf_n++;
	atomic_fetch_add_explicit(&q->ovf_count, 1, memory_order_relaxed);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

/* The overflow's oldest task; with q->lock held and ovf_n > 0. */
static skua_task *overflow_take(struct skua__inject *q)
{
	skua_task *t = q->ovf[q->ovf_head];
	q->ovf_head = (q->ovf_head + 1) % q->ovf_cap;
	q->ovf_n--;
	atomic_fetch_sub_explicit(&q->ovf_count, 1, memory_order_relaxed);
	return t;
}

/*
 * The ring ran empty while the overflow holds more: move the overflow's
 * oldest tasks into the ring (up to half of it), with q->lock held.  FIFO
 * still holds, since new submissions keep going to the overflow until it
 * is empty; and once it is, the ring takes them again (without this, the
 * ring stayed unused, every push and pop taking the lock, until the
 * overflow happened to drain: a review finding).
 */
static void refill_ring(struct skua__inject *q)
{
	for (unsigned k = 0; k < q->cap / 2 && q->ovf_n != 0; k++) {
		skua_task *x = q->ovf[q->ovf_head];
		SKUA_TSAN_RELEASE(x); /* the consumer's acquire pairs with us */
		if (!ring_enqueue(q, x))
			break;
		overflow_take(q);
	}
}

int skua__inject_push(struct skua__inject *q, skua_task *t)
{
	/* The ring is ck_pr inline assembly: tell TSan about the hand-off. */
	SKUA_TSAN_RELEASE(t);
	/* Relaxed: a stale count only sends one submission to the overflow
	 * when the ring had room, or lets a racing one into the ring. */
	if (atomic_load_explicit(&q->ovf_count, memory_order_relaxed) != 0 ||
	    !ring_enqueue(q, t)) {
		int rc = overflow_push(q, t);
		/* Out of memory for the overflow: the ring, out of order,
		 * beats failing while it has room. */
		if (rc != 0 && !ring_enqueue(q, t))
			return rc;
	}
	/* seq_cst: step P2 of lib/park.md, ordered before the caller's load
	 * of sleepers (and on x86 a locked add, the StoreLoad barrier). */
	atomic_fetch_add_explicit(&q->count, 1, memory_order_seq_cst);
	return 0;
}

skua_task *skua__inject_pop(struct skua__inject *q)
{
	void *t = NULL;

	if (atomic_load_explicit(&q->count, memory_order_relaxed) <= 0)
		return NULL;
	SKUA_TSAN_ACQUIRE(&q->ring); /* see ring_enqueue */
	bool got = ck_ring_dequeue_mpmc(&q->ring, q->buf, &t);
	SKUA_TSAN_RELEASE(&q->ring);
	if (!got) {
		/* A failed dequeue may leave a value in t: ck_ring copies the
		 * slot before its CAS, and returns false after losing the CAS
		 * and finding the ring empty.  That value belongs to the
		 * consumer that won; never return it. */
		t = NULL;
		if (atomic_load_explicit(&q->ovf_count, memory_order_relaxed) == 0)
			return NULL;
		pthread_mutex_lock(&q->lock);
		if (q->ovf_n != 0) {
			t = overflow_take(q);
			refill_ring(q);
		}
		pthread_mutex_unlock(&q->lock);
		if (t == NULL)
			return NULL;
	}
	SKUA_TSAN_ACQUIRE(t);
	atomic_fetch_sub_explicit(&q->count, 1, memory_order_relaxed);
	return t;
}

bool skua__inject_empty(struct skua__inject *q)
{
	return atomic_load_explicit(&q->count, memory_order_seq_cst) <= 0;
}
