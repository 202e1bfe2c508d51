/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/emit.c - one result model, three renderings: the table
 * on stdout, JSON and CSV, all three driven by one table of the result's
 * fields (key, type, where it goes, how the table shows it), so that a new
 * figure is one line.  --plot draws the JSON document: the charts are
 * plot.c's, from the same text as --json writes.
 */
#include "bench.h"
#include "json.h"
#include "plot.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

const char *skb_chunk_str(long chunk, char *buf, size_t len)
{
	if (chunk < 0)
		snprintf(buf, len, "-");
	else if (chunk == 0)
		snprintf(buf, len, "auto");
	else
		snprintf(buf, len, "%ld", chunk);
	return buf;
}

static void time_str(double s, char *buf, size_t len)
{
	if (s >= 1)
		snprintf(buf, len, "%.3f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f us", s * 1e6);
}

/* ---- the result fields: one table for the text table, JSON, CSV --- */

enum fkind { FK_STR, FK_RUNNER, FK_LONG, FK_UINT, FK_INT, FK_CHUNK, FK_NUM,
	FK_BOOL, FK_TIMES };
/* Where a field goes and when it exists: a field that does not exist is
 * left out of JSON, empty in CSV and "-" in the table. */
enum { IN_JSON = 1, IN_CSV = 2, BOTH = 3, IF_STATS = 4, IF_GBPS = 8,
	NEG_NULL = 16 /* a negative value means unknown: null */ };
/* How the text table shows it. */
enum tkind { TK_NONE, TK_LEFT, TK_RIGHT, TK_TIME, TK_X, TK_PCT0, TK_PCT1,
	TK_COUNT };

struct field {
	const char *key;    /* JSON key and CSV column */
	enum fkind kind;
	size_t off;         /* in skb_result */
	unsigned flags;
	const char *fmt;    /* CSV's printf format for FK_NUM */
	const char *col;    /* the text table's heading; NULL: not shown */
	int width;
	enum tkind tk;
};

#define F(key, kind, member, flags, fmt, col, width, tk) \
	{ key, kind, offsetof(skb_result, member), flags, fmt, col, width, tk }
static const struct field fields[] = {
	F("workload", FK_STR, workload, BOTH, NULL, "workload", 13, TK_LEFT),
	F("size", FK_LONG, size, BOTH, NULL, "size", 9, TK_RIGHT),
	F("runner", FK_RUNNER, runner, BOTH, NULL, "runner", 7, TK_LEFT),
	F("workers", FK_UINT, workers, BOTH, NULL, "wkrs", 4, TK_RIGHT),
	F("chunk", FK_CHUNK, chunk, BOTH, NULL, "chunk", 6, TK_RIGHT),
	F("runs", FK_INT, runs, BOTH, NULL, NULL, 0, TK_NONE),
	F("median_s", FK_NUM, median, BOTH, "%.9g", "median", 11, TK_TIME),
	F("min_s", FK_NUM, min, BOTH, "%.9g", "min", 11, TK_TIME),
	F("max_s", FK_NUM, max, BOTH, "%.9g", "max", 11, TK_TIME),
	F("times_s", FK_TIMES, times, IN_JSON, NULL, NULL, 0, TK_NONE),
	F("speedup", FK_NUM, speedup, BOTH, "%.6g", "speedup", 8, TK_X),
	F("efficiency", FK_NUM, efficiency, BOTH, "%.6g", "effic", 6,
	    TK_PCT0),
	F("gb_per_s", FK_NUM, gbps, BOTH | IF_GBPS, "%.6g", NULL, 0, TK_NONE),
	F("spread", FK_NUM, noise.spread, IN_JSON, NULL, NULL, 0, TK_NONE),
	F("busy_share", FK_NUM, noise.busy, IN_JSON | NEG_NULL, NULL, NULL, 0,
	    TK_NONE),
	F("noisy", FK_BOOL, noise.noisy, IN_JSON, NULL, NULL, 0, TK_NONE),
	F("steals_per_run", FK_NUM, steals, BOTH | IF_STATS, "%.6g",
	    "steals/run", 10, TK_COUNT),
	F("steal_attempts_per_run", FK_NUM, steal_attempts, BOTH | IF_STATS,
	    "%.6g", NULL, 0, TK_NONE),
	F("steal_success", FK_NUM, steal_success, BOTH | IF_STATS, "%.6g",
	    "steal%", 6, TK_PCT1),
	F("idle_share", FK_NUM, idle_share, BOTH | IF_STATS, "%.6g", "idle%",
	    6, TK_PCT1),
	F("join_wait_share", FK_NUM, wait_share, BOTH | IF_STATS, "%.6g",
	    "wait%", 6, TK_PCT1),
	F("answer", FK_LONG, answer, BOTH, NULL, NULL, 0, TK_NONE),
	F("correct", FK_BOOL, correct, BOTH, NULL, NULL, 0, TK_NONE),
};
#undef F
#define NFIELDS (sizeof fields / sizeof fields[0])

