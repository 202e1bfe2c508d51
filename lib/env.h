/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/env.h - the one table of SKUA_* environment variables and its parser.
 *
 * Values are parsed strictly (decimal digits with optional surrounding
 * blanks; sizes may end in K, M or G).  A bad value prints one line on
 * stderr, once per variable and value, naming the variable, the value and
 * what is used instead; with SKUA_STRICT=1 the caller fails with -EINVAL.
 */
#ifndef SKUA_ENV_H
#define SKUA_ENV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum skua__env_kind {
	SKUA__ENV_UINT,   /* decimal integer in [min, max] */
	SKUA__ENV_SIZE,   /* bytes, optional K/M/G suffix (powers of 1024) */
	SKUA__ENV_BOOL,   /* 0/1, true/false, yes/no, on/off */
	SKUA__ENV_CHUNK,  /* "auto" (0) or an integer in [1, max] */
	SKUA__ENV_STRING, /* any non-empty text */
	SKUA__ENV_LEVEL,  /* a BOOL value (0 or 1), or "verbose" (2) */
	SKUA__ENV_BIND,   /* enum skua_pin: a BOOL (0 off, 1 compact),
	                     "compact" or "spread" */
};

enum skua__env_id {
	SKUA__ENV_WORKERS,
	SKUA__ENV_STACK_SIZE,
	SKUA__ENV_STATS,
	SKUA__ENV_TRACE,
	SKUA__ENV_CHUNK_SIZE,      /* also SKUA_CHUNK_SIZE_<SITE> */
	SKUA__ENV_MAX_BLOCKING,
	SKUA__ENV_STRICT,
	SKUA__ENV_DISPLAY_ENV,
	SKUA__ENV_PROFILE,
	SKUA__ENV_PIN,
	SKUA__ENV_COUNT
};

struct skua__env_desc {
	const char *name;
	enum skua__env_kind kind;
	uint64_t min, max;
	const char *default_doc; /* for the README table and warnings */
	const char *doc;
};

extern const struct skua__env_desc skua__env_table[SKUA__ENV_COUNT];

/*
 * skua__env_parse - parse s as kind within [min, max].
 * RETURNS 0 and *out; -EINVAL (empty, not a number, trailing garbage,
 * an unknown kind, s or out NULL), -ERANGE (out of [min, max] or
 * overflow); *out is left alone on failure.  Pure: no getenv, no output.
 * Tested by tests/test_env.c (the table) and tests/fuzz_env.c.
 */
int skua__env_parse(enum skua__env_kind kind, const char *s, uint64_t min,
    uint64_t max, uint64_t *out);

/*
 * skua__env_get - read variable id (name overrides the table's name, for
 * SKUA_CHUNK_SIZE_<SITE>).  Unset: *out = def, returns 0.  Valid: the value,
 * returns 0.  Bad: warns once ("using <fallback_doc>"), *out = def, returns
 * -EINVAL.
 */
int skua__env_get(enum skua__env_id id, const char *name, uint64_t def,
    const char *fallback_doc, uint64_t *out);

/* skua__env_string - SKUA_TRACE and the like; NULL when unset or empty. */
const char *skua__env_string(enum skua__env_id id);

/* skua__env_strict - SKUA_STRICT=1: bad values make calls fail.  A bad
 * SKUA_STRICT value warns once and counts as 0. */
bool skua__env_strict(void);

/*
 * skua__env_site_name - "SKUA_CHUNK_SIZE_" + site upper-cased, every
 * character that is not a letter or digit turned into '_'.  Returns false
 * when it does not fit in buf.
 */
bool skua__env_site_name(const char *prefix, const char *site, char *buf,
    size_t len);

/*
 * skua__env_known - whether the variable name (len bytes, no "=value") is
 * one that skua reads: a table name, SKUA_CHUNK_SIZE_<SITE> for any
 * non-empty SITE, or SKUA_BENCH_<...> (skua-bench's own).
 */
bool skua__env_known(const char *name, size_t len);

/*
 * skua__env_closest - the known name nearest to name (len bytes) by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours),
 * into buf: a table name, or SKUA_CHUNK_SIZE_ with name's own site (for
 * SKUA_CHUNKSIZE_PRIMES).  Returns the distance.
 */
unsigned skua__env_closest(const char *name, size_t len, char *buf,
    size_t buflen);

/*
 * skua__env_check_unknown - warn on stderr, once per name and process,
 * about every SKUA_* variable of the environment that skua__env_known
 * rejects, naming the closest known one.  strict: the warning says that
 * the call fails.  RETURNS 0, or -EINVAL when there is one.
 */
int skua__env_check_unknown(bool strict);

/*
 * skua__env_quote - v as a warning shows it: printable ASCII as is, '"'
 * and backslash escaped, other bytes as \n, \t or \xHH, at most 64 input
 * bytes (then "...").  len >= 8; 64 * 4 + 8 holds any value.
 */
void skua__env_quote(const char *v, char *buf, size_t len);

/* The lock of the warned-once table (held across fork(): lib/fork.h). */
pthread_mutex_t *skua__env_warned_lock(void);

/*
 * skua__env_settings (lib/display_env.c) - called by skua_pool_create once
 * it knows the worker count and stack size it will use (machine: the
 * CPUs that the default count came from, lib/cpus.h): checks for unknown
 * SKUA_* names (skua__env_check_unknown) and, with SKUA_DISPLAY_ENV=1 or
 * verbose, prints the settings in effect on stderr (version, workers and
 * where that number came from, stack size, pinning (pin: the enum
 * skua_pin in effect), jemalloc, every SKUA_* variable set and the value
 * used; verbose: also the unset ones, the CPU of each worker, the details).
 * RETURNS 0, or -EINVAL for an unknown name or a bad SKUA_DISPLAY_ENV (the
 * caller fails under SKUA_STRICT=1, like for any bad value).
 */
struct skua_config;
struct skua__cpus;
int skua__env_settings(const struct skua_config *cfg,
    const struct skua__cpus *machine, unsigned workers, size_t stack_size,
    int pin);

#endif /* SKUA_ENV_H */
