/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/parallel.c - parallel for, map and reduce over the fork/join core.
 *
 * One engine serves every call: a job describes the index range [0, n) and
 * what to do with a chunk of it, and one of two splitters cuts it up.
 *
 * Automatic and fixed chunks, not deterministic: lazy binary splitting
 * (Tzannes, Caragea, Barua and Vishkin, "Lazy Binary-Splitting", PPoPP
 * 2010), driven by the deque's demand flag instead of a look at the own
 * deque.  A worker runs its range front to back, one chunk at a time; after
 * every chunk it loads its demand flag (set by a thief that found this
 * worker's public deque empty, see lib/task.c) and, if a thief is waiting
 * and the rest can be cut, forks the back half (the fork sees demand and
 * exposes it at once), keeps the front half, and joins the back half at the
 * end, helping the thief if it was stolen.  The rest can be cut when it
 * holds two chunks or more with fixed chunks (the last may be partial),
 * and at least twice the current estimate with automatic ones.  The first
 * piece handed out is half the range, the next a quarter and so on: large
 * pieces first, and every split answers a thief.  With automatic chunks the
 * chunk is sized by the clock: it starts at one element and doubles (or
 * quadruples) while a chunk takes under half of SKUA_PAR_CHUNK_TARGET_NS
 * (or more where the clock is slow: skua__par_chunk_target below),
 * halves while it takes over twice that; a stolen half inherits the
 * estimate.
 *
 * Fixed chunks are also spread at the start, without waiting for demand:
 * a loop of c chunks on W workers is cut at entry into min(c, W) pieces of
 * at most ceil(c / W) chunks each (spread_keep), all forked and then
 * published with one exposure, which wakes a sleeper if nobody searches;
 * a thief that takes a piece meant for several workers goes on cutting it
 * the same way.  Demand alone fails here (issue 11): it answers a thief
 * only between chunks, and at a loop's start no thief has asked yet (the
 * wake-up is still on its way, or the worker has only just finished its
 * last task), so the first chunk started alone, and a loop of a few long
 * chunks, numpy.array_split's shape, ran on one worker: 2 chunks of 80 ms
 * took 165 ms on 2 workers.  Automatic chunks do not need it: their first
 * chunk is one element, so a thief asks within microseconds.
 *   Rejected: spreading only to the workers that look idle (the pool's
 * spinning + sleepers counters).  A worker that has just finished a task,
 * or that the kernel descheduled right after it (2 CPUs, 2 workers and the
 * outside thread that the loop's end woke), counts in neither, so a loop
 * started then still ran its first chunk alone: the test
 * (tests/test_loop_first_chunks.c) failed in about half of 300 runs, on a
 * warm pool.  The price of spreading blindly: where every worker is busy
 * (a fixed-chunk loop nested in another loop), up to W - 1 pieces are
 * forked and exposed for nobody and taken back at their joins: at 2
 * workers 15-20 ns per loop call (docs/data/nested-fixed-2core-epyc.txt).
 * A piece its own forker takes back is not spread further: it found every
 * worker busy.
 *
 * Rejected: plain recursive bisection down to a fixed leaf with lazy forks
 * (the fork fast path already exposes only on demand).  It needs a leaf
 * size, which is exactly what automatic chunking does not know: a leaf small
 * enough for primes near 10^7 (a few hundred ns per element) costs a fork,
 * a join and a call per few elements of a y = a*x + y loop (about 1 ns per
 * element), and a leaf large enough for the latter leaves primes unbalanced
 * at the end.  Measured (16-core box pinned to 2 CPUs with taskset -c 2,3,
 * 2 workers, median of 3): primes 10^7 in 3.42 s with automatic chunks,
 * 3.26-3.43 s for bisection with leaves of 64..65536 (the deterministic
 * mode), 3.33-3.53 s for fixed chunks 1..65536 and 4.09 s for 8 equal
 * chunks; y = a*x + y over 10^7 doubles 8.8 ms automatic, 8.2-8.8 ms
 * bisection, 8.7-9.3 ms fixed.  So bisection with a well-chosen leaf is as
 * fast; this design wins by not needing the leaf size.
 *
 * Deterministic: a fixed binary tree over the chunks [0, ceil(n / c)),
 * cut at the middle chunk index, a fork per inner node (lazy, so only the
 * forks that thieves ask for are exposed), one body call per leaf, and for
 * reduce a fresh accumulator per right child combined on the way up.  The
 * tree depends on n and c only.  Who runs which subtree does not: the top
 * of the tree is spread over min(leaves, W) workers at the start as above
 * (the right child, which holds the larger half, for ceil(spread / 2) of
 * them), and a leaf first answers a thief that asked since the last fork
 * by exposing the forks above it.
 *
 * Memory ordering: this file adds no synchronisation of its own to the
 * work.  Every write a chunk makes happens before the join of the task that
 * ran it returns (skua__run_taken's release of DONE, join_slow's acquire),
 * and the root's join before skua_pool_run() returns.  The only other
 * shared state is the chunk-size cache (lib/parallel_env.c) and the early
 * exit's stop_lo (lib/parallel.h, where its ordering is described).
 */
#include "parallel.h"
#include "park.h"
#include "pool_struct.h"
#include "profile.h"
#include "trace.h"
#include "worker.h"

#include <errno.h>
#include <stdalign.h>
#include <string.h>

#define SKUA_NOINLINE __attribute__((noinline))

/* A piece of the range, forked with its record on the splitter's stack. */
struct par_task {
	skua_task task;
	struct par_job *job;
	size_t lo, hi;          /* offsets, or chunk indices in the tree */
	size_t step;            /* the splitter's chunk estimate */
	unsigned spread;        /* workers this piece is for, if stolen */
	void *acc;              /* reduce: this piece's accumulator */
};

/* A body failed at offset lo with rc: keep the lowest offset's code. */
static void stop_at(struct par_job *j, size_t lo, int rc)
{
	pthread_mutex_lock(&j->stop_lock);
	if (lo < atomic_load_explicit(&j->stop_lo, memory_order_relaxed)) {
		atomic_store_explicit(&j->stop_lo, lo, memory_order_relaxed);
		j->stop_code = rc;
	}
	pthread_mutex_unlock(&j->stop_lock);
}

/* The _TRY kinds' chunk: a map stops at its first failing element. */
static void run_chunk_try(struct par_job *j, size_t lo,
    size_t hi, void *acc)
{
	int rc = 0;
	switch (j->kind) {
	case PAR_FOR_TRY:
		rc = j->fn.for_try(j->begin + lo, j->begin + hi, j->ctx);
		break;
	case PAR_MAP_TRY:
		/* An element past a failure found elsewhere does not begin
		 * either, inside this chunk too: with chunk = n / workers
		 * one in flight would otherwise run out whole (a relaxed
		 * load of a line that is written once per failure). */
		for (size_t i = lo; i < hi && !skua__par_stopped(j, i); i++) {
			rc = j->fn.map_try(j->in + i * j->in_size,
			    j->out + i * j->out_size, j->ctx);
			if (rc != 0) {
				lo = i;
				break;
			}
		}
		break;
	default:
		rc = j->fn.reduce_try(j->begin + lo, j->begin + hi, acc,
		    j->ctx);
		break;
	}
	if (rc != 0)
		stop_at(j, lo, rc);
}

/* Run the offsets [lo, hi) of the job; acc is reduce's accumulator. */
static inline void run_chunk(struct par_job *j, size_t lo, size_t hi,
    void *acc)
{
	switch (j->kind) {
	case PAR_FOR:
		j->fn.for_body(j->begin + lo, j->begin + hi, j->ctx);
		break;
	case PAR_MAP:
		for (size_t i = lo; i < hi; i++)
			j->fn.map_fn(j->in + i * j->in_size,
			    j->out + i * j->out_size, j->ctx);
		break;
	case PAR_MAP_CHUNKS:
		j->fn.chunks_fn(j->in + lo * j->in_size,
		    j->out + lo * j->out_size, hi - lo, j->ctx);
		break;
	case PAR_REDUCE:
		j->fn.reduce_body(j->begin + lo, j->begin + hi, acc, j->ctx);
		break;
	default:
		run_chunk_try(j, lo, hi, acc);
		break;
	}
}

/*
 * A chunk of a profiled or traced loop: timed, counted into the running
 * worker's cell of the site (only its outermost chunks count as busy
 * time: an outer chunk's time holds its inner loops'), and recorded as a
 * slice named by the site.  Out of line: the plain path stays one branch.
 */
static SKUA_NOINLINE void run_chunk_observed(skua_worker *w,
    struct par_job *j, size_t lo, size_t hi, void *acc)
{
	struct skua__prof_site *s = j->prof;
	struct skua__prof_worker *pw = s != NULL ?
	    &s->prof->workers[w->index] : NULL;
	if (pw != NULL)
		pw->depth++;
	uint64_t t0 = skua__now_ns();
	run_chunk(j, lo, hi, acc);
	uint64_t t1 = skua__now_ns();
	if (pw != NULL) {
		if (--pw->depth == 0)
			SKUA__PROF_ADD(pw->busy_ns, t1 - t0);
		skua__profile_chunk(s, w->index, hi - lo, t1 - t0);
	}
	SKUA_TRACE_EVENT(w, SKUA__TR_CHUNK, t0, t1, j->site, hi - lo);
}

/* Count a split or a stolen piece of a profiled loop into w's cell. */
static void count_split(skua_worker *w, const struct par_job *j, bool stolen)
{
	if (SKUA_UNLIKELY(j->prof != NULL)) {
		struct skua__prof_cell *c = &j->prof->cells[w->index];
		if (stolen)
			SKUA__PROF_ADD(c->steals, 1);
		else
			SKUA__PROF_ADD(c->splits, 1);
	}
}

static inline bool is_reduce(const struct par_job *j)
{
	return j->kind == PAR_REDUCE || j->kind == PAR_REDUCE_TRY;
}

/* A fresh accumulator holding the identity; NULL when out of memory. */
static void *acc_new(const struct par_job *j, struct acc_buf *s)
{
	void *p = j->acc_size <= sizeof s->b ? s->b : skua__malloc(j->acc_size);
	if (p != NULL)
		memcpy(p, j->identity, j->acc_size);
	return p;
}

static void acc_free(const struct par_job *j, void *p, struct acc_buf *s)
{
	if (p != s->b)
		skua__free(p, j->acc_size);
}

/* ---- the automatic chunk's target time -------------------------------- */

/*
 * The automatic chunker reads the clock once per chunk.  With the vDSO's
 * TSC clock a read costs 25 ns here (docs/data/src/clock_cost.c): 0.25% of
 * a 10 us chunk.  A VM whose clock source has no vDSO path (hpet,
 * acpi_pm; the kernel falls back to a system call) pays 0.5-2 us per read,
 * 5-20% of the chunk.  So the first loop of the process times the clock,
 * and where 100 reads take longer than SKUA_PAR_CHUNK_TARGET_NS the
 * target becomes 100 reads' time: the clock's share stays under 1%.
 */
static uint64_t chunk_target_ns = SKUA_PAR_CHUNK_TARGET_NS;
static pthread_once_t chunk_target_once = PTHREAD_ONCE_INIT;

uint64_t skua__par_chunk_target_for(uint64_t clock_read_ns)
{
	uint64_t t = clock_read_ns * 100;
	if (clock_read_ns > UINT64_MAX / 100 || t > 100 * 1000 * 1000)
		t = 100 * 1000 * 1000; /* 100 ms: a clock that slow is broken */
	return t > SKUA_PAR_CHUNK_TARGET_NS ? t : SKUA_PAR_CHUNK_TARGET_NS;
}

/* The cheapest of 4 runs of 16 reads: a preempted run does not count. */
static void chunk_target_calibrate(void)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < 4; r++) {
		uint64_t t0 = skua__now_ns(), t1 = t0;
		for (int k = 0; k < 16; k++)
			t1 = skua__now_ns();
		if ((t1 - t0) / 16 < best)
			best = (t1 - t0) / 16;
	}
	chunk_target_ns = skua__par_chunk_target_for(best);
}

