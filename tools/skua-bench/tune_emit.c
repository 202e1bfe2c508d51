/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tune_emit.c - `skua-bench tune`'s outputs beside its
 * report: the JSON document of --json (each value's median, min..max and
 * every run's figure), and --plot's chart, drawn from that same document
 * by plot.c (as `skua-bench plot tune.json tune.svg` redraws it).
 */
#define _GNU_SOURCE
#include "json.h"
#include "plot.h"
#include "tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A number in format fmt; null when it is not finite (a median of no
 * runs, a speedup over a zero median), as emit.c's json_num. */
static void json_num(FILE *f, const char *fmt, double v)
{
	if (isfinite(v))
		fprintf(f, fmt, v);
	else
		fputs("null", f);
}

static void json_value(FILE *f, const tune_site *t, int i)
{
	char v[32];
	fprintf(f, "%s{\"value\":\"%s\",\"median\":", i ? "," : "",
	    tune_value_name(t, i, v, sizeof v));
	json_num(f, "%.6g", t->med[i]);
	fputs(",\"min\":", f);
	json_num(f, "%.6g", t->lo[i]);
	fputs(",\"max\":", f);
	json_num(f, "%.6g", t->hi[i]);
	fputs(",\"runs\":[", f);
	for (int k = 0; k < t->nt[i]; k++) {
		if (k)
			fputc(',', f);
		json_num(f, "%.6g", t->t[i][k]);
	}
	fputs("]}", f);
}

static void json_doc(FILE *f, const tune_plan *pl)
{
	char v[32];
	fprintf(f, "{\"skua_bench_tune\":1,\"figure\":\"%s\",\"repeat\":%d,"
	    "\"sites\":[", pl->metric ? "skua-metric" : "wall_s", pl->repeat);
	for (int s = 0; s < pl->nsites; s++) {
		const tune_site *t = &pl->sites[s];
		fprintf(f, "%s{\"site\":", s ? "," : "");
		skb_json_write_str(f, t->name);
		fprintf(f, ",\"env\":\"%s\",\"best\":\"%s\",\"noise\":%s,"
		    "\"speedup\":", t->env,
		    tune_value_name(t, t->best, v, sizeof v),
		    t->noise ? "true" : "false");
		json_num(f, "%.4f", t->speedup);
		fputs(",\"values\":[", f);
		for (int i = 0; i <= t->nvalues; i++)
			json_value(f, t, i);
		fputs("]}", f);
	}
	fputs("]}\n", f);
}

int tune_json(const tune_plan *pl, const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	json_doc(f, pl);
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void json_doc_of(FILE *f, const void *pl)
{
	json_doc(f, pl);
}

int tune_plot(const tune_plan *pl, const char *path)
{
	return skb_plot_emitted(json_doc_of, pl, "tune's JSON", path);
}
