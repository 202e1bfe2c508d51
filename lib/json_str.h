/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/json_str.h - a C string as a JSON string, for the profile
 * (profile_write.c) and the trace (trace_write.c).
 *
 * Their strings are the program's: a site's name is any bytes the caller
 * gave skua_par_opts.site.  So the writer must make JSON of any bytes:
 * quotes and backslashes escaped, controls and every byte that is not part
 * of valid UTF-8 (RFC 3629) as \u00XX, valid UTF-8 as it is.  A reader
 * that maps \u00XX back to the byte XX (skua-bench's) gets the name's
 * bytes back; any JSON parser accepts the file.
 */
#ifndef SKUA_JSON_STR_H
#define SKUA_JSON_STR_H

#include <stddef.h>
#include <stdio.h>

/* The length of the valid UTF-8 sequence at s (no overlong forms, no
 * surrogates, nothing past U+10FFFF; ASCII is 1); 0 when s[0] starts no
 * valid sequence.  s is NUL-terminated. */
size_t skua__utf8_len(const unsigned char *s);

/* s, with its quotes, as above. */
void skua__json_str(FILE *f, const char *s);

#endif
