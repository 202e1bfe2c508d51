/*
 * lib/error.c - skua_strerror and skua_err_name from one X-macro table.
 */
#include <errno.h>

#include "skua.h"

#define SKUA_ERRNO_MAP(XX)                                               \
	XX(EINVAL, "invalid argument")                                   \
	XX(ENOMEM, "out of memory")                                      \
	XX(EOVERFLOW, "size overflow")                                   \
	XX(EDEADLK, "the call would wait on itself")                     \
	XX(EAGAIN, "resource temporarily unavailable")                   \
	XX(ECHILD, "pool inherited across fork(); only destroy works")   \
	XX(EPERM, "operation not permitted")                             \
	XX(ENOENT, "no such file or directory")                          \
	XX(EIO, "input/output error")

const char *skua_strerror(int code)
{
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
