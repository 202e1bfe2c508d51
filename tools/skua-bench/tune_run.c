/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tune_run.c - `skua-bench tune`'s profile run, its plan
 * within the time budget, the interleaved runs, and the verdict.
 */
#define _GNU_SOURCE
#include "kernels.h" /* skb_now */
#include "profile.h"
#include "tmpdir.h"
#include "tune.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t pow2_floor(uint64_t v)
{
	return v <= 1 ? 1 : (uint64_t)1 << (63 - __builtin_clzll(v));
}

/* Powers of two across [lo, hi], thinned evenly to at most max. */
static void default_values(tune_site *t, uint64_t lo, uint64_t hi, int max)
{
	int n = 0;
	uint64_t all[64];
	for (uint64_t v = pow2_floor(lo); v <= hi && n < 64; v *= 2) {
		all[n++] = v;
		if (v > UINT64_MAX / 2)
			break;
	}
	if (n == 0)
		all[n++] = pow2_floor(lo);
	if (max > TUNE_VALUES_MAX)
		max = TUNE_VALUES_MAX;
	int keep = n < max ? n : max;
	for (int k = 0; k < keep; k++)
		t->values[k] = all[keep == 1 ? 0 :
		    (int)lround((double)k * (n - 1) / (keep - 1))];
	t->nvalues = keep;
}

static const skb_site *site_named(const skb_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nsites; i++)
		if (p->sites[i].named && strcmp(p->sites[i].label, name) == 0)
			return &p->sites[i];
	return NULL;
}

int tune_profile(tune_plan *pl)
{
	skb_child c;
	skb_profile prof;
	char how[256];

	if (!skb_quiet)
		fprintf(stderr, "tune: a profiled run of %s to see the sites\n",
		    pl->prog[0]);
	int prc = skb_profile_run(pl->prog, NULL, true, &c, &prof);
	if (prc == SKB_PROFILE_OWN)
		return SKB_EXIT_OWN; /* said why */
	if (prc != 0 || skb_child_exit_code(&c) != 0) {
		fprintf(stderr, "skua-bench tune: %s %s\n", pl->prog[0],
		    c.started || c.spawn_errno ? skb_child_describe(&c, how,
		    sizeof how) : "could not be profiled");
		if (c.started)
			skb_profile_free(&prof);
		return c.started && skb_child_exit_code(&c) == 0 ? 1 :
		    skb_child_exit_code(&c);
	}
	pl->t_run = c.wall_s;
	unsigned workers = skb_profile_workers(&prof);
	int rc = 0;
	for (int s = 0; s < pl->nsites && rc == 0; s++) {
		tune_site *t = &pl->sites[s];
		const skb_site *ps = site_named(&prof, t->name);
		skb_site_env_name(t->name, t->env, sizeof t->env);
		if (ps == NULL) {
			fprintf(stderr, "skua-bench tune: no loop with site "
			    "\"%s\" ran; the sites seen:", t->name);
			for (size_t i = 0; i < prof.nsites; i++)
				fprintf(stderr, " %s", prof.sites[i].label);
			fprintf(stderr, "%s\n", prof.nsites ? "" : " none");
			rc = 2;
		} else if (t->nvalues == 0) {
			uint64_t per_call = ps->elements / (ps->calls ?
			    ps->calls : 1);
			uint64_t hi = per_call / workers;
			default_values(t, ps->elems_min ? ps->elems_min : 1,
			    hi > 1 ? hi : 1, pl->max_values);
		}
	}
	skb_profile_free(&prof);
	return rc;
}

static int plan_runs(const tune_plan *pl)
{
	int n = 0;
	for (int s = 0; s < pl->nsites; s++)
		n += (pl->sites[s].nvalues + 1) * pl->repeat;
	return n;
}

