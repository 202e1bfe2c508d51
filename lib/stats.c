/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/stats.c - the workers' counters copied, summed and printed as the
 * SKUA_STATS table, each from the one field list (lib/stats.h).
 */
#include "stats.h"

#ifdef SKUA_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif
#include <stdio.h>

void skua__stats_load(const struct skua__wstats *c, skua_worker_stats *s)
{
#define LOAD(f, column, unit, doc)                                           \
	s->f = atomic_load_explicit(&c->f, memory_order_relaxed);
	SKUA_WORKER_STATS_FIELDS(LOAD)
#undef LOAD
}

void skua__stats_add(skua_worker_stats *total, const skua_worker_stats *s)
{
#define ADD(f, column, unit, doc) total->f += s->f;
	SKUA_WORKER_STATS_FIELDS(ADD)
#undef ADD
}

/* One row of the SKUA_STATS table: the name, then every counter. */
static void stats_row(const char *name, const skua_worker_stats *s)
{
	fprintf(stderr, "%6s", name);
#define STATS_CELL(f, column, unit, doc)                                     \
	if ((unit) == 1)                                                     \
		fprintf(stderr, " %*llu", (int)sizeof column > 12 ?         \
		    (int)sizeof column : 12, (unsigned long long)s->f);        \
	else                                                                 \
		fprintf(stderr, " %*.1f", (int)sizeof column > 12 ?          \
		    (int)sizeof column : 12, (double)s->f / (unit));
	SKUA_WORKER_STATS_FIELDS(STATS_CELL)
#undef STATS_CELL
	fprintf(stderr, "\n");
}

/* jemalloc's figures are process-wide: skua's and the program's. */
static void jemalloc_line(void)
{
#ifdef SKUA_WITH_JEMALLOC
	uint64_t epoch = 1;
	size_t allocated = 0, resident = 0, sz = sizeof(size_t);
	mallctl("epoch", NULL, NULL, &epoch, sizeof epoch);
	if (mallctl("stats.allocated", &allocated, &sz, NULL, 0) == 0 &&
	    mallctl("stats.resident", &resident, &sz, NULL, 0) == 0)
		fprintf(stderr, "jemalloc (whole process): %.1f KiB allocated, "
		    "%.1f KiB resident; MALLOC_CONF=stats_print:true for more\n",
		    allocated / 1024.0, resident / 1024.0);
#endif
}

void skua__stats_print(unsigned compute, unsigned nw,
    const skua_worker_stats *all, const skua_worker_stats *total)
{
	fprintf(stderr, "skua: pool of %u workers\n", compute);
	fprintf(stderr, "%6s", "worker");
#define STATS_HEAD(f, column, unit, doc)                                     \
	fprintf(stderr, " %*s", (int)sizeof column > 12 ? (int)sizeof column : \
	    12, column);
	SKUA_WORKER_STATS_FIELDS(STATS_HEAD)
#undef STATS_HEAD
	fprintf(stderr, "\n");
	if (all == NULL)
		return; /* out of memory for the copy */
	for (unsigned i = 0; i <= nw; i++) {
		char name[16];
		snprintf(name, sizeof name, i < compute ? "%u" : i < nw ? "%u*" :
		    "total", i);
		stats_row(name, i < nw ? &all[i] : total);
	}
	jemalloc_line();
}
