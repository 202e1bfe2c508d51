/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/fork.h - fork() handling: the registry of live pools, their locks
 * taken around fork(), and the fork generation that marks a child's copies
 * of the parent's pools.  A leaf: it knows no pool, only the entries that
 * lib/pool.c registers (lib/fork.c says why each step is needed).
 */
#ifndef SKUA_FORK_H
#define SKUA_FORK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define SKUA__FORK_LOCKS 3

/* One live pool as the fork handlers see it: its mutexes, taken in this
 * order in prepare and released in the reverse order after fork(). */
struct skua__fork_entry {
	struct skua__fork_entry *prev, *next;
	pthread_mutex_t *locks[SKUA__FORK_LOCKS];
	unsigned nlocks;
};

#define SKUA__FORK_GLOBALS 4

/*
 * skua__fork_init - install the fork handlers, once per process.  child
 * runs in the child of a fork() after the generation moved and before the
 * locks are released.  globals[0..n) (n <= SKUA__FORK_GLOBALS) are
 * process-wide mutexes of other units, held across fork() too, so that
 * the child inherits them unlocked and their data consistent (a child
 * whose copy of a lock was held by a thread of the parent would wait on
 * it forever).  Each must be a leaf but for the ones after it: taken
 * after every pool's locks, in this order, while no holder of one waits
 * for a pool's lock or an earlier one.  Every caller passes the same
 * arguments; the first one's are kept.
 */
void skua__fork_init(void (*child)(void), pthread_mutex_t *const *globals,
    unsigned n);
/* List e (its locks filled in) / take it off the list; remove returns
 * true when e was the last entry listed, false also when e was not. */
void skua__fork_register(struct skua__fork_entry *e);
bool skua__fork_unregister(struct skua__fork_entry *e);

/* The number of fork()s this process is the child of (relaxed). */
uint64_t skua__fork_generation(void);

/* Made in an older generation: an object inherited across fork(). */
static inline bool skua__forked(uint64_t gen)
{
	return gen != skua__fork_generation();
}

#endif /* SKUA_FORK_H */
