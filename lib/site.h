/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/site.h - the process's parallel-loop call sites, numbered.
 *
 * A site is a loop's skua_par_opts.site name or, when it has none, the
 * loop body's address.  The profile (lib/profile.c) keys its counters by
 * the number, the trace (lib/trace.c) names chunk slices with it.  Only
 * those two call skua__site_id, and only while they are on: the loops
 * themselves never pay for it.
 */
#ifndef SKUA_SITE_H
#define SKUA_SITE_H

#include <pthread.h>
#include <stddef.h>

#define SKUA__SITES 256          /* distinct sites a process may have */
#define SKUA__SITE_OTHER (SKUA__SITES - 1) /* every site past the table */

struct skua__site {
	const char *name; /* a private copy; NULL: an unnamed site */
	const void *fn;   /* the body of the site's first call */
};

/*
 * skua__site_id - the number of the site named name (NULL: the unnamed
 * site of body fn), registering it at its first call.  Lock-free for a
 * known site (a scan of the published entries), a mutex for a new one.
 * RETURNS a number below SKUA__SITES; SKUA__SITE_OTHER when the table is
 * full or out of memory.  Thread-safe.
 */
unsigned skua__site_id(const char *name, const void *fn);
/* The lock of the site table (held across fork(): lib/fork.h). */
pthread_mutex_t *skua__site_lock(void);

/* skua__site_get - the site numbered id; for SKUA__SITE_OTHER, the
 * overflow bucket of every site past the table, no name and no body
 * (NULL, NULL): it is no site of its own, so nothing (no
 * SKUA_CHUNK_SIZE_<SITE>) may name it. */
struct skua__site skua__site_get(unsigned id);

/*
 * skua__site_label - a printable name into buf: the name, or the body's
 * symbol (dladdr), or "fn@0x..." when it has none; "(sites past 255)" for
 * SKUA__SITE_OTHER.  Returns buf.
 */
const char *skua__site_label(unsigned id, char *buf, size_t len);

#endif
