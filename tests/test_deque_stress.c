/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The deque on its own: the owner pushes (privately, as skua_fork does),
 * exposes, pops privately, takes publicly and takes a fork back from under
 * futures (a join's take_under), while 1..4 thieves steal.
 * 10^7 items in all (less under sanitizers), starting from a small buffer
 * so that it grows many times: every item is taken exactly once.
 * Usage: test_deque_stress [CASE]
 */
/* Every skua_fork here must push: no inline window. */
#define SKUA_FORK_WINDOW INT64_MAX
#include <stdint.h>
#include "test.h"
#include "pool_struct.h"
#include "worker.h"

#include <pthread.h>
#include <stdatomic.h>

static _Atomic int stop;
static _Atomic unsigned char *seen; /* per item: how many times taken */
static skua_task *items;
static _Atomic long taken_total;

static void mark(skua_task *t)
{
	size_t id = (size_t)(t - items);
	unsigned char prev = atomic_fetch_add_explicit(&seen[id], 1,
	    memory_order_relaxed);
	if (prev != 0)
		FAIL("item %zu taken twice", id);
	atomic_fetch_add_explicit(&taken_total, 1, memory_order_relaxed);
}

static void noop(skua_worker *w, skua_task *t)
{
	(void)w;
	(void)t;
}

struct thief_arg {
	skua_worker *self, *victim;
	long got;
};

static void *thief_main(void *a)
{
	struct thief_arg *ta = a;
	while (!atomic_load_explicit(&stop, memory_order_acquire)) {
		bool busy;
		skua_task *t = skua__deque_steal(ta->self, ta->victim, &busy);
		if (t != NULL) {
			mark(t);
			ta->got++;
		}
	}
	/* Drain what is left public, racing the owner's final drain. */
	for (;;) {
		bool busy;
		skua_task *t = skua__deque_steal(ta->self, ta->victim, &busy);
		if (t != NULL) {
			mark(t);
			ta->got++;
		} else if (!busy) {
			break;
		}
	}
	return NULL;
}

/* A worker not attached to running threads, with a quiet fake pool. */
static skua_worker *fake_worker(skua_pool *p, unsigned i)
{
	skua_worker *w = skua__malloc_aligned(sizeof *w);
	ASSERT(w != NULL);
	w->pool = p;
	w->index = i;
	ASSERT_OK(skua__deque_init(w));
	return w;
}

/* Private pop of the newest item, with skua_join's fast-path test (its
 * index read back from the record's state word, skua/bits/deque.h): it
 * must succeed, at the index below head. */
static skua_task *pop_private(skua_worker *w)
{
	struct skua__whot *h = &w->hot;
	if (h->head == h->bottom)
		return NULL;
	int64_t head = h->head;
	skua_task *t = atomic_load_explicit(&h->slots[(head - 1) & h->mask],
	    memory_order_relaxed);
	ASSERT(skua__deque_owner_pop_at(h, atomic_load_explicit(&t->state,
	    memory_order_relaxed)));
	ASSERT_EQ(h->head, head - 1);
	return t;
}

/*
 * A join's take-back under futures (skua__deque_take_under), racing the
 * thieves: fork t and expose it, push 1-3 futures (DETACHED) publicly
 * above it, take t back.  The futures stay queued, for the thieves or the
 * owner's later takes.  Returns how many items the owner took (t or none).
 */
static long join_under_futures(skua_worker *owner, long first, int m)
{
	skua_task *t = &items[first];
	skua_fork(owner, t, noop);
	skua__expose(owner);
	for (int j = 0; j < m; j++) {
		skua_task *x = &items[first + 1 + j];
		atomic_store_explicit(&x->state, SKUA__TASK_DETACHED,
		    memory_order_relaxed);
		ASSERT_OK(skua__push_public(owner, x));
	}
	int64_t requeued;
	bool got = skua__deque_take_under(owner, t, &requeued);
	ASSERT(requeued <= m);
	ASSERT_EQ(owner->hot.head, owner->hot.bottom);
	if (!got)
		return 0;
	ASSERT_EQ(requeued, m); /* t is under all of them */
	mark(t);
	return 1;
}

static void run_config(unsigned nthieves, long n)
{
	skua_pool *p = skua__malloc_aligned(sizeof *p);
	ASSERT(p != NULL);
	p->n = 1;
	skua_worker *owner = fake_worker(p, 0);
	struct thief_arg ta[4];
	pthread_t th[4];

	items = calloc((size_t)n, sizeof *items);
	seen = calloc((size_t)n, 1);
	ASSERT(items != NULL && seen != NULL);
	atomic_store(&taken_total, 0);
	atomic_store(&stop, 0);
	for (unsigned i = 0; i < nthieves; i++) {
		ta[i] = (struct thief_arg){ fake_worker(p, i + 1), owner, 0 };
		ASSERT_EQ(pthread_create(&th[i], NULL, thief_main, &ta[i]), 0);
	}

	uint64_t rng = 88172645463325252ULL;
	long pushed = 0, owner_got = 0;
	while (pushed < n) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		unsigned burst = (unsigned)(rng % 600) + 1; /* > 256: growth */
		for (unsigned k = 0; k < burst && pushed < n; k++)
			skua_fork(owner, &items[pushed++], noop);
		if (rng & 1)
			skua__expose(owner);
		if ((rng >> 40) % 4 == 0 && pushed + 4 <= n) {
			int m = 1 + (int)((rng >> 48) % 3);
			owner_got += join_under_futures(owner, pushed, m);
			pushed += 1 + m;
		}
		unsigned pops = (unsigned)((rng >> 16) % (burst + 1));
		for (unsigned k = 0; k < pops; k++) {
			skua_task *t = pop_private(owner);
			if (t == NULL)
				t = skua__deque_take(owner);
			if (t == NULL)
				break;
			mark(t);
			owner_got++;
		}
	}
	/* Owner drains its end while the thieves keep stealing. */
	for (;;) {
		skua_task *t = pop_private(owner);
		if (t == NULL)
			t = skua__deque_take(owner);
		if (t == NULL)
			break;
		mark(t);
		owner_got++;
	}
	atomic_store_explicit(&stop, 1, memory_order_release);
	long stolen = 0;
	for (unsigned i = 0; i < nthieves; i++) {
		pthread_join(th[i], NULL);
		stolen += ta[i].got;
		skua__deque_fini(ta[i].self);
		skua__free_aligned(ta[i].self, sizeof(skua_worker));
	}
	ASSERT_EQ(owner_got + stolen, n);
	ASSERT_EQ(atomic_load(&taken_total), n);
	for (long i = 0; i < n; i++)
		if (atomic_load_explicit(&seen[i], memory_order_relaxed) != 1)
			FAIL("item %ld taken %d times", i, (int)seen[i]);
	printf("thieves=%u items=%ld owner=%ld stolen=%ld buffer=%lld slots\n",
	    nthieves, n, owner_got, stolen, (long long)owner->hot.mask + 1);
	if (nthieves > 0 && !TEST_SANITIZED)
		ASSERT(stolen > 0);
	ASSERT(owner->hot.mask + 1 > SKUA__DEQUE_INITIAL);
	skua__deque_fini(owner);
	skua__free_aligned(owner, sizeof *owner);
	skua__free_aligned(p, sizeof *p);
	free(items);
	free((void *)seen);
}

