/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/spare.h - compensating workers (lib/spare.c): skua_blocking_begin
 * on a worker wakes or starts a spare, a full worker with a deque, that
 * runs the pool's work while the worker blocks.  Spares are workers: the
 * worker loop (lib/worker.c) asks these between tasks, and a spare is made
 * with its calls, the one cycle of the module graph (docs/design.md).
 */
#ifndef SKUA_SPARE_H
#define SKUA_SPARE_H

#include <stdbool.h>

#include "skua/pool.h"

/* Between skua_blocking_begin and _end on this thread: waits sleep. */
bool skua__blocking_active(void);
/* skua_blocking_begin/_end for a join that counts itself blocked
 * (lib/task.c): not counted against the nesting limit of the tasks that
 * it runs meanwhile. */
int skua__blocking_begin_join(void);
void skua__blocking_end_join(void);
/* fork() child: the forking thread is at no blocking depth. */
void skua__spare_atfork_child(void);

/* Worker loop, on a spare between two tasks: surplus for long enough? */
bool skua__spare_should_retire(skua_worker *w);
/* ... then wait dormant until blocking_begin needs it again, or shutdown. */
void skua__spare_dormant(skua_worker *w);
/* Wake every dormant spare for shutdown (shutdown is already set). */
void skua__spares_stop(skua_pool *p);

#endif /* SKUA_SPARE_H */
