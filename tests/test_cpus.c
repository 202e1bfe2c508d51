/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/cpus.c's cgroup quotas, on cgroup trees built under a temporary
 * directory (the machine's own is whatever it is): cgroup v2 quotas on
 * the process's cgroup and on its parents (the tightest wins, rounded
 * up), "max", a cgroup namespace and ".." paths (with decoys above the
 * mount), lines too long, cgroup v1's cpu hierarchy under its three mount
 * names and beside v2, and garbage that must count as no quota.  Then the
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
	skua__cpus_read_quota(&c, "/nonexistent/mountinfo", proc, fsroot);
	return c;
}

/* quota(), with a /proc/self/mountinfo too: every "@" in mountinfo_text
 * is the test's root directory. */
static struct skua__cpus quota_mounted(const char *fs, const char *proc_text,
    const char *mountinfo_text)
{
	char text[4096], *o = text;
	for (const char *s = mountinfo_text; *s != '\0'; s++) {
		if (*s == '@')
			o += snprintf(o, (size_t)(text + sizeof text - o), "%s",
			    root);
		else
			*o++ = *s;
		ASSERT(o < text + sizeof text - 1);
	}
	*o = '\0';
	file("proc_self_mountinfo", text);
	file("proc_self_cgroup", proc_text);
	char fsroot[128], proc[128], mi[128];
	snprintf(fsroot, sizeof fsroot, "%s/%s", root, fs);
	snprintf(proc, sizeof proc, "%s/proc_self_cgroup", root);
	snprintf(mi, sizeof mi, "%s/proc_self_mountinfo", root);
	struct skua__cpus c;
	memset(&c, 0x5a, sizeof c);
	c.affinity = 64;
	c.mask = true;
	skua__cpus_read_quota(&c, mi, proc, fsroot);
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
	/* A path that is not there (the container's own cgroup mounted at
	 * the root, the host's path in /proc/self/cgroup): the root's own
	 * file is the container's. */
	file("fs/cpu.max", "200000 100000\n");
	c = quota("fs", "0::/kubepods/pod1/abc\n");
	want_quota(&c, 2, "200000 100000", "fs/cpu.max");
	/* A cgroup namespace: the process at "/". */
	c = quota("fs", "0::/\n");
	want_quota(&c, 2, "200000 100000", "fs/cpu.max");
	/* No /proc/self/cgroup at all: the root's file. */
	char fsroot[128];
	snprintf(fsroot, sizeof fsroot, "%s/fs", root);
	c.quota = false;
	skua__cpus_read_quota(&c, "/nonexistent/mountinfo",
	    "/nonexistent/cgroup", fsroot);
	want_quota(&c, 2, "200000 100000", "fs/cpu.max");
	remove_root();
}

/* A cgroup outside the namespace's root ("/.."): nothing under the mount
 * is its ancestor, and nothing above the mount is ever read. */
TEST_CASE(dotdot_paths_give_no_quota_and_never_leave_the_mount)
{
	make_root();
	file("cpu.max", "100000 100000\n");              /* above fs: a decoy */
	file("cpu.cfs_quota_us", "100000\n");
	file("cpu.cfs_period_us", "100000\n");
	file("fs/cpu.max", "max 100000\n");
	file("fs/cpu/cpu.cfs_quota_us", "-1\n");
	file("fs/cpu/cpu.cfs_period_us", "100000\n");
	static const char *const lines[] = { "0::/..\n", "0::/../..\n",
		"0::/../../kubepods/pod1\n", "0::/a/../..\n", "4:cpu:/..\n",
		"4:cpu:/../x\n" };
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct skua__cpus c = quota("fs", lines[i]);
		if (c.quota)
			FAIL("\"%.*s\": %ld CPUs from %s", (int)strlen(lines[i]) - 1,
			    lines[i], c.quota_cpus, c.quota_file);
	}
	/* ".." only as a whole component: "a..b" is a name. */
	file("fs/a..b/cpu.max", "300000 100000\n");
	struct skua__cpus c = quota("fs", "0::/a..b\n");
	want_quota(&c, 3, "300000 100000", "fs/a..b/cpu.max");
	remove_root();
}

/* Lines are taken whole: one over PATH_MAX is skipped, not split into a
 * fragment that reads as a line of its own; an unfinished last line too. */
