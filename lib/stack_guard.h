/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/stack_guard.h - a worker's stack overflow named on stderr before the
 * SIGSEGV kills the process (lib/stack_guard.c says how and its limits).
 */
#ifndef SKUA_STACK_GUARD_H
#define SKUA_STACK_GUARD_H

void skua__stack_guard_install(void);          /* once, at pool create */
void skua__stack_guard_enter(unsigned index);  /* on worker index's thread */
void skua__stack_guard_leave(void);            /* ... before it exits */

#endif /* SKUA_STACK_GUARD_H */