uint64_t skua__par_chunk_target(void)
{
	pthread_once(&chunk_target_once, chunk_target_calibrate);
	return chunk_target_ns;
}

/* ---- lazy binary splitting ------------------------------------------ */

static void lazy_range(skua_worker *w, struct par_job *j, size_t lo,
    size_t hi, size_t step, unsigned spread, void *acc);

/*
 * Pass the baton: a thief that got a piece of a loop wakes one more sleeper
 * (skua__post skips it while some worker is still searching).  Forks are
 * exposed only when a thief asks, and a parked worker never asks, so
 * without this a loop started while the pool slept would stay on the few
 * workers that were awake (measured: y = a*x + y on 16 workers ran at one
 * worker's speed).  Relaxed: the thief itself stored the state just before
 * calling us.  Returns whether t was stolen.
 */
static inline bool baton(skua_worker *w, skua_task *t)
{
	if (skua__task_state_stolen(atomic_load_explicit(&t->state,
	    memory_order_relaxed))) {
		skua__post(w->pool, 1);
		return true;
	}
	return false;
}

/*
 * A piece made for the spread keeps spreading only where another worker
 * took it: one that its own forker takes back at the join found every
 * worker busy for a whole piece, so demand decides from then on.
 */
static void lazy_task(skua_worker *w, skua_task *t)
{
	struct par_task *r = (struct par_task *)t;
	bool stolen = baton(w, t);
	if (stolen)
		count_split(w, r->job, true);
	lazy_range(w, r->job, r->lo, r->hi, r->step, stolen ? r->spread : 1,
	    r->acc);
}