void tune_budget(tune_plan *pl)
{
	double t = pl->t_run > 1e-3 ? pl->t_run : 1e-3;
	while (plan_runs(pl) * t > pl->budget_s && pl->repeat > 3)
		pl->repeat--;
	for (bool cut = true; cut && plan_runs(pl) * t > pl->budget_s;) {
		cut = false;
		for (int s = 0; s < pl->nsites; s++) {
			tune_site *ts = &pl->sites[s];
			if (ts->nvalues <= 2)
				continue;
			/* Every other value, keeping both ends. */
			int k = 0;
			for (int i = 0; i < ts->nvalues; i += 2)
				ts->values[k++] = ts->values[i];
			if ((ts->nvalues - 1) % 2 != 0)
				ts->values[k++] = ts->values[ts->nvalues - 1];
			ts->nvalues = k;
			cut = true;
		}
	}
	pl->total_runs = plan_runs(pl);
	if (!skb_quiet)
		fprintf(stderr, "tune: %d runs (%d site%s, %d per value), about %.0f s "
	    "at %.2f s per run\n", pl->total_runs, pl->nsites,
	    pl->nsites == 1 ? "" : "s", pl->repeat, pl->total_runs * t, t);
}

static void progress(const tune_plan *pl, int done, double t0,
    const tune_site *t, int i)
{
	if (skb_quiet)
		return;
	double left = (skb_now() - t0) / done * (pl->total_runs - done);
	char v[32];
	if (i == 0)
		snprintf(v, sizeof v, "auto");
	else
		snprintf(v, sizeof v, "%" PRIu64, t->values[i - 1]);
	fprintf(stderr, "%stune: run %d of %d, %s=%s, about %.0f s left%s",
	    isatty(STDERR_FILENO) ? "\r" : "", done, pl->total_runs, t->name,
	    v, left, isatty(STDERR_FILENO) ? "   " : "\n");
	if (done == pl->total_runs && isatty(STDERR_FILENO))
		fputc('\n', stderr);
}

/* One run of site t at result index i; its figure into the results. */
static int one_run(tune_plan *pl, tune_site *t, int i, const char *log,
    int done)
{
	char var[200], how[256];
	if (i == 0)
		snprintf(var, sizeof var, "%s=auto", t->env);
	else
		snprintf(var, sizeof var, "%s=%" PRIu64, t->env,
		    t->values[i - 1]);
	const char *set[] = { var, NULL };
	const char *unset[] = { "SKUA_PROFILE", NULL };
	skb_child_opts o = { .set = set, .unset = unset, .capture = true,
	    .stderr_path = log, .shield = true };
	skb_child c;
	if (skb_child_run(pl->prog, &o, &c) != 0 ||
	    skb_child_exit_code(&c) != 0) {
		fprintf(stderr, "\nskua-bench tune: run %d (%s) of %s %s; its "
		    "stderr is in %s\n", done + 1, var, pl->prog[0],
		    skb_child_describe(&c, how, sizeof how), log);
		return skb_child_exit_code(&c) != 0 ?
		    skb_child_exit_code(&c) : 1;
	}
	if (done == 0)
		pl->metric = c.has_metric;
	if (c.has_metric != pl->metric) {
		fprintf(stderr, "\nskua-bench tune: run %d (%s) %s a "
		    "skua-metric line where the first run %s\n", done + 1, var,
		    c.has_metric ? "printed" : "did not print",
		    pl->metric ? "did" : "did not");
		return 1;
	}
	t->t[i][t->nt[i]++] = pl->metric ? c.metric : c.wall_s;
	return 0;
}

/* Medians, ranges, the best value and whether it clears auto. */
static void verdict(const tune_plan *pl, tune_site *t)
{
	for (int i = 0; i <= t->nvalues; i++) {
		int n = t->nt[i];
		skb_sort(t->t[i], n);
		t->lo[i] = t->t[i][0];
		t->hi[i] = t->t[i][n - 1];
		t->med[i] = skb_median(t->t[i], n);
	}
	t->best = 0;
	for (int i = 1; i <= t->nvalues; i++)
		if (pl->higher_better ? t->med[i] > t->med[t->best] :
		    t->med[i] < t->med[t->best])
			t->best = i;
	int b = t->best;
	t->speedup = pl->higher_better ? t->med[b] / t->med[0] :
	    t->med[0] / t->med[b];
	t->noise = b != 0 && (pl->higher_better ? t->lo[b] <= t->hi[0] :
	    t->hi[b] >= t->lo[0]);
}

