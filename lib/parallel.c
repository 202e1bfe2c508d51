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
 * quadruples) while a chunk takes under half of SKUA_PAR_CHUNK_TARGET_NS,
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
 * forked and exposed for nobody and taken back at their joins, a few tens
 * of ns each per loop call.  A piece its own forker takes back is not
 * spread further: it found every worker busy.
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
 * and the root's join before skua_pool_run() returns.  The environment
 * cache below is the only other shared state.
 */
#include "worker.h"
#include "env.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <string.h>

enum par_kind { PAR_FOR, PAR_MAP, PAR_MAP_CHUNKS, PAR_REDUCE };

struct par_job {
	enum par_kind kind;
	bool det;
	size_t begin;           /* added to the offsets for for and reduce */
	size_t n;               /* the work is the offsets [0, n) */
	size_t chunk;           /* effective chunk size; 0: automatic */
	void *ctx;
	union {
		void (*for_body)(size_t, size_t, void *);
		void (*map_fn)(const void *, void *, void *);
		void (*chunks_fn)(const void *, void *, size_t, void *);
		void (*reduce_body)(size_t, size_t, void *, void *);
	} fn;
	const char *in;
	char *out;
	size_t in_size, out_size;
	size_t acc_size;
	const void *identity;   /* the call's private copy */
	void (*combine)(void *, const void *, void *);
	/* -ENOMEM when a deterministic reduce could not keep its tree.  Relaxed
	 * everywhere: it is a hint to skip work, and the final read follows the
	 * root's join, which orders every write before it. */
	_Atomic int err;
};

/* A piece of the range, forked with its record on the splitter's stack. */
struct par_task {
	skua_task task;
	struct par_job *job;
	size_t lo, hi;          /* offsets, or chunk indices in the tree */
	size_t step;            /* the splitter's chunk estimate */
	unsigned spread;        /* workers this piece is for, if stolen */
	void *acc;              /* reduce: this piece's accumulator */
};

/* A reduce accumulator small enough for the stack. */
struct acc_buf {
	alignas(max_align_t) unsigned char b[SKUA_PAR_ACC_STACK];
};

void skua_par_opts_init(skua_par_opts *o)
{
	if (o == NULL)
		return;
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
}