/*
 * The spread step, on c >= spread >= 2 chunks: sk = ceil(spread / 2) of
 * the workers keep ceil(c * sk / spread) chunks here, the other
 * sg = floor(spread / 2) get the rest.  Recursively every worker then gets
 * at most ceil(c / spread) chunks (checked exhaustively for c < 400,
 * spread <= 64), where halving the chunks gives 4 + 2 to 3 workers.
 * Written so that nothing overflows at c == SIZE_MAX.
 */
static size_t spread_keep(size_t c, unsigned spread, unsigned sk)
{
	return c / spread * sk + (c % spread * sk + spread - 1) / spread;
}

/* Give [mid, hi) away (to sg workers when spreading, else to a thief) and
 * run [lo, mid) here on sk.  false: out of memory for reduce's
 * accumulator; the caller goes on unsplit. */
static bool lazy_split(skua_worker *w, struct par_job *j, size_t lo,
    size_t mid, size_t hi, size_t step, unsigned sk, unsigned sg,
    void *acc)
{
	struct par_task r = { .job = j, .lo = mid, .hi = hi, .step = step,
	    .spread = sg, .acc = NULL };
	struct acc_buf buf;
	if (is_reduce(j) && (r.acc = acc_new(j, &buf)) == NULL)
		return false;
	count_split(w, j, false);
	skua_fork(w, &r.task, lazy_task);
	/* The last fork of this worker's spread: publish them all with one
	 * exposure (which wakes a sleeper when nobody searches). */
	if (sg != 0 && sk == 1)
		skua__expose(w);
	lazy_range(w, j, lo, mid, step, sk, acc);
	skua_join_fn(w, &r.task, lazy_task);
	if (is_reduce(j)) {
		j->combine(acc, r.acc, j->ctx);
		acc_free(j, r.acc, &buf);
	}
	return true;
}

