/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/mountinfo.c - the cgroup mounts of /proc/self/mountinfo (the
 * format: lib/mountinfo.h).
 */
#define _GNU_SOURCE /* getline */
#include "mountinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN (3 * 4096 + 512) /* ROOT, MOUNTPOINT, SOURCE */
#define FIELDS_MAX 64                 /* optional fields: a few at most */

/* Undo mountinfo's octal escapes (\040 for a blank) in place. */
static void unescape(char *s)
{
	char *out = s;
	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
			    (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* One line, newline stripped: its cgroup mount, or false. */
static bool parse_line(char *line, struct skua__cgroup_mount *m)
{
	char *field[FIELDS_MAX], *save = NULL;
	int n = 0, dash = -1;
	for (char *t = strtok_r(line, " ", &save); t != NULL && n < FIELDS_MAX;
	    t = strtok_r(NULL, " ", &save)) {
		if (dash < 0 && n >= 6 && strcmp(t, "-") == 0)
			dash = n;
		field[n++] = t;
	}
	/* ID PARENT MAJ:MIN ROOT POINT OPTIONS ... - FSTYPE SOURCE SUPER */
	if (dash < 0 || n < dash + 4)
		return false;
	const char *type = field[dash + 1];
	if (strcmp(type, "cgroup2") != 0 && strcmp(type, "cgroup") != 0)
		return false;
	if (field[3][0] != '/' || field[4][0] != '/')
		return false;
	unescape(field[3]);
	unescape(field[4]);
	m->v2 = type[6] == '2';
	m->root = field[3];
	m->point = field[4];
	m->super = field[dash + 3];
	return true;
}

int skua__mountinfo_cgroups(const char *path,
    void (*each)(void *ctx, const struct skua__cgroup_mount *m), void *ctx)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int seen = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct skua__cgroup_mount m;
		if (line[n - 1] != '\n')
			break; /* the file's end in mid-line: incomplete */
		line[n - 1] = '\0';
		if ((size_t)n > LINE_MAX_LEN || !parse_line(line, &m))
			continue;
		seen++;
		each(ctx, &m);
	}
	free(line);
	fclose(f);
	return seen;
}
