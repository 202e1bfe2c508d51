/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/error.c - skua_strerror and skua_err_name from one X-macro table.
 *
 * The table lists exactly the codes skua returns (skua/error.h), with
 * skua's own words.  Other errno values reach users too, passed through
 * from their callbacks (skua_imap, the _try loops): those get the C
 * library's name and English description where it has them (glibc 2.32's
 * strerrorname_np and strerrordesc_np: static strings, no locale, no
 * buffer, thread-safe, NULL for a value that is no errno), else
 * "unknown", as does INT_MIN.
 */
#define _GNU_SOURCE /* strerrorname_np, strerrordesc_np */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "skua.h"

#define SKUA_ERRNO_MAP(XX)                                               \
	XX(EINVAL, "invalid argument")                                   \
	XX(ENOMEM, "out of memory")                                      \
	XX(EOVERFLOW, "size overflow")                                   \
	XX(EDEADLK, "the call would wait on itself")                     \
	XX(EAGAIN, "resource temporarily unavailable")                   \
	XX(ECHILD, "pool inherited across fork(); only destroy works")   \
	XX(ETIMEDOUT, "timed out")                                       \
	XX(ECANCELED, "the future was cancelled")                        \
	XX(EBUSY, "the task has started or finished")                    \
	XX(EPIPE, "the channel is closed")

#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
#define LIBC_NAME(code) strerrorname_np(code)
#define LIBC_DESC(code) strerrordesc_np(code)
#else
#define LIBC_NAME(code) ((void)(code), (const char *)NULL)
#define LIBC_DESC(code) ((void)(code), (const char *)NULL)
#endif

/* s, or fallback where s is NULL. */
static const char *or_else(const char *s, const char *fallback)
{
	return s != NULL ? s : fallback;
}

const char *skua_strerror(int code)
{
	/* INT_MIN has no positive counterpart: -INT_MIN would overflow. */
	if (code == INT_MIN)
		return "unknown error";
	if (code < 0)
		code = -code;
	switch (code) {
	case 0:
		return "success";
#define XX(name, msg) \
	case name:    \
		return msg;
		SKUA_ERRNO_MAP(XX)
#undef XX
	default:
		return or_else(LIBC_DESC(code), "unknown error");
	}
}

const char *skua_err_name(int code)
{
	if (code == INT_MIN)
		return "UNKNOWN";
	if (code < 0)
		code = -code;
	switch (code) {
	case 0:
		return "OK";
#define XX(name, msg) \
	case name:    \
		return #name;
		SKUA_ERRNO_MAP(XX)
#undef XX
	default:
		return or_else(LIBC_NAME(code), "UNKNOWN");
	}
}