/*
 * Where to cut [lo, lo + left) for a thief; 0: not worth it.  Fixed chunks:
 * at ceil(c / 2) of c >= 2 chunks (the last may be partial; the rule used
 * to be left / 2 >= step, which never cut the last two when the last was
 * partial).  Automatic: at the middle, if each half holds a chunk of the
 * current estimate.
 */
static inline size_t split_point(size_t lo, size_t left, size_t fixed,
    size_t step)
{
	if (fixed == 0)
		return left / 2 >= step ? lo + left / 2 : 0;
	if (left <= fixed)
		return 0;
	size_t c = (left - 1) / fixed + 1;
	/* c - c / 2 == ceil(c / 2) without overflow at c == SIZE_MAX (a
	 * review finding). */
	return lo + (c - c / 2) * fixed;
}

/*
 * Run [lo, hi) a chunk at a time; give the back half away when a thief
 * asks.  step is the chunk: j->chunk when fixed (lo then stays a multiple
 * of it), else the current estimate.  spread >= 2 (fixed chunks only):
 * first cut the range for that many workers, whether or not they asked.
 */
static void lazy_range(skua_worker *w, struct par_job *j, size_t lo,
    size_t hi, size_t step, unsigned spread, void *acc)
{
	const size_t fixed = j->chunk;
	const uint64_t target = j->target_ns;
	bool can_split = true;
	uint64_t t0 = fixed == 0 ? skua__now_ns() : 0;

	if (spread > 1) {
		size_t c = (hi - lo - 1) / fixed + 1;
		unsigned sg = spread / 2, sk = spread - sg;
		size_t mid = lo + spread_keep(c, spread, sk) * fixed;
		if (lazy_split(w, j, lo, mid, hi, step, sk, sg, acc))
			return;
	}
	while (lo < hi) {
		if (SKUA_UNLIKELY(skua__par_stopped(j, lo)))
			return; /* every chunk left starts above a failure */
		size_t left = hi - lo;
		/* Relaxed: a stale 0 only delays the split by one chunk; the
		 * fork exposes the piece with its own ordering.  Only the load
		 * and its branch stay on the path of a chunk that does not
		 * split: with the cut computed before the test, a fixed chunk
		 * cost 2.8 ns instead of 1.95 (docs/data/src/chunk_cost.c, 1
		 * worker, chunk 1; code layout alone moves it by 0.3 ns). */
		if (SKUA_UNLIKELY(skua__deque_demanded(w)) && can_split) {
			size_t mid = split_point(lo, left, fixed, step);
			if (mid != 0) {
				if (lazy_split(w, j, lo, mid, hi, step, 1, 0,
				    acc))
					return;
				can_split = false; /* out of memory: unsplit */
				continue;
			}
		}
		size_t m = left < step ? left : step;
		if (SKUA_UNLIKELY(j->observed))
			run_chunk_observed(w, j, lo, lo + m, acc);
		else
			run_chunk(j, lo, lo + m, acc);
		lo += m;
		if (fixed == 0) {
			uint64_t t1 = skua__now_ns(), dt = t1 - t0;
			t0 = t1;
			if (dt < target / 8 && step <= SIZE_MAX / 4)
				step *= 4;
			else if (dt < target / 2 && step <= SIZE_MAX / 2)
				step *= 2;
			else if (dt > 2 * target && step > 1)
				step /= 2;
		}
	}
}

