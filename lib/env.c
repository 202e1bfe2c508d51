/*
 * lib/env.c - SKUA_* environment variables: one table, strict parsing, one
 * warning per bad value.
 *
 * Like libgomp and jemalloc a bad value warns and falls back, and unlike
 * LLVM's libomp (which crashes on OMP_NUM_THREADS=abc) the warning names
 * the variable, the value and what is used instead.
 */
#include "env.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct skua__env_desc skua__env_table[SKUA__ENV_COUNT] = {
	[SKUA__ENV_WORKERS] = { "SKUA_WORKERS", SKUA__ENV_UINT, 1, 4096,
	    "CPUs available", "worker threads per pool" },
	[SKUA__ENV_STACK_SIZE] = { "SKUA_STACK_SIZE", SKUA__ENV_SIZE,
	    64 * 1024, (uint64_t)1 << 32, "8M",
	    "stack size of each worker thread (bytes, K/M/G suffix)" },
	[SKUA__ENV_STATS] = { "SKUA_STATS", SKUA__ENV_BOOL, 0, 1, "0",
	    "print a per-worker statistics table when a pool is destroyed" },
	[SKUA__ENV_TRACE] = { "SKUA_TRACE", SKUA__ENV_STRING, 0, 0, "unset",
	    "write a Chrome trace-event JSON file here when a pool is destroyed" },
	[SKUA__ENV_CHUNK_SIZE] = { "SKUA_CHUNK_SIZE", SKUA__ENV_CHUNK, 1,
	    SIZE_MAX, "auto",
	    "chunk size of parallel loops; SKUA_CHUNK_SIZE_<SITE> per call site" },
	[SKUA__ENV_MAX_BLOCKING] = { "SKUA_MAX_BLOCKING", SKUA__ENV_UINT, 1,
	    4096, "64", "threads for skua_spawn_blocking" },
	[SKUA__ENV_STRICT] = { "SKUA_STRICT", SKUA__ENV_BOOL, 0, 1, "0",
	    "bad SKUA_* values make pool creation fail with -EINVAL" },
};

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static int parse_digits(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;
	bool overflow = false;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return overflow ? -ERANGE : 0;
}

static bool word_is(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != w[i])
			return false;
	return true;
}

int skua__env_parse(enum skua__env_kind kind, const char *s, uint64_t min,
    uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	int rc;

	if (s == NULL || out == NULL)
		return -EINVAL;
	s = skip_blanks(s);
	const char *end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		end--;
	size_t n = (size_t)(end - s);
	if (n == 0)
		return -EINVAL;

	switch (kind) {
	case SKUA__ENV_STRING:
		*out = 0;
		return 0;
	case SKUA__ENV_BOOL:
		if (word_is(s, n, "1") || word_is(s, n, "true") ||
		    word_is(s, n, "yes") || word_is(s, n, "on"))
			v = 1;
		else if (word_is(s, n, "0") || word_is(s, n, "false") ||
		    word_is(s, n, "no") || word_is(s, n, "off"))
			v = 0;
		else
			return -EINVAL;
		*out = v;
		return 0;
	case SKUA__ENV_CHUNK:
		if (word_is(s, n, "auto")) {
			*out = 0;
			return 0;
		}
		/* FALLTHROUGH */
	case SKUA__ENV_UINT:
	case SKUA__ENV_SIZE: {
		const char *p = s;
		rc = parse_digits(&p, &v);
		if (rc == -EINVAL)
			return rc;
		if (kind == SKUA__ENV_SIZE && p < end) {
			unsigned shift = 0;
			switch (*p) {
			case 'k': case 'K': shift = 10; break;
			case 'm': case 'M': shift = 20; break;
			case 'g': case 'G': shift = 30; break;
			default: return -EINVAL;
			}
			p++;
			if (p < end && (*p == 'b' || *p == 'B'))
				p++;
			if (rc == 0 && v > (UINT64_MAX >> shift))
				rc = -ERANGE;
			v <<= shift;
		}
		if (p != end)
			return -EINVAL;
		if (rc != 0)
			return rc;
		if (v < min || v > max)
			return -ERANGE;
		*out = v;
		return 0;
	}
	}
	return -EINVAL;
}

/* SKUA_STRICT's value, without warning (warn_once needs it). */
static bool strict_value(const char **bad)
{
	const char *v = getenv("SKUA_STRICT");
	uint64_t x = 0;

	*bad = NULL;
	if (v == NULL)
		return false;
	if (skua__env_parse(SKUA__ENV_BOOL, v, 0, 1, &x) != 0) {
		*bad = v;
		return false;
	}
	return x == 1;
}

