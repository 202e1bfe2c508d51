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
	    "  program's when it failed, 127 when it could not be started,\n"
	    "  1 when it made no skua pool, else 0.\n");
}

/* A temporary file for the library to append to: "" when none. */
int skb_profile_tmpfile(char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, len, "%s/skua-profile-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "skua-bench: cannot make a temporary file "
		    "%s: %s\n", path, strerror(errno));
		path[0] = '\0';
		return -1;
	}
	close(fd);
	return 0;
}

int skb_profile_run(char *const *argv, const char *const *extra_env,
    bool quiet, skb_child *c, skb_profile *prof)
{
	char path[512], var[600];
	const char *set[16];
	size_t k = 0;

	if (skb_profile_tmpfile(path, sizeof path) != 0)
		return -1;
	snprintf(var, sizeof var, "SKUA_PROFILE=%s", path);
	set[k++] = var;
	for (size_t i = 0; extra_env != NULL && extra_env[i] != NULL && k < 15;
	    i++)
		set[k++] = extra_env[i];
	set[k] = NULL;
	skb_child_opts o = { .set = set, .capture = quiet };
	int rc = skb_child_run(argv, &o, c);
	if (rc == 0 && skb_profile_read(path, prof) != 0) {
		fprintf(stderr, "skua-bench: cannot read the profile %s: %s\n",
		    path, strerror(errno));
		rc = -1;
	}
	unlink(path);
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
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			json = argv[++i];
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
	if (skb_profile_run(prog, NULL, false, &c, &prof) != 0) {
		if (!c.started)
			fprintf(stderr, "skua-bench profile: %s %s\n", prog[0],
			    skb_child_describe(&c, how, sizeof how));
		return c.started ? 1 : skb_child_exit_code(&c);
	}
	int rc = skb_profile_report(cmd, &c, &prof, json);
	skb_profile_free(&prof);
	return rc;
}
