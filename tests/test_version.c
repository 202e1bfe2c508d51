/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua_version() and skua_version_number() (lib/version.c) against the
 * macros of skua/version.h, and those against project(skua VERSION ...)
 * in CMakeLists.txt (TEST_PROJECT_VERSION, from tests/version.cmake).
 */
#include "test.h"

TEST_CASE(library_and_header_versions_agree)
{
	char want[64];
	int major = -1, minor = -1, patch = -1;

	ASSERT(skua_version() != NULL);
	if (strcmp(skua_version(), SKUA_VERSION_STRING) != 0)
		FAIL("skua_version() = \"%s\", SKUA_VERSION_STRING \"%s\"",
		    skua_version(), SKUA_VERSION_STRING);
	snprintf(want, sizeof want, "%d.%d.%d", SKUA_VERSION_MAJOR,
	    SKUA_VERSION_MINOR, SKUA_VERSION_PATCH);
	if (strcmp(SKUA_VERSION_STRING, want) != 0)
		FAIL("SKUA_VERSION_STRING \"%s\" is not MAJOR.MINOR.PATCH "
		    "\"%s\"", SKUA_VERSION_STRING, want);
#ifdef TEST_PROJECT_VERSION
	if (strcmp(skua_version(), TEST_PROJECT_VERSION) != 0)
		FAIL("skua_version() \"%s\" is not CMakeLists.txt's project "
		    "version \"%s\"", skua_version(), TEST_PROJECT_VERSION);
#endif
	ASSERT_EQ(SKUA_VERSION_NUMBER, SKUA_VERSION_MAJOR * 10000 +
	    SKUA_VERSION_MINOR * 100 + SKUA_VERSION_PATCH);
	ASSERT_EQ(skua_version_number(&major, &minor, &patch),
	    SKUA_VERSION_NUMBER);
	ASSERT_EQ(major, SKUA_VERSION_MAJOR);
	ASSERT_EQ(minor, SKUA_VERSION_MINOR);
	ASSERT_EQ(patch, SKUA_VERSION_PATCH);
	ASSERT_EQ(skua_version_number(NULL, NULL, NULL), SKUA_VERSION_NUMBER);
	minor = -1;
	ASSERT_EQ(skua_version_number(NULL, &minor, NULL), SKUA_VERSION_NUMBER);
	ASSERT_EQ(minor, SKUA_VERSION_MINOR);
	/* Same string each call (static storage). */
	ASSERT(skua_version() == skua_version());
	printf("test_version: %s (%d)\n", skua_version(),
	    skua_version_number(NULL, NULL, NULL));
}

static const struct test_case cases[] = {
	TEST_ENTRY(library_and_header_versions_agree),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
