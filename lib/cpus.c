/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/cpus.c - the CPUs this process may use (lib/cpus.h says the rule).
 */
#define _GNU_SOURCE
#include "clock.h"
#include "cpus.h"
#include "mountinfo.h"

#include <pthread.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define PATH_LEN 4096 /* PATH_MAX */
#define MAX_CPUS 4096 /* the most workers a pool starts by default */

/* The first line of file path into buf; false if unreadable. */
static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return false;
	bool ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	return ok;
}

/* A decimal number that is the whole of s (but a final newline): no
 * sign, no blanks, no trailing token. */
static bool parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && (*end == '\0' || (*end == '\n' && end[1] == '\0'));
}

/* Keep quota / period if it is the tightest so far. */
static void offer(struct skua__cpus *c, unsigned long long quota,
    unsigned long long period, const char *file)
{
	if (quota == 0 || period == 0)
		return;
	unsigned long long cpus = quota / period + (quota % period != 0);
	long n = cpus > LONG_MAX ? LONG_MAX : (long)cpus;
	if (c->quota && n >= c->quota_cpus)
		return;
	c->quota = true;
	c->quota_cpus = n;
	snprintf(c->quota_text, sizeof c->quota_text, "%llu %llu", quota,
	    period);
	snprintf(c->quota_file, sizeof c->quota_file, "%s", file);
}

/* cgroup v2: dir/cpu.max, "QUOTA PERIOD" or "max PERIOD". */
static void v2_level(struct skua__cpus *c, const char *dir)
{
	char file[PATH_LEN + 16], line[96];
	unsigned long long quota, period;
	snprintf(file, sizeof file, "%s/cpu.max", dir);
	if (!read_line(file, line, sizeof line))
		return;
	char *sp = strchr(line, ' ');
	if (sp == NULL || !parse_u64(sp + 1, &period))
		return;
	*sp = '\0';
	if (parse_u64(line, &quota))
		offer(c, quota, period, file);
}

