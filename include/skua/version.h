/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/version.h - the version of the headers (macros) and of the library
 * that the program runs with (functions).
 *
 * The two differ when a program built against one release of skua runs
 * with another libskua.so: compare them at start-up if that matters,
 *
 *     if (skua_version_number(NULL, NULL, NULL) / 100 !=
 *         SKUA_VERSION_NUMBER / 100)
 *             fprintf(stderr, "built with skua %s, running %s\n",
 *                 SKUA_VERSION_STRING, skua_version());
 *
 * (the same major.minor: skuaConfigVersion.cmake's SameMinorVersion rule).
 */
#ifndef SKUA_VERSION_H
#define SKUA_VERSION_H

#include "bits/export.h"

#define SKUA_VERSION_MAJOR 0
#define SKUA_VERSION_MINOR 1
#define SKUA_VERSION_PATCH 0
#define SKUA_VERSION_STRING "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH: 0.1.0 is 100, 1.2.3 is 10203. */
#define SKUA_VERSION_NUMBER                                                \
	(SKUA_VERSION_MAJOR * 10000 + SKUA_VERSION_MINOR * 100 +           \
	    SKUA_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/*
 * skua_version - the library's version, "MAJOR.MINOR.PATCH" (the value of
 * SKUA_VERSION_STRING when the library was built).
 * RETURNS a static string; never NULL.
 * THREAD SAFETY: any thread, at any time (no pool needed).
 */
SKUA_API const char *skua_version(void);

/*
 * skua_version_number - the library's version as a number, MAJOR * 10000 +
 * MINOR * 100 + PATCH (SKUA_VERSION_NUMBER when the library was built).
 * If major, minor or patch is not NULL, it receives that part.
 * RETURNS the number.
 * THREAD SAFETY: any thread, at any time (no pool needed).
 */
SKUA_API int skua_version_number(int *major, int *minor, int *patch);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_VERSION_H */
