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

/* Warn once per (variable, value): a small table is plenty. */
#define WARNED_MAX 64
static pthread_mutex_t warned_lock = PTHREAD_MUTEX_INITIALIZER;
static char *warned[WARNED_MAX];
static unsigned warned_n;

static void warn_once(const char *name, const char *value, int rc,
    const struct skua__env_desc *d, const char *fallback_doc)
{
	char key[320];
	snprintf(key, sizeof key, "%s=%s", name, value);
	pthread_mutex_lock(&warned_lock);
	for (unsigned i = 0; i < warned_n; i++) {
		if (strcmp(warned[i], key) == 0) {
			pthread_mutex_unlock(&warned_lock);
			return;
		}
	}
	if (warned_n < WARNED_MAX) {
		/* Plain malloc: kept for the process, not the scheduler's. */
		char *k = strdup(key);
		if (k != NULL)
			warned[warned_n++] = k;
	}
	pthread_mutex_unlock(&warned_lock);

	const char *why = rc == -ERANGE ? "is out of range" : "is not valid";
	char range[96] = "";
	if (d->kind == SKUA__ENV_UINT || d->kind == SKUA__ENV_CHUNK ||
	    d->kind == SKUA__ENV_SIZE)
		snprintf(range, sizeof range, " (expected %s%llu..%llu%s)",
		    d->kind == SKUA__ENV_CHUNK ? "auto or " : "",
		    (unsigned long long)d->min, (unsigned long long)d->max,
		    d->kind == SKUA__ENV_SIZE ? " bytes, K/M/G suffix allowed" :
		    "");
	else if (d->kind == SKUA__ENV_BOOL)
		snprintf(range, sizeof range, " (expected 0 or 1)");
	fprintf(stderr, "skua: %s=\"%s\" %s%s; using %s%s\n", name, value, why,
	    range, fallback_doc, skua__env_strict() ?
	    " (SKUA_STRICT=1: the call fails)" : "");
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
	    d->default_doc);
	return -EINVAL;
}

const char *skua__env_string(enum skua__env_id id)
{
	const char *v = getenv(skua__env_table[id].name);
	return v != NULL && *v != '\0' ? v : NULL;
}

bool skua__env_strict(void)
{
	const char *v = getenv("SKUA_STRICT");
	uint64_t x = 0;
	/* A bad SKUA_STRICT is itself strict-agnostic: treat it as 0. */
	return v != NULL && skua__env_parse(SKUA__ENV_BOOL, v, 0, 1, &x) == 0 &&
	    x == 1;
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
