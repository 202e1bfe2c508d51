/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/profile_write.c - a pool's profile as one line of JSON (the format is
 * lib/profile.md's): the pool, its workers' counters, and per site the
 * sums over the workers' cells and the merged histograms.
 */
#define _GNU_SOURCE /* dladdr */
#include "json_str.h"
#include "profile.h"
#include "pool_struct.h"
#include "worker.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

static const char *const src_names[SKUA__CHUNK_SRC_COUNT] = {
	[SKUA__CHUNK_AUTO] = "auto",
	[SKUA__CHUNK_DET_AUTO] = "deterministic-auto",
	[SKUA__CHUNK_OPTS] = "opts.chunk",
	[SKUA__CHUNK_ENV] = "SKUA_CHUNK_SIZE",
	[SKUA__CHUNK_ENV_SITE] = "SKUA_CHUNK_SIZE_<SITE>",
};

/* Bucket b's range [lo, hi): the inverse of skua__prof_bucket. */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *hi)
{
	if (b < 16) {
		*lo = b;
		*hi = b + 1;
		return;
	}
	unsigned e = 4 + (b - 16) / 4, sub = (b - 16) % 4;
	*lo = (uint64_t)(4 + sub) << (e - 2);
	*hi = e == 63 && sub == 3 ? UINT64_MAX : *lo + ((uint64_t)1 << (e - 2));
}

/* The merged histogram `elems` (or ns): [[lo, hi, count], ...]. */
static void hist_json(FILE *f, const struct skua__prof_site *s, bool elems)
{
	bool first = true;
	fputc('[', f);
	for (unsigned b = 0; b < SKUA__PROF_HIST; b++) {
		uint64_t n = 0, lo, hi;
		for (unsigned i = 0; i < s->ncells; i++)
			n += atomic_load_explicit(elems ?
			    &s->cells[i].elems_hist[b] : &s->cells[i].ns_hist[b],
			    memory_order_relaxed);
		if (n == 0)
			continue;
		bucket_range(b, &lo, &hi);
		fprintf(f, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]",
		    first ? "" : ",", lo, hi, n);
		first = false;
	}
	fputc(']', f);
}

#define LOAD(x) atomic_load_explicit(&(x), memory_order_relaxed)

/* Where the body lives: its object and offset, for addr2line. */
static void where_json(FILE *f, const void *fn)
{
	Dl_info info;
	fprintf(f, ",\"fn\":\"%p\"", fn);
	if (fn == NULL || dladdr(fn, &info) == 0)
		return;
	if (info.dli_fname != NULL) {
		fputs(",\"obj\":", f);
		skua__json_str(f, info.dli_fname);
		fprintf(f, ",\"off\":\"0x%" PRIxPTR "\"",
		    (uintptr_t)fn - (uintptr_t)info.dli_fbase);
	}
	if (info.dli_sname != NULL && info.dli_saddr == fn) {
		fputs(",\"sym\":", f);
		skua__json_str(f, info.dli_sname);
	}
}

