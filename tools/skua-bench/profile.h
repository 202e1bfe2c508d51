/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile.h - the subcommands that run the user's own
 * program: profile (profile.c, profile_report.c) and tune (tune.c).
 */
#ifndef SKB_PROFILE_H
#define SKB_PROFILE_H

#include <stddef.h>

#include "child.h"
#include "profile_data.h"

/* argv[0] is the subcommand's name; returns the process exit status. */
int skb_profile_main(int argc, char **argv);
int skb_tune_main(int argc, char **argv);

/* skb_profile_run's failures, and the exit status `profile` and `tune`
 * report skua-bench's own failure with (as env(1) and timeout(1) do). */
#define SKB_PROFILE_NOT_STARTED (-1)
#define SKB_PROFILE_OWN (-2)
#define SKB_EXIT_OWN 125

/* Run argv with SKUA_PROFILE set to a file in a private temporary
 * directory (and extra_env, "NAME=VALUE", NULL-terminated, may be NULL),
 * then read the profile and remove the directory; quiet: its stdout is
 * read (for skua-metric) instead of shown.  SIGINT and SIGTERM end the
 * program, not skua-bench, meanwhile.  *c and *prof are cleared first,
 * whatever the result.  Returns 0; SKB_PROFILE_NOT_STARTED when the
 * program could not be started (c->started false); SKB_PROFILE_OWN, with
 * a message on stderr, when the temporary directory could not be made or
 * the profile could not be read.  *prof needs skb_profile_free after 0
 * only. */
int skb_profile_run(char *const *argv, const char *const *extra_env,
    bool quiet, skb_child *c, skb_profile *prof);

/* The worker count of the profile's first pool, 1 if none (or if the
 * program's file says 0: anything may be in it). */
unsigned skb_profile_workers(const skb_profile *p);

/* Print the tables and the advice; write json (NULL: none).  Returns the
 * exit status `profile` ends with. */
int skb_profile_report(const char *cmd, const skb_child *c,
    const skb_profile *prof, const char *json);

/* One piece of advice for a site: reason, and the line to paste ("" when
 * there is nothing to set, as for an unnamed site). */
typedef struct skb_advice {
	const skb_site *site;
	char reason[320];
	char line[160];
	uint64_t value;
} skb_advice;

/* The advice for s on a pool of `workers` workers; false: none. */
bool skb_site_advice(const skb_site *s, unsigned workers, skb_advice *a);

#endif
