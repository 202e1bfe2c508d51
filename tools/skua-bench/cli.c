/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/cli.c - skua-bench's command line (into skb_opts and
 * skb_run's configuration) and the machine description of every output.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

void skb_usage(FILE *f)
{
	fprintf(f,
"usage: skua-bench [options]\n"
"       skua-bench profile|tune ... -- PROGRAM [ARGS]\n"
"       skua-bench plot IN.json OUT.svg\n"
"\n"
"With no options: the quick profile.  Every workload runs serially and on\n"
"skua at 1..all workers; every answer is checked; a table is printed.\n"
"\n"
"  --workers LIST        worker counts, e.g. 1,2,4 (default 1..CPUs)\n"
"  --repeat N            timed runs per measurement (default 5)\n"
"  --warmup N            untimed runs before them (default 1)\n"
"  --workload NAME[,..]  fib, nqueens, nqueens-array, utree, primes, map,\n"
"                        matmul, or all\n"
"  --size N | NAME=N[,..] problem size for every selected workload, or per\n"
"                        workload (see --list)\n"
"  --json FILE           write the results as JSON\n"
"  --csv FILE            write the results as CSV\n"
"  --plot FILE.svg       speedup-vs-workers and time-vs-chunk charts (SVG),\n"
"                        drawn from the run's JSON; implies --sweep-chunks\n"
"  --sweep-chunks        time primes/map across chunk sizes (powers of two\n"
"                        and auto) and print the best SKUA_CHUNK_SIZE_<SITE>\n"
"  --compare             also run OpenMP / oneTBB when built with them and\n"
"                        print the time ratio skua/peer\n"
"  --report              the speed report: fib 35, utree, nqueens 13 serial\n"
"                        and on 1 and 2 workers, plain and with autotask.h\n"
"                        (the auto rows), cost per fork, spawn+get\n"
"                        round trips, idle CPU\n"
"  --list                list the workloads and their default sizes\n"
"  --quiet               no progress line on stderr\n"
"  --version             print skua-bench's and libskua's versions\n"
"  -h, --help            this text\n"
"\n"
"Exit status: 0 ok, 1 wrong answer or library failure, 2 bad usage.\n"
"\n"
"Your own program (skua-bench profile --help, skua-bench tune --help):\n"
"  skua-bench profile [--json FILE] -- PROGRAM [ARGS]\n"
"                        per loop call site: chunks, times, steals, idle,\n"
"                        the chunk size and its source; advice to paste\n"
"  skua-bench tune --site NAME [...] -- PROGRAM [ARGS]\n"
"                        rerun it across SKUA_CHUNK_SIZE_<SITE> values and\n"
"                        name the best one beyond the noise\n"
"\n"
"Charts from saved data:\n"
"  skua-bench plot IN.json OUT.svg\n"
"                        redraw the charts of a --json file: a run's (those\n"
"                        of --plot) or tune's (that of tune --plot)\n");
}

static _Noreturn void bad_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "skua-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: skua-bench [options]; skua-bench --help lists "
	    "them\n");
	exit(2);
}

static long parse_long(const char *s, const char *what, long lo, long hi)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		bad_usage("%s: '%s' is not a number in [%ld, %ld]", what, s,
		    lo, hi);
	return v;
}

/* Call item(tok, ctx) for every item of a comma-separated list; the
 * count of items. */
static int each_item(const char *list, void (*item)(char *, void *),
    void *ctx)
{
	char *copy = strdup(list), *save, *tok;
	int n = 0;
	if (copy == NULL)
		skb_die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save), n++)
		item(tok, ctx);
	free(copy);
	return n;
}

static void workers_item(char *tok, void *ctx)
{
	skb_run *r = ctx;
	if (r->nworkers == 64)
		bad_usage("--workers: at most 64 counts");
	r->workers[r->nworkers++] = (unsigned)parse_long(tok, "--workers", 1,
	    4096);
}

static void workload_item(char *tok, void *ctx)
{
	skb_opts *o = ctx;
	o->any_selected = true;
	if (strcmp(tok, "all") == 0) {
		for (int i = 0; i < SKB_NWORKLOADS; i++)
			o->selected[i] = true;
		return;
	}
	int k = skb_workload_index(tok);
	if (k < 0)
		bad_usage("--workload: unknown workload '%s'", tok);
	o->selected[k] = true;
}

/* N (every selected workload) or NAME=N. */
static void size_item(char *tok, void *ctx)
{
	skb_opts *o = ctx;
	char *eq = strchr(tok, '=');
	if (eq == NULL) {
		o->size_all = parse_long(tok, "--size", 0, 1L << 40);
		return;
	}
	*eq = '\0';
	int k = skb_workload_index(tok);
	if (k < 0)
		bad_usage("--size: unknown workload '%s'", tok);
	o->sizes[k] = parse_long(eq + 1, "--size", skb_workloads[k].min_size,
	    skb_workloads[k].max_size);
}

enum {
	OPT_WORKERS = 256, OPT_REPEAT, OPT_WARMUP, OPT_WORKLOAD, OPT_SIZE,
	OPT_JSON, OPT_CSV, OPT_PLOT, OPT_SWEEP, OPT_COMPARE, OPT_REPORT,
	OPT_LIST, OPT_QUIET, OPT_VERSION
};