/* ---- the deterministic tree ------------------------------------------ */

static void tree_range(skua_worker *w, struct par_job *j, size_t a, size_t b,
    unsigned spread, void *acc);

static void tree_task(skua_worker *w, skua_task *t)
{
	struct par_task *r = (struct par_task *)t;
	bool stolen = baton(w, t);
	if (stolen)
		count_split(w, r->job, true);
	tree_range(w, r->job, r->lo, r->hi, stolen ? r->spread : 1, r->acc);
}

/*
 * The chunks [a, b) of the tree, whose leaves number ceil(n / chunk).
 * spread >= 2: this subtree is for that many workers; the right child
 * (ceil of the leaves) is for ceil(spread / 2) of them, and the forks are
 * published as in lazy_split.  Only who runs a subtree changes, never the
 * tree.
 */
static void tree_range(skua_worker *w, struct par_job *j, size_t a, size_t b,
    unsigned spread, void *acc)
{
	size_t c = j->chunk;
	/* Out of memory, or stopped below every chunk of [a, b) (they start
	 * at a * c or later; a < leaves, so a * c < n): the whole subtree is
	 * skipped, not walked leaf by leaf (10^8 leaves after a stop at the
	 * start took a second).  Its accumulator stays the identity: a
	 * stopped or failed reduce returns no result. */
	if (SKUA_UNLIKELY(atomic_load_explicit(&j->err, memory_order_relaxed) ||
	    skua__par_stopped(j, a * c)))
		return;
	if (b - a > 1) {
		size_t mid = a + (b - a) / 2;
		unsigned sk = spread / 2, sg = spread - sk;
		struct par_task r = { .job = j, .lo = mid, .hi = b,
		    .spread = sg, .acc = NULL };
		struct acc_buf buf;
		if (is_reduce(j) && (r.acc = acc_new(j, &buf)) == NULL) {
			atomic_store_explicit(&j->err, -ENOMEM,
			    memory_order_relaxed);
			return;
		}
		count_split(w, j, false);
		skua_fork(w, &r.task, tree_task);
		if (sk == 1)
			skua__expose(w);
		tree_range(w, j, a, mid, sk > 1 ? sk : 1, acc);
		skua_join_fn(w, &r.task, tree_task);
		if (is_reduce(j)) {
			j->combine(acc, r.acc, j->ctx);
			acc_free(j, r.acc, &buf);
		}
		return;
	}
	/* A leaf forks nothing, so a thief that asked since the last fork
	 * would wait for the next one, a leaf or more away: answer it now
	 * with the forks above us (relaxed, as skua_fork's look). */
	if (SKUA_UNLIKELY(skua__deque_demanded(w)) &&
	    skua__deque_has_private(w))
		skua__expose(w);
	/* b * c may not fit when b == leaves. */
	size_t leaves = (j->n - 1) / c + 1;
	size_t hi = b == leaves ? j->n : b * c;
	if (SKUA_UNLIKELY(j->observed))
		run_chunk_observed(w, j, a * c, hi, acc);
	else
		run_chunk(j, a * c, hi, acc);
}

