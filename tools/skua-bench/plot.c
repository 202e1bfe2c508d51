/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/plot.c - charts from JSON documents (plot.h): the
 * speedup chart (speedup against workers, a line per workload and runner,
 * dashed for the peers, over the ideal) and the chunk chart (median time
 * against chunk size, min..max bars, auto as a dashed line) of a run's
 * results, and tune's chart (each site's figure against its chunk size,
 * the same way), filled into chart.h's description and drawn by its one
 * renderer; and `skua-bench plot`, which redraws them from a saved file.
 */
#include "plot.h"
#include "chart.h"

#include <errno.h>
#include <sys/stat.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A number member; NAN when it is missing or null. */
static double num(const skb_json *v, const char *key)
{
	return skb_json_num(v, key, NAN);
}

static const skb_json *array(const skb_json *v, const char *key)
{
	const skb_json *a = skb_json_get(v, key);
	return a != NULL && a->type == SKB_JARR ? a : NULL;
}

/* A result of the chunk sweep: its chunk is "auto" or a number. */
static bool is_sweep(const skb_json *r)
{
	const skb_json *c = skb_json_get(r, "chunk");
	return c != NULL && c->type != SKB_JNULL;
}

static bool same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static skb_chart_series *series_named(skb_chart *c, const char *label)
{
	for (int k = 0; k < c->nseries; k++)
		if (strcmp(c->series[k].label, label) == 0)
			return &c->series[k];
	return NULL;
}

/* ---- a run's results ----------------------------------------------- */

static void speedup_axes(skb_chart *c)
{
	skb_chart_init(c, "speedup", "Speedup over serial C");
	snprintf(c->x.label, sizeof c->x.label, "workers");
	c->x.integer = true;
	snprintf(c->y.label, sizeof c->y.label,
	    "speedup (serial median / median)");
	c->y.from_zero = true;
	snprintf(c->note, sizeof c->note, "no speedup figures in this run");
}

/* A line per (workload, runner): skua's first, then OpenMP's and TBB's
 * (dashed), in the order of the results. */
static int speedup_chart(const skb_json *doc, skb_chart *c)
{
	static const char *const runners[] = { "skua", "openmp", "tbb" };
	const skb_json *res = array(doc, "results");
	double maxw = 0;
	speedup_axes(c);
	skb_chart_series *ideal = skb_chart_add_series(c,
	    "ideal: speedup = workers", -1, true);
	ideal->marks = false;
	for (size_t k = 0; k < 3 && res != NULL; k++)
		for (size_t i = 0; i < res->n; i++) {
			const skb_json *r = res->items[i];
			const char *wl = skb_json_str(r, "workload");
			double w = num(r, "workers"), sp = num(r, "speedup");
			char label[160];
			if (wl == NULL || is_sweep(r) || !(w >= 1) ||
			    !isfinite(sp) || !same(skb_json_str(r, "runner"),
			    runners[k]))
				continue;
			snprintf(label, sizeof label, "%s (%s)", wl,
			    runners[k]);
			skb_chart_series *s = series_named(c, label);
			if (s == NULL)
				s = skb_chart_add_series(c, label,
				    c->nseries - 1, k > 0);
			if (s == NULL)
				continue; /* more lines than colours and room */
			if (skb_chart_add_point(s, w, sp, NAN, NAN) != 0)
				return -1;
			maxw = fmax(maxw, w);
		}
	if (c->nseries == 1) {
		c->nseries = 0; /* the ideal alone: the note instead */
		return 0;
	}
	if (skb_chart_add_point(ideal, 1, 1, NAN, NAN) != 0 ||
	    skb_chart_add_point(ideal, maxw, maxw, NAN, NAN) != 0)
		return -1;
	return 0;
}

/* One sweep's points, in ms; auto's median is the reference line. */
static int sweep_points(const skb_json *res, const char *wl,
    skb_chart_series *s)
{
	for (size_t i = 0; res != NULL && i < res->n; i++) {
		const skb_json *r = res->items[i];
		const skb_json *ch = skb_json_get(r, "chunk");
		double ms = num(r, "median_s") * 1e3;
		if (!is_sweep(r) || !same(skb_json_str(r, "workload"), wl))
			continue;
		if (ch->type == SKB_JSTR && strcmp(ch->str, "auto") == 0)
			s->ref = ms;
		else if (ch->type == SKB_JNUM && skb_chart_add_point(s, ch->num,
		    ms, num(r, "min_s") * 1e3, num(r, "max_s") * 1e3) != 0)
			return -1;
	}
	return 0;
}

