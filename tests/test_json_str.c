/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/json_str.c: the JSON strings of the profile and the trace, for any
 * bytes a site name may hold: valid UTF-8 as it is, every other byte and
 * the controls as \u00XX, quotes and backslashes escaped.
 */
#include "test.h"
#include "json_str.h"

/* s as skua__json_str writes it, into out. */
static void written(const char *s, char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");
	ASSERT(f != NULL);
	skua__json_str(f, s);
	ASSERT(fclose(f) == 0);
}

#define EXPECT_JSON(in, want)                                              \
	do {                                                               \
		char got_[256];                                            \
		written(in, got_, sizeof got_);                            \
		if (strcmp(got_, want) != 0)                               \
			FAIL("json of %s: %s, want %s", #in, got_, want);  \
	} while (0)

TEST_CASE(bytes_that_are_not_utf8_are_escaped)
{
	EXPECT_JSON("bad\xff\xfeutf", "\"bad\\u00ff\\u00feutf\"");
	EXPECT_JSON("\x80", "\"\\u0080\"");         /* a lone continuation */
	EXPECT_JSON("\xc3", "\"\\u00c3\"");         /* cut at the end */
	EXPECT_JSON("\xc3(", "\"\\u00c3(\"");       /* a bad continuation */
	EXPECT_JSON("\xc0\xaf", "\"\\u00c0\\u00af\""); /* overlong '/' */
	EXPECT_JSON("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\""); /* overlong */
	EXPECT_JSON("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\""); /* surrogate */
	EXPECT_JSON("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");
}

TEST_CASE(valid_utf8_is_kept)
{
	EXPECT_JSON("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	EXPECT_JSON("\xe2\x82\xac", "\"\xe2\x82\xac\"");          /* U+20AC */
	EXPECT_JSON("\xf0\x9f\x90\xa6", "\"\xf0\x9f\x90\xa6\""); /* U+1F426 */
	EXPECT_JSON("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	ASSERT_EQ(skua__utf8_len((const unsigned char *)"\xed\x9f\xbf"), 3);
}

TEST_CASE(quotes_backslashes_and_controls_are_escaped)
{
	EXPECT_JSON("q\"uote", "\"q\\\"uote\"");
	EXPECT_JSON("back\\slash", "\"back\\\\slash\"");
	EXPECT_JSON("ctl\x01\ttab\n", "\"ctl\\u0001\\u0009tab\\u000a\"");
	EXPECT_JSON("", "\"\"");
}

static const struct test_case cases[] = {
	TEST_ENTRY(bytes_that_are_not_utf8_are_escaped),
	TEST_ENTRY(valid_utf8_is_kept),
	TEST_ENTRY(quotes_backslashes_and_controls_are_escaped),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
