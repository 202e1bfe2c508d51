/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/cpus.h - how many CPUs this process may use: the default worker
 * count (lib/pool.c) and what SKUA_DISPLAY_ENV says it is made of
 * (lib/display_env.c), from one reading per skua_pool_create.
 *
 * The count is the creating thread's affinity mask's CPUs (online CPUs
 * when there is no mask; a pool created from a thread pinned to one CPU
 * gets one worker), bounded by the tightest cgroup CPU quota over the
 * process's cgroup and its ancestors, rounded up (1.5 CPUs: 2):
 * - cgroup v2: /proc/self/cgroup's "0::PATH" line; cpu.max ("QUOTA
 *   PERIOD" or "max PERIOD") in ROOT/PATH and every directory above it up
 *   to ROOT.  A systemd unit's CPUQuota= is on its own cgroup, a
 *   container's often on a parent; in a cgroup namespace PATH is "/".
 * - cgroup v1: the line whose controllers include "cpu"; the hierarchy
 *   mounted at ROOT/cpu, ROOT/cpu,cpuacct or ROOT/cpuacct,cpu (a symlink
 *   to one of them too); cpu.cfs_quota_us (-1: none) and
 *   cpu.cfs_period_us in the same walk.
 * - Where MOUNT/PATH does not exist, MOUNT's own files alone: a container
 *   without a cgroup namespace has its own cgroup mounted there while
 *   /proc/self/cgroup names the host's path.  A PATH with a ".."
 *   component (a cgroup outside the namespace's root) gives no quota:
 *   nothing the mount shows is its ancestor.
 * ROOT is /sys/fs/cgroup.  Unreadable or malformed files, and lines over
 * PATH_MAX, count as no quota: a quota can only lower the count, never
 * make it 0.  Not done: mounts elsewhere than ROOT or under other names
 * (/proc/self/mountinfo would say where; the JDK reads it), so such a
 * quota is missed and the count is the affinity's, never too low.
 */
#ifndef SKUA_CPUS_H
#define SKUA_CPUS_H

#include <stdbool.h>

struct skua__cpus {
	long affinity;         /* CPUs in the mask, or online */
	bool mask;             /* affinity is sched_getaffinity's */
	bool quota;            /* a cgroup quota was found */
	long quota_cpus;       /* ceil(quota / period) of the tightest */
	char quota_text[48];   /* its "QUOTA PERIOD" */
	char quota_file[4128]; /* the file it was read from */
};

/* Read the affinity mask and the cgroup quotas of this process (the
 * quotas at most a second old: lib/cpus.c says why). */
void skua__cpus_read(struct skua__cpus *c);

/* The quota part alone, from a cgroup tree at root and a
 * /proc/self/cgroup-format file (tests pass a tree of their own). */
void skua__cpus_read_quota(struct skua__cpus *c, const char *root,
    const char *proc_cgroup);

/* The default worker count: affinity bounded by the quota; 1..4096. */
unsigned skua__cpus_count(const struct skua__cpus *c);

/* Is the quota what sets skua__cpus_count (below the affinity and the
 * 4096 cap)? */
bool skua__cpus_quota_binds(const struct skua__cpus *c);

#endif /* SKUA_CPUS_H */