/* Run the offsets [lo, hi) of the job; acc is reduce's accumulator. */
static inline void run_chunk(const struct par_job *j, size_t lo, size_t hi,
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
	}
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
	if (atomic_load_explicit(&t->state, memory_order_relaxed) &
	    SKUA__TASK_STOLEN) {
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
	unsigned spread = baton(w, t) ? r->spread : 1;
	lazy_range(w, r->job, r->lo, r->hi, r->step, spread, r->acc);
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
	if (j->kind == PAR_REDUCE && (r.acc = acc_new(j, &buf)) == NULL)
		return false;
	skua_fork(w, &r.task, lazy_task);
	/* The last fork of this worker's spread: publish them all with one
	 * exposure (which wakes a sleeper when nobody searches). */
	if (sg != 0 && sk == 1)
		skua__expose(w);
	lazy_range(w, j, lo, mid, step, sk, acc);
	skua_join_fn(w, &r.task, lazy_task);
	if (j->kind == PAR_REDUCE) {
		j->combine(acc, r.acc, j->ctx);
		acc_free(j, r.acc, &buf);
	}
	return true;
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
	struct skua__whot *h = (struct skua__whot *)w;
	const size_t fixed = j->chunk;
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
		size_t left = hi - lo;
		/* Relaxed: a stale 0 only delays the split by one chunk; the
		 * fork exposes the piece with its own ordering. */
		bool want = can_split && atomic_load_explicit(&h->demand,
		    memory_order_relaxed);
		size_t mid = 0;
		if (fixed != 0) {
			/* Two chunks or more; the last may be partial. */
			if (want && left > fixed) {
				size_t c = (left - 1) / fixed + 1;
				/* c - c / 2 == ceil(c / 2) without overflow at
				 * c == SIZE_MAX (a review finding). */
				mid = lo + (c - c / 2) * fixed;
			}
		} else if (want && left / 2 >= step) {
			mid = lo + left / 2;
		}
		if (mid != 0) {
			if (lazy_split(w, j, lo, mid, hi, step, 1, 0, acc))
				return;
			can_split = false; /* out of memory: unsplit */
			continue;
		}
		size_t m = left < step ? left : step;
		run_chunk(j, lo, lo + m, acc);
		lo += m;
		if (fixed == 0) {
			uint64_t t1 = skua__now_ns(), dt = t1 - t0;
			t0 = t1;
			if (dt < SKUA_PAR_CHUNK_TARGET_NS / 8 &&
			    step <= SIZE_MAX / 4)
				step *= 4;
			else if (dt < SKUA_PAR_CHUNK_TARGET_NS / 2 &&
			    step <= SIZE_MAX / 2)
				step *= 2;
			else if (dt > 2 * SKUA_PAR_CHUNK_TARGET_NS && step > 1)
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
	unsigned spread = baton(w, t) ? r->spread : 1;
	tree_range(w, r->job, r->lo, r->hi, spread, r->acc);
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
	struct skua__whot *h = (struct skua__whot *)w;

	if (b - a > 1) {
		size_t mid = a + (b - a) / 2;
		unsigned sk = spread / 2, sg = spread - sk;
		struct par_task r = { .job = j, .lo = mid, .hi = b,
		    .spread = sg, .acc = NULL };
		struct acc_buf buf;
		if (j->kind == PAR_REDUCE && (r.acc = acc_new(j, &buf)) == NULL) {
			atomic_store_explicit(&j->err, -ENOMEM,
			    memory_order_relaxed);
			return;
		}
		skua_fork(w, &r.task, tree_task);
		if (sk == 1)
			skua__expose(w);
		tree_range(w, j, a, mid, sk > 1 ? sk : 1, acc);
		skua_join_fn(w, &r.task, tree_task);
		if (j->kind == PAR_REDUCE) {
			j->combine(acc, r.acc, j->ctx);
			acc_free(j, r.acc, &buf);
		}
		return;
	}
	if (SKUA_UNLIKELY(atomic_load_explicit(&j->err, memory_order_relaxed)))
		return;
	/* A leaf forks nothing, so a thief that asked since the last fork
	 * would wait for the next one, a leaf or more away: answer it now
	 * with the forks above us (relaxed, as skua_fork's look). */
	if (SKUA_UNLIKELY(atomic_load_explicit(&h->demand,
	    memory_order_relaxed)) && h->head > h->bottom)
		skua__expose(w);
	size_t c = j->chunk, leaves = (j->n - 1) / c + 1;
	/* a < leaves, so a * c < n; b * c may not fit when b == leaves. */
	run_chunk(j, a * c, b == leaves ? j->n : b * c, acc);
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

/* ---- chunk size from the environment --------------------------------- */

/*
 * Read once per process (the global variable) and once per site name.  A
 * site's entry is immutable once published: lookups are an FNV-1a hash of
 * the name, a probe of an open-addressed table and a strcmp, with no lock.
 * Measured: getenv() of two variables costs about 0.2 us per call with a
 * 30-variable environment (more with a larger one), comparable to a whole
 * small nested loop; the cached lookup costs about 20 ns.  A full table
 * (more than SITE_SLOTS distinct names) falls back to getenv per call.
 */
#define SITE_SLOTS 128

struct site_entry {
	bool present;        /* the variable is set */
	bool bad;            /* ... to a bad value (warned) */
	uint64_t value;      /* the value when present and not bad */
	char name[SKUA_PAR_SITE_MAX + 1];
};

static pthread_mutex_t env_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic int global_ready;
static uint64_t global_value;
static bool global_bad;
static _Atomic(struct site_entry *) site_table[SITE_SLOTS];

static void global_chunk(uint64_t *value, bool *bad)
{
	/* Acquire: pairs with the release below, so the value is complete. */
	if (!atomic_load_explicit(&global_ready, memory_order_acquire)) {
		pthread_mutex_lock(&env_lock);
		if (!atomic_load_explicit(&global_ready, memory_order_relaxed)) {
			global_bad = skua__env_get(SKUA__ENV_CHUNK_SIZE, NULL,
			    0, "auto", &global_value) != 0;
			/* Release: publishes global_value and global_bad. */
			atomic_store_explicit(&global_ready, 1,
			    memory_order_release);
		}
		pthread_mutex_unlock(&env_lock);
	}
	*value = global_value;
	*bad = global_bad;
}

/* Read SKUA_CHUNK_SIZE_<SITE>; fallback is what a bad value gives. */
static void site_read(const char *site, uint64_t fallback, bool from_opts,
    struct site_entry *e)
{
	char var[sizeof "SKUA_CHUNK_SIZE_" + SKUA_PAR_SITE_MAX];
	char doc[64];
	uint64_t v;

	memset(e, 0, sizeof *e);
	strcpy(e->name, site);
	if (!skua__env_site_name("SKUA_CHUNK_SIZE", site, var, sizeof var))
		return; /* not reached: the length was checked */
	if (getenv(var) == NULL)
		return;
	e->present = true;
	if (fallback == 0)
		snprintf(doc, sizeof doc, "auto");
	else
		snprintf(doc, sizeof doc, "%llu (%s)",
		    (unsigned long long)fallback,
		    from_opts ? "opts->chunk" : "SKUA_CHUNK_SIZE");
	e->bad = skua__env_get(SKUA__ENV_CHUNK_SIZE, var, fallback, doc,
	    &v) != 0;
	e->value = v;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The cached entry for site, or a fresh read in *tmp if the table is full. */
static const struct site_entry *site_lookup(const char *site,
    uint64_t fallback, bool from_opts, struct site_entry *tmp)
{
	uint32_t h = fnv1a(site);
	unsigned i, k;

	for (k = 0; k < SITE_SLOTS; k++) {
		i = (h + k) % SITE_SLOTS;
		/* Acquire: pairs with the release that published the entry. */
		struct site_entry *e = atomic_load_explicit(&site_table[i],
		    memory_order_acquire);
		if (e == NULL)
			break;
		if (strcmp(e->name, site) == 0)
			return e;
	}
	pthread_mutex_lock(&env_lock);
	for (k = 0; k < SITE_SLOTS; k++) {
		i = (h + k) % SITE_SLOTS;
		struct site_entry *e = atomic_load_explicit(&site_table[i],
		    memory_order_relaxed);
		if (e != NULL && strcmp(e->name, site) == 0) {
			pthread_mutex_unlock(&env_lock);
			return e;
		}
		if (e == NULL)
			break;
	}
	/* Plain malloc: kept for the life of the process, like env.c's. */
	struct site_entry *e = k < SITE_SLOTS ? malloc(sizeof *e) : NULL;
	site_read(site, fallback, from_opts, e != NULL ? e : tmp);
	if (e != NULL)
		/* Release: publishes the entry's fields to lock-free readers. */
		atomic_store_explicit(&site_table[i], e, memory_order_release);
	pthread_mutex_unlock(&env_lock);
	return e != NULL ? e : tmp;
}

/*
 * Test-only: forget what was read, so that a test can setenv() and call
 * again.  Only while no parallel call runs.
 */
void skua__par_env_reset(void);
void skua__par_env_reset(void)
{
	pthread_mutex_lock(&env_lock);
	atomic_store_explicit(&global_ready, 0, memory_order_relaxed);
	for (unsigned i = 0; i < SITE_SLOTS; i++) {
		free(atomic_load_explicit(&site_table[i], memory_order_relaxed));
		atomic_store_explicit(&site_table[i], NULL,
		    memory_order_relaxed);
	}
	pthread_mutex_unlock(&env_lock);
}

/*
 * The effective chunk size: SKUA_CHUNK_SIZE_<SITE>, then opts->chunk, then
 * SKUA_CHUNK_SIZE, then automatic (0); see skua/parallel.h for why.
 * RETURNS 0, or -EINVAL for a bad value under SKUA_STRICT=1.
 */
static int chunk_resolve(const skua_par_opts *o, size_t *chunk)
{
	uint64_t g = 0;
	bool bad = false, gbad = false;
	size_t base = o != NULL ? o->chunk : 0;

	if (o != NULL && o->site != NULL) {
		struct site_entry tmp;
		uint64_t fallback = base;
		if (fallback == 0)
			global_chunk(&fallback, &gbad);
		const struct site_entry *e = site_lookup(o->site, fallback,
		    base != 0, &tmp);
		if (e->present && !e->bad) {
			*chunk = (size_t)e->value;
			return 0;
		}
		bad = e->present && e->bad;
	}
	if (base == 0) {
		global_chunk(&g, &gbad);
		base = (size_t)g;
	}
	*chunk = base;
	if ((bad || (gbad && (o == NULL || o->chunk == 0))) &&
	    skua__env_strict())
		return -EINVAL;
	return 0;
}

/* ---- the public calls ------------------------------------------------ */

static int opts_check(const skua_par_opts *o)
{
	if (o == NULL)
		return 0;
	if (o->size != sizeof *o)
		return -EINVAL;
	if (o->deterministic != 0 && o->deterministic != 1)
		return -EINVAL;
	if (o->site != NULL) {
		size_t len = strnlen(o->site, SKUA_PAR_SITE_MAX + 1);
		if (len == 0 || len > SKUA_PAR_SITE_MAX)
			return -EINVAL;
	}
	return 0;
}

/* The checks every call shares. */
static int pool_check(skua_pool *pool, const skua_par_opts *o)
{
	if (pool == NULL)
		return -EINVAL;
	return opts_check(o);
}

/* Resolve the chunk, then run the job on the pool and wait. */
static int job_run(skua_pool *pool, struct par_job *j,
    const skua_par_opts *o, void *acc)
{
	int rc;

	if (skua__pool_forked(pool))
		return -ECHILD;
	if ((rc = chunk_resolve(o, &j->chunk)) != 0)
		return rc;
	j->det = o != NULL && o->deterministic == 1;
	if (j->det && j->chunk == 0) {
		/* Depends on n only: up to 4096 leaves, none under 64. */
		size_t c = (j->n - 1) / 4096 + 1;
		j->chunk = c > 64 ? c : (j->n < 64 ? j->n : 64);
	}
	atomic_init(&j->err, 0);
	struct par_root root = { j, acc };
	rc = skua_pool_run(pool, job_entry, &root);
	if (rc != 0)
		return rc;
	return atomic_load_explicit(&j->err, memory_order_relaxed);
}

int skua_parallel_for(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, void (*body)(size_t lo, size_t hi, void *ctx),
    void *ctx)
{
	int rc = pool_check(pool, opts);

	if (rc != 0)
		return rc;
	if (body == NULL || begin > end)
		return -EINVAL;
	if (begin == end)
		return 0;
	struct par_job j = { .kind = PAR_FOR, .begin = begin,
	    .n = end - begin, .ctx = ctx };
	j.fn.for_body = body;
	return job_run(pool, &j, opts, NULL);
}

/* The array checks shared by both maps. */
static int map_check(skua_pool *pool, const void *in, void *out, size_t n,
    size_t in_size, size_t out_size, const skua_par_opts *opts)
{
	int rc = pool_check(pool, opts);

	if (rc != 0)
		return rc;
	if (in_size == 0 || out_size == 0 || (n > 0 && (in == NULL ||
	    out == NULL)))
		return -EINVAL;
	if (n == 0)
		return 0;
	if (n > SIZE_MAX / in_size || n > SIZE_MAX / out_size)
		return -EOVERFLOW;
	if ((uintptr_t)in > UINTPTR_MAX - n * in_size ||
	    (uintptr_t)out > UINTPTR_MAX - n * out_size)
		return -EOVERFLOW;
	return 0;
}

int skua_parallel_map(skua_pool *pool, const void *in, void *out, size_t n,
    size_t in_size, size_t out_size,
    void (*fn)(const void *in, void *out, void *ctx), void *ctx,
    const skua_par_opts *opts)
{
	if (fn == NULL)
		return -EINVAL;
	int rc = map_check(pool, in, out, n, in_size, out_size, opts);
	if (rc != 0 || n == 0)
		return rc;
	struct par_job j = { .kind = PAR_MAP, .n = n, .ctx = ctx,
	    .in = in, .out = out, .in_size = in_size, .out_size = out_size };
	j.fn.map_fn = fn;
	return job_run(pool, &j, opts, NULL);
}

int skua_parallel_map_chunks(skua_pool *pool, const void *in, void *out,
    size_t n, size_t in_size, size_t out_size,
    void (*fn)(const void *in, void *out, size_t count, void *ctx), void *ctx,
    const skua_par_opts *opts)
{
	if (fn == NULL)
		return -EINVAL;
	int rc = map_check(pool, in, out, n, in_size, out_size, opts);
	if (rc != 0 || n == 0)
		return rc;
	struct par_job j = { .kind = PAR_MAP_CHUNKS, .n = n, .ctx = ctx,
	    .in = in, .out = out, .in_size = in_size, .out_size = out_size };
	j.fn.chunks_fn = fn;
	return job_run(pool, &j, opts, NULL);
}

int skua_parallel_reduce(skua_pool *pool, size_t begin, size_t end,
    const skua_par_opts *opts, size_t acc_size, const void *identity,
    void (*body)(size_t lo, size_t hi, void *acc, void *ctx),
    void (*combine)(void *acc, const void *other, void *ctx), void *ctx,
    void *result)
{
	int rc = pool_check(pool, opts);

	if (rc != 0)
		return rc;
	if (acc_size == 0 || identity == NULL || body == NULL ||
	    combine == NULL || result == NULL || begin > end)
		return -EINVAL;
	if (begin == end) {
		memmove(result, identity, acc_size);
		return 0;
	}

	/* The identity's private copy and the root accumulator. */
	struct acc_buf small[2];
	unsigned char *mem = NULL;
	size_t stride = 0;
	void *id, *acc;
	if (acc_size <= SKUA_PAR_ACC_STACK) {
		id = small[0].b;
		acc = small[1].b;
	} else {
		const size_t a = alignof(max_align_t);
		if (acc_size > SIZE_MAX / 2 - a)
			return -ENOMEM;
		stride = (acc_size + a - 1) / a * a;
		mem = skua__malloc(2 * stride);
		if (mem == NULL)
			return -ENOMEM;
		id = mem;
		acc = mem + stride;
	}
	memcpy(id, identity, acc_size);
	memcpy(acc, identity, acc_size);

	struct par_job j = { .kind = PAR_REDUCE, .begin = begin,
	    .n = end - begin, .ctx = ctx, .acc_size = acc_size,
	    .identity = id, .combine = combine };
	j.fn.reduce_body = body;
	rc = job_run(pool, &j, opts, acc);
	if (rc == 0)
		memcpy(result, acc, acc_size);
	if (mem != NULL)
		skua__free(mem, 2 * stride);
	return rc;
}