TEST_CASE(take_on_fresh_empty_deque_does_not_underflow)
{
	skua_pool *p = skua__malloc_aligned(sizeof *p);
	skua_worker *w = fake_worker(p, 0);
	ASSERT(skua__deque_take(w) == NULL);
	ASSERT(skua__deque_take(w) == NULL);
	ASSERT_EQ(atomic_load(&w->bottom), 0);
	ASSERT_EQ(atomic_load(&w->top), 0);
	skua__deque_fini(w);
	skua__free_aligned(w, sizeof *w);
	skua__free_aligned(p, sizeof *p);
}

/* Items per thief count: 10^7 in all over the four cases. */
static long per_config(void)
{
	return test_scale(2500000, 100000);
}

TEST_CASE(each_item_taken_once_with_1_thief) { run_config(1, per_config()); }
TEST_CASE(each_item_taken_once_with_2_thieves) { run_config(2, per_config()); }
TEST_CASE(each_item_taken_once_with_3_thieves) { run_config(3, per_config()); }
TEST_CASE(each_item_taken_once_with_4_thieves) { run_config(4, per_config()); }

static const struct test_case cases[] = {
	TEST_ENTRY(take_on_fresh_empty_deque_does_not_underflow),
	TEST_ENTRY(each_item_taken_once_with_1_thief),
	TEST_ENTRY(each_item_taken_once_with_2_thieves),
	TEST_ENTRY(each_item_taken_once_with_3_thieves),
	TEST_ENTRY(each_item_taken_once_with_4_thieves),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
