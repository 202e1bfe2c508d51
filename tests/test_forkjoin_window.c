/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fork/join tests again with the fork window on (forks run inline
 * while enough is queued and no thief asks): the same exact answers.
 */
#define SKUA_FORK_WINDOW 4
#include "test_forkjoin.c"
