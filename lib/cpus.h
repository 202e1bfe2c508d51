/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/cpus.h - how many CPUs this process may use: the default worker
 * count (lib/pool.c) and what SKUA_DISPLAY_ENV says it is made of
 * (lib/display_env.c), from one reading.
 *
 * The count is the affinity mask's CPUs (online CPUs when there is no
 * mask), bounded by the tightest cgroup CPU quota over the process's
 * cgroup and its ancestors, rounded up (1.5 CPUs: 2):
 * - cgroup v2: /proc/self/cgroup's "0::PATH" line; cpu.max ("QUOTA
 *   PERIOD" or "max PERIOD") in ROOT/PATH and every directory above it up
 *   to ROOT.  A systemd unit's CPUQuota= is on its own cgroup, a
 *   container's often on a parent.  Where ROOT/PATH does not exist (a
 *   cgroup namespace shows the process at the root while
 *   /proc/self/cgroup names the host's path) ROOT/cpu.max alone.
 * - cgroup v1: the line whose controllers include "cpu"; the hierarchy
 *   mounted at ROOT/cpu, ROOT/cpu,cpuacct or ROOT/cpuacct,cpu;
 *   cpu.cfs_quota_us (-1: none) and cpu.cfs_period_us in the same walk.
 * ROOT is /sys/fs/cgroup.  Unreadable or malformed files count as no
 * quota: a quota can only lower the count, never make it 0.
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
	char quota_file[544];  /* the file it was read from */
};

/* Read the affinity mask and the cgroup quotas of this process. */
void skua__cpus_read(struct skua__cpus *c);

/* The quota part alone, from a cgroup tree at root and a
 * /proc/self/cgroup-format file (tests pass a tree of their own). */
void skua__cpus_read_quota(struct skua__cpus *c, const char *root,
    const char *proc_cgroup);

/* The default worker count: affinity bounded by the quota; 1..4096. */
unsigned skua__cpus_count(const struct skua__cpus *c);

#endif /* SKUA_CPUS_H */
