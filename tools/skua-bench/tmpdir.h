/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/tmpdir.h - a private temporary directory (mode 0700,
 * mkdtemp) with one file's name in it, for the files that `profile` and
 * `tune` hand to the user's program (SKUA_PROFILE, the runs' stderr).
 *
 * A directory rather than a bare mkstemp file: once it is removed, a
 * process of the program that outlives it (a daemon, a late atexit
 * writer) cannot re-create the file in $TMPDIR; its open fails instead.
 */
#ifndef SKB_TMPDIR_H
#define SKB_TMPDIR_H

typedef struct skb_tmp {
	char *dir;  /* $TMPDIR (or /tmp)/skua-bench-XXXXXX, absolute (a
	             * relative $TMPDIR from the working directory); NULL:
	             * none */
	char *file; /* dir/name, not created */
} skb_tmp;

/* Make the directory and name file `name` in it.  Returns 0, or -1 with
 * a message on stderr that names the directory it could not make (and
 * t->dir, t->file NULL).  Any length of $TMPDIR. */
int skb_tmp_make(skb_tmp *t, const char *name);

/* Remove the file (if any) and the directory, and free the names.  Safe
 * on a t that skb_tmp_make failed to make. */
void skb_tmp_remove(skb_tmp *t);

/* Free the names but leave the directory and its file for the user. */
void skb_tmp_keep(skb_tmp *t);

#endif