/* cgroup v1: dir/cpu.cfs_quota_us (-1: none) and cpu.cfs_period_us. */
static void v1_level(struct skua__cpus *c, const char *dir)
{
	char file[PATH_LEN + 24], line[48];
	unsigned long long quota, period;
	snprintf(file, sizeof file, "%s/cpu.cfs_period_us", dir);
	if (!read_line(file, line, sizeof line) || !parse_u64(line, &period))
		return;
	snprintf(file, sizeof file, "%s/cpu.cfs_quota_us", dir);
	if (read_line(file, line, sizeof line) && parse_u64(line, &quota))
		offer(c, quota, period, file);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Offer every level from mount + path up to mount; only mount itself
 * where mount + path is not there (a cgroup namespace). */
static void walk(struct skua__cpus *c, const char *mount, const char *path,
    void (*level)(struct skua__cpus *, const char *))
{
	char dir[PATH_LEN];
	size_t base = strlen(mount);
	if (snprintf(dir, sizeof dir, "%s%s", mount, path) >= (int)sizeof dir ||
	    !is_dir(dir)) {
		level(c, mount);
		return;
	}
	for (;;) {
		size_t n = strlen(dir);
		while (n > base && dir[n - 1] == '/')
			dir[--n] = '\0';
		level(c, dir);
		if (n <= base)
			return;
		char *slash = strrchr(dir + base, '/');
		if (slash == NULL)
			*(dir + base) = '\0';
		else
			*slash = '\0';
	}
}

/* Does the comma-separated list hold "cpu"? */
static bool has_cpu_controller(const char *list, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && list[j] != ',')
			j++;
		if (j - i == 3 && memcmp(list + i, "cpu", 3) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

/* The v1 cpu hierarchy's mount under root, or false. */
static bool v1_mount(const char *root, char *out, size_t len)
{
	static const char *const names[] = { "cpu", "cpu,cpuacct",
		"cpuacct,cpu" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (snprintf(out, len, "%s/%s", root, names[i]) < (int)len &&
		    is_dir(out))
			return true;
	}
	return false;
}

/* Has path a ".." component?  Then the cgroup is outside what the mount
 * shows (a cgroup namespace's "/.."), and nothing under it is an
 * ancestor: no quota from that line. */
static bool has_dotdot(const char *path)
{
	for (const char *s = path; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == path || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return true;
	return false;
}

/* The process's cgroups that can hold a CPU quota: /proc/self/cgroup's
 * v2 line ("0::PATH") and the v1 line whose controllers include "cpu". */
struct cgroup_paths {
	bool v2, v1;
	char v2_path[PATH_LEN], v1_path[PATH_LEN];
};

/* One /proc/self/cgroup line, newline stripped: "ID:CONTROLLERS:PATH". */
static void cgroup_line(struct cgroup_paths *p, char *line)
{
	char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
	if (b == NULL || b[1] != '/' || has_dotdot(b + 1) ||
	    strlen(b + 1) >= PATH_LEN)
		return;
	if (strncmp(line, "0::", 3) == 0) {
		p->v2 = true;
		strcpy(p->v2_path, b + 1);
	} else if (has_cpu_controller(a + 1, (size_t)(b - a - 1))) {
		p->v1 = true;
		strcpy(p->v1_path, b + 1);
	}
}

/* false: the file could not be opened. */
static bool read_cgroup_paths(const char *proc_cgroup, struct cgroup_paths *p)
{
	p->v2 = p->v1 = false;
	FILE *f = fopen(proc_cgroup, "re");
	if (f == NULL)
		return false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	/* Whole lines only: a path too long for the walk is skipped (a cut
	 * one could name a sibling), not split. */
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break; /* the file's end in mid-line: incomplete */
		line[n - 1] = '\0';
		cgroup_line(p, line);
	}
	free(line);
	fclose(f);
	return true;
}

/* The part of the cgroup path below a mount's root cgroup (mountinfo's
 * ROOT), "" for the root itself; NULL when path is not in the mount's
 * subtree (nothing the mount shows is its ancestor). */
static const char *below_mount_root(const char *path, const char *root)
{
	size_t n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		n--;
	if (has_dotdot(root) || strncmp(path, root, n) != 0 ||
	    (path[n] != '\0' && path[n] != '/'))
		return NULL;
	return path + n;
}

struct mount_walk {
	struct skua__cpus *c;
	const struct cgroup_paths *paths;
};

/* A cgroup mount of mountinfo: walk our cgroup's levels in it. */
static void mount_levels(void *ctx, const struct skua__cgroup_mount *m)
{
	struct mount_walk *mw = ctx;
	const struct cgroup_paths *p = mw->paths;
	bool v1_cpu = !m->v2 && has_cpu_controller(m->super, strlen(m->super));
	const char *rel = m->v2 && p->v2 ? below_mount_root(p->v2_path,
	    m->root) : v1_cpu && p->v1 ? below_mount_root(p->v1_path,
	    m->root) : NULL;
	if (rel != NULL)
		walk(mw->c, m->point, rel, m->v2 ? v2_level : v1_level);
}

void skua__cpus_read_quota(struct skua__cpus *c, const char *mountinfo,
    const char *proc_cgroup, const char *root)
{
	c->quota = false;
	c->quota_cpus = 0;
	c->quota_text[0] = c->quota_file[0] = '\0';
	struct cgroup_paths *p = malloc(sizeof *p);
	if (p == NULL)
		return; /* no quota: the affinity stands */
	if (!read_cgroup_paths(proc_cgroup, p)) {
		v2_level(c, root); /* no /proc: the root's own file */
		free(p);
		return;
	}
	struct mount_walk mw = { c, p };
	if (skua__mountinfo_cgroups(mountinfo, mount_levels, &mw) <= 0) {
		/* No mountinfo, or it lists no cgroup mount: the usual
		 * places under root. */
		char mount[PATH_LEN];
		if (p->v2)
			walk(c, root, p->v2_path, v2_level);
		if (p->v1 && v1_mount(root, mount, sizeof mount))
			walk(c, mount, p->v1_path, v1_level);
	}
	free(p);
}

cpu_set_t *skua__cpus_affinity_mask(size_t *size)
{
	for (int n = 1024; n <= (1 << 20); n *= 2) {
		cpu_set_t *set = CPU_ALLOC(n);
		if (set == NULL)
			return NULL;
		*size = CPU_ALLOC_SIZE(n);
		CPU_ZERO_S(*size, set);
		if (sched_getaffinity(0, *size, set) == 0)
			return set;
		/* Saved before the free: free() may set errno on a C
		 * library older than glibc 2.33 (a review note). */
		int err = errno;
		CPU_FREE(set);
		if (err != EINVAL)
			return NULL;
	}
	return NULL;
}

/* The affinity mask's CPUs; 0: no mask. */
static long affinity_cpus(void)
{
	size_t size;
	cpu_set_t *set = skua__cpus_affinity_mask(&size);
	if (set == NULL)
		return 0;
	long count = CPU_COUNT_S(size, set);
	CPU_FREE(set);
	return count;
}

/* The quota part, read again only after QUOTA_TTL_NS: the files cost
 * ~40 us a reading (sysfs and /proc opens, on the EPYC VM), as much as
 * the rest of a pool create and destroy; a resized limit is seen within
 * a second.  Under a lock that nobody waits for: a create that finds it
 * taken (another create reading, or a fork() child whose parent held
 * it) reads the files itself. */
#define QUOTA_TTL_NS 1000000000ull
static pthread_mutex_t quota_lock = PTHREAD_MUTEX_INITIALIZER;
static struct skua__cpus quota_cache;
static uint64_t quota_read_ns; /* 0: never read */

static void read_quota_here(struct skua__cpus *c)
{
	skua__cpus_read_quota(c, "/proc/self/mountinfo", "/proc/self/cgroup",
	    CGROUP_ROOT);
}

static void cached_quota(struct skua__cpus *c)
{
	if (pthread_mutex_trylock(&quota_lock) != 0) {
		read_quota_here(c);
		return;
	}
	uint64_t now = skua__now_ns();
	if (quota_read_ns == 0 || now - quota_read_ns >= QUOTA_TTL_NS) {
		read_quota_here(&quota_cache);
		quota_read_ns = now != 0 ? now : 1;
	}
	c->quota = quota_cache.quota;
	c->quota_cpus = quota_cache.quota_cpus;
	memcpy(c->quota_text, quota_cache.quota_text, sizeof c->quota_text);
	memcpy(c->quota_file, quota_cache.quota_file, sizeof c->quota_file);
	pthread_mutex_unlock(&quota_lock);
}

void skua__cpus_read(struct skua__cpus *c)
{
	c->affinity = affinity_cpus();
	c->mask = c->affinity > 0;
	if (c->affinity <= 0)
		c->affinity = sysconf(_SC_NPROCESSORS_ONLN);
	if (c->affinity <= 0)
		c->affinity = 1;
	cached_quota(c);
}

bool skua__cpus_quota_binds(const struct skua__cpus *c)
{
	return c->quota && c->quota_cpus >= 1 && c->quota_cpus < c->affinity &&
	    c->quota_cpus < MAX_CPUS;
}

unsigned skua__cpus_count(const struct skua__cpus *c)
{
	long n = skua__cpus_quota_binds(c) ? c->quota_cpus : c->affinity;
	if (n < 1)
		n = 1;
	return n > MAX_CPUS ? MAX_CPUS : (unsigned)n;
}
