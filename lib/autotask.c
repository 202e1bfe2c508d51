/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/autotask.c - the one out-of-line piece of skua/autotask.h: folding a
 * timed sample into a task type's estimate (the rule is in
 * skua/bits/autotask.h).  Called for one spawn in 64, so it need not be
 * inline; relaxed, because a lost update only loses a sample.
 */
#include "clock.h"
#include "skua/bits/autotask_abi.h"

#include <pthread.h>

void skua_abi_auto_record(struct skua_auto *a, unsigned depth, uint64_t ns)
{
	if (depth >= SKUA_AUTO_DEPTHS)
		depth = SKUA_AUTO_DEPTHS - 1;
	/* A mean: what running a subtree of this depth whole costs on
	 * average.  Neither it nor the alternatives tried handles a
	 * heavy-tailed tree (a binomial tree: most subtrees one node, a few
	 * holding most of the work, so a sampled mean stays far below the
	 * true one): utree at 2 workers ran at T2/Ts 0.92-0.93 with this
	 * mean, 0.92 with an upper envelope decaying 1/16 per sample, 0.73
	 * with a 3/4-old average, against 0.66 with no cut (task.h), as long
	 * as only 1 spawn in 64 was timed.  What fixed it: every serial
	 * subtree is timed (skua_abi_auto_record_cycles) and every large one
	 * counts (0.52).  An off switch on a large sampled run was tried and
	 * dropped: a preempted small subtree tripped it on an oversubscribed
	 * machine (12 queens lost its cut at 8 workers on 2 CPUs).  Races
	 * between workers only lose or blur a sample. */
	uint64_t sum = atomic_fetch_add_explicit(&a->sum[depth], ns,
	    memory_order_relaxed) + ns;
	uint32_t count = atomic_fetch_add_explicit(&a->count[depth], 1,
	    memory_order_relaxed) + 1;
	if (count >= 256) {
		atomic_store_explicit(&a->sum[depth], sum / 2,
		    memory_order_relaxed);
		atomic_store_explicit(&a->count[depth], count / 2,
		    memory_order_relaxed);
	}
	/* The cut: the shallowest depth whose mean is within the target. */
	uint32_t cut = 0;
	for (unsigned d = 0; d < SKUA_AUTO_DEPTHS && cut == 0; d++) {
		uint64_t n = atomic_load_explicit(&a->count[d],
		    memory_order_relaxed);
		if (n != 0 && atomic_load_explicit(&a->sum[d],
		    memory_order_relaxed) / n <= SKUA_AUTO_TARGET_NS)
			cut = d + 1;
	}
	atomic_store_explicit(&a->cut, cut, memory_order_relaxed);
}

/* Cycles of skua__auto_cycles per ns, measured once (at the first
 * sample): every serial subtree is timed that way, cheaply, so that one far
 * over the target is always seen (skua/bits/autotask.h). */
_Atomic uint64_t skua_abi_auto_big_cycles = UINT64_MAX;
static double cycles_per_ns;

static void calibrate(void)
{
	/* 0.2 ms, once per process, on the first sample. */
	uint64_t n0 = skua__now_ns(), c0 = skua__auto_cycles();
	while (skua__now_ns() - n0 < 200000)
		;
	uint64_t n1 = skua__now_ns(), c1 = skua__auto_cycles();
	cycles_per_ns = (double)(c1 - c0) / (double)(n1 - n0);
	/* A TSC that went backwards (the thread moved to a CPU whose TSC
	 * differs) wraps c1 - c0 to a rate no CPU has, which would make
	 * every sample ~0 ns for the process's life: count cycles as ns. */
	if (!(cycles_per_ns > 0) || cycles_per_ns > 1e3)
		cycles_per_ns = 1;
	atomic_store_explicit(&skua_abi_auto_big_cycles, (uint64_t)(
	    cycles_per_ns * 32.0 * SKUA_AUTO_TARGET_NS), memory_order_relaxed);
}

void skua_abi_auto_record_cycles(struct skua_auto *a, unsigned depth,
    uint64_t cycles)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, calibrate);
	/* A clock that went backwards (a TSC that differs between CPUs, a
	 * stepped clock) reads as a huge interval: no sample (and no
	 * conversion past 2^64, which C leaves undefined). */
	double ns = (double)cycles / cycles_per_ns;
	if ((cycles >> 62) != 0 || !(ns < 1e15))
		return;
	skua_abi_auto_record(a, depth, (uint64_t)ns);
}

/* The clock of the inline code's sampled joins: lib/alloc.c's, under an
 * exported name (skua/bits/autotask.h). */
uint64_t skua_abi_now_ns(void)
{
	return skua__now_ns();
}
