/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/fork.c - fork().  A child has none of the parent's threads, so its
 * copies of the parent's pools cannot run anything: every call on them
 * returns -ECHILD, and skua_pool_destroy frees their memory without
 * joining.  So that the copied memory is consistent, the parent quiesces
 * around fork() (pthread_atfork): it takes the registry lock, every
 * pool's mutexes and the process-wide mutexes that lib/pool.c names
 * (chunk variables, warnings, call sites) in prepare, and releases them
 * in both parent and child.
 * The lock-free parts (deques, counters) are consistent in any state.  The
 * child bumps the fork generation, which marks every inherited pool (each
 * remembers the generation it was made in).
 */
#include "fork.h"

#include <stdatomic.h>
#include <stddef.h>

typedef void (*fork_hook)(void);

static _Atomic uint64_t fork_generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static _Atomic(fork_hook) hook_given; /* skua__fork_init's argument */
static fork_hook child_hook;          /* set once, before any fork */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct skua__fork_entry *registry;
/* skua__fork_init's globals: given (atomics, read once by
 * atfork_register) and kept (set once, before any fork). */
static pthread_mutex_t *const *_Atomic globals_given;
static _Atomic unsigned nglobals_given;
static pthread_mutex_t *globals[SKUA__FORK_GLOBALS];
static unsigned nglobals;

static void atfork_prepare(void)
{
	pthread_mutex_lock(&registry_lock);
	for (struct skua__fork_entry *e = registry; e != NULL; e = e->next)
		for (unsigned i = 0; i < e->nlocks; i++)
			pthread_mutex_lock(e->locks[i]);
	for (unsigned i = 0; i < nglobals; i++)
		pthread_mutex_lock(globals[i]);
}

static void atfork_release(void)
{
	for (unsigned i = nglobals; i-- > 0;)
		pthread_mutex_unlock(globals[i]);
	for (struct skua__fork_entry *e = registry; e != NULL; e = e->next)
		for (unsigned i = e->nlocks; i-- > 0;)
			pthread_mutex_unlock(e->locks[i]);
	pthread_mutex_unlock(&registry_lock);
}

static void atfork_child(void)
{
	atomic_fetch_add_explicit(&fork_generation, 1, memory_order_relaxed);
	/* The forking thread's roles do not survive (lib/pool.c's hook). */
	if (child_hook != NULL)
		child_hook();
	atfork_release();
}

static void atfork_register(void)
{
	child_hook = atomic_load_explicit(&hook_given, memory_order_relaxed);
	/* Acquire: the array's contents, written by whichever caller stored
	 * the pointer last (all callers pass the same locks). */
	pthread_mutex_t *const *g = atomic_load_explicit(&globals_given,
	    memory_order_acquire);
	unsigned n = atomic_load_explicit(&nglobals_given,
	    memory_order_relaxed);
	for (nglobals = 0; g != NULL && nglobals < n &&
	    nglobals < SKUA__FORK_GLOBALS; nglobals++)
		globals[nglobals] = g[nglobals];
	pthread_atfork(atfork_prepare, atfork_release, atfork_child);
}

void skua__fork_init(void (*child)(void), pthread_mutex_t *const *g,
    unsigned n)
{
	/* Relaxed: pthread_once orders them before atfork_register's loads
	 * (a racing caller's array is alive too: it waits in pthread_once). */
	atomic_store_explicit(&hook_given, child, memory_order_relaxed);
	atomic_store_explicit(&globals_given, g, memory_order_release);
	atomic_store_explicit(&nglobals_given, n, memory_order_relaxed);
	pthread_once(&atfork_once, atfork_register);
}

void skua__fork_register(struct skua__fork_entry *e)
{
	pthread_mutex_lock(&registry_lock);
	e->prev = NULL;
	e->next = registry;
	if (registry != NULL)
		registry->prev = e;
	registry = e;
	pthread_mutex_unlock(&registry_lock);
}

bool skua__fork_unregister(struct skua__fork_entry *e)
{
	pthread_mutex_lock(&registry_lock);
	if (e->prev == NULL && registry != e) {
		/* Not listed (already removed, e.g. by a destroy that a fork
		 * interrupted in the parent). */
		pthread_mutex_unlock(&registry_lock);
		return false;
	}
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		registry = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	e->prev = e->next = NULL;
	bool last = registry == NULL;
	pthread_mutex_unlock(&registry_lock);
	return last;
}

uint64_t skua__fork_generation(void)
{
	return atomic_load_explicit(&fork_generation, memory_order_relaxed);
}
