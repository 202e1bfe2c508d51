/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/mountinfo.h - the cgroup file systems that /proc/self/mountinfo
 * lists, for lib/cpus.c: where each hierarchy is mounted, and which of
 * its cgroups the mount shows at its top.
 *
 * A mountinfo line (proc(5)) is
 *     ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
 * ROOT is the cgroup shown at MOUNTPOINT (a container without a cgroup
 * namespace sees "/docker/ID" there; a cgroup namespace shows "/" for its
 * own root); SUPER holds a cgroup v1 hierarchy's controllers ("rw,cpu,
 * cpuacct").  Blanks, tabs, newlines and backslashes in ROOT and
 * MOUNTPOINT are written as octal escapes (\040), undone here.
 */
#ifndef SKUA_MOUNTINFO_H
#define SKUA_MOUNTINFO_H

#include <stdbool.h>

struct skua__cgroup_mount {
	bool v2;           /* "cgroup2"; else a v1 "cgroup" hierarchy */
	const char *root;  /* the cgroup at the mount point, "/" or deeper */
	const char *point; /* where it is mounted */
	const char *super; /* the super options: v1's controllers */
};

/*
 * Call each(ctx, m) for every cgroup or cgroup2 mount in the file
 * (/proc/self/mountinfo, or a test's copy), in the file's order; m's
 * strings live until each returns.  Lines that are cut off (no final
 * newline), malformed, or longer than 3 paths are skipped.  Returns how
 * many cgroup mounts it saw, or -1 if the file could not be opened.
 */
int skua__mountinfo_cgroups(const char *path,
    void (*each)(void *ctx, const struct skua__cgroup_mount *m), void *ctx);

#endif /* SKUA_MOUNTINFO_H */
