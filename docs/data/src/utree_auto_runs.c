/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/utree_auto_runs.c - utree (BENCHMARKS.md: q = 199970,
 * 2000 root children, 14,081,686 nodes) written with skua/autotask.h, run
 * RUNS times on one pool, one line per run: its time over the serial
 * time, the learned cut (1 + the depth from which spawns run as the serial
 * clone), each worker's steals, idle time and join wait (skua_pool_stats).  It
 * shows why `--report`'s `utree auto` row at 2 workers moves between
 * ~0.52 and ~0.69 (docs/benchmarks.md, issue 12).
 *
 *     cmake --build build --target docs_utree_auto_runs
 *     build/bench/docs_utree_auto_runs WORKERS RUNS [FIRST]
 *
 * FIRST: that many runs on a 1-worker pool first, as `--report` times
 * 1 worker before 2 (the estimate is the task type's, kept across pools).
 */
#include <skua/autotask.h>
#include <skua/pool.h>
#include <skua/stats.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define Q 199970u
#define ROOTS 2000
#define MAXW 8

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	return x ^ (x >> 31);
}

static uint64_t child_seed(uint64_t s, int i)
{
	return splitmix64(s ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL));
}

static long serial(uint64_t s)
{
	long n = 1;
	if (splitmix64(s) % 1000000u >= Q)
		return n;
	for (int i = 0; i < 5; i++)
		n += serial(child_seed(s, i));
	return n;
}

SKUA_TASK_1(long, node, uint64_t, s)
{
	long count = 1;
	if (splitmix64(s) % 1000000u >= Q)
		return count;
	SKUA_FRAME(node) kids[5];
	for (int i = 0; i < 5; i++)
		SKUA_SPAWN(node, &kids[i], child_seed(s, i));
	for (int i = 4; i >= 0; i--)
		count += SKUA_SYNC(node, &kids[i]);
	return count;
}

static SKUA_FRAME(node) roots[ROOTS];
static long total;

static void entry(skua_worker *w, void *arg)
{
	(void)arg;
	long n = 1;
	for (int i = 0; i < ROOTS; i++)
		node_spawn(w, 0, 0, &roots[i], child_seed(39u, i));
	for (int i = ROOTS - 1; i >= 0; i--)
		n += node_sync(w, 0, &roots[i]);
	total = n;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int run_on(unsigned workers, int runs, long expect, double ts)
{
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = workers;
	skua_pool *p;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	for (int r = 0; r < runs; r++) {
		skua_worker_stats b[MAXW], e[MAXW];
		skua_pool_stats(p, b, MAXW, NULL);
		double t0 = now_s();
		if (skua_pool_run(p, entry, NULL) != 0 || total != expect)
			return 1;
		double t = now_s() - t0;
		skua_pool_stats(p, e, MAXW, NULL);
		printf("%u worker%s run %2d  T/Ts %.3f  cut %2u", workers,
		    workers > 1 ? "s" : "", r, t / ts,
		    atomic_load(&node_auto.cut));
		for (unsigned i = 0; i < workers; i++)
			printf(" | w%u steals %4lu idle %5.1f join_wait %5.1f ms",
			    i, (unsigned long)(e[i].steals - b[i].steals),
			    (double)(e[i].idle_ns - b[i].idle_ns) / 1e6,
			    (double)(e[i].join_wait_ns - b[i].join_wait_ns) /
			    1e6);
		printf("\n");
	}
	skua_pool_destroy(p);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	int runs = argc > 2 ? atoi(argv[2]) : 10;
	int first = argc > 3 ? atoi(argv[3]) : 0;
	if (workers < 1 || workers > MAXW || runs < 1 || first < 0)
		return 2;
	long expect = 0;
	double ts = 1e9;
	for (int r = 0; r < 3; r++) {
		double t0 = now_s();
		expect = 1;
		for (int i = 0; i < ROOTS; i++)
			expect += serial(child_seed(39u, i));
		if (now_s() - t0 < ts)
			ts = now_s() - t0;
	}
	printf("serial %.4f s, %ld nodes\n", ts, expect);
	if (first > 0 && run_on(1, first, expect, ts) != 0)
		return 1;
	if (run_on(workers, runs, expect, ts) != 0)
		return 1;
	(void)node_seq;
	return 0;
}
