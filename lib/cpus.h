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
 * - Which cgroups: /proc/self/cgroup's v2 line "0::PATH", and its v1
 *   line whose controllers include "cpu".  A PATH with a ".." component
 *   (a cgroup outside the namespace's root) gives no quota: nothing a
 *   mount shows is its ancestor.
 * - Where: every cgroup2 mount, and every v1 "cgroup" mount whose
 *   controllers include "cpu", that /proc/self/mountinfo lists
 *   (lib/mountinfo.h).  A mount shows the hierarchy from its ROOT cgroup
 *   down ("/" usually; a container without a cgroup namespace sees its
 *   own cgroup there): PATH's levels from PATH up to ROOT are read
 *   under the mount point; a mount whose ROOT is not PATH or above it
 *   gives nothing.  When mountinfo cannot be read or lists no cgroup
 *   mount, the usual places: v2 at /sys/fs/cgroup, v1 at
 *   /sys/fs/cgroup/cpu, cpu,cpuacct or cpuacct,cpu (a symlink too).
 * - What: v2's cpu.max ("QUOTA PERIOD" or "max PERIOD"); v1's
 *   cpu.cfs_quota_us (-1: none) over cpu.cfs_period_us.  A systemd
 *   unit's CPUQuota= is on its own cgroup, a container's often on a
 *   parent.  Where MOUNT/PATH does not exist, MOUNT's own files alone (a
 *   v1 container without a namespace or mountinfo: /proc/self/cgroup
 *   names the host's path, the mount shows the container's cgroup).
 * Unreadable or malformed files, and lines over PATH_MAX, count as no
 * quota: a quota can only lower the count, never make it 0.
 */
#ifndef SKUA_CPUS_H
#define SKUA_CPUS_H

#include <sched.h> /* cpu_set_t: the includer defines _GNU_SOURCE */
#include <stdbool.h>
#include <stddef.h>

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

/* The quota part alone, from /proc/self/mountinfo- and
 * /proc/self/cgroup-format files, with root for the usual places (tests
 * pass files and trees of their own). */
void skua__cpus_read_quota(struct skua__cpus *c, const char *mountinfo,
    const char *proc_cgroup, const char *root);

/* The default worker count: affinity bounded by the quota; 1..4096. */
unsigned skua__cpus_count(const struct skua__cpus *c);

/* Is the quota what sets skua__cpus_count (below the affinity and the
 * 4096 cap)? */
bool skua__cpus_quota_binds(const struct skua__cpus *c);

/* The calling thread's affinity mask in a set as large as the kernel's
 * (past 1024 possible CPUs a cpu_set_t is too small, and
 * sched_getaffinity fails with it); *size is its size in bytes, for the
 * CPU_*_S macros.  NULL: no mask (out of memory, or the call failed).
 * Free it with CPU_FREE. */
cpu_set_t *skua__cpus_affinity_mask(size_t *size);

#endif /* SKUA_CPUS_H */
