/*
 * lib/autotask.c - the one out-of-line piece of skua/autotask.h: folding a
 * timed sample into a task type's estimate (the rule is in
 * skua/bits/autotask.h).  Called for one spawn in 64, so it need not be
 * inline; relaxed, because a lost update only loses a sample.
 */
#include "skua.h"

void skua__auto_record(struct skua_auto *a, unsigned depth, uint64_t ns)
{
	if (depth >= SKUA_AUTO_DEPTHS)
		depth = SKUA_AUTO_DEPTHS - 1;
	uint32_t s = ns >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)ns;
	uint32_t old = atomic_load_explicit(&a->ns[depth],
	    memory_order_relaxed);
	/* An upper envelope, not a mean: up at once to a larger sample, down
	 * slowly (1/16 per sample).  Subtrees at one depth can differ by
	 * orders of magnitude (a binomial tree's are heavy-tailed), and a
	 * mean would cut above large ones, running them whole on one worker
	 * (utree at 2 workers: T2/Ts 0.73 with a mean, against 0.54 plain). */
	uint32_t v = s >= old ? s : old - old / 16 + s / 16;
	atomic_store_explicit(&a->ns[depth], v != 0 ? v : 1,
	    memory_order_relaxed);
	uint32_t cut = 0;
	for (unsigned d = 0; d < SKUA_AUTO_DEPTHS && cut == 0; d++) {
		uint32_t e = atomic_load_explicit(&a->ns[d],
		    memory_order_relaxed);
		if (e != 0 && e <= SKUA_AUTO_TARGET_NS)
			cut = d + 1;
	}
	atomic_store_explicit(&a->cut, cut, memory_order_relaxed);
}
