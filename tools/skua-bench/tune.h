/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tune.h - `skua-bench tune`'s plan and results, shared by
 * tune.c (arguments), tune_run.c (the runs and the report) and
 * tune_emit.c (the JSON and, drawn from it, the SVG).
 */
#ifndef SKB_TUNE_H
#define SKB_TUNE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define TUNE_SITES_MAX 8
#define TUNE_VALUES_MAX 32 /* besides auto */

/* One site: its values (index 0 of the results is auto, k + 1 is
 * values[k]) and each one's figures. */
typedef struct tune_site {
	char name[72];
	char env[128];                 /* SKUA_CHUNK_SIZE_<SITE> */
	uint64_t values[TUNE_VALUES_MAX];
	int nvalues;
	double *t[TUNE_VALUES_MAX + 1]; /* the runs' figures */
	int nt[TUNE_VALUES_MAX + 1];
	double med[TUNE_VALUES_MAX + 1], lo[TUNE_VALUES_MAX + 1],
	    hi[TUNE_VALUES_MAX + 1];
	int best;                      /* an index of the results */
	bool noise;                    /* best does not clear auto */
	double speedup;                /* auto's median over best's */
} tune_site;

typedef struct tune_plan {
	tune_site sites[TUNE_SITES_MAX];
	int nsites;
	int max_values, repeat;
	double budget_s;
	bool higher_better;           /* a skua-metric that is a rate */
	const char *plot, *json;
	const char *values;           /* --values, for every site */
	char *const *prog;
	double t_run;                 /* the profile run's wall time */
	bool metric;                  /* figures are skua-metric values */
	int total_runs;
} tune_plan;

int tune_profile(tune_plan *pl);       /* the profile run; the values */
void tune_budget(tune_plan *pl);       /* fit the plan into the budget */
int tune_runs(tune_plan *pl);          /* 0, or the failing exit status */
void tune_report(tune_plan *pl);
/* "auto" for result index 0, else the value of index i. */
const char *tune_value_name(const tune_site *t, int i, char *buf,
    size_t len);
int tune_json(const tune_plan *pl, const char *path);  /* tune_emit.c */
int tune_plot(const tune_plan *pl, const char *path);  /* from the JSON */
void tune_free(tune_plan *pl);         /* the runs' figures */

#endif
