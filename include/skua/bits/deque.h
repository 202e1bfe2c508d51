/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/bits/deque.h - installed but private: the owner's half of a
 * worker's deque, inline, for skua/task.h's fork and join and
 * skua/bits/autotask.h.  Not an API: use skua_fork / skua_join.
 *
 * A worker's deque (D. Chase, Y. Lev, SPAA 2005, with Le et al.'s C11
 * orders, PPoPP 2013) is split in two.  [top, bottom) is public: thieves
 * take from top with a CAS (lib/deque.c, the _thief side).  [bottom, head)
 * is private: the owner pushes and pops it here with plain stores, and
 * nobody else reads those slots until skua_abi_expose moves the public
 * bottom up to head with a seq_cst store (the release that publishes the
 * slots and the records).  So every operation below is the owner's only,
 * on its own cache line, with no fence; lib/deque.h has the rest and
 * docs/design.md the memory-order argument.
 */
#ifndef SKUA_BITS_DEQUE_H
#define SKUA_BITS_DEQUE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The fields that thieves read are C11 atomics.  C++17/20 has no _Atomic,
 * so there they are plain fields of the same size and alignment (on the
 * GCC/Clang targets skua supports) accessed with the __atomic builtins,
 * which are the same operations (ThreadSanitizer sees them too).
 */
#ifndef __cplusplus
#include <stdatomic.h>
#define SKUA__ATOMIC(T) _Atomic(T)
#define SKUA__LOAD_RELAXED(p) atomic_load_explicit((p), memory_order_relaxed)
#define SKUA__STORE_RELAXED(p, v)                                           \
	atomic_store_explicit((p), (v), memory_order_relaxed)
#else
#define SKUA__ATOMIC(T) T
#define SKUA__LOAD_RELAXED(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define SKUA__STORE_RELAXED(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#endif

#define SKUA_CACHELINE 64

/* Casts in the inline code: C++'s named casts there, so that a C++
 * program built with -Wold-style-cast (and -Werror) can include skua.h. */
#ifdef __cplusplus
#define SKUA__CAST(T, x) static_cast<T>(x)
#define SKUA__PTR_CAST(T, x) reinterpret_cast<T>(x)
#else
#define SKUA__CAST(T, x) ((T)(x))
#define SKUA__PTR_CAST(T, x) ((T)(x))
#endif

#if defined(__GNUC__)
#define SKUA__LIKELY(x) __builtin_expect(!!(x), 1)
#define SKUA__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SKUA__LIKELY(x) (x)
#define SKUA__UNLIKELY(x) (x)
#endif

/* A task record's state word (struct skua_task.state). */
#define SKUA__TASK_QUEUED 0u
#define SKUA__TASK_STOLEN 1u   /* low bit; the rest is the thief, below */
#define SKUA__TASK_DONE 2u
#define SKUA__TASK_DETACHED 4u /* a future's task: fn manages its lifetime */
#define SKUA__TASK_INLINED 8u  /* run inline at its fork (the fork window) */
/* Stolen by thief w: its address shifted right by one, with bit 0 set
 * (workers are cache-line aligned: nothing is lost), so that the top bit
 * is clear for any pointer, tagged ones too. */
#define SKUA__TASK_STOLEN_BY(w) (((uintptr_t)(w) >> 1) | SKUA__TASK_STOLEN)
#define SKUA__TASK_THIEF(s) ((void *)(((s) & ~(uintptr_t)SKUA__TASK_STOLEN) << 1))
/*
 * A fork that its owner holds privately at deque index i has the state ~i:
 * the only states with the top bit set (every value above has it clear),
 * so that one compare tells "private, at i", and any other state reads as
 * a negative index.  The join reads its index back from the record
 * instead of loading head, and so stores head from a value it had long
 * before: the owner's head no longer chains every fork and join through
 * one memory word (skua__deque_owner_pop_at).  The index fills the word:
 * 64-bit targets only (lib/worker_struct.h assumes them too).
 */
#if UINTPTR_MAX <= 0xFFFFFFFFu
#error "skua needs a 64-bit target: a task's state word holds a deque index"
#endif
#define SKUA__TASK_PRIVATE_AT(i) (~SKUA__CAST(uintptr_t, i))

/* Was the task whose state is s stolen (a thief runs it)?  Not a private
 * index, whose low bit is anything. */
static inline bool skua__task_state_stolen(uintptr_t s)
{
	return (s & SKUA__TASK_STOLEN) != 0 && SKUA__CAST(intptr_t, s) >= 0;
}

struct skua_task;

/*
 * Private: the owner's hot part of a worker, first in struct skua_worker.
 * The deque's private part is [bottom, head): pushed by the owner with plain
 * stores and invisible to thieves until skua_abi_expose() moves the public
 * bottom up to head.
 */
struct skua__whot {
	/* cache line 0: read and written by the owner only */
	SKUA__ATOMIC(struct skua_task *) *slots; /* owner's copy of the buffer */
	int64_t mask;      /* capacity - 1 */
	int64_t head;      /* next push index; [bottom, head) is private */
	int64_t bottom;    /* owner's copy of the public bottom */
	int64_t top_cache; /* a lower bound of top, for the capacity check */
	uint32_t auto_tick; /* skua/autotask.h: which spawns are timed */
	char pad0[SKUA_CACHELINE - 5 * 8 - 4];
	/* cache line 1: set by thieves that found the public part empty */
	SKUA__ATOMIC(int) demand;
	char pad1[SKUA_CACHELINE - sizeof(int)];
};

/* The owner may push at index i (the buffer is not full as far as it
 * knows; false: skua_abi_fork_slow makes room). */
static inline bool skua__deque_owner_has_room(const struct skua__whot *h,
    int64_t i)
{
	/* Not `i < limit` with limit = top_cache + capacity kept beside:
	 * 2 instructions less, but fib ran 25-50% slower pinned to one CPU
	 * on Zen 4 (docs/design.md, "Fork/join cost beside Lace"). */
	return i - h->top_cache <= h->mask;
}

/* Push t at index i == h->head, privately: thieves read the slot only
 * after an expose's release. */
static inline void skua__deque_owner_push(struct skua__whot *h, int64_t i,
    struct skua_task *t)
{
	SKUA__STORE_RELAXED(&h->slots[i & h->mask], t);
	h->head = i + 1;
}

/*
 * Pop the join's child, whose state word is `state`, if it is still
 * private (by the LIFO rule it is then the newest entry, at index ~state,
 * and head is one above it); false: it was exposed, and may have been
 * stolen.  head is stored from the record, not loaded: on Intel a
 * load of the head that the previous fork or join just stored waits for
 * the store (~5 cycles, twice per fork and join), and that chain through
 * one word bounded fib at 3.3 ns per fork+join (docs/design.md).
 */
static inline bool skua__deque_owner_pop_at(struct skua__whot *h,
    uintptr_t state)
{
	int64_t i = SKUA__CAST(int64_t, ~state);
	/* The hint here, not only at the caller's test: GCC 12 lost the
	 * caller's through the inlined return value, laid the join's common
	 * case out as a taken branch, and fib ran 13% slower. */
	if (SKUA__LIKELY(i >= h->bottom)) {
		h->head = i;
		return true;
	}
	return false;
}

/* A thief found the public part empty and asks for work.  Relaxed: a late
 * look only delays an exposure by one fork. */
static inline bool skua__deque_owner_demanded(const struct skua__whot *h)
{
	return SKUA__LOAD_RELAXED(&h->demand) != 0;
}

#endif /* SKUA_BITS_DEQUE_H */
