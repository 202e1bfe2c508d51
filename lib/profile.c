/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/profile.c - the per-site loop profile (lib/profile.md).
 */
#include "profile.h"
#include "worker.h"

int skua__profile_pool_init(struct skua_pool *p)
{
	p->profile = NULL;
	return 0;
}

void skua__profile_pool_write(struct skua_pool *p)
{
	(void)p;
}

void skua__profile_pool_free(struct skua_pool *p)
{
	(void)p;
}
