/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/noise.c - whether a figure can be trusted.  A phase (a
 * runner at a worker count, its timed runs) is "noisy: rerun" when
 *
 *   spread  its timed runs differ by more than 10% of their median:
 *           (max - min) / median > SKB_NOISY_SPREAD; or
 *   busy    the machine was busy: this process's threads waited in a run
 *           queue (runnable, not running: Linux's run_delay, summed over
 *           /proc/self/task/<tid>/schedstat) for more than 5% of the
 *           phase's CPU capacity, wall time x threads, and for more than
 *           1 ms (a parked worker's wake-up is run-queue wait too, tens of
 *           us on a VM: a phase of a few runs of 50 us is not "busy" for
 *           two of them).
 *
 * Why run_delay: it grows only when another thread wants the CPU a
 * thread of ours could run on, so it measures exactly "busy".  Process CPU
 * time against wall x workers does not: skua's idle workers park and the
 * peers' sleep, so a phase with real idle time (utree at 2 workers idles
 * 10-20%) uses less CPU than that on an idle machine; and /proc/loadavg is
 * a minute's average that counts our own threads.  A phase that runs more
 * threads than CPUs competes with itself, so the busy test is off there
 * and only the spread counts.  Without schedstat (a kernel built without
 * CONFIG_SCHED_INFO) only the spread counts too.
 *
 * SKUA_BENCH_FAULT=noisy-spread or noisy-busy (tests only) makes every
 * skua phase look noisy the one way, so that the test is deterministic.
 */
#include "bench.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SKB_NOISY_SPREAD 0.10
#define SKB_NOISY_BUSY 0.05
#define SKB_NOISY_BUSY_MIN_S 1e-3

double skb_run_delay(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	double sum = 0;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[sizeof "/proc/self/task//schedstat" + 256];
		unsigned long long run, wait;
		snprintf(path, sizeof path, "/proc/self/task/%s/schedstat",
		    e->d_name);
		FILE *f = fopen(path, "r");
		if (f == NULL) /* the thread exited meanwhile */
			continue;
		if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
			sum += (double)wait * 1e-9;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n > 0 ? sum : -1;
}

static int fault(void)
{
	static int f = -1;
	if (f < 0) {
		const char *v = getenv("SKUA_BENCH_FAULT");
		f = v == NULL ? 0 : strcmp(v, "noisy-spread") == 0 ? 1 :
		    strcmp(v, "noisy-busy") == 0 ? 2 : 0;
	}
	return f;
}

void skb_noise_judge(skb_noise *z, const double *times, int n,
    double delay, double wall, unsigned threads, unsigned cpus,
    bool faultable)
{
	double lo = times[0], hi = times[0];
	for (int i = 1; i < n; i++) {
		if (times[i] < lo)
			lo = times[i];
		if (times[i] > hi)
			hi = times[i];
	}
	double med = skb_median(times, n);
	z->spread = n > 1 && med > 0 ? (hi - lo) / med : 0;
	z->busy = -1;
	if (delay >= 0 && wall > 0 && threads >= 1 && threads <= cpus)
		z->busy = delay / (wall * threads);
	bool busy = z->busy > SKB_NOISY_BUSY && delay > SKB_NOISY_BUSY_MIN_S;
	if (faultable && fault() == 1)
		z->spread += 0.5;
	if (faultable && fault() == 2) {
		z->busy = 0.5;
		busy = true;
	}
	z->busy_noisy = busy;
	z->noisy = z->spread > SKB_NOISY_SPREAD || busy;
}

const char *skb_noise_why(const skb_noise *z, char *buf, size_t len)
{
	bool spread = z->spread > SKB_NOISY_SPREAD;
	if (!z->noisy)
		snprintf(buf, len, "%s", "");
	else if (z->busy_noisy && spread)
		snprintf(buf, len, "noisy: rerun (spread %.0f%%, busy: waited "
		    "%.0f%%)", z->spread * 100, z->busy * 100);
	else if (z->busy_noisy)
		snprintf(buf, len, "noisy: rerun (busy: waited %.0f%%)",
		    z->busy * 100);
	else
		snprintf(buf, len, "noisy: rerun (spread %.0f%%)",
		    z->spread * 100);
	return buf;
}
