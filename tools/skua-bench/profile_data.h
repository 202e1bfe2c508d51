/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile_data.h - the profile file that libskua appends
 * to (SKUA_PROFILE, one JSON line per pool; lib/profile.md), read and
 * merged: the sites of every pool and process, by name.
 */
#ifndef SKB_PROFILE_DATA_H
#define SKB_PROFILE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

#define SKB_HIST 256 /* lib/profile.h's buckets: 4 per power of two */
#define SKB_SOURCES 5

/* The chunk-size sources, as lib/profile_write.c names them. */
extern const char *const skb_chunk_sources[SKB_SOURCES];

typedef struct skb_site {
	char key[600];        /* name, or obj+offset, or label */
	char label[128];      /* what the tables print */
	char env[128];        /* SKUA_CHUNK_SIZE_<SITE>; "" when unnamed */
	bool named;
	bool overflow;        /* the library's bucket of the sites past its
	                       * table (lib/site.h): many sites, merged */
	uint64_t calls, nested_calls, elements, chunks, chunk_ns;
	uint64_t splits, steals, elems_min, elems_max;
	uint64_t top_span_ns, top_busy_ns, fixed_min, fixed_max;
	uint64_t sources[SKB_SOURCES];
	uint64_t elems_hist[SKB_HIST], ns_hist[SKB_HIST];
} skb_site;

typedef struct skb_profile {
	skb_json **pools;     /* each line, parsed */
	size_t npools;
	skb_site *sites;
	size_t nsites;
	size_t bad_lines;     /* lines that were not a profile */
} skb_profile;

/* Read every line of path.  Returns 0; -1 when it cannot be read (errno).
 * A missing or empty file gives a profile with no pools. */
int skb_profile_read(const char *path, skb_profile *out);
void skb_profile_free(skb_profile *p);

/* The value below which a share q of the histogram's counts lie (the
 * midpoint of that bucket); 0 for an empty histogram. */
double skb_hist_quantile(const uint64_t *hist, double q);

/* The same for the elements per chunk, within the exact min and max. */
double skb_site_elems_quantile(const skb_site *s, double q);

/* The share of the workers' time outside this site's chunks during its
 * calls from outside the pool; -1 when it had none. */
double skb_site_idle(const skb_site *s);

/* The site's chunk-size source in effect: the most used one. */
const char *skb_site_source(const skb_site *s);

/* SKUA_CHUNK_SIZE_<SITE> for a site name, as the library forms it. */
void skb_site_env_name(const char *site, char *buf, size_t len);

#endif