/* A field's value in x: one of these is set, by its kind. */
struct val {
	const char *s;
	long l;
	double d;
	bool b;
	bool exists;
};

static struct val field_val(const struct field *fd, const skb_result *x)
{
	const char *p = (const char *)x + fd->off;
	struct val v = { .exists = true };
	switch (fd->kind) {
	case FK_STR: v.s = *(const char *const *)p; break;
	case FK_RUNNER: v.s = skb_runner_name(*(const enum skb_runner *)p); break;
	case FK_LONG: case FK_CHUNK: v.l = *(const long *)p; break;
	case FK_UINT: v.l = *(const unsigned *)p; break;
	case FK_INT: v.l = *(const int *)p; break;
	case FK_NUM: v.d = *(const double *)p; break;
	case FK_BOOL: v.b = *(const bool *)p; break;
	case FK_TIMES: break;
	}
	if ((fd->flags & IF_STATS) && !x->has_stats)
		v.exists = false;
	if ((fd->flags & IF_GBPS) && !(x->gbps > 0))
		v.exists = false;
	if ((fd->flags & NEG_NULL) && v.d < 0)
		v.d = NAN;
	return v;
}

/* The table's cell of a field. */
static void text_cell(const struct field *fd, const skb_result *x,
    char *buf, size_t len)
{
	struct val v = field_val(fd, x);
	if (!v.exists) {
		snprintf(buf, len, "-");
		return;
	}
	switch (fd->tk) {
	case TK_TIME: time_str(v.d, buf, len); break;
	case TK_X: snprintf(buf, len, "%.2fx", v.d); break;
	case TK_PCT0: snprintf(buf, len, "%.0f%%", v.d * 100); break;
	case TK_PCT1: snprintf(buf, len, "%.1f%%", v.d * 100); break;
	case TK_COUNT: snprintf(buf, len, "%.0f", v.d); break;
	default:
		if (fd->kind == FK_CHUNK)
			skb_chunk_str(v.l, buf, len);
		else if (v.s != NULL)
			snprintf(buf, len, "%s", v.s);
		else
			snprintf(buf, len, "%ld", v.l);
	}
}

void skb_print_table(FILE *f, const skb_run *r)
{
	char cell[32], why[64];
	int noisy = 0;
	const char *sep = "";

	fprintf(f, "\n");
	for (size_t k = 0; k < NFIELDS; k++) {
		if (fields[k].col == NULL)
			continue;
		fprintf(f, fields[k].tk == TK_LEFT ? "%s%-*s" : "%s%*s", sep,
		    fields[k].width, fields[k].col);
		sep = " ";
	}
	fprintf(f, "\n");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		sep = "";
		for (size_t k = 0; k < NFIELDS; k++) {
			if (fields[k].col == NULL)
				continue;
			text_cell(&fields[k], x, cell, sizeof cell);
			fprintf(f, fields[k].tk == TK_LEFT ? "%s%-*s" : "%s%*s",
			    sep, fields[k].width, cell);
			sep = " ";
		}
		if (x->gbps > 0)
			fprintf(f, "  %.1f GB/s", x->gbps);
		if (x->noise.noisy) {
			fprintf(f, "  %s", skb_noise_why(&x->noise, why,
			    sizeof why));
			noisy++;
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\nspeedup = serial median / median; effic = speedup / "
	    "workers; steal%% = steals / steal attempts;\nidle%% = worker "
	    "time spent looking for work or asleep; wait%% = worker time in "
	    "a join\nwaiting for a stolen child, running nothing.  Every "
	    "answer was checked.\n");
	if (noisy > 0)
		fprintf(f, "noisy: rerun = %d figure%s not to trust: its runs "
		    "spread over 10%% of the median, or the\nmachine was busy "
		    "(the threads waited for a CPU over 5%% of the time).\n",
		    noisy, noisy == 1 ? "" : "s");
}