static void site_json(FILE *f, const struct skua__prof_site *s)
{
	struct skua__site st = skua__site_get(s->id);
	uint64_t chunks = 0, elems = 0, ns = 0, splits = 0, steals = 0;
	uint64_t emin = UINT64_MAX, emax = 0;
	char label[SKUA_PAR_SITE_MAX + 32];

	for (unsigned i = 0; i < s->ncells; i++) {
		const struct skua__prof_cell *c = &s->cells[i];
		chunks += LOAD(c->chunks);
		elems += LOAD(c->elems);
		ns += LOAD(c->ns);
		splits += LOAD(c->splits);
		steals += LOAD(c->steals);
		uint64_t mn = LOAD(c->elems_min), mx = LOAD(c->elems_max);
		if (mn != 0 && mn < emin)
			emin = mn;
		if (mx > emax)
			emax = mx;
	}
	fputs("{\"name\":", f);
	if (st.name != NULL)
		skua__json_str(f, st.name);
	else
		fputs("null", f);
	fputs(",\"label\":", f);
	skua__json_str(f, skua__site_label(s->id, label, sizeof label));
	if (s->id == SKUA__SITE_OTHER)
		fputs(",\"overflow\":true", f); /* many sites, no name */
	else
		where_json(f, st.fn);
	fprintf(f, ",\"calls\":%" PRIu64 ",\"nested_calls\":%" PRIu64
	    ",\"elements\":%" PRIu64 ",\"chunks\":%" PRIu64
	    ",\"chunk_elements\":%" PRIu64 ",\"chunk_ns\":%" PRIu64
	    ",\"splits\":%" PRIu64 ",\"steals\":%" PRIu64
	    ",\"elems_min\":%" PRIu64 ",\"elems_max\":%" PRIu64
	    ",\"top_span_ns\":%" PRIu64 ",\"top_busy_ns\":%" PRIu64,
	    LOAD(s->calls), LOAD(s->nested_calls), LOAD(s->elements), chunks,
	    elems, ns, splits, steals, chunks != 0 ? emin : 0, emax,
	    LOAD(s->top_span_ns), LOAD(s->top_busy_ns));
	uint64_t cmin = LOAD(s->chunk_min), cmax = LOAD(s->chunk_max);
	fprintf(f, ",\"fixed_chunk_min\":%" PRIu64 ",\"fixed_chunk_max\":%"
	    PRIu64 ",\"sources\":{", cmin == UINT64_MAX ? 0 : cmin, cmax);
	bool first = true;
	for (int k = 0; k < SKUA__CHUNK_SRC_COUNT; k++) {
		uint32_t n = LOAD(s->src_calls[k]);
		if (n == 0)
			continue;
		fprintf(f, "%s\"%s\":%" PRIu32, first ? "" : ",", src_names[k],
		    n);
		first = false;
	}
	fputs("},\"elems_hist\":", f);
	hist_json(f, s, true);
	fputs(",\"ns_hist\":", f);
	hist_json(f, s, false);
	fputc('}', f);
}

static void workers_json(FILE *f, skua_pool *p)
{
	unsigned nw = atomic_load_explicit(&p->nvisible, memory_order_acquire);
	fputs(",\"workers_stats\":[", f);
	for (unsigned i = 0; i < nw; i++) {
		skua_worker *w = p->workers[i];
		/* skua_pool_stats' figures: idle_ns counts the stretch a
		 * worker is in (at exit, most of them are idle). */
		skua_worker_stats st;
		skua__worker_stats_load(w, &st);
		fprintf(f, "%s{\"worker\":%u,\"spare\":%s", i ? "," : "", i,
		    w->spare ? "true" : "false");
#define SKUA__PROF_STAT(name, column, unit, doc)                             \
		fprintf(f, ",\"" #name "\":%" PRIu64, st.name);
		SKUA_WORKER_STATS_FIELDS(SKUA__PROF_STAT)
#undef SKUA__PROF_STAT
		fprintf(f, ",\"idle_max_ns\":%" PRIu64 "}",
		    LOAD(w->idle_max_ns));
	}
	fputc(']', f);
}

void skua__profile_emit(FILE *f, struct skua__profile *pf, bool at_exit)
{
	skua_pool *p = pf->pool;
	fprintf(f, "{\"skua_profile\":1,\"version\":\"%s\",\"pid\":%ld,"
	    "\"pool\":%u,\"workers\":%u,\"max_blocking\":%u,"
	    "\"wall_ns\":%" PRIu64 ",\"at_exit\":%s,\"futures\":%" PRIu64
	    ",\"blocking\":%" PRIu64, skua_version(), (long)getpid(),
	    pf->number, p->n, p->max_blocking,
	    skua__now_ns() - pf->t_create, at_exit ? "true" : "false",
	    LOAD(pf->futures), LOAD(pf->blocking));
	workers_json(f, p);
	fputs(",\"sites\":[", f);
	bool first = true;
	for (unsigned i = 0; i < SKUA__SITES; i++) {
		const struct skua__prof_site *s = atomic_load_explicit(
		    &pf->sites[i], memory_order_acquire);
		if (s == NULL)
			continue;
		if (!first)
			fputc(',', f);
		site_json(f, s);
		first = false;
	}
	fputs("]}\n", f);
}
