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
 *   -EDEADLK    the call would wait on itself (destroying a pool from its task)
 *   -EAGAIN     a thread could not be started, or a limit was reached;
 *               a channel is full or empty (skua_channel_try_*)
 *   -ECHILD     the pool was inherited across fork(); only destroy works
 *   -ETIMEDOUT  a timed wait gave up (skua_future_*_timeout,
 *               skua_channel_*_timeout)
 *   -ECANCELED  the future was cancelled before its task started
 *   -EBUSY      cancel of a task that has started or finished
 *   -EPIPE      the channel is closed (send; recv once it is drained)
 *
 * These are the only codes skua returns; skua_strerror and skua_err_name
 * call every other value (INT_MIN included) unknown.
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
 * ("unknown error").  Accepts both -EINVAL and EINVAL.
 * THREAD SAFETY: any thread, any time.
 */
SKUA_API const char *skua_strerror(int code);

/*
 * skua_err_name - the symbolic name of an error code ("EINVAL").
 *
 * RETURNS a static string; "UNKNOWN" for codes skua does not use, "OK" for 0.
 */
SKUA_API const char *skua_err_name(int code);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_ERROR_H */
