/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile_report.c - what `skua-bench profile` prints and
 * writes: the site table, the pools' worker tables, the advice, --json.
 *
 * The advice's thresholds (the guide's chunk section argues them): a chunk
 * under 2 us spends a visible share on its own cost (about 2 ns of
 * splitting plus the body's call and its cache misses at the start), so
 * aim at 20 us; one over 1 ms leaves the workers that finish first
 * waiting up to that long at the loop's end, so aim at 100 us; a site
 * whose workers were idle over a quarter of its calls with under four
 * chunks per worker needs more, smaller chunks.
 */
#define _GNU_SOURCE
#include "profile.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHORT_NS 2000.0
#define LONG_NS 1e6
#define IDLE_HIGH 0.25
#define ADVICE_MAX 64

static uint64_t pow2_near(double v)
{
	if (v <= 1)
		return 1;
	double e = round(log2(v));
	return e >= 62 ? (uint64_t)1 << 62 : (uint64_t)1 << (unsigned)e;
}

/* "12.3 us", "1.20 ms", "850 ns". */
static const char *dur(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

static void set_line(skb_advice *a, const skb_site *s, uint64_t v)
{
	a->value = v;
	if (s->named)
		snprintf(a->line, sizeof a->line, "export %s=%" PRIu64, s->env,
		    v);
}

bool skb_site_advice(const skb_site *s, unsigned workers, skb_advice *a)
{
	memset(a, 0, sizeof *a);
	a->site = s;
	if (s->chunks == 0 || s->calls == 0)
		return false;
	double med_ns = skb_hist_quantile(s->ns_hist, 0.5);
	double med_el = skb_site_elems_quantile(s, 0.5);
	double per_call = (double)s->elements / (double)s->calls;
	double work_ns = (double)s->chunk_ns / (double)s->calls;
	double idle = skb_site_idle(s);
	double chunks_per_call = (double)s->chunks / (double)s->calls;
	char t1[32], t2[32];

	if (med_el < 1)
		med_el = 1;
	if (work_ns < 20e3 && per_call > med_el) {
		snprintf(a->reason, sizeof a->reason, "each call does %s of "
		    "work in all: too little to share between workers; one "
		    "chunk per call (or a plain loop) costs less",
		    dur(work_ns, t1, sizeof t1));
		set_line(a, s, pow2_near(per_call * 2) / 2 >= per_call ?
		    pow2_near(per_call * 2) / 2 : pow2_near(per_call * 2));
	} else if (med_ns < SHORT_NS && work_ns >= 20e3) {
		uint64_t v = pow2_near(med_el * 20e3 / med_ns);
		snprintf(a->reason, sizeof a->reason, "chunks take a median "
		    "%s: their own cost is a large share; chunks of %" PRIu64
		    " elements take about 20 us", dur(med_ns, t1, sizeof t1), v);
		set_line(a, s, v);
	} else if (med_ns > LONG_NS) {
		uint64_t v = pow2_near(med_el * 100e3 / med_ns);
		snprintf(a->reason, sizeof a->reason, "chunks take a median "
		    "%s: the workers that finish first wait up to that long "
		    "at the end; chunks of %" PRIu64 " elements take about "
		    "100 us", dur(med_ns, t1, sizeof t1), v);
		set_line(a, s, v);
	} else if (idle > IDLE_HIGH && chunks_per_call < 4.0 * workers &&
	    per_call >= 2) {
		uint64_t v = pow2_near(per_call / (8.0 * workers));
		snprintf(a->reason, sizeof a->reason, "workers were idle "
		    "%.0f%% of its calls, with %.1f chunks per call for %u "
		    "workers (each %s): smaller chunks balance better",
		    idle * 100, chunks_per_call, workers,
		    dur(med_ns, t2, sizeof t2));
		set_line(a, s, v);
	} else if (idle > IDLE_HIGH) {
		snprintf(a->reason, sizeof a->reason, "workers were idle "
		    "%.0f%% of its calls although its chunks are many and of "
		    "a good size (%s): the calls are too short to wake %u "
		    "workers, or other work held them", idle * 100,
		    dur(med_ns, t1, sizeof t1), workers);
	} else {
		return false;
	}
	if (!s->named && a->value != 0)
		snprintf(a->line, sizeof a->line, "# name this loop "
		    "(skua_par_opts.site) to set its chunk size from the "
		    "environment; then %" PRIu64, a->value);
	return true;
}

/* "auto", "1000 (SKUA_CHUNK_SIZE_<SITE>)", "64..1024 (opts.chunk)". */
static const char *chunk_text(const skb_site *s, char *buf, size_t len)
{
	const char *src = skb_site_source(s);
	if (s->fixed_max == 0)
		snprintf(buf, len, "auto%s%s%s", strcmp(src, "auto") ? " (" : "",
		    strcmp(src, "auto") ? src : "",
		    strcmp(src, "auto") ? ")" : "");
	else if (s->fixed_min == s->fixed_max)
		snprintf(buf, len, "%" PRIu64 " (%s)", s->fixed_max, src);
	else
		snprintf(buf, len, "%" PRIu64 "..%" PRIu64 " (%s)",
		    s->fixed_min, s->fixed_max, src);
	return buf;
}

static void site_table(const skb_profile *p)
{
	char t1[32], t2[32], idle[16], chunk[96], el[48];
	printf("Parallel loops, per call site (all pools):\n");
	printf("  %-18s %6s %11s %8s %24s %10s %10s %7s %7s %6s  %s\n", "site",
	    "calls", "elements", "chunks", "elems/chunk med [range]",
	    "chunk med", "chunk p90", "steals", "splits", "idle",
	    "chunk size (source)");
	for (size_t i = 0; i < p->nsites; i++) {
		const skb_site *s = &p->sites[i];
		double id = skb_site_idle(s);
		snprintf(idle, sizeof idle, id < 0 ? "-" : "%.1f%%", id * 100);
		snprintf(el, sizeof el, "%.0f [%" PRIu64 "..%" PRIu64 "]",
		    skb_site_elems_quantile(s, 0.5), s->elems_min,
		    s->elems_max);
		printf("  %-18s %6" PRIu64 " %11" PRIu64 " %8" PRIu64
		    " %24s %10s %10s %7" PRIu64 " %7" PRIu64 " %6s  %s\n",
		    s->label, s->calls, s->elements, s->chunks, el,
		    dur(skb_hist_quantile(s->ns_hist, 0.5), t1, sizeof t1),
		    dur(skb_hist_quantile(s->ns_hist, 0.9), t2, sizeof t2),
		    s->steals, s->splits, idle, chunk_text(s, chunk,
		    sizeof chunk));
		if (s->nested_calls != 0)
			printf("  %-18s (%" PRIu64 " of the calls nested in "
			    "another loop: their idle share is not counted)\n",
			    "", s->nested_calls);
	}
}

/* The first object among the workers_stats entries: its keys are the
 * columns; NULL when there is none. */
static const skb_json *first_object(const skb_json *ws)
{
	for (size_t i = 0; ws != NULL && ws->type == SKB_JARR && i < ws->n; i++)
		if (ws->items[i]->type == SKB_JOBJ)
			return ws->items[i];
	return NULL;
}

static bool is_ns(const char *key)
{
	size_t kl = strlen(key);
	return kl > 3 && strcmp(key + kl - 3, "_ns") == 0;
}

/* One cell: w's member `key` (looked up by name, so that a row whose keys
 * come in another order or lack one is printed under the right
 * headings), "-" when it has none or it is not a number. */
static void worker_cell(const skb_json *w, const char *key, bool first)
{
	const skb_json *v = skb_json_get(w, key);
	int width = is_ns(key) ? 14 : first ? 6 : 14;
	if (v == NULL || v->type != SKB_JNUM)
		printf(" %*s", width, "-");
	else if (is_ns(key))
		printf(" %14.3f", v->num / 1e6);
	else
		printf(" %*" PRIu64, width, v->u);
}

/* The pool's workers_stats as a table; entries that are not objects are
 * skipped (the file is the profiled program's: anything may be in it). */
static void worker_table(const skb_json *pool)
{
	const skb_json *ws = skb_json_get(pool, "workers_stats");
	const skb_json *w0 = first_object(ws);
	if (w0 == NULL)
		return;
	printf("   ");
	for (size_t k = 0; k < w0->n; k++) {
		const char *key = w0->keys[k];
		if (strcmp(key, "spare") == 0)
			continue;
		if (is_ns(key))
			printf(" %*.*s_ms", 11, (int)(strlen(key) - 3), key);
		else
			printf(" %*s", k == 0 ? 6 : 14, key);
	}
	printf("\n");
	for (size_t i = 0; i < ws->n; i++) {
		const skb_json *w = ws->items[i];
		if (w->type != SKB_JOBJ)
			continue;
		printf("   ");
		for (size_t k = 0; k < w0->n; k++)
			if (strcmp(w0->keys[k], "spare") != 0)
				worker_cell(w, w0->keys[k], k == 0);
		printf("\n");
	}
}

static void pool_tables(const skb_profile *p)
{
	char t1[32], t2[32];
	for (size_t i = 0; i < p->npools; i++) {
		const skb_json *pl = p->pools[i];
		const skb_json *ws = skb_json_get(pl, "workers_stats");
		double longest = 0;
		unsigned who = 0;
		for (size_t k = 0; ws != NULL && k < ws->n; k++) {
			double v = skb_json_num(ws->items[k], "idle_max_ns", 0);
			if (v > longest) {
				longest = v;
				who = (unsigned)k;
			}
		}
		printf("\nPool %" PRIu64 " of pid %" PRIu64 ": %" PRIu64
		    " workers, alive %s%s; futures %" PRIu64
		    " (skua_spawn, skua_pool_run and blocking jobs), blocking "
		    "jobs %" PRIu64 "; longest idle stretch %s (worker %u)\n",
		    skb_json_u64(pl, "pool", 0), skb_json_u64(pl, "pid", 0),
		    skb_json_u64(pl, "workers", 0),
		    dur(skb_json_num(pl, "wall_ns", 0), t1, sizeof t1),
		    skb_json_get(pl, "at_exit") != NULL &&
		    skb_json_get(pl, "at_exit")->b ?
		    " (still alive at exit)" : "",
		    skb_json_u64(pl, "futures", 0),
		    skb_json_u64(pl, "blocking", 0),
		    dur(longest, t2, sizeof t2), who);
		worker_table(pl);
	}
}

unsigned skb_profile_workers(const skb_profile *p)
{
	unsigned w = p->npools > 0 ? (unsigned)skb_json_u64(p->pools[0],
	    "workers", 1) : 1;
	return w > 0 ? w : 1; /* the program's file: anything may be in it */
}

/* The overflow bucket's note, in place of advice: its figures are many
 * sites' together, and no variable sets its chunk size. */
static void overflow_note(const skb_profile *p)
{
	for (size_t i = 0; i < p->nsites; i++)
		if (p->sites[i].overflow)
			printf("  # %s: the loops of the sites past the "
			    "profile's 255, merged: no advice (profile fewer "
			    "sites to see them one by one)\n",
			    p->sites[i].label);
}

/* Every site's advice into *out (malloc'd; NULL when there is none or no
 * memory), printed up to ADVICE_MAX of them: the rest are counted, and
 * all are in --json.  Returns how many. */
static size_t advice_print(const skb_profile *p, skb_advice **out)
{
	size_t n = 0;
	skb_advice *adv = p->nsites ? malloc(p->nsites * sizeof *adv) : NULL;
	printf("\nAdvice:\n");
	for (size_t i = 0; adv != NULL && i < p->nsites; i++)
		if (!p->sites[i].overflow &&
		    skb_site_advice(&p->sites[i], skb_profile_workers(p), &adv[n]))
			n++;
	for (size_t i = 0; i < n && i < ADVICE_MAX; i++) {
		printf("  # %s: %s\n", adv[i].site->label, adv[i].reason);
		if (adv[i].line[0] != '\0')
			printf("  %s\n", adv[i].line);
	}
	if (n > ADVICE_MAX)
		printf("  ... and %zu more (all of them in --json)\n",
		    n - ADVICE_MAX);
	if (n == 0)
		printf("  none: every site's chunks take between 2 us and 1 ms "
		    "and its workers were busy\n");
	overflow_note(p);
	*out = adv;
	return n;
}

static void site_json(FILE *f, const skb_site *s, const skb_advice *a)
{
	fputs("{\"site\":", f);
	skb_json_write_str(f, s->label);
	fprintf(f, ",\"named\":%s,%s\"env\":", s->named ? "true" : "false",
	    s->overflow ? "\"overflow\":true," : "");
	skb_json_write_str(f, s->env);
	fprintf(f, ",\"calls\":%" PRIu64 ",\"nested_calls\":%" PRIu64
	    ",\"elements\":%" PRIu64 ",\"chunks\":%" PRIu64
	    ",\"elems_per_chunk_median\":%.0f,\"elems_per_chunk_min\":%"
	    PRIu64 ",\"elems_per_chunk_max\":%" PRIu64
	    ",\"chunk_ns_median\":%.0f,\"chunk_ns_p90\":%.0f,\"chunk_ns_total\":%"
	    PRIu64 ",\"steals\":%" PRIu64 ",\"splits\":%" PRIu64
	    ",\"idle_share\":",
	    s->calls, s->nested_calls, s->elements, s->chunks,
	    skb_site_elems_quantile(s, 0.5), s->elems_min, s->elems_max,
	    skb_hist_quantile(s->ns_hist, 0.5),
	    skb_hist_quantile(s->ns_hist, 0.9), s->chunk_ns, s->steals,
	    s->splits);
	/* null, as the table's "-", when no call came from outside the
	 * pool (skb_site_idle's -1 is no share). */
	double idle = skb_site_idle(s);
	if (idle >= 0)
		fprintf(f, "%.4f", idle);
	else
		fputs("null", f);
	fprintf(f, ",\"fixed_chunk_min\":%" PRIu64 ",\"fixed_chunk_max\":%"
	    PRIu64 ",\"chunk_source\":\"%s\"", s->fixed_min, s->fixed_max,
	    skb_site_source(s));
	if (a != NULL) {
		fputs(",\"advice\":{\"reason\":", f);
		skb_json_write_str(f, a->reason);
		fputs(",\"line\":", f);
		skb_json_write_str(f, a->line);
		fprintf(f, ",\"value\":%" PRIu64 "}", a->value);
	}
	fputc('}', f);
}

static int json_write(const char *path, const char *cmd, const skb_child *c,
    const skb_profile *p, const skb_advice *adv, size_t nadv)
{
	char how[256];
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	fputs("{\"skua_bench_profile\":1,\"command\":", f);
	skb_json_write_str(f, cmd);
	fprintf(f, ",\"exit_code\":%d,\"ended\":", skb_child_exit_code(c));
	skb_json_write_str(f, skb_child_describe(c, how, sizeof how));
	fprintf(f, ",\"wall_s\":%.6f,\"sites\":[", c->wall_s);
	for (size_t i = 0; i < p->nsites; i++) {
		const skb_advice *a = NULL;
		for (size_t k = 0; k < nadv; k++)
			if (adv[k].site == &p->sites[i])
				a = &adv[k];
		if (i > 0)
			fputc(',', f);
		site_json(f, &p->sites[i], a);
	}
	fputs("],\"pools\":[", f);
	for (size_t i = 0; i < p->npools; i++) {
		if (i > 0)
			fputc(',', f);
		skb_json_write(f, p->pools[i]);
	}
	fputs("]}\n", f);
	int rc = ferror(f) ? -1 : 0;
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "skua-bench profile: error writing %s\n", path);
		return -1;
	}
	return 0;
}

