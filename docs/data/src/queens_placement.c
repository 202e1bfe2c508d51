/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/queens_placement.c - nqueens on the peers' array board
 * (kernels/: serial qa_ser, skua/autotask.h, typed skua/task.h) at one
 * worker, and the serial kernel once more from inside a task, so that
 * serial and the automatic form run on the same thread in one process.
 * Prints the summed wall and CPU time of each form over ROUNDS rounds,
 * interleaved.  It shows that the row `nqueens (array) ... skua auto` of
 * bench/forkjoin_peers moves with where the linker puts the kernels' board
 * check, not with the work (docs/benchmarks.md, "nqueens at one worker is
 * a code-placement effect", issue 12).
 *
 *     cmake --build build --target docs_queens_placement
 *     build/bench/docs_queens_placement N ROUNDS [MASK]
 *
 * MASK picks the forms (default 15): 1 serial on the main thread, 2
 * automatic, 4 typed, 8 serial on the worker.  Under
 * `perf record -e cpu-clock` the samples split by function.
 */
#include "kernels.h"

#include <skua/pool.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

enum { SERIAL, AUTO, TYPED, SERIAL_ON_WORKER, NFORMS };
static const char *form_name[NFORMS] = { "serial", "auto", "typed",
	"serial-on-worker" };

static double wall_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_s(void)
{
	struct rusage u;
	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
	    1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct serial_job {
	int n;
	long r;
};

static void serial_entry(skua_worker *w, void *arg)
{
	(void)w;
	struct serial_job *j = arg;
	j->r = skb_queens_array_serial(j->n);
}

static long run_form(skua_pool *p, int form, int n)
{
	struct serial_job j = { n, -1 };
	switch (form) {
	case SERIAL:
		return skb_queens_array_serial(n);
	case AUTO:
		return skb_queens_array_auto(p, n);
	case TYPED:
		return skb_queens_array_skua(p, n);
	default:
		if (skua_pool_run(p, serial_entry, &j) != 0)
			return -1;
		return j.r;
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s N ROUNDS [MASK]\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[1]), rounds = atoi(argv[2]);
	int mask = argc > 3 ? atoi(argv[3]) : 15;
	long want = skb_queens_known(n);
	if (n < 1 || n > 16 || rounds < 1 || want < 0) {
		fprintf(stderr, "N in 1..16, ROUNDS >= 1\n");
		return 2;
	}
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 1;
	skua_pool *p;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	double wall[NFORMS] = { 0 }, cpu[NFORMS] = { 0 };
	for (int r = 0; r < rounds; r++) {
		for (int f = 0; f < NFORMS; f++) {
			if (!(mask >> f & 1))
				continue;
			double w0 = wall_s(), c0 = cpu_s();
			long got = run_form(p, f, n);
			wall[f] += wall_s() - w0;
			cpu[f] += cpu_s() - c0;
			if (got != want) {
				fprintf(stderr, "%s: %ld, want %ld\n",
				    form_name[f], got, want);
				return 1;
			}
		}
	}
	skua_pool_destroy(p);
	for (int f = 0; f < NFORMS; f++)
		if (mask >> f & 1)
			printf("%-17s wall %.3f s  cpu %.3f s\n", form_name[f],
			    wall[f], cpu[f]);
	return 0;
}
