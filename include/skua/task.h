/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/task.h - fork/join with no allocation.
 *
 * A task record lives on the caller's stack.  skua_fork() makes it
 * available to thieves (lazily: it sits in the worker's private part of the
 * deque until an idle worker asks for work), skua_join() takes it back and
 * runs it inline when nobody stole it, and otherwise helps the thief
 * (leapfrogging) until the stolen child is done.  A worker never blocks in
 * a join.
 *
 *     typedef struct { skua_task task; int n; long r; } fib_task;
 *
 *     static long fib(skua_worker *w, int n);
 *     static void fib_run(skua_worker *w, skua_task *t)
 *     {
 *         fib_task *f = (fib_task *)t;
 *         f->r = fib(w, f->n);
 *     }
 *     static long fib(skua_worker *w, int n)
 *     {
 *         if (n < 2)
 *             return n;
 *         fib_task a;
 *         a.n = n - 1;
 *         skua_fork(w, &a.task, fib_run);
 *         long b = fib(w, n - 2);
 *         skua_join_fn(w, &a.task, fib_run);
 *         return a.r + b;
 *     }
 *
 * Rules: fork and join only on the worker passed to the running task, and
 * join the tasks a frame forked in the reverse order of forking (LIFO), before
 * the frame returns.  Enter from an outside thread with skua_pool_run().
 * C11, and C++17 or later (GCC or Clang): the same inline fast paths.
 *
 * Locks: a join runs its child and, when a thief has the child, only tasks
 * that the child's thief pushed during the child's run (futures that the
 * frame spawned between the fork and the join stay queued), so a frame may
 * hold a lock across fork and join as long as the forked subtree neither
 * takes that lock nor waits on a worker (get, wait_*, a loop on another
 * pool) outside skua_blocking_begin/end: such a wait may run any task
 * (skua/future.h).  A join idle for 50 us while work that it may not take
 * is queued in the pool (those futures, any other task) counts itself
 * blocked (skua/blocking.h), so that a spare runs that work: the child may
 * be waiting for it inside skua_blocking_begin/end.  That is none of the
 * SKUA_BLOCKING_NEST_MAX levels of the tasks that the join runs meanwhile
 * (which then wait as inside begin/end: they run no other task).
 *
 * The fast paths are inline: fork is a few stores and one relaxed load, join
 * a load of the record's state (its deque index), a compare and a call.
 * Everything else is in lib/task.c.
 */
#ifndef SKUA_TASK_H
#define SKUA_TASK_H

#include <stdint.h>
#include "bits/export.h"
#include "pool.h"
#include "bits/deque.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct skua_task skua_task;
typedef void (*skua_task_fn)(skua_worker *w, skua_task *t);


/* Embed as the first member of your task record; fields are private.
 * skua_fork sets both: assign your record's own fields rather than zero
 * it with an initializer (`rec a; a.n = n;`, not `rec a = { .n = n };`),
 * which costs three instructions per fork (docs/design.md). */
struct skua_task {
	skua_task_fn fn;
	/* SKUA__TASK_* (skua/bits/deque.h) */
	SKUA__ATOMIC(uintptr_t) state;
};

/*
 * The fork window, off (0) by default; define it before including skua.h
 * in a translation unit to turn it on there.  While the worker has at
 * least SKUA_FORK_WINDOW forks queued, no thief is asking for work, and
 * the new record sits deeper in the stack than the newest queued one, a
 * fork runs its child at once, inline, like a plain call, with no deque
 * traffic.  The queued forks are the oldest, largest pieces of the
 * recursion; when a thief asks again, forks are queued again.
 *
 * Measured on 2-core AMD EPYC (docs/optimization-guide.md): fib(35) at one
 * worker 49 -> 42 ms with a window of 8, but 12 queens 21 -> 23 ms and
 * utree at two workers 5-20% slower (thieves get smaller pieces).  So it
 * pays only for binary recursion with tiny leaves.  Forks and joins made
 * with any setting mix freely in one program, but a record's fork and join
 * must see the same setting (a join tests for an inlined child only when
 * the window is on; without one that test is compiled out).
 */
#ifndef SKUA_FORK_WINDOW
#define SKUA_FORK_WINDOW 0
#endif


/*
 * The slow paths (lib/task.c), called by the inline code below: exported
 * from libskua.so under skua_abi_* names because a program compiled with
 * this header calls them, but not an API (docs/design.md, "Exported
 * symbols"): call skua_fork and skua_join instead.
 */