static const skb_result *find(const skb_run *r, const char *wl,
    enum skb_runner rn, unsigned workers)
{
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->runner == rn && x->workers == workers && x->chunk < 0 &&
		    strcmp(x->workload, wl) == 0)
			return x;
	}
	return NULL;
}

void skb_print_compare(FILE *f, const skb_run *r)
{
	bool any = false;
	fprintf(f, "\n%-13s %4s %11s %11s %11s %11s %11s\n", "workload",
	    "wkrs", "skua", "openmp", "skua/omp", "tbb", "skua/tbb");
	for (int i = 0; i < r->nresults; i++) {
		const skb_result *x = &r->results[i];
		if (x->runner != SKB_SKUA || x->chunk >= 0)
			continue;
		const skb_result *o = find(r, x->workload, SKB_OPENMP,
		    x->workers);
		const skb_result *t = find(r, x->workload, SKB_TBB, x->workers);
		if (o == NULL && t == NULL)
			continue;
		char a[24], b[24], c[24];
		time_str(x->median, a, sizeof a);
		if (o != NULL)
			time_str(o->median, b, sizeof b);
		else
			snprintf(b, sizeof b, "-");
		if (t != NULL)
			time_str(t->median, c, sizeof c);
		else
			snprintf(c, sizeof c, "-");
		fprintf(f, "%-13s %4u %11s %11s", x->workload, x->workers, a, b);
		if (o != NULL)
			fprintf(f, " %10.3fx", x->median / o->median);
		else
			fprintf(f, " %11s", "-");
		fprintf(f, " %11s", c);
		if (t != NULL)
			fprintf(f, " %10.3fx", x->median / t->median);
		else
			fprintf(f, " %11s", "-");
		/* A ratio is as good as the worse of its two figures. */
		const skb_result *bad = x->noise.noisy ? x : o != NULL &&
		    o->noise.noisy ? o : t != NULL && t->noise.noisy ? t : NULL;
		if (bad != NULL) {
			char why[64];
			fprintf(f, "  %s (%s)", skb_noise_why(&bad->noise, why,
			    sizeof why), skb_runner_name(bad->runner));
		}
		fprintf(f, "\n");
		any = true;
	}
	if (!any)
		fprintf(f, "(no peer was built: configure with OpenMP (gcc "
		    "-fopenmp) or oneTBB (libtbb-dev))\n");
	else
		fprintf(f, "ratio = skua median / peer median (below 1: skua "
		    "is faster)\n");
}

void skb_print_sweep(FILE *f, const skb_run *r)
{
	char ch[24], med[24];
	fprintf(f, "\nchunk sweep (median time at each chunk size):\n");
	for (int b = 0; b < r->nbest; b++) {
		fprintf(f, "  %s %ld, %u workers:", r->best[b].workload,
		    r->best[b].size, r->best[b].workers);
		for (int i = 0; i < r->nresults; i++) {
			const skb_result *x = &r->results[i];
			if (x->chunk < 0 || strcmp(x->workload,
			    r->best[b].workload) != 0)
				continue;
			time_str(x->median, med, sizeof med);
			fprintf(f, " %s:%s", skb_chunk_str(x->chunk, ch, sizeof ch),
			    med);
		}
		time_str(r->best[b].median, med, sizeof med);
		fprintf(f, "\n  best %s: chunk %s (%s); use:\n%s\n",
		    r->best[b].workload, skb_chunk_str(r->best[b].chunk, ch,
		    sizeof ch), med, r->best[b].env);
	}
}

/* ---- JSON ---------------------------------------------------------- */

/* A JSON string: json.c's writer, shared with profile and tune. */
#define json_str skb_json_write_str

/* JSON has no NaN or infinity. */
static void json_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.9g", v);
	else
		fprintf(f, "null");
}

/* , "key": value (a number; null when not finite, as json_num). */
static void json_kv(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	json_num(f, v);
}

