/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile.h - the subcommands that run the user's own
 * program: profile (profile.c) and tune (tune.c).
 */
#ifndef SKB_PROFILE_H
#define SKB_PROFILE_H

/* argv[0] is the subcommand's name; returns the process exit status. */
int skb_profile_main(int argc, char **argv);
int skb_tune_main(int argc, char **argv);

#endif
