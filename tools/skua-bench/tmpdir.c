/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tmpdir.c - the private temporary directory of
 * tmpdir.h: names sized from $TMPDIR, made with mkdtemp.
 */
#define _GNU_SOURCE
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "a" "/" "b" in fresh memory; NULL when out of memory. */
static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 2);
	if (s != NULL) {
		memcpy(s, a, la);
		s[la] = '/';
		memcpy(s + la + 1, b, lb + 1);
	}
	return s;
}

/* *dir (made, relative to the working directory: a relative $TMPDIR) as
 * an absolute name, so that a program that changes directory before it
 * writes the file still finds it; 0, or -1 with errno (*dir unchanged). */
static int absolute(char **dir)
{
	char *cwd = getcwd(NULL, 0);
	if (cwd == NULL)
		return -1;
	char *abs = join(cwd, *dir);
	free(cwd);
	if (abs == NULL) {
		errno = ENOMEM;
		return -1;
	}
	free(*dir);
	*dir = abs;
	return 0;
}

int skb_tmp_make(skb_tmp *t, const char *name)
{
	const char *dir = getenv("TMPDIR");
	int e = 0;
	t->dir = join(dir != NULL && *dir != '\0' ? dir : "/tmp",
	    "skua-bench-XXXXXX");
	t->file = NULL;
	if (t->dir == NULL)
		e = ENOMEM;
	else if (mkdtemp(t->dir) == NULL)
		e = errno;
	else if (t->dir[0] != '/' && absolute(&t->dir) != 0) {
		e = errno;
		rmdir(t->dir);
	} else if ((t->file = join(t->dir, name)) == NULL) {
		e = ENOMEM;
		rmdir(t->dir);
	}
	if (e == 0)
		return 0;
	fprintf(stderr, "skua-bench: cannot make a temporary directory %s: "
	    "%s\n", t->dir != NULL ? t->dir : "in $TMPDIR", strerror(e));
	skb_tmp_keep(t);
	return -1;
}

void skb_tmp_remove(skb_tmp *t)
{
	if (t->file != NULL)
		unlink(t->file);
	if (t->dir != NULL)
		rmdir(t->dir);
	skb_tmp_keep(t);
}

void skb_tmp_keep(skb_tmp *t)
{
	free(t->file);
	free(t->dir);
	t->file = NULL;
	t->dir = NULL;
}
