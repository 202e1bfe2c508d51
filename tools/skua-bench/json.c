/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/json.c - a recursive-descent JSON reader and a writer
 * (json.h).  Depth is bounded, so a hostile file cannot overflow the
 * stack.
 */
#include "json.h"
#include "../../lib/json_str.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct parser {
	const char *s;
	const char *err;
	int depth;
};

static void skip(struct parser *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static skb_json *parse_value(struct parser *p);

static skb_json *fail(struct parser *p, const char *msg, skb_json *v)
{
	if (p->err == NULL)
		p->err = msg;
	skb_json_free(v);
	return NULL;
}

/* Room in *out for n + more bytes and a NUL; false: no memory. */
static bool room(char **out, size_t n, size_t *cap, size_t more)
{
	while (n + more + 1 > *cap) {
		char *bigger = realloc(*out, *cap *= 2);
		if (bigger == NULL)
			return false;
		*out = bigger;
	}
	return true;
}

/* Code point v above U+00FF as UTF-8 ('?' for a surrogate: a pair is
 * not joined); false: no memory. */
static bool put_utf8(char **out, size_t *n, size_t *cap, unsigned v)
{
	if (!room(out, *n, cap, 3))
		return false;
	char *o = *out + *n;
	if (v >= 0xD800 && v <= 0xDFFF) {
		o[0] = '?';
		*n += 1;
	} else if (v < 0x800) {
		o[0] = (char)(0xC0 | v >> 6);
		o[1] = (char)(0x80 | (v & 0x3F));
		*n += 2;
	} else {
		o[0] = (char)(0xE0 | v >> 12);
		o[1] = (char)(0x80 | ((v >> 6) & 0x3F));
		o[2] = (char)(0x80 | (v & 0x3F));
		*n += 3;
	}
	return true;
}

static char *parse_string_raw(struct parser *p)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);
	if (out == NULL || *p->s != '"') {
		free(out);
		p->err = p->err != NULL ? p->err : "expected a string";
		return NULL;
	}
	for (p->s++; *p->s != '"'; p->s++) {
		char c = *p->s;
		if (c == '\0' || (unsigned char)c < 0x20)
			goto bad;
		if (c == '\\') {
			c = *++p->s;
			const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
			const char *k = c != '\0' ? strchr(from, c) : NULL;
			if (k != NULL) {
				c = to[k - from];
			} else if (c == 'u') {
				unsigned v = 0;
				for (int i = 1; i <= 4; i++) {
					if (!isxdigit((unsigned char)p->s[i]))
						goto bad;
					char h = p->s[i];
					v = v * 16 + (unsigned)(isdigit(
					    (unsigned char)h) ? h - '0' :
					    (tolower((unsigned char)h) - 'a' + 10));
				}
				p->s += 4;
				if (v > 0xFF) {
					if (!put_utf8(&out, &n, &cap, v))
						goto bad;
					continue;
				}
				c = v != 0 ? (char)v : '?';
			} else {
				goto bad;
			}
		}
		if (!room(&out, n, &cap, 1))
			goto bad;
		out[n++] = c;
	}
	p->s++;
	out[n] = '\0';
	return out;
bad:
	free(out);
	p->err = p->err != NULL ? p->err : "bad string";
	return NULL;
}