TEST_CASE(long_and_unfinished_lines_are_skipped_whole)
{
	make_root();
	file("fs/cpu/z/cpu.cfs_quota_us", "100000\n");
	file("fs/cpu/z/cpu.cfs_period_us", "100000\n");
	size_t len = 5000;
	char *text = malloc(len + 64);
	ASSERT(text != NULL);
	strcpy(text, "0::/");
	memset(text + 4, 'x', len);
	strcpy(text + 4 + len, "7:cpu:/z\n");
	struct skua__cpus c = quota("fs", text);
	want_none(&c);
	free(text);
	c = quota("fs", "0::/\n7:cpu:/z");        /* no final newline */
	want_none(&c);
	c = quota("fs", "0::/\n7:cpu:/z\n");      /* the same, finished */
	want_quota(&c, 1, "100000 100000", "fs/cpu/z/cpu.cfs_quota_us");
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
	/* Docker on v1 without a cgroup namespace: the host's path in
	 * /proc/self/cgroup, the container's cgroup at the mount; the
	 * mount reached through a "cpu" symlink to "cpu,cpuacct". */
	make_root();
	file("fs/cpu,cpuacct/cpu.cfs_quota_us", "50000\n");
	file("fs/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
	char target[128], link[128];
	snprintf(target, sizeof target, "%s/fs/cpu,cpuacct", root);
	snprintf(link, sizeof link, "%s/fs/cpu", root);
	ASSERT_EQ(symlink(target, link), 0);
	struct skua__cpus c = quota("fs", "4:cpu,cpuacct:/docker/abc\n");
	want_quota(&c, 1, "50000 100000", "fs/cpu/cpu.cfs_quota_us");
	remove_root();

	/* "cpuset" is not "cpu". */
	make_root();
	file("fs/cpuset/cpu.cfs_quota_us", "100000\n");
	file("fs/cpuset/cpu.cfs_period_us", "100000\n");
	c = quota("fs", "3:cpuset:/\n");
	want_none(&c);
	remove_root();
}

/* v1: a quota on a parent only; v1 tighter than v2 in one file, and the
 * other way round; broken v1 files count as none. */
TEST_CASE(v1_parents_and_v1_beside_v2)
{
	make_root();
	const char *proc = "5:cpu:/a/b\n0::/a/b\n";
	file("fs/cpu/a/b/cpu.cfs_quota_us", "-1\n");
	file("fs/cpu/a/b/cpu.cfs_period_us", "100000\n");
	file("fs/cpu/a/cpu.cfs_quota_us", "350000\n");
	file("fs/cpu/a/cpu.cfs_period_us", "100000\n");
	struct skua__cpus c = quota("fs", proc);
	want_quota(&c, 4, "350000 100000", "fs/cpu/a/cpu.cfs_quota_us");
	file("fs/a/b/cpu.max", "200000 100000\n");
	c = quota("fs", proc);
	want_quota(&c, 2, "200000 100000", "fs/a/b/cpu.max");
	file("fs/a/b/cpu.max", "500000 100000\n");
	c = quota("fs", proc);
	want_quota(&c, 4, "350000 100000", "fs/cpu/a/cpu.cfs_quota_us");
	/* Period 0, then no period file: no v1 quota, v2's stands. */
	file("fs/cpu/a/cpu.cfs_period_us", "0\n");
	c = quota("fs", proc);
	want_quota(&c, 5, "500000 100000", "fs/a/b/cpu.max");
	char path[256];
	snprintf(path, sizeof path, "%s/fs/cpu/a/cpu.cfs_period_us", root);
	ASSERT_EQ(unlink(path), 0);
	c = quota("fs", proc);
	want_quota(&c, 5, "500000 100000", "fs/a/b/cpu.max");
	remove_root();
}

TEST_CASE(garbage_counts_as_no_quota)
{
	static const char *const bad[] = { "", "\n", "max\n", "150000\n",
		"abc 100000\n", "150000 abc\n", "150000 0\n", "0 100000\n",
		"-5 100000\n", "99999999999999999999999 100000\n",
		"150000 100000x\n", "+5 100000\n", " 5 100000\n",
		"150000 100000 junk\n", "150000  100000\n", "150000\t100000\n" };
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

/* Mounts where mountinfo says, not where they usually are: v2 and v1
 * elsewhere (a blank in a name, escaped), the usual places' decoys
 * unread; a v1 hierarchy without "cpu" and name=systemd unread. */
TEST_CASE(mountinfo_names_the_mounts)
{
	make_root();
	file("fs/cpu.max", "100000 100000\n"); /* decoys: never read */
	file("fs/cpu/a/cpu.cfs_quota_us", "100000\n");
	file("fs/cpu/a/cpu.cfs_period_us", "100000\n");
	file("v2 here/a/b/cpu.max", "max 100000\n");
	file("v2 here/a/cpu.max", "300000 100000\n");
	file("v1/acct+cpu/a/cpu.cfs_quota_us", "-1\n");
	file("v1/acct+cpu/a/cpu.cfs_period_us", "100000\n");
	file("v1/acct+cpu/cpu.cfs_quota_us", "450000\n");
	file("v1/acct+cpu/cpu.cfs_period_us", "100000\n");
	file("v1/cpuset/a/cpu.cfs_quota_us", "100000\n");
	file("v1/cpuset/a/cpu.cfs_period_us", "100000\n");
	const char *mi =
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	    "30 22 0:26 / @/v2\\040here rw,nosuid shared:4 - cgroup2 "
	    "cgroup2 rw,nsdelegate\n"
	    "31 22 0:27 / @/v1/acct+cpu rw master:3 - cgroup cgroup "
	    "rw,cpuacct,cpu\n"
	    "32 22 0:28 / @/v1/cpuset rw - cgroup cgroup rw,cpuset\n"
	    "33 22 0:29 / @/v1/systemd rw - cgroup cgroup "
	    "rw,xattr,name=systemd\n";
	const char *proc = "4:cpuacct,cpu:/a\n3:cpuset:/a\n0::/a/b\n";
	struct skua__cpus c = quota_mounted("fs", proc, mi);
	want_quota(&c, 3, "300000 100000", "v2 here/a/cpu.max");
	/* Tighter in v1's root: that wins. */
	file("v1/acct+cpu/cpu.cfs_quota_us", "150000\n");
	c = quota_mounted("fs", proc, mi);
	want_quota(&c, 2, "150000 100000", "v1/acct+cpu/cpu.cfs_quota_us");
	/* mountinfo lists no cgroup mount: the usual places again. */
	c = quota_mounted("fs", proc,
	    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
	want_quota(&c, 1, "100000 100000", "fs/cpu.max");
	remove_root();
}

/* A mount whose root is a cgroup below "/" (a container without a cgroup
 * namespace): the levels from the cgroup up to that root, under the
 * mount point; a root that is not the cgroup or above it gives nothing,
 * and "/docker/abc" is not above "/docker/abcdef". */
TEST_CASE(mountinfo_root_below_the_hierarchy_top)
{
	make_root();
	file("m/cpu.max", "250000 100000\n");     /* /docker/abc */
	file("m/sub/cpu.max", "max 100000\n");    /* /docker/abc/sub */
	file("m/docker/abc/sub/cpu.max", "100000 100000\n"); /* decoy */
	const char *mi = "40 22 0:30 /docker/abc @/m rw - cgroup2 none rw\n";
	struct skua__cpus c = quota_mounted("fs", "0::/docker/abc/sub\n", mi);
	want_quota(&c, 3, "250000 100000", "m/cpu.max");
	file("m/sub/cpu.max", "200000 100000\n");
	c = quota_mounted("fs", "0::/docker/abc/sub\n", mi);
	want_quota(&c, 2, "200000 100000", "m/sub/cpu.max");
	c = quota_mounted("fs", "0::/docker/abc\n", mi);
	want_quota(&c, 3, "250000 100000", "m/cpu.max");
	/* The same with a trailing slash on the root. */
	c = quota_mounted("fs", "0::/docker/abc\n",
	    "40 22 0:30 /docker/abc/ @/m rw - cgroup2 none rw\n");
	want_quota(&c, 3, "250000 100000", "m/cpu.max");
	c = quota_mounted("fs", "0::/docker/abcdef\n", mi);
	want_none(&c);
	c = quota_mounted("fs", "0::/other\n", mi);
	want_none(&c);
	c = quota_mounted("fs", "0::/docker/abc\n",
	    "40 22 0:30 /docker/../docker/abc @/m rw - cgroup2 none rw\n");
	want_none(&c);
	remove_root();
}

/* Malformed mountinfo lines are skipped (no separator, too few fields,
 * a relative mount point, a line cut off at the file's end); an escape
 * is undone only where it is one. */
TEST_CASE(mountinfo_garbage_is_skipped)
{
	make_root();
	file("m/cpu.max", "100000 100000\n");
	file("fs/cpu.max", "200000 100000\n");
	static const char *const bad[] = {
		"40 22 0:30 / @/m rw cgroup2 none rw\n",
		"40 22 0:30 / @/m rw - cgroup2 none\n",
		"40 22 0:30 / m rw - cgroup2 none rw\n",
		"40 22 / @/m - cgroup2 none rw\n",
		"40 22 0:30 / @/m rw - cgroup2 none rw",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		/* Not a cgroup mount: the usual place, fs/cpu.max. */
		struct skua__cpus c = quota_mounted("fs", "0::/\n", bad[i]);
		if (!c.quota || c.quota_cpus == 1)
			FAIL("mountinfo line %zu: %s", i, c.quota ?
			    "read the mount it should skip" : "no quota");
	}
	/* "\\96" is no escape (9 is not an octal digit): a name. */
	file("\\96/cpu.max", "300000 100000\n");
	struct skua__cpus c = quota_mounted("fs", "0::/\n",
	    "40 22 0:30 / @/\\96 rw - cgroup2 none rw\n");
	want_quota(&c, 3, "300000 100000", "\\96/cpu.max");
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
	TEST_ENTRY(dotdot_paths_give_no_quota_and_never_leave_the_mount),
	TEST_ENTRY(long_and_unfinished_lines_are_skipped_whole),
	TEST_ENTRY(v1_cpu_hierarchy_under_each_mount_name),
	TEST_ENTRY(v1_parents_and_v1_beside_v2),
	TEST_ENTRY(garbage_counts_as_no_quota),
	TEST_ENTRY(mountinfo_names_the_mounts),
	TEST_ENTRY(mountinfo_root_below_the_hierarchy_top),
	TEST_ENTRY(mountinfo_garbage_is_skipped),
	TEST_ENTRY(this_machine_default_workers_within_the_mask),
	TEST_END,
};

int main(int argc, char **argv)
{
	return test_run_cases(argc, argv, cases);
}