/* One field as JSON: "key": value, after a comma unless it is first. */
static void json_field(FILE *f, const struct field *fd, const skb_result *x,
    bool first)
{
	struct val v = field_val(fd, x);
	fprintf(f, "%s\"%s\": ", first ? "" : ", ", fd->key);
	switch (fd->kind) {
	case FK_STR: case FK_RUNNER: json_str(f, v.s); break;
	case FK_CHUNK:
		if (v.l < 0)
			fprintf(f, "null");
		else if (v.l == 0)
			fprintf(f, "\"auto\"");
		else
			fprintf(f, "%ld", v.l);
		break;
	case FK_NUM: json_num(f, v.d); break;
	case FK_BOOL: fprintf(f, "%s", v.b ? "true" : "false"); break;
	case FK_TIMES:
		fprintf(f, "[");
		for (int k = 0; k < x->runs; k++) {
			fprintf(f, "%s", k ? ", " : "");
			json_num(f, x->times[k]);
		}
		fprintf(f, "]");
		break;
	default: fprintf(f, "%ld", v.l); break;
	}
}

static void json_result(FILE *f, const skb_result *x)
{
	bool first = true;
	for (size_t k = 0; k < NFIELDS; k++) {
		if (!(fields[k].flags & IN_JSON) ||
		    !field_val(&fields[k], x).exists)
			continue;
		json_field(f, &fields[k], x, first);
		first = false;
	}
}

/* One field as a CSV cell (empty when it does not exist). */
static void csv_field(FILE *f, const struct field *fd, const skb_result *x)
{
	struct val v = field_val(fd, x);
	char ch[24];
	if (!v.exists)
		return;
	switch (fd->kind) {
	case FK_STR: case FK_RUNNER: fprintf(f, "%s", v.s); break;
	case FK_CHUNK:
		if (v.l >= 0)
			fprintf(f, "%s", skb_chunk_str(v.l, ch, sizeof ch));
		break;
	case FK_NUM: fprintf(f, fd->fmt, v.d); break;
	case FK_BOOL: fprintf(f, "%s", v.b ? "true" : "false"); break;
	case FK_TIMES: break;
	default: fprintf(f, "%ld", v.l); break;
	}
}

/* The speed report's part of the JSON (--report). */
static void json_report(FILE *f, const skb_report *p)
{
	fprintf(f, ",\n  \"report\": {\"workers\": %u, \"kernels\": [",
	    p->workers);
	for (int i = 0; i < p->nlines; i++) {
		const skb_report_line *l = &p->lines[i];
		fprintf(f, "%s\n    {\"workload\": ", i ? "," : "");
		json_str(f, l->workload);
		fprintf(f, ", \"auto\": %s", l->is_auto ? "true" :
		    "false");
		fprintf(f, ", \"size\": %ld, \"forks\": %llu", l->size,
		    (unsigned long long)l->forks);
		json_kv(f, "serial_s", l->ts);
		json_kv(f, "t1_s", l->t1);
		json_kv(f, "t2_s", l->t2);
		json_kv(f, "t1_over_ts", l->t1 / l->ts);
		json_kv(f, "t2_over_ts", l->t2 / l->ts);
		json_kv(f, "ns_per_fork", l->fork_ns);
		json_kv(f, "goal_t1_over_ts", l->goal_t1);
		json_kv(f, "goal_t2_over_ts", l->goal_t2);
		fprintf(f, ", \"noisy_t1\": %s, \"noisy_t2\": %s}",
		    l->ns.noisy || l->n1.noisy ? "true" : "false",
		    l->ns.noisy || l->n2.noisy ? "true" : "false");
	}
	fprintf(f, "\n  ],\n  \"round_trip_warm_us\": {\"median\": ");
	json_num(f, p->warm_med_us);
	fprintf(f, ", \"p99\": ");
	json_num(f, p->warm_p99_us);
	fprintf(f, "},\n  \"round_trip_parked_us\": {\"median\": ");
	json_num(f, p->park_med_us);
	fprintf(f, ", \"p99\": ");
	json_num(f, p->park_p99_us);
	fprintf(f, ", \"samples\": %d, \"parked_samples\": %d},\n"
	    "  \"os_futex_wake_us\": {\"median\": ", p->park_samples,
	    p->parked_samples);
	json_num(f, p->os_wake_med_us);
	fprintf(f, ", \"p99\": ");
	json_num(f, p->os_wake_p99_us);
	fprintf(f, "},\n  \"os_futex_round_trip_us\": {\"median\": ");
	json_num(f, p->os_trip_med_us);
	fprintf(f, ", \"p99\": ");
	json_num(f, p->os_trip_p99_us);
	if (p->line_rt_med_us > 0) {
		fprintf(f, "},\n  \"cache_line_round_trip_us\": {\"median\": ");
		json_num(f, p->line_rt_med_us);
		fprintf(f, ", \"p99\": ");
		json_num(f, p->line_rt_p99_us);
	}
	fprintf(f, "},\n  \"idle_cpu_ms_per_s\": ");
	json_num(f, p->idle_cpu_ms_per_s);
	if (p->first_t1 > 0) {
		fprintf(f, ",\n  \"first_loop\": {\"chunks\": 2");
		json_kv(f, "chunk_ms", p->first_chunk_ms);
		json_kv(f, "t1_s", p->first_t1);
		json_kv(f, "t2_fresh_s", p->first_t2);
		json_kv(f, "t2_warm_s", p->first_warm2);
		json_kv(f, "t2_over_t1", p->first_t2 / p->first_t1);
		fprintf(f, "}");
	}
	fprintf(f, "}");
}

