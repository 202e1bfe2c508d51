/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile_data.c - read and merge the SKUA_PROFILE lines
 * (profile_data.h).  Unnamed sites get a name from addr2line when the
 * library's dladdr found none (a static function of the program).
 */
#define _GNU_SOURCE
#include "profile_data.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *const skb_chunk_sources[SKB_SOURCES] = { "auto",
	"deterministic-auto", "opts.chunk", "SKUA_CHUNK_SIZE",
	"SKUA_CHUNK_SIZE_<SITE>" };

/* lib/profile.h's bucket of v (and lib/profile_write.c's inverse). */
static unsigned bucket_of(uint64_t v)
{
	if (v < 16)
		return (unsigned)v;
	unsigned e = 63u - (unsigned)__builtin_clzll(v);
	return 16u + (e - 4u) * 4u + (unsigned)((v >> (e - 2u)) & 3u);
}

static void bucket_range(unsigned b, double *lo, double *hi)
{
	if (b < 16) {
		*lo = b;
		*hi = b + 1;
		return;
	}
	unsigned e = 4 + (b - 16) / 4, sub = (b - 16) % 4;
	*lo = (double)(4 + sub) * (double)((uint64_t)1 << (e - 2));
	*hi = *lo + (double)((uint64_t)1 << (e - 2));
}

double skb_hist_quantile(const uint64_t *hist, double q)
{
	uint64_t total = 0, seen = 0;
	for (unsigned b = 0; b < SKB_HIST; b++)
		total += hist[b];
	if (total == 0)
		return 0;
	for (unsigned b = 0; b < SKB_HIST; b++) {
		seen += hist[b];
		if ((double)seen >= q * (double)total) {
			double lo, hi;
			bucket_range(b, &lo, &hi);
			return b < 16 ? lo : (lo + hi) / 2;
		}
	}
	return 0;
}

double skb_site_elems_quantile(const skb_site *s, double q)
{
	double v = skb_hist_quantile(s->elems_hist, q);
	if (v < (double)s->elems_min)
		v = (double)s->elems_min;
	if (v > (double)s->elems_max)
		v = (double)s->elems_max;
	return v;
}

double skb_site_idle(const skb_site *s)
{
	if (s->top_span_ns == 0)
		return -1;
	return 1.0 - (double)s->top_busy_ns / (double)s->top_span_ns;
}

const char *skb_site_source(const skb_site *s)
{
	int best = 0;
	for (int k = 1; k < SKB_SOURCES; k++)
		if (s->sources[k] > s->sources[best])
			best = k;
	return skb_chunk_sources[best];
}

/* As libskua names it (lib/env.c): ASCII only, whatever the locale. */
void skb_site_env_name(const char *site, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "SKUA_CHUNK_SIZE_");
	for (; *site != '\0' && o + 1 < len; site++) {
		unsigned char c = (unsigned char)*site;
		buf[o++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') :
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ?
		    (char)c : '_';
	}
	buf[o < len ? o : len - 1] = '\0';
}

/* An offset as lib/profile_write.c writes it: ^0x[0-9a-fA-F]+$. */
static bool offset_ok(const char *off)
{
	if (off[0] != '0' || off[1] != 'x' || off[2] == '\0')
		return false;
	for (off += 2; *off != '\0'; off++)
		if (!isxdigit((unsigned char)*off))
			return false;
	return true;
}

/* The first line written on fd (cut to len - 1 bytes), into line; the
 * rest is read to the end.  false: nothing was written. */
static bool first_line(int fd, char *line, size_t len)
{
	size_t n = 0;
	char buf[512];
	ssize_t r;
	while ((r = read(fd, buf, sizeof buf)) > 0 || (r < 0 && errno == EINTR))
		for (ssize_t i = 0; i < r && n + 1 < len; i++)
			line[n++] = buf[i]; /* the rest is read, not kept */
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
	return n > 0;
}

/* A static function's name: `addr2line -f -e obj off`, if installed.  No
 * shell: obj and off come from the profiled program's file, so they go
 * to addr2line as arguments, and off must be an offset. */
