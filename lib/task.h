/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/task.h - the worker layer over the deque (lib/task.c): running a
 * taken task, finding work, spawning publicly, helping, backing off.
 */
#ifndef SKUA_TASK_INTERNAL_H
#define SKUA_TASK_INTERNAL_H

#include "worker_struct.h"

/* A thief asked: make the private forks public.  Exported as
 * skua_abi_expose for skua/task.h's inline fork (docs/design.md, "Exported
 * symbols"); this is the name the library itself uses. */
static inline void skua__expose(skua_worker *w)
{
	skua_abi_expose(w);
}
void skua__run_taken(skua_worker *w, skua_task *t);
skua_task *skua__find_work(skua_worker *w);
int skua__push_public(skua_worker *w, skua_task *t);
bool skua__help_once(skua_worker *w);
/* ck_backoff_eb, capped at SKUA__BACKOFF_MAX empty iterations (~2 us). */
#define SKUA__BACKOFF_MAX 4096u
void skua__backoff(unsigned *b);

#endif /* SKUA_TASK_INTERNAL_H */
