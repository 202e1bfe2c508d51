/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/error.c - skua_strerror and skua_err_name from one X-macro table.
 *
 * The table lists exactly the codes skua returns (skua/error.h); any other
 * code, INT_MIN included, is "unknown".
 */
#include <errno.h>
#include <limits.h>

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
		return "unknown error";
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
		return "UNKNOWN";
	}
}
