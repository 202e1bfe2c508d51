/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/json.h - a small JSON reader for the profile lines
 * that libskua writes (SKUA_PROFILE): a tree of values, RFC 8259 syntax,
 * no extensions (numbers are checked against its grammar: no nan, inf,
 * 01, 1., 0x10).  Strings keep their escapes decoded for \" \\ \/ \b \f
 * \n \r \t; \u0001 to \u00FF decode to that one byte (the writer's
 * escape of a byte that is not UTF-8, so that a name comes back as it
 * was), \u0100 and above to UTF-8, a surrogate or \u0000 to '?'.  The
 * writer writes valid UTF-8 as it is, controls and other bytes as \u00XX.
 */
#ifndef SKB_JSON_H
#define SKB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum skb_jtype { SKB_JNULL, SKB_JBOOL, SKB_JNUM, SKB_JSTR, SKB_JARR,
	SKB_JOBJ };

typedef struct skb_json {
	enum skb_jtype type;
	bool b;
	double num;
	uint64_t u;         /* a non-negative integer, exactly */
	char *str;
	size_t n;           /* items of an array or object */
	struct skb_json **items;
	char **keys;        /* an object's keys, n of them */
} skb_json;

/* Parse s (whole: trailing blanks only).  NULL on a syntax error or out
 * of memory, with *err set to a static message. */
skb_json *skb_json_parse(const char *s, const char **err);
void skb_json_free(skb_json *v);

/* An object's member (NULL when v is not an object or has no such key). */
const skb_json *skb_json_get(const skb_json *v, const char *key);
/* The member's value, or def when it is missing or of another type. */
uint64_t skb_json_u64(const skb_json *v, const char *key, uint64_t def);
double skb_json_num(const skb_json *v, const char *key, double def);
const char *skb_json_str(const skb_json *v, const char *key);

/* Write v (or a string) as JSON. */
void skb_json_write(FILE *f, const skb_json *v);
void skb_json_write_str(FILE *f, const char *s);

#endif