int skb_profile_report(const char *cmd, const skb_child *c,
    const skb_profile *p, const char *json)
{
	char how[256];
	int code = skb_child_exit_code(c);

	fflush(stdout);
	printf("\nskua-bench profile: %s\n  the program %s after %.3f s; %zu "
	    "pool%s seen\n", cmd, skb_child_describe(c, how, sizeof how),
	    c->wall_s, p->npools, p->npools == 1 ? "" : "s");
	if (p->npools == 0) {
		fprintf(stderr, "skua-bench profile: no skua pools seen: %s "
		    "created no skua pool (is it linked with skua, and does "
		    "it create a pool?)\n", cmd);
		if (json != NULL)
			json_write(json, cmd, c, p, NULL, 0);
		return code != 0 ? code : 1;
	}
	if (p->bad_lines != 0)
		printf("  (%zu lines of the profile file were not a profile)\n",
		    p->bad_lines);
	printf("\n");
	if (p->nsites == 0)
		printf("No parallel loops ran.\n");
	else
		site_table(p);
	pool_tables(p);
	skb_advice *adv;
	size_t nadv = advice_print(p, &adv);
	int wrc = json != NULL ? json_write(json, cmd, c, p, adv, nadv) : 0;
	free(adv);
	if (wrc != 0)
		return code != 0 ? code : 1;
	if (code != 0)
		fprintf(stderr, "skua-bench profile: %s %s\n", cmd,
		    skb_child_describe(c, how, sizeof how));
	return code;
}
