/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile.c - `skua-bench profile -- ./app [args]`.
 */
#include "profile.h"

#include <stdio.h>

int skb_profile_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "skua-bench profile: not implemented yet\n");
	return 2;
}
