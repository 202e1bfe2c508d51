/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/version.c - the library's version at run time (skua/version.h).
 */
#include "skua/version.h"

#include <stddef.h>

const char *skua_version(void)
{
	return SKUA_VERSION_STRING;
}

int skua_version_number(int *major, int *minor, int *patch)
{
	if (major != NULL)
		*major = SKUA_VERSION_MAJOR;
	if (minor != NULL)
		*minor = SKUA_VERSION_MINOR;
	if (patch != NULL)
		*patch = SKUA_VERSION_PATCH;
	return SKUA_VERSION_NUMBER;
}
