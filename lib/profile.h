/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/profile.h - the per-site loop profile (SKUA_PROFILE=<file>), read by
 * `skua-bench profile`.  Protocol and file format: lib/profile.md.
 */
#ifndef SKUA_PROFILE_H
#define SKUA_PROFILE_H

struct skua_pool;

/* Pool create: allocate the pool's profile when SKUA_PROFILE is set.
 * Returns 0 or -ENOMEM. */
int skua__profile_pool_init(struct skua_pool *p);
/* Pool destroy, after the workers stopped: append the pool's profile to
 * the SKUA_PROFILE file. */
void skua__profile_pool_write(struct skua_pool *p);
/* Free the pool's profile (NULL: nothing); from pool_free. */
void skua__profile_pool_free(struct skua_pool *p);

#endif
