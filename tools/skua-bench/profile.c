/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/profile.c - `skua-bench profile [--json FILE] -- ./app
 * [args]`: run the user's program with SKUA_PROFILE pointing at a fresh
 * file, then print per loop call site what its chunks were (size, time,
 * steals, splits, the workers' idle share, the chunk size in effect and
 * where it came from), per pool the worker table, and advice as lines to
 * paste.  The program's stdout and stderr pass through; its end is
 * reported, and a program that fails or made no pool never yields a
 * profile of nothing.
 */
#define _GNU_SOURCE
#include "profile.h"
#include "child.h"
#include "profile_data.h"
#include "tmpdir.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
	    "usage: skua-bench profile [--json FILE] [--] PROGRAM [ARGS...]\n"
	    "  Runs PROGRAM (linked with skua) with SKUA_PROFILE set, then\n"
	    "  prints per parallel-loop call site its chunks, steals, idle\n"
	    "  share and chunk size (with its source), per pool the worker\n"
	    "  table, and SKUA_CHUNK_SIZE_<SITE> advice.  Exit status: the\n"
	    "  program's when it failed, 127 when it was not found, 126 when\n"
	    "  it could not be run (not executable), 1 when it made no skua\n"
	    "  pool, 125 when skua-bench itself failed (no temporary\n"
	    "  directory, an unreadable profile), else 0.\n");
}

int skb_profile_run(char *const *argv, const char *const *extra_env,
    bool quiet, skb_child *c, skb_profile *prof)
{
	const char *set[16];
	size_t k = 0;
	skb_tmp tmp;

	memset(c, 0, sizeof *c);
	memset(prof, 0, sizeof *prof);
	if (skb_tmp_make(&tmp, "profile.jsonl") != 0)
		return SKB_PROFILE_OWN;
	char *var = malloc(strlen(tmp.file) + sizeof "SKUA_PROFILE=");
	if (var == NULL) {
		fprintf(stderr, "skua-bench: out of memory\n");
		skb_tmp_remove(&tmp);
		return SKB_PROFILE_OWN;
	}
	sprintf(var, "SKUA_PROFILE=%s", tmp.file);
	set[k++] = var;
	for (size_t i = 0; extra_env != NULL && extra_env[i] != NULL && k < 15;
	    i++)
		set[k++] = extra_env[i];
	set[k] = NULL;
	skb_child_opts o = { .set = set, .capture = quiet, .shield = true };
	int rc = skb_child_run(argv, &o, c) != 0 ? SKB_PROFILE_NOT_STARTED : 0;
	if (rc == 0 && skb_profile_read(tmp.file, prof) != 0) {
		fprintf(stderr, "skua-bench: cannot read the profile %s: %s\n",
		    tmp.file, strerror(errno));
		rc = SKB_PROFILE_OWN;
	}
	skb_tmp_remove(&tmp);
	free(var);
	return rc;
}

static char *command_line(char *const *argv, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; argv[i] != NULL && o + 1 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "",
		    argv[i]);
	return buf;
}

int skb_profile_main(int argc, char **argv)
{
	const char *json = NULL;
	int i = 1;

	for (; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--json") == 0) {
			if (i + 1 == argc) {
				fprintf(stderr, "skua-bench profile: --json "
				    "needs a FILE\n");
				usage(stderr);
				return 2;
			}
			json = argv[++i];
		} else if (strncmp(argv[i], "--json=", 7) == 0) {
			json = argv[i] + 7;
		} else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "skua-bench profile: unknown option "
			    "%s\n", argv[i]);
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "skua-bench profile: no program given\n");
		usage(stderr);
		return 2;
	}
	char *const *prog = argv + i;
	skb_child c;
	skb_profile prof;
	char cmd[1024], how[256];
	command_line(prog, cmd, sizeof cmd);
	int rc = skb_profile_run(prog, NULL, false, &c, &prof);
	if (rc == SKB_PROFILE_OWN)
		return SKB_EXIT_OWN;
	if (rc != 0) {
		if (!c.started)
			fprintf(stderr, "skua-bench profile: %s %s\n", prog[0],
			    skb_child_describe(&c, how, sizeof how));
		return c.started ? 1 : skb_child_exit_code(&c);
	}
	rc = skb_profile_report(cmd, &c, &prof, json);
	skb_profile_free(&prof);
	return rc;
}