struct par_root {
	struct par_job *job;
	void *acc;
};

static void job_entry(skua_worker *w, void *arg)
{
	struct par_root *root = arg;
	struct par_job *j = root->job;

	if (j->chunk == 0) {
		/* Automatic: wake a thief to ask for the back half; the first
		 * chunk is one element, so the thief asks in time. */
		if (j->n > 1)
			skua__post(w->pool, 1);
		lazy_range(w, j, 0, j->n, 1, 1, root->acc);
		return;
	}
	/* Fixed chunks and the tree: one piece per worker at once. */
	size_t c = (j->n - 1) / j->chunk + 1;
	unsigned spread = w->pool->n;
	if (c < spread)
		spread = (unsigned)c;
	if (j->det)
		tree_range(w, j, 0, c, spread, root->acc);
	else
		lazy_range(w, j, 0, j->n, j->chunk, spread, root->acc);
}

/* The loop body's address: an unnamed site's key. */
static const void *job_body(const struct par_job *j)
{
	const void *fn;
	_Static_assert(sizeof fn == sizeof j->fn, "a body is one pointer");
	memcpy(&fn, &j->fn, sizeof fn);
	return fn;
}

/* Profiling or tracing is on for this pool: set the job up for it. */
static SKUA_NOINLINE void observe_begin(skua_pool *pool, struct par_job *j,
    const skua_par_opts *o, enum skua__chunk_src src,
    struct skua__prof_call *pc)
{
	const char *site = o != NULL ? o->site : NULL;
	if (pool->profile != NULL)
		j->prof = skua__profile_loop_begin(pool, site, job_body(j),
		    j->n, j->chunk, src, pc);
	if (pool->trace_path != NULL)
		j->site = skua__site_id(site, job_body(j));
	j->observed = j->prof != NULL || pool->trace_path != NULL;
}

/* Resolve the chunk, then run the job on the pool and wait. */
int skua__par_job_run(skua_pool *pool, struct par_job *j,
    const skua_par_opts *o, void *acc)
{
	enum skua__chunk_src src;
	struct skua__prof_call pc;
	int rc;

	if (skua__pool_forked(pool))
		return -ECHILD;
	if ((rc = skua__par_chunk_resolve(o, &j->chunk, &src)) != 0)
		return rc;
	j->det = o != NULL && o->deterministic == 1;
	j->target_ns = j->chunk == 0 ? skua__par_chunk_target() : 0;
	if (j->det && j->chunk == 0) {
		/* Depends on n only: up to 4096 leaves, none under 64. */
		size_t c = (j->n - 1) / 4096 + 1;
		j->chunk = c > 64 ? c : (j->n < 64 ? j->n : 64);
		src = SKUA__CHUNK_DET_AUTO;
	}
	atomic_init(&j->err, 0);
	j->stoppable = j->kind >= PAR_FOR_TRY;
	atomic_init(&j->stop_lo, SIZE_MAX);
	j->stop_code = 0;
	/* Before the profile's loop begins: a failure here ends nothing. */
	if (j->stoppable && pthread_mutex_init(&j->stop_lock, NULL) != 0)
		return -ENOMEM;
	j->observed = false;
	j->prof = NULL;
	if (SKUA_UNLIKELY(pool->profile != NULL || pool->trace_path != NULL))
		observe_begin(pool, j, o, src, &pc);
	struct par_root root = { j, acc };
	rc = skua_pool_run(pool, job_entry, &root);
	if (SKUA_UNLIKELY(j->prof != NULL))
		skua__profile_loop_end(&pc);
	if (j->stoppable)
		pthread_mutex_destroy(&j->stop_lock);
	if (rc != 0)
		return rc;
	/* After the root's join: every chunk's writes are visible.  A lost
	 * tree (-ENOMEM) skipped work below any failure seen: it wins. */
	int err = atomic_load_explicit(&j->err, memory_order_relaxed);
	return err != 0 ? err : j->stop_code;
}

