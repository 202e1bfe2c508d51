/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/autotask.h - declare a recursive task once; skua decides at run time
 * where the recursion stops forking.  No hand-written cut-off.
 *
 *     SKUA_TASK_1(long, fib, int, n)
 *     {
 *         if (n < 2)
 *             return n;
 *         SKUA_FRAME(fib) a;                 // the child's record, on the stack
 *         SKUA_SPAWN(fib, &a, n - 1);        // like skua_fork
 *         long b = SKUA_CALL(fib, n - 2);    // a plain (recursive) call
 *         return SKUA_SYNC(fib, &a) + b;     // like skua_join
 *     }
 *
 *     long r = SKUA_ROOT(fib, w, 35);   // in a task, on worker w
 *     long s = fib_seq(35);             // the serial clone, no pool at all
 *
 * SKUA_TASK_n(RT, NAME, T1, A1, ...) declares a task of n arguments (1..6)
 * returning RT (not void: return an int if there is nothing to return).
 * From the one body the compiler makes two clones:
 *   NAME_par   the parallel body: SPAWN forks (skua_fork), SYNC joins;
 *   NAME_seq   the serial elision: SPAWN is a plain call, SYNC nothing,
 *              folded by the compiler as it folds serial code.
 * The choice (skua/bits/autotask.h has the rule and its reasons): a SPAWN
 * or CALL in NAME_par runs its child's whole subtree as NAME_seq when
 * subtrees at that depth are estimated to take at most SKUA_AUTO_TARGET_NS
 * and no thief is asking this worker; otherwise it forks.  The estimate is
 * learned online, per task type and recursion depth, from timed samples
 * (1 spawn in 64): inline joins and serial subtrees.  So the top of the
 * recursion, the large old pieces, stays stealable, and below the cut a
 * spawn is a call.
 *
 * Rules: as skua/task.h (the worker of the running task, LIFO joins, one
 * frame per outstanding spawn, sync every spawn before returning).  The
 * argument names become fields of NAME's frame: do not call them `task`,
 * `result` or skua__anything (the machinery's own names all start with
 * skua__, so any other name is free).  C only (C11, GCC or Clang).
 */
#ifndef SKUA_AUTOTASK_H
#define SKUA_AUTOTASK_H

#include "task.h"

#ifndef __cplusplus
#include "bits/autotask.h"

/* The record of one outstanding spawn of NAME: declare it in the frame. */
#define SKUA_FRAME(NAME) NAME##_frame

#define SKUA_SPAWN(NAME, fr, ...)                                          \
	NAME##_spawn(skua__w, skua__d, skua__seq, (fr), __VA_ARGS__)
#define SKUA_SYNC(NAME, fr) NAME##_sync(skua__w, skua__seq, (fr))
#define SKUA_CALL(NAME, ...)                                               \
	NAME##_call(skua__w, skua__d, skua__seq, __VA_ARGS__)
/* Start a tree on worker w (from a task, or skua_pool_run's entry). */
#define SKUA_ROOT(NAME, w, ...) NAME##_par((w), 0, __VA_ARGS__)

#define SKUA_TASK_1(RT, NAME, T1, A1)                                      \
	SKUA__TASK(RT, NAME, (T1 A1), (A1), T1 A1;, (skua__f->A1),         \
	    skua__f->A1 = A1;)
#define SKUA_TASK_2(RT, NAME, T1, A1, T2, A2)                              \
	SKUA__TASK(RT, NAME, (T1 A1, T2 A2), (A1, A2), T1 A1; T2 A2;,      \
	    (skua__f->A1, skua__f->A2),                                    \
	    skua__f->A1 = A1; skua__f->A2 = A2;)
#define SKUA_TASK_3(RT, NAME, T1, A1, T2, A2, T3, A3)                      \
	SKUA__TASK(RT, NAME, (T1 A1, T2 A2, T3 A3), (A1, A2, A3),          \
	    T1 A1; T2 A2; T3 A3;, (skua__f->A1, skua__f->A2, skua__f->A3), \
	    skua__f->A1 = A1; skua__f->A2 = A2; skua__f->A3 = A3;)
#define SKUA_TASK_4(RT, NAME, T1, A1, T2, A2, T3, A3, T4, A4)              \
	SKUA__TASK(RT, NAME, (T1 A1, T2 A2, T3 A3, T4 A4), (A1, A2, A3, A4), \
	    T1 A1; T2 A2; T3 A3; T4 A4;,                                   \
	    (skua__f->A1, skua__f->A2, skua__f->A3, skua__f->A4),          \
	    skua__f->A1 = A1; skua__f->A2 = A2; skua__f->A3 = A3;          \
	    skua__f->A4 = A4;)
#define SKUA_TASK_5(RT, NAME, T1, A1, T2, A2, T3, A3, T4, A4, T5, A5)      \
	SKUA__TASK(RT, NAME, (T1 A1, T2 A2, T3 A3, T4 A4, T5 A5),          \
	    (A1, A2, A3, A4, A5), T1 A1; T2 A2; T3 A3; T4 A4; T5 A5;,      \
	    (skua__f->A1, skua__f->A2, skua__f->A3, skua__f->A4,           \
	    skua__f->A5),                                                  \
	    skua__f->A1 = A1; skua__f->A2 = A2; skua__f->A3 = A3;          \
	    skua__f->A4 = A4; skua__f->A5 = A5;)
#define SKUA_TASK_6(RT, NAME, T1, A1, T2, A2, T3, A3, T4, A4, T5, A5, T6,  \
    A6)                                                                    \
	SKUA__TASK(RT, NAME, (T1 A1, T2 A2, T3 A3, T4 A4, T5 A5, T6 A6),   \
	    (A1, A2, A3, A4, A5, A6),                                      \
	    T1 A1; T2 A2; T3 A3; T4 A4; T5 A5; T6 A6;,                     \
	    (skua__f->A1, skua__f->A2, skua__f->A3, skua__f->A4,           \
	    skua__f->A5, skua__f->A6),                                     \
	    skua__f->A1 = A1; skua__f->A2 = A2; skua__f->A3 = A3;          \
	    skua__f->A4 = A4; skua__f->A5 = A5; skua__f->A6 = A6;)

#endif /* !__cplusplus */
#endif /* SKUA_AUTOTASK_H */
