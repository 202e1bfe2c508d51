/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tune.c - `skua-bench tune --site NAME -- ./app [args]`.
 */
#include "profile.h"

#include <stdio.h>

int skb_tune_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "skua-bench tune: not implemented yet\n");
	return 2;
}
