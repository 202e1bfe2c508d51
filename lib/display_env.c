/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/display_env.c - SKUA_DISPLAY_ENV: the settings that a pool is
 * created with and where each came from, like OpenMP's OMP_DISPLAY_ENV;
 * and the check for SKUA_* names that skua does not know.
 *
 *   SKUA_DISPLAY_ENV=1        the version, the worker count and where it
 *                             came from (config, SKUA_WORKERS, the
 *                             affinity mask, a cgroup quota), the stack
 *                             size, pinning, jemalloc, strictness, and
 *                             every SKUA_* variable set with the value used
 *   SKUA_DISPLAY_ENV=verbose  also the inputs of the CPU count, each
 *                             pinned worker's CPU, the other pool
 *                             settings, the build, and every variable
 *                             skua reads that is not set, with its default
 *
 * printed on stderr by every skua_pool_create, as one block written with
 * one stdio call (two pools created at once do not mix their lines).
 */
#define _GNU_SOURCE
#include "cpus.h"
#include "env.h"
#include "pin.h"
#include "skua/pool.h"
#include "skua/version.h"

#ifdef SKUA_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/* Bytes as the variable would be written: 8M, 64K, 65537. */
static void size_text(uint64_t v, char *buf, size_t len)
{
	if (v != 0 && v % (1u << 30) == 0)
		snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
	else if (v != 0 && v % (1u << 20) == 0)
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v != 0 && v % (1u << 10) == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

/* The table entry that reads this variable name (len bytes), or -1. */
static int table_id(const char *name, size_t len)
{
	for (int i = 0; i < SKUA__ENV_COUNT; i++) {
		const char *t = skua__env_table[i].name;
		if (strlen(t) == len && memcmp(name, t, len) == 0)
			return i;
	}
	if (len > 16 && memcmp(name, "SKUA_CHUNK_SIZE_", 16) == 0)
		return SKUA__ENV_CHUNK_SIZE;
	return -1;
}

/* Whether variable id is set (*set) to a valid value (returned, in *x). */
static bool env_valid(enum skua__env_id id, bool *set, uint64_t *x)
{
	const struct skua__env_desc *d = &skua__env_table[id];
	const char *v = getenv(d->name);

	*set = v != NULL;
	return v != NULL && skua__env_parse(d->kind, v, d->min, d->max, x) ==
	    0;
}

struct ctx {
	const skua_config *cfg;
	const struct skua__cpus *cpu; /* what the default count came from */
	unsigned workers;
	size_t stack;
	int pin; /* enum skua_pin in effect */
	bool strict;
	FILE *o;
};

/* "  NAME="value" -> what is used" for one SKUA_* entry of environ. */
static void var_line(const struct ctx *c, const char *entry)
{
	const char *eq = strchr(entry, '=');
	size_t len = eq != NULL ? (size_t)(eq - entry) : strlen(entry);
	const char *value = eq != NULL ? eq + 1 : "";
	char name[96], qname[96 * 4 + 8], qvalue[64 * 4 + 8], used[128];
	size_t n = len < sizeof name - 1 ? len : sizeof name - 1;

	memcpy(name, entry, n);
	name[n] = '\0';
	skua__env_quote(name, qname, sizeof qname);
	skua__env_quote(value, qvalue, sizeof qvalue);
	int id = table_id(entry, len);
	if (id < 0) {
		if (skua__env_known(entry, len)) {
			fprintf(c->o, "  %s=\"%s\" -> not read by the library "
			    "(skua-bench's)\n", qname, qvalue);
			return;
		}
		char closest[128], qclosest[128 * 4 + 8];
		skua__env_closest(entry, len, closest, sizeof closest);
		skua__env_quote(closest, qclosest, sizeof qclosest);
		fprintf(c->o, "  %s=\"%s\" -> unknown (did you mean %s?); %s\n",
		    qname, qvalue, qclosest, c->strict ? "this create fails "
		    "(SKUA_STRICT=1)" : "ignored");
		return;
	}

	const struct skua__env_desc *d = &skua__env_table[id];
	const skua_config *cfg = c->cfg;
	uint64_t x = 0;
	int rc = skua__env_parse(d->kind, value, d->min, d->max, &x);
	bool chunk = id == SKUA__ENV_CHUNK_SIZE;

	/* A config field wins over its variable. */
	if (id == SKUA__ENV_WORKERS && cfg->workers != 0)
		snprintf(used, sizeof used, "ignored (skua_config.workers = %u)",
		    cfg->workers);
	else if (id == SKUA__ENV_STACK_SIZE && cfg->stack_size != 0)
		snprintf(used, sizeof used, "ignored (skua_config.stack_size "
		    "= %zu)", cfg->stack_size);
	else if (id == SKUA__ENV_STATS && cfg->stats != 0)
		snprintf(used, sizeof used, "ignored (skua_config.stats = %d)",
		    cfg->stats);
	else if (id == SKUA__ENV_TRACE && cfg->trace != NULL)
		snprintf(used, sizeof used, "ignored (skua_config.trace is "
		    "set)");
	else if (id == SKUA__ENV_PIN && cfg->pin != SKUA_PIN_DEFAULT)
		snprintf(used, sizeof used, "ignored (skua_config.pin = %s)",
		    skua__pin_name((enum skua_pin)cfg->pin));
	else if (rc != 0 && c->strict)
		snprintf(used, sizeof used, "not valid; %s (SKUA_STRICT=1)",
		    chunk ? "the loops that read it fail" : "this create fails");
	else if (rc != 0 && id == SKUA__ENV_WORKERS)
		snprintf(used, sizeof used, "not valid; using %u", c->workers);
	else if (rc != 0 && id == SKUA__ENV_STACK_SIZE) {
		char s[32];
		size_text(c->stack, s, sizeof s);
		snprintf(used, sizeof used, "not valid; using %s", s);
	} else if (rc != 0 && chunk)
		snprintf(used, sizeof used, "not valid; the loops that read it "
		    "use their fallback");
	else if (rc != 0)
		snprintf(used, sizeof used, "not valid; using %s",
		    d->default_doc);
	else if (id == SKUA__ENV_STACK_SIZE)
		size_text(x, used, sizeof used);
	else if (id == SKUA__ENV_TRACE)
		snprintf(used, sizeof used, "written at destroy");
	else if (chunk && x == 0)
		snprintf(used, sizeof used, "auto");
	else if (id == SKUA__ENV_DISPLAY_ENV && x == 2)
		snprintf(used, sizeof used, "verbose");
	else if (id == SKUA__ENV_PIN)
		snprintf(used, sizeof used, "%s",
		    skua__pin_name((enum skua_pin)x));
	else
		snprintf(used, sizeof used, "%llu", (unsigned long long)x);
	fprintf(c->o, "  %s=\"%s\" -> %s\n", qname, qvalue, used);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The SKUA_* entries of environ, sorted; *n of them (at most max). */
static size_t skua_vars(const char **out, size_t max)
{
	size_t n = 0;
	for (char **e = environ; e != NULL && *e != NULL && n < max; e++)
		if (strncmp(*e, "SKUA_", 5) == 0)
			out[n++] = *e;
	qsort(out, n, sizeof *out, name_cmp);
	return n;
}

#define VARS_MAX 256
/* Verbose lists the CPU of this many workers at most. */
#define PIN_LIST_MAX 64

/* "pin = compact (SKUA_PIN; 2 CPUs in the mask)"; verbose: each worker's
 * CPU, as lib/pool.c will pin it (the same mask, the same rule). */
static void pin_lines(const struct ctx *c, unsigned level)
{
	const skua_config *cfg = c->cfg;
	enum skua_pin mode = (enum skua_pin)c->pin;
	bool set;
	uint64_t x;
	const char *src = cfg->pin != SKUA_PIN_DEFAULT ? "skua_config.pin" :
	    env_valid(SKUA__ENV_PIN, &set, &x) ? "SKUA_PIN" : "default";
	if (mode == SKUA_PIN_OFF) {
		fprintf(c->o, "  pin = off (%s)\n", src);
		return;
	}
	size_t size = 0;
	cpu_set_t *mask = skua__cpus_affinity_mask(&size);
	int k = mask != NULL ? CPU_COUNT_S(size, mask) : 0;
	if (k == 0) {
		if (mask != NULL)
			CPU_FREE(mask);
		fprintf(c->o, "  pin = %s (%s), but no affinity mask: not "
		    "pinned\n", skua__pin_name(mode), src);
		return;
	}
	fprintf(c->o, "  pin = %s (%s; %d CPU%s in the mask)\n",
	    skua__pin_name(mode), src, k, k == 1 ? "" : "s");
	if (level >= 2) {
		fprintf(c->o, "  pin_cpus =");
		for (unsigned i = 0; i < c->workers && i < PIN_LIST_MAX; i++)
			fprintf(c->o, " %d", skua__pin_cpu(mask, size, mode, i,
			    c->workers));
		fprintf(c->o, "%s (by worker index)\n",
		    c->workers > PIN_LIST_MAX ? " ..." : "");
	}
	CPU_FREE(mask);
}

/* "workers = N (why)": the config, the variable, a cgroup quota or the
 * affinity mask. */
static void workers_line(const struct ctx *c, const struct skua__cpus *cpu)
{
	uint64_t x;
	bool wset, wok = env_valid(SKUA__ENV_WORKERS, &wset, &x);
	bool wbad = wset && !wok;
	if (c->cfg->workers != 0)
		fprintf(c->o, "  workers = %u (skua_config.workers)\n",
		    c->workers);
	else if (wok)
		fprintf(c->o, "  workers = %u (SKUA_WORKERS)\n", c->workers);
	else if (skua__cpus_quota_binds(cpu))
		fprintf(c->o, "  workers = %u (cgroup quota: %s \"%s\"; "
		    "affinity: %ld CPU%s%s)\n", c->workers, cpu->quota_file,
		    cpu->quota_text,
		    cpu->affinity, cpu->affinity == 1 ? "" : "s", wbad ?
		    "; SKUA_WORKERS is not valid" : "");
	else
		fprintf(c->o, "  workers = %u (affinity: %ld CPU%s %s%s)\n",
		    c->workers, cpu->affinity, cpu->affinity == 1 ? "" : "s",
		    cpu->mask ? "in the mask" : "online", wbad ?
		    "; SKUA_WORKERS is not valid" : "");
}

static void jemalloc_line(const struct ctx *c)
{
#ifdef SKUA_WITH_JEMALLOC
	const char *jv = NULL;
	size_t jsz = sizeof jv;
	if (mallctl("version", &jv, &jsz, NULL, 0) == 0 && jv != NULL)
		/* "5.3.0-0-g54eaed1d...": the release only. */
		fprintf(c->o, "  jemalloc = on (%.*s)\n",
		    (int)strcspn(jv, "-"), jv);
	else
		fprintf(c->o, "  jemalloc = on\n");
#else
	fprintf(c->o, "  jemalloc = off\n");
#endif
}

static void build_line(const struct ctx *c)
{
	fprintf(c->o, "  build = %s, %s, debug checks %s\n",
#if defined(__SANITIZE_THREAD__)
	    "ThreadSanitizer",
#elif defined(__SANITIZE_ADDRESS__)
	    "AddressSanitizer",
#else
	    "no sanitizer",
#endif
#ifdef __clang__
	    "clang " __clang_version__,
#elif defined(__GNUC__)
	    "gcc " __VERSION__,
#else
	    "unknown compiler",
#endif
#ifdef SKUA_DEBUG
	    "on"
#else
	    "off"
#endif
	    );
}

/* SKUA_DISPLAY_ENV=verbose's lines: the inputs and the other settings. */
static void verbose_lines(const struct ctx *c, const struct skua__cpus *cpu)
{
	const skua_config *cfg = c->cfg;
	bool set, ok;
	uint64_t x;
	fprintf(c->o, "  affinity = %ld CPU%s%s\n", cpu->affinity,
	    cpu->affinity == 1 ? "" : "s", cpu->mask ? "" :
	    " (online; no affinity mask)");
	if (cpu->quota)
		fprintf(c->o, "  cgroup_quota = \"%s\" (%ld CPU%s: %s)\n",
		    cpu->quota_text, cpu->quota_cpus,
		    cpu->quota_cpus == 1 ? "" : "s", cpu->quota_file);
	else
		fprintf(c->o, "  cgroup_quota = none\n");
	const struct skua__env_desc *mb = &skua__env_table[SKUA__ENV_MAX_BLOCKING];
	ok = env_valid(SKUA__ENV_MAX_BLOCKING, &set, &x);
	if (!ok)
		skua__env_parse(mb->kind, mb->default_doc, mb->min, mb->max,
		    &x);
	fprintf(c->o, "  max_blocking = %llu (%s)\n", (unsigned long long)x,
	    ok ? "SKUA_MAX_BLOCKING" : "default");
	ok = env_valid(SKUA__ENV_STATS, &set, &x);
	fprintf(c->o, "  stats = %s (%s)\n",
	    cfg->stats != 0 || (ok && x == 1) ? "on" : "off",
	    cfg->stats != 0 ? "skua_config.stats" : ok ? "SKUA_STATS" :
	    "default");
	const char *tr = cfg->trace != NULL ? cfg->trace :
	    skua__env_string(SKUA__ENV_TRACE);
	char qtr[64 * 4 + 8];
	if (tr != NULL) {
		skua__env_quote(tr, qtr, sizeof qtr);
		fprintf(c->o, "  trace = \"%s\" (%s)\n", qtr,
		    cfg->trace != NULL ? "skua_config.trace" : "SKUA_TRACE");
	} else {
		fprintf(c->o, "  trace = none\n");
	}
	build_line(c);
}

static void display(const struct ctx *c, unsigned level)
{
	const char *vars[VARS_MAX];
	size_t nv = skua_vars(vars, VARS_MAX);
	uint64_t x;
	bool set;
	char s[64];

	fprintf(c->o, "SKUA DISPLAY ENVIRONMENT BEGIN\n");
	fprintf(c->o, "  version = %s\n", skua_version());
	workers_line(c, c->cpu);
	bool ok = env_valid(SKUA__ENV_STACK_SIZE, &set, &x);
	size_text(c->stack, s, sizeof s);
	fprintf(c->o, "  stack_size = %s (%s)\n", s, c->cfg->stack_size != 0 ?
	    "skua_config.stack_size" : ok ? "SKUA_STACK_SIZE" : "default");
	pin_lines(c, level);
	jemalloc_line(c);
	fprintf(c->o, "  strict = %s\n", c->strict ? "on" : "off");
	if (level >= 2)
		verbose_lines(c, c->cpu);
	for (size_t i = 0; i < nv; i++)
		var_line(c, vars[i]);
	if (level >= 2)
		for (int i = 0; i < SKUA__ENV_COUNT; i++) {
			const struct skua__env_desc *d = &skua__env_table[i];
			if (getenv(d->name) == NULL)
				fprintf(c->o, "  %s unset -> %s\n", d->name,
				    i == SKUA__ENV_WORKERS ? "the CPU count" :
				    d->default_doc);
		}
	if (nv == VARS_MAX)
		fprintf(c->o, "  (only the first %d SKUA_* variables shown)\n",
		    VARS_MAX);
	fprintf(c->o, "SKUA DISPLAY ENVIRONMENT END\n");
}

int skua__env_settings(const skua_config *cfg,
    const struct skua__cpus *machine, unsigned workers, size_t stack_size,
    int pin)
{
	uint64_t level = 0;
	bool strict = skua__env_strict();
	int rc = skua__env_get(SKUA__ENV_DISPLAY_ENV, NULL, 0, "0", &level);

	if (skua__env_check_unknown(strict) != 0)
		rc = -EINVAL;
	if (level == 0)
		return rc;

	struct ctx c = { cfg, machine, workers, stack_size, pin, strict, NULL };
	char *text = NULL;
	size_t len = 0;
	c.o = open_memstream(&text, &len);
	if (c.o == NULL) {
		/* No memory for the buffer: straight to stderr. */
		c.o = stderr;
		flockfile(stderr);
		display(&c, (unsigned)level);
		funlockfile(stderr);
		return rc;
	}
	display(&c, (unsigned)level);
	if (fclose(c.o) == 0 && text != NULL)
		fputs(text, stderr);
	free(text);
	return rc;
}
