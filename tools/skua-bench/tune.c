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
#include "util.h"

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
	    "  --quiet           no plan and progress lines on stderr\n"
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

/* A whole decimal integer in [lo, hi] (no "3x", no blanks). */
static bool strict_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

/* A whole finite number above 0 (no "10s"). */
static bool strict_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) ||
	    !(v > 0))
		return false;
	*out = v;
	return true;
}

/* Option a's value v into pl; false when a is unknown or v is bad (a
 * message said which). */
static bool one_option(const char *a, const char *v, tune_plan *pl)
{
	bool ok = true;
	if (strcmp(a, "--site") == 0) {
		if (pl->nsites == TUNE_SITES_MAX) {
			fprintf(stderr, "skua-bench tune: at most %d --site\n",
			    TUNE_SITES_MAX);
			return false;
		}
		snprintf(pl->sites[pl->nsites++].name,
		    sizeof pl->sites[0].name, "%s", v);
	} else if (strcmp(a, "--values") == 0)
		pl->values = v; /* parsed per site once all are known */
	else if (strcmp(a, "--max-values") == 0)
		ok = strict_int(v, 1, 100000, &pl->max_values);
	else if (strcmp(a, "--repeat") == 0)
		ok = strict_int(v, 3, 100000, &pl->repeat);
	else if (strcmp(a, "--budget") == 0)
		ok = strict_seconds(v, &pl->budget_s);
	else if (strcmp(a, "--plot") == 0)
		pl->plot = v;
	else if (strcmp(a, "--json") == 0)
		pl->json = v;
	else {
		fprintf(stderr, "skua-bench tune: unknown option %s\n", a);
		return false;
	}
	if (!ok)
		fprintf(stderr, "skua-bench tune: %s: '%s' is not %s\n", a, v,
		    strcmp(a, "--budget") == 0 ? "a number of seconds above 0" :
		    strcmp(a, "--repeat") == 0 ? "a whole number, 3 or more" :
		    "a whole number, 1 or more");
	return ok;
}

/* The options, up to the program: its first argument's index, or -1 on
 * bad options (said) or no program.  Nothing after the program's name is
 * read: its own arguments stay its own, with or without "--". */
static int parse_args(int argc, char **argv, tune_plan *pl)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
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
		if (strcmp(a, "--quiet") == 0) {
			skb_quiet = true;
			continue;
		}
		if (a[0] != '-')
			return i;
		const char *eq = strchr(a, '=');
		if (strncmp(a, "--", 2) == 0 && eq != NULL) {
			/* --name=value, as profile takes --json=FILE (it
			 * took the program's name as the value before). */
			char name[64];
			size_t len = (size_t)(eq - a);
			if (len >= sizeof name) {
				fprintf(stderr, "skua-bench tune: unknown "
				    "option %s\n", a);
				return -1;
			}
			memcpy(name, a, len);
			name[len] = '\0';
			if (!one_option(name, eq + 1, pl))
				return -1;
			continue;
		}
		if (i + 1 == argc) {
			fprintf(stderr, "skua-bench tune: %s needs a value\n",
			    a);
			return -1;
		}
		if (!one_option(a, argv[++i], pl))
			return -1;
	}
	return -1;
}

int skb_tune_main(int argc, char **argv)
{
	tune_plan pl = { .max_values = 8, .repeat = 5, .budget_s = 55 };
	int first = parse_args(argc, argv, &pl);
	if (first < 0 || pl.nsites == 0) {
		fprintf(stderr, "skua-bench tune: %s\n", first < 0 ?
		    "bad arguments or no program" :
		    "give at least one --site NAME");
		usage(stderr);
		return 2;
	}
	for (int s = 0; pl.values != NULL && s < pl.nsites; s++)
		if (parse_values(pl.values, &pl.sites[s]) != 0) {
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
		/* Both, whichever fails. */
		bool bad = pl.plot != NULL && tune_plot(&pl, pl.plot) != 0;
		bad |= pl.json != NULL && tune_json(&pl, pl.json) != 0;
		rc = bad ? 1 : 0;
	}
	tune_free(&pl);
	return rc;
}