SKUA_API void skua_abi_fork_slow(skua_worker *w, skua_task *t);
SKUA_API void skua_abi_expose(skua_worker *w);
SKUA_API void skua_abi_join_slow(skua_worker *w, skua_task *t);
SKUA_API void skua_abi_expose_old(skua_worker *w);



/*
 * skua_fork - make t->fn(w, t) runnable, by a thief or by the later join.
 *
 * t must stay alive (not go out of scope) until skua_join(w, t) returns.
 * Never fails: when the deque is full it grows, and if that allocation
 * fails the task runs inline at once (the result is the same).
 * THREAD SAFETY: only on the calling task's own worker w.
 */
static inline void skua_fork(skua_worker *w, skua_task *t, skua_task_fn fn)
{
	struct skua__whot *h = SKUA__PTR_CAST(struct skua__whot *, w);
	int64_t i = h->head;

	t->fn = fn;
	/*
	 * Enough queued, nobody hungry: run the child now.  Only loads of
	 * values that do not change here, so consecutive forks form no chain
	 * through memory (a head store forwarded to the next fork's load costs
	 * ~5 cycles, twice per fork and join: that chain dominated fib).
	 * Relaxed demand: a late look only delays a queued fork by one.
	 */
	if (SKUA_FORK_WINDOW > 0 && SKUA__LIKELY(
	    i - h->top_cache >= SKUA_FORK_WINDOW &&
	    !skua__deque_owner_demanded(h) &&
	    SKUA__PTR_CAST(uintptr_t, t) < SKUA__PTR_CAST(uintptr_t,
	    SKUA__LOAD_RELAXED(&h->slots[(i - 1) & h->mask])))) {
		/* ... and t sits deeper in the stack than the newest queued
		 * fork (a nested call, not a sibling in the same loop): a
		 * wide loop's siblings all queue, like utree's 2000 root
		 * children; the recursion below them runs inline. */
		SKUA__STORE_RELAXED(&t->state, SKUA__TASK_INLINED);
		fn(w, t);
		return;
	}
	/* Private at i: the join reads i back from here (bits/deque.h). */
	SKUA__STORE_RELAXED(&t->state, SKUA__TASK_PRIVATE_AT(i));
	if (SKUA__UNLIKELY(!skua__deque_owner_has_room(h, i))) {
		skua_abi_fork_slow(w, t);
		return;
	}
	skua__deque_owner_push(h, i, t);
	if (SKUA__UNLIKELY(skua__deque_owner_demanded(h)))
		skua_abi_expose(w);
}

/*
 * skua_join - wait for the task forked last (t) and make its effects visible.
 *
 * Runs t inline when no thief took it; otherwise helps the thief until t
 * is done.  THREAD SAFETY: only on w, in LIFO order of the forks.
 */
static inline void skua_join(skua_worker *w, skua_task *t)
{
	struct skua__whot *h = SKUA__PTR_CAST(struct skua__whot *, w);

	/* Relaxed: the owner wrote INLINED itself; a thief's value differs.
	 * Only a fork window can inline, so without one the test (a load
	 * and a branch per join) is compiled out: fork and join of a record
	 * must see the same SKUA_FORK_WINDOW (they sit in one frame). */
	if (SKUA_FORK_WINDOW > 0 &&
	    SKUA__LOAD_RELAXED(&t->state) == SKUA__TASK_INLINED)
		return;
	if (SKUA__LIKELY(skua__deque_owner_pop_at(h,
	    SKUA__LOAD_RELAXED(&t->state)))) {
		t->fn(w, t);
		return;
	}
	skua_abi_join_slow(w, t);
}

/*
 * skua_join_fn - skua_join() for a task forked with fn, calling fn directly
 * in the fast path so that the compiler can inline it.
 */
static inline void skua_join_fn(skua_worker *w, skua_task *t, skua_task_fn fn)
{
	struct skua__whot *h = SKUA__PTR_CAST(struct skua__whot *, w);

	if (SKUA_FORK_WINDOW > 0 &&
	    SKUA__LOAD_RELAXED(&t->state) == SKUA__TASK_INLINED)
		return;
	if (SKUA__LIKELY(skua__deque_owner_pop_at(h,
	    SKUA__LOAD_RELAXED(&t->state)))) {
		fn(w, t);
		return;
	}
	skua_abi_join_slow(w, t);
}


#ifdef __cplusplus
}
#endif
#endif /* SKUA_TASK_H */