static bool addr2line(const char *obj, const char *off, char *buf,
    size_t len)
{
	char *argv[] = { "addr2line", "-f", "-e", (char *)obj, (char *)off,
		NULL };
	posix_spawn_file_actions_t fa;
	int fds[2];
	pid_t pid;

	if (!offset_ok(off) || pipe2(fds, O_CLOEXEC) != 0)
		return false;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
	    O_WRONLY, 0);
	int rc = posix_spawnp(&pid, "addr2line", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	bool ok = rc == 0 && first_line(fds[0], buf, len);
	close(fds[0]);
	while (rc == 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return ok && buf[0] != '\0' && strcmp(buf, "??") != 0;
}

static skb_site *site_find(skb_profile *p, const char *key)
{
	for (size_t i = 0; i < p->nsites; i++)
		if (strcmp(p->sites[i].key, key) == 0)
			return &p->sites[i];
	skb_site *more = realloc(p->sites, (p->nsites + 1) * sizeof *more);
	if (more == NULL)
		return NULL;
	p->sites = more;
	skb_site *s = &p->sites[p->nsites++];
	memset(s, 0, sizeof *s);
	snprintf(s->key, sizeof s->key, "%s", key);
	return s;
}

static void hist_add(uint64_t *hist, const skb_json *h)
{
	for (size_t i = 0; h != NULL && h->type == SKB_JARR && i < h->n; i++) {
		const skb_json *e = h->items[i];
		if (e->type != SKB_JARR || e->n != 3)
			continue;
		hist[bucket_of(e->items[0]->u)] += e->items[2]->u;
	}
}

static void site_label(skb_site *s, const skb_json *j)
{
	const char *name = skb_json_str(j, "name");
	const char *label = skb_json_str(j, "label");
	const char *obj = skb_json_str(j, "obj"), *off = skb_json_str(j, "off");
	char sym[100];

	s->named = name != NULL && !s->overflow;
	if (s->overflow) {
		snprintf(s->label, sizeof s->label, "%s",
		    label != NULL ? label : "(sites past 255)");
	} else if (name != NULL) {
		snprintf(s->label, sizeof s->label, "%s", name);
		skb_site_env_name(name, s->env, sizeof s->env);
	} else if (skb_json_str(j, "sym") == NULL && obj != NULL &&
	    off != NULL && addr2line(obj, off, sym, sizeof sym)) {
		snprintf(s->label, sizeof s->label, "%s()", sym);
	} else {
		snprintf(s->label, sizeof s->label, "%s%s",
		    label != NULL ? label : "?",
		    skb_json_str(j, "sym") != NULL ? "()" : "");
	}
}

#define ADD(field, key) s->field += skb_json_u64(j, key, 0)

static void site_merge(skb_profile *p, const skb_json *j)
{
	char key[600];
	const char *name = skb_json_str(j, "name");
	const char *obj = skb_json_str(j, "obj"), *off = skb_json_str(j, "off");
	const skb_json *over = skb_json_get(j, "overflow");
	bool overflow = over != NULL && over->type == SKB_JBOOL && over->b;
	if (overflow)
		snprintf(key, sizeof key, "overflow");
	else if (name != NULL)
		snprintf(key, sizeof key, "name:%s", name);
	else if (obj != NULL && off != NULL)
		snprintf(key, sizeof key, "fn:%s+%s", obj, off);
	else
		snprintf(key, sizeof key, "label:%s",
		    skb_json_str(j, "label") != NULL ? skb_json_str(j, "label") :
		    "?");
	skb_site *s = site_find(p, key);
	if (s == NULL)
		return;
	if (s->label[0] == '\0') {
		s->overflow = overflow;
		site_label(s, j);
	}
	ADD(calls, "calls");
	ADD(nested_calls, "nested_calls");
	ADD(elements, "elements");
	ADD(chunks, "chunks");
	ADD(chunk_ns, "chunk_ns");
	ADD(splits, "splits");
	ADD(steals, "steals");
	ADD(top_span_ns, "top_span_ns");
	ADD(top_busy_ns, "top_busy_ns");
	uint64_t mn = skb_json_u64(j, "elems_min", 0);
	uint64_t mx = skb_json_u64(j, "elems_max", 0);
	if (mn != 0 && (s->elems_min == 0 || mn < s->elems_min))
		s->elems_min = mn;
	if (mx > s->elems_max)
		s->elems_max = mx;
	mn = skb_json_u64(j, "fixed_chunk_min", 0);
	mx = skb_json_u64(j, "fixed_chunk_max", 0);
	if (mn != 0 && (s->fixed_min == 0 || mn < s->fixed_min))
		s->fixed_min = mn;
	if (mx > s->fixed_max)
		s->fixed_max = mx;
	const skb_json *src = skb_json_get(j, "sources");
	for (int k = 0; k < SKB_SOURCES; k++)
		s->sources[k] += skb_json_u64(src, skb_chunk_sources[k], 0);
	hist_add(s->elems_hist, skb_json_get(j, "elems_hist"));
	hist_add(s->ns_hist, skb_json_get(j, "ns_hist"));
}

static void line_add(skb_profile *p, const char *line)
{
	skb_json *j = skb_json_parse(line, NULL);
	if (j == NULL || skb_json_u64(j, "skua_profile", 0) != 1) {
		skb_json_free(j);
		p->bad_lines++;
		return;
	}
	skb_json **more = realloc(p->pools, (p->npools + 1) * sizeof *more);
	if (more == NULL) {
		skb_json_free(j);
		return;
	}
	p->pools = more;
	p->pools[p->npools++] = j;
	const skb_json *sites = skb_json_get(j, "sites");
	for (size_t i = 0; sites != NULL && i < sites->n; i++)
		site_merge(p, sites->items[i]);
}

int skb_profile_read(const char *path, skb_profile *out)
{
	memset(out, 0, sizeof *out);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0)
		line_add(out, line);
	free(line);
	fclose(f);
	return 0;
}

void skb_profile_free(skb_profile *p)
{
	for (size_t i = 0; i < p->npools; i++)
		skb_json_free(p->pools[i]);
	free(p->pools);
	free(p->sites);
	memset(p, 0, sizeof *p);
}
