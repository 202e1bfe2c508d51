/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/error.h - error codes and their names.
 *
 * Every public skua function that can fail returns an int: 0 on success or a
 * negative errno value on failure (libuv's convention).  A failed call
 * changes nothing: out-parameters are set to NULL/0 (an index to
 * SIZE_MAX, which no valid index equals) and no task is queued.
 *
 *   -EINVAL     a NULL or invalid argument
 *   -ENOMEM     an allocation failed
 *   -EOVERFLOW  a size computation overflowed (n * element size), or
 *               skua_blocking_begin nested more than 16 deep
 *   -EDEADLK    the call would wait on itself (destroying a pool from its
 *               task, a wait for a future whose task runs below the caller
 *               on its own stack)
 *   -EAGAIN     a thread could not be started, or a limit was reached;
 *               a channel is full or empty (skua_channel_try_*)
 *   -ECHILD     the pool was inherited across fork(); only destroy works
 *   -ETIMEDOUT  a timed wait gave up (skua_future_*_timeout,
 *               skua_channel_*_timeout)
 *   -ECANCELED  the future was cancelled before its task started
 *   -EBUSY      cancel of a task that has started or finished
 *   -EPIPE      the channel is closed (send; recv once it is drained)
 *
 * These are the only codes skua returns itself.  A callback's own code
 * that skua passes through (skua_imap, the _try loops: -EIO, say) gets the
 * C library's name and English description where it has them (glibc
 * 2.32 and later), else "UNKNOWN" / "unknown error", as INT_MIN and any
 * value that is no errno do.
 */
#ifndef SKUA_ERROR_H
#define SKUA_ERROR_H

#include "bits/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * skua_strerror - a human-readable description of an error code.
 *
 * RETURNS a static string; never NULL, never allocated, also for unknown codes
 * ("unknown error").  Accepts both -EINVAL and EINVAL.  skua's own words
 * for its codes ("out of memory"), the C library's for other errno values
 * ("Input/output error").
 * THREAD SAFETY: any thread, any time.
 */
SKUA_API const char *skua_strerror(int code);

/*
 * skua_err_name - the symbolic name of an error code ("EINVAL").
 *
 * RETURNS a static string; "OK" for 0, the C library's name for an errno
 * value skua does not use itself ("EIO"), "UNKNOWN" for anything else.
 */
SKUA_API const char *skua_err_name(int code);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_ERROR_H */