int tune_runs(tune_plan *pl)
{
	skb_tmp log;
	int done = 0, rc = 0;

	for (int s = 0; s < pl->nsites; s++)
		for (int i = 0; i <= pl->sites[s].nvalues; i++)
			if ((pl->sites[s].t[i] = calloc((size_t)pl->repeat,
			    sizeof(double))) == NULL)
				return 1;
	if (skb_tmp_make(&log, "stderr.txt") != 0)
		return SKB_EXIT_OWN;
	double t0 = skb_now();
	for (int r = 0; r < pl->repeat && rc == 0; r++)
		for (int s = 0; s < pl->nsites && rc == 0; s++)
			for (int i = 0; i <= pl->sites[s].nvalues && rc == 0;
			    i++) {
				rc = one_run(pl, &pl->sites[s], i, log.file,
				    done);
				if (rc == 0)
					progress(pl, ++done, t0, &pl->sites[s],
					    i);
			}
	if (rc != 0) {
		skb_tmp_keep(&log); /* the log stays for the user */
		return rc;
	}
	skb_tmp_remove(&log);
	/* A rate is the program's own figure: wall time is always lower
	 * is better, or the slowest value would be named the best. */
	if (pl->higher_better && !pl->metric) {
		fprintf(stderr, "skua-bench tune: --higher-is-better ignored: "
		    "the program printed no skua-metric line, so the figure is "
		    "its wall time (lower is better)\n");
		pl->higher_better = false;
	}
	for (int s = 0; s < pl->nsites; s++)
		verdict(pl, &pl->sites[s]);
	return 0;
}

void tune_free(tune_plan *pl)
{
	for (int s = 0; s < pl->nsites; s++)
		for (int i = 0; i <= TUNE_VALUES_MAX; i++) {
			free(pl->sites[s].t[i]);
			pl->sites[s].t[i] = NULL;
		}
}

const char *tune_value_name(const tune_site *t, int i, char *buf,
    size_t len)
{
	if (i == 0)
		snprintf(buf, len, "auto");
	else
		snprintf(buf, len, "%" PRIu64, t->values[i - 1]);
	return buf;
}

void tune_report(tune_plan *pl)
{
	char v[32];
	const char *unit = pl->metric ? "skua-metric" : "wall time, s";
	for (int s = 0; s < pl->nsites; s++) {
		tune_site *t = &pl->sites[s];
		printf("\nsite %s (%s): %s, median of %d [min..max], speed "
		    "relative to auto\n", t->name, t->env, unit, pl->repeat);
		for (int i = 0; i <= t->nvalues; i++)
			printf("  %10s  %10.4g  [%.4g..%.4g]  %.2fx%s\n",
			    tune_value_name(t, i, v, sizeof v), t->med[i],
			    t->lo[i], t->hi[i], pl->higher_better ?
			    t->med[i] / t->med[0] : t->med[0] / t->med[i],
			    i == t->best ? "  <- best" : "");
		if (t->best == 0)
			printf("  best: auto; no value does better\n");
		else if (t->noise)
			printf("  noise: the best, %s at %.2fx, lies within "
			    "the spread of auto's runs; keep auto\n",
			    tune_value_name(t, t->best, v, sizeof v),
			    t->speedup);
		else
			printf("  best: %s, %.2fx auto's speed, beyond the "
			    "spread of the runs\n",
			    tune_value_name(t, t->best, v, sizeof v),
			    t->speedup);
	}
	printf("\nPaste:\n");
	for (int s = 0; s < pl->nsites; s++) {
		const tune_site *t = &pl->sites[s];
		if (t->best == 0 || t->noise)
			printf("unset %s  # auto\n", t->env);
		else
			printf("export %s=%" PRIu64 "\n", t->env,
			    t->values[t->best - 1]);
	}
}
