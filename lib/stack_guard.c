/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/stack_guard.c - say why a worker died when it overflowed its stack.
 *
 * A worker stack that is too small for the recursion (SKUA_STACK_SIZE,
 * cfg.stack_size) runs into the guard page that glibc puts below every
 * thread stack, and the process dies by SIGSEGV with nothing on stderr.
 * This file turns that into one line naming the worker, the stack size in
 * effect and the knob to raise, and then lets the signal kill the process
 * as before (the core dump, the exit status and a debugger see the same
 * fault: the handler resets SIGSEGV to its default action and returns, so
 * the faulting instruction faults again).
 *
 * Contract and limits:
 * - Installed once, at the first pool create, and only if SIGSEGV's action
 *   is the default one then: a program's own handler, or a sanitizer's, is
 *   never replaced.  A fault that is not a worker's stack overflow is passed
 *   on the same way (default action, fault again).
 * - The handler must run on another stack, since its own is exhausted: each
 *   worker registers an alternate signal stack (sigaltstack) at start and
 *   removes it before it exits.  If that allocation fails, the worker runs
 *   without one and an overflow dies silently, as before.
 * - "A stack overflow" is a fault address within SKUA_STACK_GUARD_SPAN
 *   below the lowest byte of the worker's stack (a large frame can jump
 *   past the guard page).  Only async-signal-safe calls: write(2) and
 *   sigaction(2), with the message formatted by hand.
 */
#define _GNU_SOURCE
#include "stack_guard.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define SKUA_STACK_GUARD_SPAN (256u * 1024u)

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static _Atomic int installed;

/* The running worker's stack: [lo, lo + size). */
static _Thread_local uintptr_t stack_lo, stack_size;
static _Thread_local void *alt_stack;
static _Thread_local size_t alt_size;
static _Thread_local unsigned worker_index; /* for the message */

/* n in decimal at p; returns the end.  Async-signal-safe. */
static char *put_uint(char *p, unsigned long long n)
{
	char tmp[24];
	int k = 0;
	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	while (k > 0)
		*p++ = tmp[--k];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

static void on_segv(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	uintptr_t a = (uintptr_t)si->si_addr;
	/* si_addr means something only for a fault (si_code > 0). */
	if (si->si_code > 0 && stack_lo != 0 && a < stack_lo &&
	    a + SKUA_STACK_GUARD_SPAN >= stack_lo) {
		char msg[256], *p = msg;
		p = put_str(p, "skua: worker ");
		p = put_uint(p, worker_index);
		p = put_str(p, " overflowed its stack of ");
		p = put_uint(p, stack_size / 1024);
		/* Twice the size, within SKUA_STACK_SIZE's range (4G). */
		size_t mib = stack_size / (1u << 20);
		if (mib >= 4096) {
			p = put_str(p, " KiB, the most SKUA_STACK_SIZE "
			    "allows: recurse less deeply on a worker\n");
		} else {
			p = put_str(p, " KiB: raise SKUA_STACK_SIZE (or "
			    "skua_config.stack_size), e.g. SKUA_STACK_SIZE=");
			p = put_uint(p, mib == 0 ? 8 : mib >= 2048 ? 4096 :
			    2 * mib);
			p = put_str(p, "M\n");
		}
		ssize_t rc = write(STDERR_FILENO, msg, (size_t)(p - msg));
		(void)rc;
	}
	/* Default action, then return: the instruction faults again.  A
	 * SIGSEGV that was sent (kill, raise, tgkill: si_code <= 0) has no
	 * instruction to fault again: send it once more, to ourselves; it
	 * stays pending until we return, then kills with the default. */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void install(void)
{
	struct sigaction old, sa;
	if (sigaction(SIGSEGV, NULL, &old) != 0 ||
	    (old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL)
		return; /* someone else handles SIGSEGV: leave it to them */
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) == 0)
		atomic_store_explicit(&installed, 1, memory_order_release);
}

void skua__stack_guard_install(void)
{
	pthread_once(&install_once, install);
}

void skua__stack_guard_enter(unsigned index)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (!atomic_load_explicit(&installed, memory_order_acquire))
		return;
	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		return;
	int rc = pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return;
	/* Plain malloc: this memory is the signal's, not the scheduler's. */
	alt_size = SIGSTKSZ > 16384 ? SIGSTKSZ : 16384;
	alt_stack = malloc(alt_size);
	if (alt_stack == NULL)
		return;
	stack_t ss = { .ss_sp = alt_stack, .ss_size = alt_size, .ss_flags = 0 };
	if (sigaltstack(&ss, NULL) != 0) {
		free(alt_stack);
		alt_stack = NULL;
		return;
	}
	worker_index = index;
	stack_lo = (uintptr_t)addr;
	stack_size = size;
}

void skua__stack_guard_leave(void)
{
	if (alt_stack == NULL)
		return;
	stack_t ss = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
	sigaltstack(&ss, NULL);
	free(alt_stack);
	alt_stack = NULL;
	stack_lo = 0;
}
