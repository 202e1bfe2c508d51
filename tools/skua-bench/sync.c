/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tools/skua-bench/sync.c - a pool-wide sync (every worker runs one task at
 * once, so that its idle counter is settled before a read) and the
 * first-loop kernel of --report (issue 11), apart from the benchmark
 * kernels of kernels/.
 */
#include "sync.h"

#include <sched.h>
#include <stdatomic.h>

/* ---- pool-wide sync and the first-loop kernel --------------------- */

struct sync_state {
	_Atomic unsigned arrived;
	unsigned want;
	double deadline;
	_Atomic int late;
};

static void sync_body(size_t lo, size_t hi, void *ctx)
{
	struct sync_state *s = ctx;
	for (size_t i = lo; i < hi; i++)
		atomic_fetch_add(&s->arrived, 1);
	while (atomic_load(&s->arrived) < s->want) {
		if (skb_now() > s->deadline) {
			atomic_store(&s->late, 1);
			return;
		}
		sched_yield(); /* pools larger than the machine */
	}
}

int skb_sync_workers(skua_pool *p, unsigned workers, double timeout_s)
{
	struct sync_state s = { .want = workers,
	    .deadline = skb_now() + timeout_s };
	skua_par_opts o;

	atomic_init(&s.arrived, 0);
	atomic_init(&s.late, 0);
	skua_par_opts_init(&o);
	o.chunk = 1; /* a chunk per worker: spread one to each at once */
	int rc = skua_parallel_for(p, 0, workers, &o, sync_body, &s);
	return rc != 0 || atomic_load(&s.late) ? -1 : 0;
}

static unsigned spin_iters = 1;
static volatile double spin_sink;

static double spin(unsigned k)
{
	double a = 1.0;
	for (unsigned i = 0; i < k; i++)
		a = a * 1.0000001 + 1e-9;
	return a;
}

void skb_spin_calibrate(double us)
{
	double t0 = skb_now();
	spin_sink = spin(1000000);
	double per = (skb_now() - t0) / 1e6;
	spin_iters = per > 0 ? (unsigned)(us * 1e-6 / per) + 1 : 1000;
}

static void spin_body(size_t lo, size_t hi, void *ctx)
{
	double s = 0;
	(void)ctx;
	for (size_t i = lo; i < hi; i++)
		s += spin(spin_iters);
	spin_sink = s;
}

int skb_spin_loop(skua_pool *p, size_t n, size_t chunk)
{
	skua_par_opts o;

	skua_par_opts_init(&o);
	o.chunk = chunk;
	return skua_parallel_for(p, 0, n, &o, spin_body, NULL);
}
