/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/deque.h - the work-stealing deque: its buffer and its operations,
 * named for who may call them (the owner, or any thief).  The owner's hot
 * indices and its inline push and pop live in skua/bits/deque.h (struct
 * skua__whot, the first member of struct skua_worker, for skua/task.h's
 * inline fast paths); the public ones in struct skua_worker (lib/worker.h).
 *
 * The deque is Chase and Lev's ("Dynamic Circular Work-Stealing Deque",
 * SPAA 2005) with the C11 memory orders of Le, Pop, Cohen and Zappa
 * Nardelli ("Correct and Efficient Work-Stealing for Weak Memory Models",
 * PPoPP 2013), split Lace-style into a private and a public part (van Dijk
 * and van de Pol, 2014):
 *
 *      top            bottom             head
 *       |  public: thieves |  private: owner  |
 *       v  may steal here  v  only, no fences v
 *   ... [t0][t1][t2] ...  [p0][p1] ...  [pk] [free] ...
 *
 * - push (skua_fork, inline): t->state = ~head; slot[head] = t; head++.
 *   Plain stores.
 * - pop of a private task (skua_join, inline): i = ~t->state; if i >=
 *   bottom, head = i.  No fence (skua/bits/deque.h says why i).
 * - expose (on a thief's demand): bottom = head, a seq_cst store (the
 *   release of the slots, and the publish step of lib/park.md).
 * - take of a public task (join slow path): Chase-Lev take, the seq_cst
 *   store/load pair settles the race for the last element.
 * - steal: Chase-Lev steal; top, then bottom, then the buffer pointer
 *   (re-read after top: the bug CDSChecker found in the paper's code),
 *   then a CAS on top.
 *
 * Indices are signed 64-bit, so take() on an empty deque computes bottom-1 =
 * -1 without wrapping (crossbeam-deque issue 33).  Slots are atomics
 * (relaxed), so ThreadSanitizer sees no plain race.  Old buffers are kept on
 * a list until the pool is destroyed: a thief may still read one; the list
 * holds at most the sum of a geometric series, under twice the largest.
 */
#ifndef SKUA_DEQUE_H
#define SKUA_DEQUE_H

#include <stdatomic.h>

#include "common.h"

#define SKUA__DEQUE_INITIAL 256 /* slots; 2 KiB per worker to start */

struct skua__dqbuf {
	int64_t mask;
	struct skua__dqbuf *retired; /* older buffers, freed at destroy */
	_Atomic(skua_task *) slots[];
};

/* Owner: private entries to pop ([bottom, head) is not empty), and a
 * thief's request for work (skua/bits/deque.h). */
#define skua__deque_has_private(w) ((w)->hot.head > (w)->hot.bottom)
#define skua__deque_demanded(w) skua__deque_owner_demanded(&(w)->hot)

/* Owner only: set up and free the deque (buffers kept until fini). */
int skua__deque_init(skua_worker *w);
void skua__deque_fini(skua_worker *w);
/* Owner: make [bottom, head) public; returns how many.  The caller wakes
 * sleepers (the publish step of lib/park.md). */
int64_t skua__deque_expose_private(skua_worker *w);
/* Owner: answer a thief's demand: clear it, refresh top_cache, expose. */
int64_t skua__deque_answer_demand(skua_worker *w);
/* Owner: room for one more slot, growing the buffer if it is full;
 * false when it is full and cannot grow (out of memory). */
bool skua__deque_make_room(skua_worker *w);
/* Owner, after room: push t privately, or publicly (seq_cst bottom). */
void skua__deque_push_private(skua_worker *w, skua_task *t);
void skua__deque_push_public(skua_worker *w, skua_task *t);
/* Owner, nothing private: Chase-Lev take of the newest public entry. */
skua_task *skua__deque_take(skua_worker *w);
/* Owner, joining t: take t back from under the futures above it, which
 * stay queued (*requeued of them; the caller posts); false: stolen. */
bool skua__deque_take_under(skua_worker *w, const skua_task *t,
    int64_t *requeued);
/* Owner: take t back if it is the newest public entry (see deque.c). */
bool skua__deque_pop_if(skua_worker *w, skua_task *t);
/* Anyone: ask v's owner to expose its next fork (sets v's demand). */
void skua__deque_ask_owner(skua_worker *v);
/* Thief: the oldest entry of v (v's demand is set when it has none). */
skua_task *skua__deque_steal(skua_worker *thief, skua_worker *v, bool *busy);
/* Leapfrogging joiner: the oldest entry of v pushed during child's run. */
skua_task *skua__deque_steal_above(skua_worker *v, int64_t base,
    const skua_task *child, bool *busy);

#endif /* SKUA_DEQUE_H */
