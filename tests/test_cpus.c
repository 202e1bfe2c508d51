/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/cpus.c's cgroup quotas, on cgroup trees built under a temporary
 * directory (the machine's own is whatever it is): cgroup v2 quotas on
 * the process's cgroup and on its parents (the tightest wins, rounded
 * up), "max", a cgroup namespace, cgroup v1's cpu hierarchy under its
 * three mount names, and garbage that must count as no quota.  Then the
 * real machine: the default worker count is never 0 and never above the
 * affinity mask.
 * Usage: test_cpus [CASE]
 */
#define _GNU_SOURCE
#include "test.h"
#include "cpus.h"

#include <sched.h>
#include <skua/pool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void make_root(void)
{
	strcpy(root, "/tmp/skua_test_cpus.XXXXXX");
	ASSERT(mkdtemp(root) != NULL);
}

static void remove_root(void)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	ASSERT_EQ(system(cmd), 0);
}

/* mkdir -p root/rel. */
static void dir(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(path, 0755);
			*s = '/';
		}
	}
	mkdir(path, 0755);
}

/* root/rel holding text (its directory made first). */
static void file(const char *rel, const char *text)
{
	char path[512], d[256];
	snprintf(d, sizeof d, "%s", rel);
	char *slash = strrchr(d, '/');
	if (slash != NULL) {
		*slash = '\0';
		dir(d);
	}
	snprintf(path, sizeof path, "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	ASSERT(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Read the quota with proc/self/cgroup = proc_text; fs is root/fs. */
static struct skua__cpus quota(const char *fs, const char *proc_text)
{
	char fsroot[128], proc[128];
	file("proc_self_cgroup", proc_text);
	snprintf(fsroot, sizeof fsroot, "%s/%s", root, fs);
	snprintf(proc, sizeof proc, "%s/proc_self_cgroup", root);
	struct skua__cpus c;
	memset(&c, 0x5a, sizeof c);
	c.affinity = 64;
	c.mask = true;
	skua__cpus_read_quota(&c, fsroot, proc);
	return c;
}

static void want_quota(const struct skua__cpus *c, long cpus,
    const char *text, const char *file_rel)
{
	char want_file[512];
	snprintf(want_file, sizeof want_file, "%s/%s", root, file_rel);
	if (!c->quota || c->quota_cpus != cpus ||
	    strcmp(c->quota_text, text) != 0 ||
	    strcmp(c->quota_file, want_file) != 0)
		FAIL("quota %d, %ld CPUs, \"%s\" from %s; want %ld, \"%s\" "
		    "from %s", c->quota, c->quota_cpus, c->quota_text,
		    c->quota_file, cpus, text, want_file);
	ASSERT_EQ(skua__cpus_count(c), (unsigned)cpus);
}

static void want_none(const struct skua__cpus *c)
{
	if (c->quota)
		FAIL("a quota of %ld CPUs (\"%s\" from %s) where there is "
		    "none", c->quota_cpus, c->quota_text, c->quota_file);
	ASSERT_EQ(skua__cpus_count(c), 64); /* the affinity stands */
}

TEST_CASE(v2_quota_on_the_own_cgroup_and_on_a_parent)
{
	make_root();
	const char *proc = "0::/system.slice/app.service\n";
	/* systemd's CPUQuota=150%: on the unit's own cgroup; 2 CPUs. */
	file("fs/system.slice/app.service/cpu.max", "150000 100000\n");
	file("fs/system.slice/cpu.max", "max 100000\n");
	file("fs/cpu.max", "max 100000\n");
	struct skua__cpus c = quota("fs", proc);
	want_quota(&c, 2, "150000 100000",
	    "fs/system.slice/app.service/cpu.max");
	/* A tighter one on the parent wins. */
	file("fs/system.slice/cpu.max", "50000 100000\n");
	c = quota("fs", proc);
	want_quota(&c, 1, "50000 100000", "fs/system.slice/cpu.max");
	/* Only the parent has one (a container's slice). */
	file("fs/system.slice/app.service/cpu.max", "max 100000\n");
	file("fs/system.slice/cpu.max", "400000 100000\n");
	c = quota("fs", proc);
	want_quota(&c, 4, "400000 100000", "fs/system.slice/cpu.max");
	/* Exact multiples are not rounded up; tiny quotas are 1 CPU. */
	file("fs/system.slice/cpu.max", "300000 100000\n");
	c = quota("fs", proc);
	want_quota(&c, 3, "300000 100000", "fs/system.slice/cpu.max");
	file("fs/system.slice/cpu.max", "1000 100000\n");
	c = quota("fs", proc);
	want_quota(&c, 1, "1000 100000", "fs/system.slice/cpu.max");
	remove_root();
}

TEST_CASE(v2_max_everywhere_and_a_cgroup_namespace)
{
	make_root();
	file("fs/a/b/cpu.max", "max 100000\n");
	file("fs/a/cpu.max", "max 100000\n");
	struct skua__cpus c = quota("fs", "0::/a/b\n");
	want_none(&c);
	/* A namespace: /proc/self/cgroup names a host path that is not
	 * there; the root's own file is the container's. */
	file("fs/cpu.max", "200000 100000\n");
	c = quota("fs", "0::/../../kubepods/pod1/abc\n");
	want_quota(&c, 2, "200000 100000", "fs/cpu.max");
	c = quota("fs", "0::/\n");
	want_quota(&c, 2, "200000 100000", "fs/cpu.max");
	/* No /proc/self/cgroup at all: the root's file. */
	char fsroot[128];
	snprintf(fsroot, sizeof fsroot, "%s/fs", root);
	c.quota = false;
	skua__cpus_read_quota(&c, fsroot, "/nonexistent/cgroup");
	want_quota(&c, 2, "200000 100000", "fs/cpu.max");
	remove_root();
}

TEST_CASE(v1_cpu_hierarchy_under_each_mount_name)
{
	static const char *const mounts[] = { "cpu", "cpu,cpuacct",
		"cpuacct,cpu" };
	static const char *const lines[] = {
		"4:cpu:/docker/abc\n", "4:cpu,cpuacct:/docker/abc\n",
		"4:cpuacct,cpu:/docker/abc\n" };
	for (int i = 0; i < 3; i++) {
		make_root();
		char rel[128];
		snprintf(rel, sizeof rel, "fs/%s/docker/abc/cpu.cfs_quota_us",
		    mounts[i]);
		file(rel, "250000\n");
		snprintf(rel, sizeof rel, "fs/%s/docker/abc/cpu.cfs_period_us",
		    mounts[i]);
		file(rel, "100000\n");
		snprintf(rel, sizeof rel, "fs/%s/cpu.cfs_quota_us", mounts[i]);
		file(rel, "-1\n");
		snprintf(rel, sizeof rel, "fs/%s/cpu.cfs_period_us", mounts[i]);
		file(rel, "100000\n");
		char text[256];
		snprintf(text, sizeof text, "12:memory:/docker/abc\n%s"
		    "1:name=systemd:/docker/abc\n0::/docker/abc\n", lines[i]);
		struct skua__cpus c = quota("fs", text);
		snprintf(rel, sizeof rel, "fs/%s/docker/abc/cpu.cfs_quota_us",
		    mounts[i]);
		want_quota(&c, 3, "250000 100000", rel);
		/* -1 on every level: none. */
		snprintf(rel, sizeof rel, "fs/%s/docker/abc/cpu.cfs_quota_us",
		    mounts[i]);
		file(rel, "-1\n");
		c = quota("fs", text);
		want_none(&c);
		remove_root();
	}
	/* "cpuset" is not "cpu". */
	make_root();
	file("fs/cpuset/cpu.cfs_quota_us", "100000\n");
	file("fs/cpuset/cpu.cfs_period_us", "100000\n");
	struct skua__cpus c = quota("fs", "3:cpuset:/\n");
	want_none(&c);
	remove_root();
}

TEST_CASE(garbage_counts_as_no_quota)
{
	static const char *const bad[] = { "", "\n", "max\n", "150000\n",
		"abc 100000\n", "150000 abc\n", "150000 0\n", "0 100000\n",
		"-5 100000\n", "99999999999999999999999 100000\n",
		"150000 100000x\n" };
	make_root();
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		file("fs/cpu.max", bad[i]);
		struct skua__cpus c = quota("fs", "0::/\n");
		if (c.quota)
			FAIL("cpu.max \"%s\" read as %ld CPUs", bad[i],
			    c.quota_cpus);
	}
	/* Malformed /proc/self/cgroup lines are skipped. */
	file("fs/cpu.max", "100000 100000\n");
	struct skua__cpus c = quota("fs", "garbage\n0:\n0::relative\n");
	want_none(&c);
	/* A huge quota is no bound below the affinity. */
	file("fs/cpu.max", "18446744073709551615 1\n");
	c = quota("fs", "0::/\n");
	ASSERT(c.quota);
	ASSERT_EQ(skua__cpus_count(&c), 64);
	remove_root();
}

TEST_CASE(this_machine_default_workers_within_the_mask)
{
	struct skua__cpus c;
	skua__cpus_read(&c);
	cpu_set_t set;
	ASSERT(sched_getaffinity(0, sizeof set, &set) == 0);
	unsigned n = skua__cpus_count(&c);
	ASSERT(n >= 1 && n <= (unsigned)CPU_COUNT(&set));
	unsetenv("SKUA_WORKERS");
	skua_pool *p = NULL;
	ASSERT_OK(skua_pool_create(NULL, &p));
	ASSERT_EQ(skua_pool_workers(p), n);
	ASSERT_OK(skua_pool_destroy(p));
	printf("this machine: %u CPU%s (%ld in the mask%s%s)\n", n,
	    n == 1 ? "" : "s", c.affinity,
	    c.quota ? "; cgroup quota from " : "", c.quota ? c.quota_file : "");
}

static const struct test_case cases[] = {
	TEST_ENTRY(v2_quota_on_the_own_cgroup_and_on_a_parent),
	TEST_ENTRY(v2_max_everywhere_and_a_cgroup_namespace),
	TEST_ENTRY(v1_cpu_hierarchy_under_each_mount_name),
	TEST_ENTRY(garbage_counts_as_no_quota),
	TEST_ENTRY(this_machine_default_workers_within_the_mask),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