static bool push(skb_json *v, skb_json *item, char *key)
{
	skb_json **items = realloc(v->items, (v->n + 1) * sizeof *items);
	if (items == NULL)
		return false;
	v->items = items;
	if (v->type == SKB_JOBJ) {
		char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
		if (keys == NULL)
			return false;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

/* An array (obj false) or an object, from its opening bracket. */
static skb_json *parse_container(struct parser *p, skb_json *v, bool obj)
{
	char close = obj ? '}' : ']';
	p->s++;
	skip(p);
	if (*p->s == close) {
		p->s++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		skip(p);
		if (obj) {
			if ((key = parse_string_raw(p)) == NULL)
				return fail(p, "expected a key", v);
			skip(p);
			if (*p->s++ != ':') {
				free(key);
				return fail(p, "expected ':'", v);
			}
		}
		skb_json *item = parse_value(p);
		if (item == NULL || !push(v, item, key)) {
			free(key);
			skb_json_free(item);
			return fail(p, "out of memory", v);
		}
		skip(p);
		if (*p->s == ',') {
			p->s++;
			continue;
		}
		if (*p->s++ != close)
			return fail(p, obj ? "expected ',' or '}'" :
			    "expected ',' or ']'", v);
		return v;
	}
}

/* The length of the RFC 8259 number at s: -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][+-]?[0-9]+)?; 0 when there is none (nan, inf, 01, 1., .5, 0x10,
 * +1 are not JSON). */
static size_t number_len(const char *s)
{
	const char *c = s;
	if (*c == '-')
		c++;
	if (*c == '0' && isdigit((unsigned char)c[1]))
		return 0; /* 01 */
	if (*c == '0')
		c++;
	else if (*c >= '1' && *c <= '9')
		while (isdigit((unsigned char)*c))
			c++;
	else
		return 0;
	if (*c == '.') {
		if (!isdigit((unsigned char)*++c))
			return 0;
		while (isdigit((unsigned char)*c))
			c++;
	}
	if (*c == 'e' || *c == 'E') {
		c++;
		if (*c == '+' || *c == '-')
			c++;
		if (!isdigit((unsigned char)*c))
			return 0;
		while (isdigit((unsigned char)*c))
			c++;
	}
	return (size_t)(c - s);
}

/* A number, checked against the grammar first; strtod then reads exactly
 * the scanned text (no JSON number can be followed by a digit, '.', 'e'
 * or 'x', so strtod stops where the scan did).  u saturates. */
static skb_json *parse_number(struct parser *p, skb_json *v)
{
	const char *start = p->s;
	size_t len = number_len(start);
	v->type = SKB_JNUM;
	if (len == 0)
		return fail(p, "bad number", v);
	v->num = strtod(start, NULL);
	if (isdigit((unsigned char)*start) && strcspn(start, ".eE") >= len) {
		errno = 0;
		v->u = strtoull(start, NULL, 10);
		if (errno == ERANGE)
			v->u = UINT64_MAX;
	} else {
		v->u = v->num >= 18446744073709551615.0 ? UINT64_MAX :
		    v->num > 0 ? (uint64_t)v->num : 0;
	}
	p->s = start + len;
	return v;
}

static skb_json *parse_value(struct parser *p)
{
	skb_json *v = calloc(1, sizeof *v);
	if (v == NULL)
		return fail(p, "out of memory", NULL);
	if (++p->depth > MAX_DEPTH)
		return fail(p, "nested too deep", v);
	skip(p);
	skb_json *r = v;
	if (*p->s == '{') {
		v->type = SKB_JOBJ;
		r = parse_container(p, v, true);
	} else if (*p->s == '[') {
		v->type = SKB_JARR;
		r = parse_container(p, v, false);
	} else if (*p->s == '"') {
		v->type = SKB_JSTR;
		if ((v->str = parse_string_raw(p)) == NULL)
			r = fail(p, "bad string", v);
	} else if (strncmp(p->s, "true", 4) == 0 ||
	    strncmp(p->s, "false", 5) == 0) {
		v->type = SKB_JBOOL;
		v->b = *p->s == 't';
		p->s += v->b ? 4 : 5;
	} else if (strncmp(p->s, "null", 4) == 0) {
		p->s += 4;
	} else {
		r = parse_number(p, v);
	}
	p->depth--;
	return r;
}

skb_json *skb_json_parse(const char *s, const char **err)
{
	struct parser p = { s, NULL, 0 };
	skb_json *v = parse_value(&p);
	if (v != NULL) {
		skip(&p);
		if (*p.s != '\0')
			v = fail(&p, "trailing characters", v);
	}
	if (err != NULL)
		*err = p.err;
	return v;
}

void skb_json_free(skb_json *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		skb_json_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const skb_json *skb_json_get(const skb_json *v, const char *key)
{
	if (v == NULL || v->type != SKB_JOBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

uint64_t skb_json_u64(const skb_json *v, const char *key, uint64_t def)
{
	const skb_json *m = skb_json_get(v, key);
	return m != NULL && m->type == SKB_JNUM ? m->u : def;
}

double skb_json_num(const skb_json *v, const char *key, double def)
{
	const skb_json *m = skb_json_get(v, key);
	return m != NULL && m->type == SKB_JNUM ? m->num : def;
}

const char *skb_json_str(const skb_json *v, const char *key)
{
	const skb_json *m = skb_json_get(v, key);
	return m != NULL && m->type == SKB_JSTR ? m->str : NULL;
}

/* Valid UTF-8 as it is; a byte that is part of none (a site name is the
 * program's bytes) as \u00XX, so that the document is JSON and the
 * reader (\u00XX: the byte XX) gets the same bytes back: the library's
 * writer of the profile and the trace (lib/json_str.c), so that the two
 * escape alike.  Linked from libskua.a; its header needs nothing of lib/. */
void skb_json_write_str(FILE *f, const char *s)
{
	skua__json_str(f, s);
}

void skb_json_write(FILE *f, const skb_json *v)
{
	switch (v->type) {
	case SKB_JNULL:
		fputs("null", f);
		break;
	case SKB_JBOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case SKB_JNUM:
		if (v->num >= 0 && v->num == (double)v->u)
			fprintf(f, "%" PRIu64, v->u);
		else
			fprintf(f, "%.17g", v->num);
		break;
	case SKB_JSTR:
		skb_json_write_str(f, v->str);
		break;
	case SKB_JARR:
	case SKB_JOBJ:
		fputc(v->type == SKB_JARR ? '[' : '{', f);
		for (size_t i = 0; i < v->n; i++) {
			if (i > 0)
				fputc(',', f);
			if (v->type == SKB_JOBJ) {
				skb_json_write_str(f, v->keys[i]);
				fputc(':', f);
			}
			skb_json_write(f, v->items[i]);
		}
		fputc(v->type == SKB_JARR ? ']' : '}', f);
		break;
	}
}
