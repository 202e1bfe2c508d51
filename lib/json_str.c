/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/json_str.c - JSON strings of any bytes (lib/json_str.h).
 */
#include "json_str.h"

size_t skua__utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF; /* s[1]'s range */
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0; /* a continuation byte, C0, C1 or F5..FF */
	if (c == 0xE0)
		lo = 0xA0; /* overlong */
	else if (c == 0xED)
		hi = 0x9F; /* surrogates */
	else if (c == 0xF0)
		lo = 0x90; /* overlong */
	else if (c == 0xF4)
		hi = 0x8F; /* past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0; /* also stops at the NUL */
	return n;
}

void skua__json_str(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	fputc('"', f);
	while (*u != '\0') {
		size_t n = skua__utf8_len(u);
		if (*u == '"' || *u == '\\')
			fprintf(f, "\\%c", *u);
		else if (*u < 0x20 || n == 0)
			fprintf(f, "\\u%04x", *u);
		else
			fwrite(u, 1, n, f);
		u += n != 0 ? n : 1;
	}
	fputc('"', f);
}