static const struct option longopts[] = {
	{ "workers", required_argument, NULL, OPT_WORKERS },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "workload", required_argument, NULL, OPT_WORKLOAD },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "sweep-chunks", no_argument, NULL, OPT_SWEEP },
	{ "compare", no_argument, NULL, OPT_COMPARE },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* --workers or --size given: --report, whose rows are fixed, rejects them
 * (it ignored them, a review finding). */
static bool workers_given, sizes_given;

/* One option; -1 to go on, else the exit status (--help, --version, a
 * flag getopt rejected). */
static int one_option(int c, skb_opts *o, skb_run *r)
{
	switch (c) {
	case OPT_WORKERS:
		workers_given = true;
		r->nworkers = 0;
		if (each_item(optarg, workers_item, r) == 0)
			bad_usage("--workers: empty list");
		break;
	case OPT_REPEAT:
		r->repeat = (int)parse_long(optarg, "--repeat", 1, 100000);
		break;
	case OPT_WARMUP:
		r->warmup = (int)parse_long(optarg, "--warmup", 0, 100000);
		break;
	case OPT_WORKLOAD:
		if (each_item(optarg, workload_item, o) == 0)
			bad_usage("--workload: empty list");
		break;
	case OPT_SIZE:
		sizes_given = true;
		if (each_item(optarg, size_item, o) == 0)
			bad_usage("--size: empty list");
		break;
	case OPT_JSON: o->json = optarg; break;
	case OPT_CSV: o->csv = optarg; break;
	case OPT_PLOT: o->plot = optarg; o->sweep = true; break;
	case OPT_SWEEP: o->sweep = true; break;
	case OPT_COMPARE: o->compare = true; break;
	case OPT_REPORT: o->report = true; break;
	case OPT_LIST: o->list = true; break;
	case OPT_QUIET: skb_quiet = true; break;
	case OPT_VERSION:
		/* The library linked in, and the headers it was built with
		 * (they differ only in a mismatched install). */
		printf("skua-bench %s (libskua %s)\n", SKUA_VERSION_STRING,
		    skua_version());
		return 0;
	case 'h':
		skb_usage(stdout);
		return 0;
	default: /* getopt printed what was wrong */
		fprintf(stderr, "usage: skua-bench [options]; skua-bench --help "
		    "lists them\n");
		return 2;
	}
	return -1;
}

/* Every workload's size and selection once the flags are read.  A size
 * is checked for every workload that will run: the selected ones, and
 * primes when --sweep-chunks sweeps it for want of a selected
 * data-parallel workload (main.c's run()). */
static void settle_workloads(skb_opts *o)
{
	bool any_sweepable = false;
	for (int i = 0; i < SKB_NWORKLOADS; i++) {
		if (!o->any_selected)
			o->selected[i] = true;
		any_sweepable |= o->selected[i] && skb_workloads[i].sweepable;
	}
	int primes = skb_workload_index("primes");
	for (int i = 0; i < SKB_NWORKLOADS; i++) {
		const workload *w = &skb_workloads[i];
		bool runs = o->selected[i] || (o->sweep && !any_sweepable &&
		    i == primes);
		if (o->sizes[i] < 0)
			o->sizes[i] = o->size_all >= 0 ? o->size_all :
			    w->quick_size;
		if (runs && (o->sizes[i] < w->min_size ||
		    o->sizes[i] > w->max_size))
			bad_usage("--size: %s takes %ld..%ld, not %ld%s",
			    w->name, w->min_size, w->max_size, o->sizes[i],
			    o->selected[i] ? "" : " (--sweep-chunks sweeps it)");
	}
}

int skb_parse(int argc, char **argv, skb_opts *o, skb_run *r)
{
	int c, rc;

	memset(o, 0, sizeof *o);
	o->size_all = -1;
	for (int i = 0; i < SKB_NWORKLOADS; i++)
		o->sizes[i] = -1;
	r->repeat = 5;
	r->warmup = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		if ((rc = one_option(c, o, r)) >= 0)
			return rc;
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (o->report && (workers_given || sizes_given || o->any_selected))
		bad_usage("--report runs fixed rows on 1 and 2 workers: "
		    "--workers, --workload and --size do not apply");
	if (!o->list)
		settle_workloads(o);
	return -1;
}

static unsigned machine_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

void skb_machine_info(skb_run *r)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	snprintf(r->cpu_model, sizeof r->cpu_model, "unknown");
	if (f != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "model name", 10) == 0) {
				char *v = strchr(line, ':');
				if (v != NULL) {
					v += 1 + (v[1] == ' ');
					v[strcspn(v, "\n")] = '\0';
					snprintf(r->cpu_model,
					    sizeof r->cpu_model, "%s", v);
				}
				break;
			}
		}
		fclose(f);
	}
	r->cpus = machine_cpus();
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(r->kernel, sizeof r->kernel, "%s %s", u.sysname,
		    u.release);
#if defined(__clang__)
	snprintf(r->compiler, sizeof r->compiler, "clang %s", __clang_version__);
#elif defined(__GNUC__)
	snprintf(r->compiler, sizeof r->compiler, "gcc %d.%d.%d", __GNUC__,
	    __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#endif
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(r->date, sizeof r->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

