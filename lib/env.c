/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/env.c - SKUA_* environment variables: one table, strict parsing, one
 * warning per bad value.
 *
 * Like libgomp and jemalloc a bad value warns and falls back, and unlike
 * LLVM's libomp (which crashes on OMP_NUM_THREADS=abc) the warning names
 * the variable, the value and what is used instead.
 */
#include "env.h"
#include "skua/pool.h"

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
	[SKUA__ENV_DISPLAY_ENV] = { "SKUA_DISPLAY_ENV", SKUA__ENV_LEVEL, 0, 2,
	    "0", "print the settings in effect at each skua_pool_create "
	    "(1, or verbose)" },
	[SKUA__ENV_PROFILE] = { "SKUA_PROFILE", SKUA__ENV_STRING, 0, 0, "unset",
	    "append a per-site loop profile to this file when a pool is "
	    "destroyed (read by skua-bench profile)" },
	[SKUA__ENV_PIN] = { "SKUA_PIN", SKUA__ENV_BIND, SKUA_PIN_OFF,
	    SKUA_PIN_SPREAD, "off", "pin worker i to the i-th CPU of the "
	    "affinity mask (1 or compact), or spaced over it (spread)" },
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

/* A boolean word: 1, true, yes, on / 0, false, no, off. */
static int parse_bool(const char *s, size_t n, uint64_t *out)
{
	if (word_is(s, n, "1") || word_is(s, n, "true") ||
	    word_is(s, n, "yes") || word_is(s, n, "on"))
		*out = 1;
	else if (word_is(s, n, "0") || word_is(s, n, "false") ||
	    word_is(s, n, "no") || word_is(s, n, "off"))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

/* Digits in [s, end), with a K/M/G suffix (an optional B after it) when
 * sized, within [min, max]. */
static int parse_number(const char *s, const char *end, bool sized,
    uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	int rc = parse_digits(&p, &v);
	if (rc == -EINVAL)
		return rc;
	if (sized && p < end) {
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
	case SKUA__ENV_BIND:
		if (word_is(s, n, "compact") || word_is(s, n, "spread")) {
			*out = word_is(s, n, "compact") ? SKUA_PIN_COMPACT :
			    SKUA_PIN_SPREAD;
			return 0;
		}
		rc = parse_bool(s, n, &v);
		if (rc == 0)
			*out = v == 1 ? SKUA_PIN_COMPACT : SKUA_PIN_OFF;
		return rc;
	case SKUA__ENV_LEVEL:
		if (word_is(s, n, "verbose")) {
			*out = 2;
			return 0;
		}
		return parse_bool(s, n, out);
	case SKUA__ENV_BOOL:
		return parse_bool(s, n, out);
	case SKUA__ENV_CHUNK:
		if (word_is(s, n, "auto")) {
			*out = 0;
			return 0;
		}
		return parse_number(s, end, false, min, max, out);
	case SKUA__ENV_UINT:
	case SKUA__ENV_SIZE:
		return parse_number(s, end, kind == SKUA__ENV_SIZE, min, max,
		    out);
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
void skua__env_quote(const char *v, char *buf, size_t len)
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

pthread_mutex_t *skua__env_warned_lock(void)
{
	return &warned_lock;
}

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
	else if (d->kind == SKUA__ENV_LEVEL)
		snprintf(range, sizeof range, " (expected 0, 1 or verbose)");
	else if (d->kind == SKUA__ENV_BIND)
		snprintf(range, sizeof range, " (expected 0, 1, compact or "
		    "spread)");
	skua__env_quote(value, quoted, sizeof quoted);
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

/* A site's character in its variable's name: ASCII letters upper-cased,
 * digits kept, anything else '_'.  Not isalnum/toupper, which follow the
 * program's locale: a Latin-1 locale would keep bytes that another
 * process (skua-bench, the shell) turns into '_'. */
static char site_char(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return (char)c;
	return '_';
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
		buf[p++] = site_char((unsigned char)site[i]);
	}
	buf[p] = '\0';
	return true;
}

/* ---- names that skua does not know ------------------------------------ */

static bool has_prefix(const char *name, size_t len, const char *prefix)
{
	size_t p = strlen(prefix);
	return len > p && memcmp(name, prefix, p) == 0;
}

bool skua__env_known(const char *name, size_t len)
{
	for (int i = 0; i < SKUA__ENV_COUNT; i++) {
		const char *t = skua__env_table[i].name;
		if (strlen(t) == len && memcmp(name, t, len) == 0)
			return true;
	}
	/* Any site: a loop may name it later, or in another program. */
	return has_prefix(name, len, "SKUA_CHUNK_SIZE_") ||
	    has_prefix(name, len, "SKUA_BENCH_");
}

/* Names are compared on their first DIST_MAX bytes. */
#define DIST_MAX 64

/* Optimal string alignment distance: Levenshtein's, plus a swap of two
 * neighbours (SKUA_WROKERS) costing 1.  prefixes, when not NULL, receives
 * the distance of a's first i bytes to b for every i in 1..n (DIST_MAX + 1
 * entries). */
static unsigned distance(const char *a, size_t n, const char *b, size_t m,
    unsigned *prefixes)
{
	unsigned rows[3][DIST_MAX + 1];
	unsigned *pp = rows[0], *p = rows[1], *c = rows[2], *t;

	if (n > DIST_MAX)
		n = DIST_MAX;
	if (m > DIST_MAX)
		m = DIST_MAX;
	for (size_t j = 0; j <= m; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		c[0] = (unsigned)i;
		for (size_t j = 1; j <= m; j++) {
			unsigned v = p[j - 1] + (a[i - 1] != b[j - 1]);
			if (p[j] + 1 < v)
				v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		if (prefixes != NULL)
			prefixes[i] = c[m];
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[m];
}

unsigned skua__env_closest(const char *name, size_t len, char *buf,
    size_t buflen)
{
	static const char site_prefix[] = "SKUA_CHUNK_SIZE_";
	unsigned best = UINT32_MAX;

	if (buflen > 0)
		buf[0] = '\0';
	for (int i = 0; i < SKUA__ENV_COUNT; i++) {
		const char *t = skua__env_table[i].name;
		size_t m = strlen(t), n = len < DIST_MAX ? len : DIST_MAX;
		/* The distance is at least the difference in length. */
		if ((n > m ? n - m : m - n) >= best)
			continue;
		unsigned d = distance(name, len, t, m, NULL);
		if (d < best) {
			best = d;
			snprintf(buf, buflen, "%s", t);
		}
	}
	/* SKUA_CHUNK_SIZE_<SITE> keeping the name's own tail as the site
	 * (SKUA_CHUNKSIZE_PRIMES): the cost is that of the part before it,
	 * when that is a near miss of the prefix (else a long name would get
	 * its tail grafted on SKUA_CHUNK_SIZE_). */
	enum { SITE_MISS_MAX = 3 };
	unsigned pre[DIST_MAX + 1];
	size_t rows = sizeof site_prefix - 1 + SITE_MISS_MAX;
	if (rows > len)
		rows = len;
	distance(name, rows, site_prefix, sizeof site_prefix - 1, pre);
	for (size_t i = 1; i < len && i <= rows; i++) {
		unsigned d = pre[i];
		if (d <= SITE_MISS_MAX && d < best) {
			best = d;
			snprintf(buf, buflen, "%s%.*s", site_prefix,
			    (int)(len - i), name + i);
		}
	}
	return best;
}

extern char **environ;

int skua__env_check_unknown(bool strict)
{
	int rc = 0;

	for (char **e = environ; e != NULL && *e != NULL; e++) {
		const char *s = *e;
		if (strncmp(s, "SKUA_", 5) != 0)
			continue;
		const char *eq = strchr(s, '=');
		size_t len = eq != NULL ? (size_t)(eq - s) : strlen(s);
		if (skua__env_known(s, len))
			continue;
		rc = -EINVAL;

		/* One byte more than skua__env_quote shows, so that it ends a
		 * longer name with "...". */
		char name[DIST_MAX + 2], quoted[DIST_MAX * 4 + 8];
		char closest[DIST_MAX + 32], qclosest[sizeof closest * 4 + 8];
		size_t n = len <= DIST_MAX ? len : DIST_MAX + 1;
		memcpy(name, s, n);
		name[n] = '\0';
		/* The value "" never names a bad value here: those keys are
		 * known names. */
		if (!first_time(name, "", strict))
			continue;
		skua__env_closest(s, len, closest, sizeof closest);
		skua__env_quote(name, quoted, sizeof quoted);
		skua__env_quote(closest, qclosest, sizeof qclosest);
		fprintf(stderr, "skua: unknown variable %s (did you mean %s?); "
		    "%s\n", quoted, qclosest, strict ?
		    "the call fails (SKUA_STRICT=1)" : "ignored");
	}
	return rc;
}
