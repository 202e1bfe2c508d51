/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/main.c - skua-bench: run the reference workloads serially,
 * on skua at several worker counts (and on OpenMP/oneTBB with --compare),
 * check every answer, and print a table (JSON, CSV, SVG on request).
 *
 *   skua-bench                      the quick profile: every workload,
 *                                   serial and at 1..all workers
 *   skua-bench --report             the speed report (docs/benchmarks.md)
 *   skua-bench --help               every flag
 *
 * Exit status: 0; 1 when a workload computed a wrong answer or the library
 * failed; 2 on a bad command line.
 *
 * main() reads the command line (cli.c), runs the phases (measure.c over
 * the workloads of workloads.c, or the report of report.c), and prints
 * (emit.c).
 */
#define _GNU_SOURCE
#include "bench.h"
#include "plot.h"
#include "profile.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- parse / run / print ------------------------------------------ */

static void list_workloads(void)
{
	printf("%-13s %-10s %s\n", "workload", "default", "size");
	for (int i = 0; i < SKB_NWORKLOADS; i++)
		printf("%-13s %-10ld %s\n", skb_workloads[i].name,
		    skb_workloads[i].quick_size, skb_workloads[i].size_doc);
	printf("peers built: openmp %s, tbb %s\n",
	    skb_omp_available() ? "yes" : "no",
	    skb_tbb_available() ? "yes" : "no");
}

/* What the options imply before anything runs: the default worker
 * counts (1..8, then doubling, and every CPU), the sweep's variables. */
static void prepare(const skb_opts *o, skb_run *r)
{
	if (o->compare && !skb_omp_available() && !skb_tbb_available())
		fprintf(stderr, "skua-bench: --compare: built without OpenMP "
		    "and oneTBB; nothing to compare with\n");
	if (o->sweep) {
		/* The per-site variables beat opts->chunk, and the library
		 * reads them once per process: clear them before any call. */
		static const char *vars[] = { "SKUA_CHUNK_SIZE",
			"SKUA_CHUNK_SIZE_PRIMES", "SKUA_CHUNK_SIZE_MAP" };
		for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
			if (getenv(vars[i]) != NULL) {
				fprintf(stderr, "skua-bench: --sweep-chunks: "
				    "ignoring %s=%s\n", vars[i], getenv(vars[i]));
				unsetenv(vars[i]);
			}
	}
	skb_machine_info(r);
	if (r->nworkers == 0) {
		for (unsigned n = 1; n <= r->cpus && r->nworkers < 63;
		    n = n < 8 ? n + 1 : n * 2)
			r->workers[r->nworkers++] = n;
		if (r->workers[r->nworkers - 1] != r->cpus)
			r->workers[r->nworkers++] = r->cpus;
	}
}

/* Every phase of one workload: serial, skua at each worker count, and
 * the peers with --compare. */
static void run_workload(skb_run *r, workload *w, long size, bool compare)
{
	wl_state s = { .size = size };
	if (strcmp(w->name, "map") == 0)
		w->bytes_per_run = 24.0 * (double)size;
	if (w->setup(&s) != 0)
		skb_die("%s %ld: setup failed (out of memory?)", w->name, size);
	skb_phase(r, w, &s, SKB_SERIAL, 0, -1);
	for (int k = 0; k < r->nworkers; k++)
		skb_phase(r, w, &s, SKB_SKUA, r->workers[k], -1);
	for (int k = 0; compare && skb_omp_available() && k < r->nworkers; k++)
		skb_phase(r, w, &s, SKB_OPENMP, r->workers[k], -1);
	for (int k = 0; compare && skb_tbb_available() && k < r->nworkers; k++)
		skb_phase(r, w, &s, SKB_TBB, r->workers[k], -1);
	if (w->teardown != NULL)
		w->teardown(&s);
}

static int run(const skb_opts *o, skb_run *r)
{
	unsigned maxw = 0;
	for (int i = 0; i < r->nworkers; i++)
		if (r->workers[i] > maxw)
			maxw = r->workers[i];
	if (o->report)
		return skb_run_report(r, r->repeat) != 0 ? 1 : 0;
	skb_plan_phases(r, o->selected, o->sizes, o->compare, o->sweep, maxw);
	for (int i = 0; i < SKB_NWORKLOADS; i++)
		if (o->selected[i])
			run_workload(r, &skb_workloads[i], o->sizes[i],
			    o->compare);
	if (!o->sweep)
		return 0;
	/* The sweep: every selected data-parallel workload, else primes. */
	bool any = false;
	for (int i = 0; i < SKB_NWORKLOADS; i++) {
		if (!o->selected[i] || !skb_workloads[i].sweepable)
			continue;
		skb_sweep(r, &skb_workloads[i], o->sizes[i], maxw);
		any = true;
	}
	if (!any) {
		int k = skb_workload_index("primes");
		skb_sweep(r, &skb_workloads[k], o->sizes[k], maxw);
	}
	return 0;
}

static int print(const skb_opts *o, const skb_run *r)
{
	if (o->report) {
		skb_print_report(stdout, r);
	} else {
		printf("skua-bench %s: %s, %u CPUs, %s, %s; %d runs per "
		    "figure after %d warm-up\n", SKUA_VERSION_STRING,
		    r->cpu_model, r->cpus, r->kernel, r->compiler, r->repeat,
		    r->warmup);
		skb_print_table(stdout, r);
		if (o->compare)
			skb_print_compare(stdout, r);
		if (r->nbest > 0)
			skb_print_sweep(stdout, r);
	}
	fflush(stdout);
	int rc = 0;
	if (o->json != NULL && skb_write_json(o->json, r) != 0)
		rc = 1;
	if (o->csv != NULL && skb_write_csv(o->csv, r) != 0)
		rc = 1;
	if (o->plot != NULL && skb_write_svg(o->plot, r) != 0)
		rc = 1;
	return rc;
}

int main(int argc, char **argv)
{
	static skb_run run_state;
	skb_run *r = &run_state;
	skb_opts o;

	if (argc > 1 && strcmp(argv[1], "profile") == 0)
		return skb_profile_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "tune") == 0)
		return skb_tune_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "plot") == 0)
		return skb_plot_main(argc - 1, argv + 1);
	const char *fault = getenv("SKUA_BENCH_FAULT");
	skb_fault_wrong = fault != NULL && strcmp(fault, "wrong-answer") == 0;
	int rc = skb_parse(argc, argv, &o, r);
	if (rc >= 0)
		return rc;
	if (o.list) {
		list_workloads();
		return 0;
	}
	prepare(&o, r);
	rc = run(&o, r);
	skb_progress_done();
	if (rc == 0)
		rc = print(&o, r);
	for (int i = 0; i < r->nresults; i++)
		free(r->results[i].times);
	free(r->results);
	return rc;
}
