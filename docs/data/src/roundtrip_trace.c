/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/roundtrip_trace.c - where a parked round trip's time goes
 * (issue 11): an outside thread spawns an empty future on a pool whose
 * workers all sleep, and gets it.  Run with SKUA_TRACE set; then
 * roundtrip_trace.py reads the trace (the spawn event, the worker's parked
 * span, the future's slice) and this program's stdout (the task's end and
 * the waiter's return, on the same clock as the trace: CLOCK_MONOTONIC)
 * and splits each round trip into
 *   submit -> worker awake (futex wake-up), awake -> task start (search),
 *   task end -> waiter running (completion and the waiter's wake-up).
 *
 * usage: SKUA_TRACE=/tmp/rt.json roundtrip_trace [workers] [trips]
 *        python3 docs/data/src/roundtrip_trace.py /tmp/rt.json out.txt
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/roundtrip_trace.c \
 *            build/rel/libskua.a -ljemalloc -lpthread -o /tmp/roundtrip_trace
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *stamp(void *arg)
{
	*(uint64_t *)arg = now_ns();
	return arg;
}

int main(int argc, char **argv)
{
	unsigned workers = argc > 1 ? (unsigned)atoi(argv[1]) : 2;
	int trips = argc > 2 ? atoi(argv[2]) : 200;
	skua_config cfg;
	skua_pool *p;

	skua_config_init(&cfg);
	cfg.workers = workers;
	if (trips < 1 || trips > 5000 || skua_pool_create(&cfg, &p) != 0)
		return 1;
	printf("# trip submit_ns task_end_ns back_ns (CLOCK_MONOTONIC)\n");
	for (int i = 0; i < trips; i++) {
		struct timespec nap = { 0, 5 * 1000 * 1000 }; /* all park */
		nanosleep(&nap, NULL);
		uint64_t end = 0;
		skua_future *f;
		void *r;
		uint64_t t0 = now_ns();
		if (skua_spawn(p, stamp, &end, &f) != 0 ||
		    skua_future_get(f, &r) != 0)
			return 1;
		uint64_t t1 = now_ns();
		skua_future_release(f);
		printf("%d %llu %llu %llu\n", i, (unsigned long long)t0,
		    (unsigned long long)end, (unsigned long long)t1);
	}
	return skua_pool_destroy(p);
}