/*
 * The value as it appears in a warning: printable ASCII as is, '"' and
 * backslash escaped, anything else as \n, \t or \xHH, and at most 64 input
 * bytes, so that the warning stays one line whatever the environment holds.
 */
static void quote_value(const char *v, char *buf, size_t len)
{
	size_t o = 0, i;

	for (i = 0; v[i] != '\0' && i < 64 && o + 5 < len; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else if (c == '\t') {
			buf[o++] = '\\';
			buf[o++] = 't';
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	if (v[i] != '\0' && o + 4 <= len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* Warn once per (variable, value, strict or not): a small table is
 * plenty; past WARNED_MAX distinct bad values every one is printed. */
#define WARNED_MAX 64
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char *warned[WARNED_MAX];
static unsigned warned_n;

static bool first_time(const char *name, const char *value, bool strict)
{
	size_t n = strlen(name), v = strlen(value);
	bool first = true;
	/* Plain malloc: kept for the process, not the scheduler's. */
	char *key = malloc(n + v + 3);

	if (key == NULL)
		return true;
	memcpy(key, name, n);
	key[n] = strict ? '!' : '=';
	memcpy(key + n + 1, value, v + 1);
	pthread_mutex_lock(&warned_lock);
	for (unsigned i = 0; i < warned_n && first; i++)
		first = strcmp(warned[i], key) != 0;
	if (first && warned_n < WARNED_MAX) {
		warned[warned_n++] = key;
		key = NULL;
	}
	pthread_mutex_unlock(&warned_lock);
	free(key);
	return first;
}

static void warn_once(const char *name, const char *value, int rc,
    const struct skua__env_desc *d, const char *fallback_doc, bool strict)
{
	if (!first_time(name, value, strict))
		return;

	const char *why = rc == -ERANGE ? "is out of range" : "is not valid";
	char range[96] = "", quoted[64 * 4 + 8];
	if (d->kind == SKUA__ENV_UINT || d->kind == SKUA__ENV_CHUNK ||
	    d->kind == SKUA__ENV_SIZE)
		snprintf(range, sizeof range, " (expected %s%llu..%llu%s)",
		    d->kind == SKUA__ENV_CHUNK ? "auto or " : "",
		    (unsigned long long)d->min, (unsigned long long)d->max,
		    d->kind == SKUA__ENV_SIZE ? " bytes, K/M/G suffix allowed" :
		    "");
	else if (d->kind == SKUA__ENV_BOOL)
		snprintf(range, sizeof range, " (expected 0 or 1)");
	quote_value(value, quoted, sizeof quoted);
	if (strict)
		fprintf(stderr, "skua: %s=\"%s\" %s%s; the call fails "
		    "(SKUA_STRICT=1)\n", name, quoted, why, range);
	else
		fprintf(stderr, "skua: %s=\"%s\" %s%s; using %s\n", name,
		    quoted, why, range, fallback_doc);
}

int skua__env_get(enum skua__env_id id, const char *name, uint64_t def,
    const char *fallback_doc, uint64_t *out)
{
	const struct skua__env_desc *d = &skua__env_table[id];
	const char *n = name != NULL ? name : d->name;
	const char *v = getenv(n);
	uint64_t x;
	int rc;

	*out = def;
	if (v == NULL)
		return 0;
	rc = skua__env_parse(d->kind, v, d->min, d->max, &x);
	if (rc == 0) {
		*out = x;
		return 0;
	}
	warn_once(n, v, rc, d, fallback_doc != NULL ? fallback_doc :
	    d->default_doc, skua__env_strict());
	return -EINVAL;
}

const char *skua__env_string(enum skua__env_id id)
{
	const char *v = getenv(skua__env_table[id].name);
	return v != NULL && *v != '\0' ? v : NULL;
}

bool skua__env_strict(void)
{
	const char *bad;
	bool strict = strict_value(&bad);
	/* A bad SKUA_STRICT is not strict: warn (once) and use 0. */
	if (bad != NULL)
		warn_once("SKUA_STRICT", bad, -EINVAL,
		    &skua__env_table[SKUA__ENV_STRICT], "0", false);
	return strict;
}

bool skua__env_site_name(const char *prefix, const char *site, char *buf,
    size_t len)
{
	size_t p = strlen(prefix), i;

	if (site == NULL || *site == '\0' || p + 2 > len)
		return false;
	memcpy(buf, prefix, p);
	buf[p++] = '_';
	for (i = 0; site[i] != '\0'; i++) {
		if (p + 1 >= len)
			return false;
		unsigned char c = (unsigned char)site[i];
		buf[p++] = isalnum(c) ? (char)toupper(c) : '_';
	}
	buf[p] = '\0';
	return true;
}