/* A curve per swept workload, named with its best point. */
static int chunk_chart(const skb_json *doc, skb_chart *c)
{
	const skb_json *res = array(doc, "results");
	const skb_json *best = array(doc, "sweep_best");
	skb_chart_init(c, "chunks", "Time versus chunk size");
	snprintf(c->x.label, sizeof c->x.label,
	    "chunk size (elements, log scale); dashed: auto");
	c->x.scale = SKB_CHART_LOG2;
	snprintf(c->y.label, sizeof c->y.label,
	    "median time (ms, log scale; bars: min..max)");
	c->y.scale = SKB_CHART_LOG10;
	snprintf(c->note, sizeof c->note,
	    "no chunk sweep in this run (--sweep-chunks)");
	for (size_t b = 0; best != NULL && b < best->n; b++) {
		const skb_json *x = best->items[b];
		const skb_json *ch = skb_json_get(x, "chunk");
		const char *wl = skb_json_str(x, "workload");
		char label[160], chunk[32];
		if (wl == NULL)
			continue;
		if (ch != NULL && ch->type == SKB_JNUM)
			snprintf(chunk, sizeof chunk, "%" PRIu64, ch->u);
		else
			snprintf(chunk, sizeof chunk, "auto");
		snprintf(label, sizeof label, "%s %" PRIu64 ", %" PRIu64
		    " workers (best: %s)", wl, skb_json_u64(x, "size", 0),
		    skb_json_u64(x, "workers", 0), chunk);
		skb_chart_series *s = skb_chart_add_series(c, label, c->nseries,
		    false);
		if (s == NULL || sweep_points(res, wl, s) != 0)
			return s == NULL ? 0 : -1;
	}
	return 0;
}

/* ---- tune's ---------------------------------------------------------- */

/* A curve per site: its figure at each value, auto as the dashed line. */
static int tune_chart(const skb_json *doc, skb_chart *c)
{
	bool metric = same(skb_json_str(doc, "figure"), "skua-metric");
	const skb_json *sites = array(doc, "sites");
	char title[160];
	snprintf(title, sizeof title, "skua-bench tune: %s against chunk size",
	    metric ? "skua-metric" : "wall time");
	skb_chart_init(c, "tune", title);
	c->w = 560;
	c->h = 320;
	snprintf(c->x.label, sizeof c->x.label, "SKUA_CHUNK_SIZE_<SITE> "
	    "(elements, log scale); dashed: auto");
	c->x.scale = SKB_CHART_LOG2;
	snprintf(c->y.label, sizeof c->y.label, "%s, median of %" PRIu64
	    " (bars: min..max)", metric ? "skua-metric" : "wall time, s",
	    skb_json_u64(doc, "repeat", 0));
	snprintf(c->note, sizeof c->note, "no sites in this file");
	for (size_t k = 0; sites != NULL && k < sites->n; k++) {
		const skb_json *st = sites->items[k];
		const skb_json *vals = array(st, "values");
		const char *name = skb_json_str(st, "site");
		skb_chart_series *s = skb_chart_add_series(c, name != NULL ?
		    name : "?", c->nseries, false);
		for (size_t i = 0; s != NULL && vals != NULL && i < vals->n;
		    i++) {
			const skb_json *v = vals->items[i];
			const char *val = skb_json_str(v, "value");
			char *end;
			double x = val != NULL ? strtod(val, &end) : NAN;
			if (same(val, "auto"))
				s->ref = num(v, "median");
			else if (val != NULL && end != val && *end == '\0' &&
			    skb_chart_add_point(s, x, num(v, "median"),
			    num(v, "min"), num(v, "max")) != 0)
				return -1;
		}
	}
	return 0;
}

/* ---- drawing --------------------------------------------------------- */

static int write_svg(const char *path, const char *title,
    const skb_chart *charts, int n)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	int rc = skb_chart_svg(f, title, charts, n);
	if (fclose(f) != 0 || rc != 0) {
		fprintf(stderr, "skua-bench: error writing %s\n", path);
		return -1;
	}
	return 0;
}

