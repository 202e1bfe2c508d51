/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tune.c - `skua-bench tune --site NAME [--site ...] --
 * ./app [args]`: one profiled run to see each site's range, then the
 * program rerun with SKUA_CHUNK_SIZE_<SITE> at auto and at powers of two
 * across that range, each value repeated and timed as a whole process (or
 * by the program's own `skua-metric: <number>` line), interleaved so that
 * a slow spell of the machine hits every value alike.  A best value is
 * named only when its spread clears auto's; the end is the line to paste.
 */
#define _GNU_SOURCE
#include "profile.h"
#include "tune.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: skua-bench tune --site NAME [--site NAME ...] [options] "
	    "[--] PROGRAM [ARGS...]\n"
	    "  --values A,B,...  the chunk sizes to try (default: powers of two\n"
	    "                    across the range the profile run saw)\n"
	    "  --max-values N    at most N of them per site (default 8)\n"
	    "  --repeat N        runs per value (default 5; at least 3)\n"
	    "  --budget SECONDS  fewer runs when the plan would take longer\n"
	    "                    (default 55)\n"
	    "  --higher-is-better  the program's skua-metric is a rate\n"
	    "  --plot FILE.svg   time against chunk size, a curve per site\n"
	    "  --json FILE       every run's figure (skua-bench plot FILE\n"
	    "                    OUT.svg redraws the chart from it)\n"
	    "  A program that prints a line `skua-metric: <number>` is judged\n"
	    "  by its last such number instead of its wall time.\n");
}

static int parse_values(const char *s, tune_site *t)
{
	char *copy = strdup(s), *save, *tok;
	int rc = 0;
	if (copy == NULL)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ",", &save)) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(tok, &end, 10);
		if (*end != '\0' || v == 0 || errno != 0 || tok[0] == '-' ||
		    t->nvalues == TUNE_VALUES_MAX)
			rc = -1;
		else
			t->values[t->nvalues++] = v;
	}
	free(copy);
	return rc;
}

static int parse_args(int argc, char **argv, tune_plan *pl)
{
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(a, "--higher-is-better") == 0) {
			pl->higher_better = true;
			continue;
		}
		if (a[0] != '-')
			return i;
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(a, "--site") == 0 && pl->nsites < TUNE_SITES_MAX)
			snprintf(pl->sites[pl->nsites++].name,
			    sizeof pl->sites[0].name, "%s", v);
		else if (strcmp(a, "--values") == 0)
			continue; /* parsed by skb_tune_main, per site */
		else if (strcmp(a, "--max-values") == 0)
			pl->max_values = atoi(v);
		else if (strcmp(a, "--repeat") == 0)
			pl->repeat = atoi(v);
		else if (strcmp(a, "--budget") == 0)
			pl->budget_s = atof(v);
		else if (strcmp(a, "--plot") == 0)
			pl->plot = v;
		else if (strcmp(a, "--json") == 0)
			pl->json = v;
		else
			return -1;
	}
	return -1;
}

int skb_tune_main(int argc, char **argv)
{
	tune_plan pl = { .max_values = 8, .repeat = 5, .budget_s = 55 };
	const char *values = NULL;
	for (int i = 1; i + 1 < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--values") == 0)
			values = argv[i + 1];
	int first = parse_args(argc, argv, &pl);
	if (first < 0 || pl.nsites == 0 || pl.repeat < 3 ||
	    pl.max_values < 1 || !(pl.budget_s > 0)) {
		fprintf(stderr, "skua-bench tune: %s\n", first < 0 ?
		    "bad arguments or no program" : pl.nsites == 0 ?
		    "give at least one --site NAME" :
		    "--repeat needs 3 or more, --max-values and --budget "
		    "more than 0");
		usage(stderr);
		return 2;
	}
	for (int s = 0; values != NULL && s < pl.nsites; s++)
		if (parse_values(values, &pl.sites[s]) != 0) {
			fprintf(stderr, "skua-bench tune: --values wants "
			    "positive integers, at most %d\n", TUNE_VALUES_MAX);
			return 2;
		}
	pl.prog = argv + first;
	int rc = tune_profile(&pl);
	if (rc != 0)
		return rc;
	tune_budget(&pl);
	if ((rc = tune_runs(&pl)) == 0) {
		tune_report(&pl);
		if ((pl.plot != NULL && tune_plot(&pl, pl.plot) != 0) ||
		    (pl.json != NULL && tune_json(&pl, pl.json) != 0))
			rc = 1;
	}
	tune_free(&pl);
	return rc;
}
