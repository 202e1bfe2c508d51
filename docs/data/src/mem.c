/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/mem.c - resident memory of skua's structures, measured
 * (docs/optimization-guide.md, "Memory"):
 *
 *   1. a pool of W idle workers: RSS after create minus RSS before;
 *   2. N pending futures (submitted from outside while the only worker is
 *      held busy): RSS growth per future;
 *   3. a deque grown to K queued forks (one task forks K records kept in a
 *      heap array, then joins them): RSS growth per queued fork, which
 *      stays until the pool is destroyed (old buffers are kept).
 *
 * usage: mem [workers [futures [forks]]]
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/mem.c \
 *            build-docs/libskua.a -ljemalloc -lpthread -o /tmp/mem
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "skua.h"

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = atol(line + 6);
	if (f != NULL)
		fclose(f);
	return v;
}

static atomic_int gate;
static void *hold(void *arg)
{
	(void)arg;
	while (!atomic_load(&gate))
		usleep(100);
	return NULL;
}
static void *nop(void *arg) { return arg; }

static size_t K;
static void empty(skua_worker *w, skua_task *t) { (void)w; (void)t; }
static void grow(skua_worker *w, void *arg)
{
	skua_task *ts = arg;
	for (size_t i = 0; i < K; i++)
		skua_fork(w, &ts[i], empty);
	for (size_t i = K; i-- > 0;)
		skua_join(w, &ts[i]);
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	size_t nf = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	K = argc > 3 ? strtoull(argv[3], NULL, 10) : 1000000;
	skua_config cfg;
	skua_pool *pool;

	/* 1. the pool */
	long r0 = rss_kib();
	skua_config_init(&cfg);
	cfg.workers = workers;
	if (skua_pool_create(&cfg, &pool) != 0)
		return 1;
	usleep(200000);
	long r1 = rss_kib();
	printf("pool of %u workers: %ld KiB RSS (%.1f KiB per worker)\n",
	    workers, r1 - r0, (double)(r1 - r0) / workers);
	skua_pool_destroy(pool);

	/* 2. pending futures, on a 1-worker pool held busy */
	cfg.workers = 1;
	if (skua_pool_create(&cfg, &pool) != 0)
		return 1;
	skua_future *h, **fs = malloc(nf * sizeof *fs);
	if (fs == NULL || skua_spawn(pool, hold, NULL, &h) != 0)
		return 1;
	usleep(100000);
	long r2 = rss_kib();
	for (size_t i = 0; i < nf; i++)
		if (skua_spawn(pool, nop, NULL, &fs[i]) != 0)
			return 1;
	long r3 = rss_kib();
	printf("%zu pending futures: %ld KiB RSS (%.1f bytes each, "
	    "future + queue slot)\n", nf, r3 - r2,
	    (double)(r3 - r2) * 1024 / (double)nf);
	atomic_store(&gate, 1);
	skua_future_wait_all(fs, nf);
	for (size_t i = 0; i < nf; i++)
		skua_future_release(fs[i]);
	skua_future_release(h);
	skua_pool_destroy(pool);
	free(fs);

	/* 3. deque growth */
	cfg.workers = 1;
	if (skua_pool_create(&cfg, &pool) != 0)
		return 1;
	skua_task *ts = calloc(K, sizeof *ts);
	if (ts == NULL)
		return 1;
	memset(ts, 1, K * sizeof *ts); /* touch the records first */
	long r4 = rss_kib();
	skua_pool_run(pool, grow, ts);
	long r5 = rss_kib();
	printf("deque grown to %zu queued forks: %ld KiB RSS (%.1f bytes per "
	    "fork; kept until destroy)\n", K, r5 - r4,
	    (double)(r5 - r4) * 1024 / (double)K);
	skua_pool_destroy(pool);
	free(ts);
	return 0;
}
