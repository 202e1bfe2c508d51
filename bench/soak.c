/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/soak.c - a soak benchmark (not a test): many tasks of every kind
 * through one pool, and the resident memory at the end against the
 * resident memory after the first 1% of them.
 *
 *   soak [tasks=1e9] [workers=all]
 *
 * Each round runs fib(22) by fork/join (28656 forks), 256 futures (spawned
 * from the outside and from inside a task, gathered with wait_all), and a
 * parallel_for over 65536 elements with a chunk of 64 (1024 chunks); every
 * answer is checked.  The pass mark (issue 7): RSS at the end within 5% of
 * RSS after the first 1% (at least 10^7 tasks).  Exit 0 when met.
 */
#define _GNU_SOURCE
#include <skua.h>

#include "kernels.h" /* kernels/: skb_fib_fj */

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct fib_call {
	int n;
	long r;
};
static void fib_entry(skua_worker *w, void *arg)
{
	struct fib_call *c = arg;
	c->r = skb_fib_fj(w, c->n);
}

static void *twice(void *a)
{
	return (void *)((uintptr_t)a * 2);
}

/* A task that spawns futures from inside the pool and gathers them. */
static void *inner_spawner(void *arg)
{
	skua_pool *p = skua_worker_pool(skua_worker_current());
	skua_future *fs[128];
	uintptr_t sum = 0;
	(void)arg;
	for (uintptr_t i = 0; i < 128; i++)
		if (skua_spawn(p, twice, (void *)i, &fs[i]) != 0)
			abort();
	skua_future_wait_all(fs, 128);
	for (int i = 0; i < 128; i++) {
		void *r;
		skua_future_get(fs[i], &r);
		sum += (uintptr_t)r;
		skua_future_release(fs[i]);
	}
	return (void *)sum;
}

static _Atomic uint64_t loop_sum;
static void body(size_t lo, size_t hi, void *ctx)
{
	uint64_t s = 0;
	(void)ctx;
	for (size_t i = lo; i < hi; i++)
		s += i;
	atomic_fetch_add_explicit(&loop_sum, s, memory_order_relaxed);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(int argc, char **argv)
{
	double want = argc > 1 ? atof(argv[1]) : 1e9;
	skua_config cfg;
	skua_config_init(&cfg);
	if (argc > 2)
		cfg.workers = (unsigned)atoi(argv[2]);
	skua_pool *p;
	if (want < 1e4 || skua_pool_create(&cfg, &p) != 0) {
		fprintf(stderr, "usage: soak [tasks >= 1e4] [workers]\n");
		return 2;
	}
	skua_par_opts opts;
	skua_par_opts_init(&opts);
	opts.chunk = 64;
	const uint64_t per_round = 28656 + 128 + 128 + 1 + 1024;
	uint64_t done = 0, mark = (uint64_t)(want / 100);
	if (mark < 10000000)
		mark = 10000000;
	long rss_mark = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (done < (uint64_t)want) {
		struct fib_call c = { 22, 0 };
		if (skua_pool_run(p, fib_entry, &c) != 0 || c.r != 17711)
			return 1;
		skua_future *fs[129];
		for (uintptr_t i = 0; i < 128; i++)
			if (skua_spawn(p, twice, (void *)i, &fs[i]) != 0)
				return 1;
		if (skua_spawn(p, inner_spawner, NULL, &fs[128]) != 0)
			return 1;
		skua_future_wait_all(fs, 129);
		for (int i = 0; i < 129; i++) {
			void *r;
			skua_future_get(fs[i], &r);
			if ((uintptr_t)r != (i < 128 ? (uintptr_t)i * 2 : 16256u))
				return 1;
			skua_future_release(fs[i]);
		}
		atomic_store(&loop_sum, 0);
		if (skua_parallel_for(p, 0, 65536, &opts, body, NULL) != 0 ||
		    atomic_load(&loop_sum) != 65536ull * 65535 / 2)
			return 1;
		done += per_round;
		if (rss_mark == 0 && done >= mark) {
			rss_mark = rss_kib();
			fprintf(stderr, "soak: %.3g tasks, RSS %ld KiB\n",
			    (double)done, rss_mark);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long rss_end = rss_kib();
	double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	double growth = rss_mark ? (double)(rss_end - rss_mark) / rss_mark : 0;
	printf("soak: %.3g tasks in %.1f s (%.1f ns/task) on %u workers; "
	    "RSS %ld KiB after %.3g tasks, %ld KiB at the end (%+.1f%%): %s\n",
	    (double)done, secs, secs * 1e9 / (double)done, skua_pool_workers(p),
	    rss_mark, (double)mark, rss_end, growth * 100,
	    rss_mark == 0 ? "too short to judge" :
	    growth <= 0.05 ? "within 5%" : "GREW MORE THAN 5%");
	skua_pool_destroy(p);
	return rss_mark != 0 && growth > 0.05;
}