/* The run's document: what --json writes and --plot draws. */
static void json_doc(FILE *f, const skb_run *r)
{
	fprintf(f, "{\n  \"tool\": \"skua-bench\",\n  \"version\": ");
	json_str(f, SKUA_VERSION_STRING);
	fprintf(f, ",\n  \"date\": ");
	json_str(f, r->date);
	fprintf(f, ",\n  \"machine\": {\"cpu\": ");
	json_str(f, r->cpu_model);
	fprintf(f, ", \"cpus\": %u, \"kernel\": ", r->cpus);
	json_str(f, r->kernel);
	fprintf(f, ", \"compiler\": ");
	json_str(f, r->compiler);
	fprintf(f, "},\n  \"repeat\": %d,\n  \"warmup\": %d,\n  \"workers\": [",
	    r->repeat, r->warmup);
	for (int i = 0; i < r->nworkers; i++)
		fprintf(f, "%s%u", i ? ", " : "", r->workers[i]);
	fprintf(f, "],\n  \"peers\": {\"openmp\": %s, \"tbb\": %s},\n",
	    skb_omp_available() ? "true" : "false",
	    skb_tbb_available() ? "true" : "false");
	fprintf(f, "  \"results\": [");
	for (int i = 0; i < r->nresults; i++) {
		fprintf(f, "%s\n    {", i ? "," : "");
		json_result(f, &r->results[i]);
		fprintf(f, "}");
	}
	fprintf(f, "\n  ],\n  \"sweep_best\": [");
	for (int b = 0; b < r->nbest; b++) {
		fprintf(f, "%s\n    {\"workload\": ", b ? "," : "");
		json_str(f, r->best[b].workload);
		fprintf(f, ", \"size\": %ld, \"workers\": %u, \"chunk\": ",
		    r->best[b].size, r->best[b].workers);
		if (r->best[b].chunk == 0)
			fprintf(f, "\"auto\"");
		else
			fprintf(f, "%ld", r->best[b].chunk);
		fprintf(f, ", \"median_s\": ");
		json_num(f, r->best[b].median);
		fprintf(f, ", \"env\": ");
		json_str(f, r->best[b].env);
		fprintf(f, "}");
	}
	fprintf(f, "%s]", r->nbest ? "\n  " : "");
	if (r->report.present)
		json_report(f, &r->report);
	fprintf(f, "\n}\n");
}

int skb_write_json(const char *path, const skb_run *r)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	json_doc(f, r);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void json_doc_of(FILE *f, const void *r)
{
	json_doc(f, r);
}

/* --plot: the document in memory, drawn as `skua-bench plot` draws a
 * saved one. */
int skb_write_svg(const char *path, const skb_run *r)
{
	return skb_plot_emitted(json_doc_of, r, "the run's JSON", path);
}

/* ---- CSV ----------------------------------------------------------- */

int skb_write_csv(const char *path, const skb_run *r)
{
	FILE *f = fopen(path, "w");
	const char *sep = "";
	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (size_t k = 0; k < NFIELDS; k++)
		if (fields[k].flags & IN_CSV) {
			fprintf(f, "%s%s", sep, fields[k].key);
			sep = ",";
		}
	fprintf(f, "\n");
	for (int i = 0; i < r->nresults; i++) {
		sep = "";
		for (size_t k = 0; k < NFIELDS; k++) {
			if (!(fields[k].flags & IN_CSV))
				continue;
			fprintf(f, "%s", sep);
			csv_field(f, &fields[k], &r->results[i]);
			sep = ",";
		}
		fprintf(f, "\n");
	}
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

