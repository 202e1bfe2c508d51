/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/child.h - run the user's program: `profile` and `tune`
 * start it with a changed environment, time it as a whole process and
 * report how it ended.
 */
#ifndef SKB_CHILD_H
#define SKB_CHILD_H

#include <stdbool.h>
#include <stddef.h>

typedef struct skb_child {
	bool started;       /* false: it could not be started (spawn_errno) */
	int spawn_errno;
	bool exited;        /* exited normally with exit_status; else signal */
	int exit_status;
	int signal;
	double wall_s;      /* spawn to reap */
	bool has_metric;    /* a stdout line "skua-metric: <number>" */
	double metric;      /* the last such line's number */
} skb_child;

typedef struct skb_child_opts {
	const char *const *set;   /* "NAME=VALUE" to add or replace */
	const char *const *unset; /* names to remove (before set) */
	bool capture;             /* stdout read for skua-metric, not shown */
	const char *stderr_path;  /* NULL: inherited; else written there */
	bool shield;              /* SIGINT, SIGTERM ignored here meanwhile
	                           * (the child's are the default), as
	                           * system() does */
} skb_child_opts;

/* Run argv[0] (looked up in PATH) to completion.  Returns 0 when it was
 * started (whatever its end), -1 when it could not be (out->spawn_errno).
 * *out is cleared first, whatever the result. */
int skb_child_run(char *const *argv, const skb_child_opts *o, skb_child *out);

/* How it ended, for messages: "exited with status 3", "was killed by
 * signal 11 (Segmentation fault)", "could not be started: ...". */
const char *skb_child_describe(const skb_child *c, char *buf, size_t len);

/* The process exit status that reports c's end (0 when it succeeded). */
int skb_child_exit_code(const skb_child *c);

#endif