int skb_plot_doc(const skb_json *doc, const char *src, const char *path)
{
	skb_chart charts[2];
	char title[400];
	const skb_json *m = skb_json_get(doc, "machine");
	int n = 0, rc = -1;

	skb_chart_init(&charts[0], "", "");
	skb_chart_init(&charts[1], "", "");
	if (skb_json_u64(doc, "skua_bench_tune", 0) == 1) {
		n = 1;
		rc = tune_chart(doc, &charts[0]);
	} else if (same(skb_json_str(doc, "tool"), "skua-bench") &&
	    array(doc, "results") != NULL) {
		n = 2;
		rc = speedup_chart(doc, &charts[0]);
		if (rc == 0)
			rc = chunk_chart(doc, &charts[1]);
		const char *cpu = skb_json_str(m, "cpu");
		const char *ver = skb_json_str(doc, "version");
		const char *date = skb_json_str(doc, "date");
		snprintf(title, sizeof title, "skua-bench %s - %s, %" PRIu64
		    " CPUs, %s", ver ? ver : "?", cpu ? cpu : "?",
		    skb_json_u64(m, "cpus", 0), date ? date : "?");
	} else {
		fprintf(stderr, "skua-bench: %s is not a skua-bench --json "
		    "document (a run's results or tune's)\n", src);
	}
	if (rc != 0 && n > 0)
		fprintf(stderr, "skua-bench: out of memory drawing %s\n", src);
	if (rc == 0)
		rc = write_svg(path, n == 2 ? title : NULL, charts, n);
	skb_chart_free(&charts[0]);
	skb_chart_free(&charts[1]);
	return rc;
}

int skb_plot_text(const char *json, const char *src, const char *path)
{
	const char *err = NULL;
	skb_json *doc = skb_json_parse(json, &err);
	if (doc == NULL) {
		fprintf(stderr, "skua-bench: %s: not JSON: %s\n", src,
		    err != NULL ? err : "?");
		return -1;
	}
	int rc = skb_plot_doc(doc, src, path);
	skb_json_free(doc);
	return rc;
}

int skb_plot_emitted(void (*emit)(FILE *f, const void *arg), const void *arg,
    const char *src, const char *path)
{
	char *doc = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&doc, &len);
	if (f == NULL) {
		perror("open_memstream");
		return -1;
	}
	emit(f, arg);
	if (fclose(f) != 0) {
		perror("open_memstream");
		free(doc);
		return -1;
	}
	int rc = skb_plot_text(doc, src, path);
	free(doc);
	return rc;
}

/* The whole file, NUL-terminated; NULL with errno set (EISDIR for a
 * directory, which fopen opens and fread fails on with EIO). */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	if (f != NULL && fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		errno = EISDIR;
		return NULL;
	}
	size_t n = 0, cap = 1 << 16;
	char *buf = f != NULL ? malloc(cap) : NULL;
	while (buf != NULL) {
		if (n + 1 == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (bigger == NULL) {
				free(buf);
				buf = NULL;
				errno = ENOMEM;
				break;
			}
			buf = bigger;
		}
		size_t k = fread(buf + n, 1, cap - n - 1, f);
		n += k;
		if (k == 0)
			break;
	}
	if (buf != NULL && ferror(f)) {
		free(buf);
		buf = NULL;
		errno = EIO;
	}
	if (buf != NULL)
		buf[n] = '\0';
	if (f != NULL)
		fclose(f);
	return buf;
}

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: skua-bench plot IN.json OUT.svg\n"
	    "  Redraw the charts of a saved --json file as SVG: a run's\n"
	    "  (skua-bench --json: the speedup and chunk charts of --plot) or\n"
	    "  tune's (skua-bench tune --json: the chart of tune --plot).\n");
}

int skb_plot_main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		fprintf(stderr, "skua-bench plot: expected IN.json OUT.svg\n");
		usage(stderr);
		return 2;
	}
	char *text = read_file(argv[1]);
	if (text == NULL) {
		fprintf(stderr, "skua-bench plot: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	int rc = skb_plot_text(text, argv[1], argv[2]);
	free(text);
	return rc == 0 ? 0 : 1;
}
