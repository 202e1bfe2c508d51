/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Futures under several outside threads and workers at once: spawns from
 * both sides, cancels racing the start and racing several waiters, done
 * callbacks that spawn, destroy while outside threads still wait, and the
 * timeouts' edges.  Counted: every future ran or was cancelled (exactly
 * one), every callback ran exactly once, every waiter saw the one
 * outcome, and nothing is lost or touched after free (ASan, TSan).
 */
#include "test.h"
#include "test_hooks.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

struct item {
	_Atomic int ran, cbs, cancelled;
	skua_future *f;
	intptr_t value;
};

static void *run_item(void *arg)
{
	struct item *it = arg;
	atomic_fetch_add(&it->ran, 1);
	return (void *)(it->value * 3);
}

static void item_cb(skua_future *f, void *arg)
{
	struct item *it = arg;
	ASSERT(it->f == NULL || it->f == f);
	atomic_fetch_add(&it->cbs, 1);
}

/* ---- spawn from outside threads and workers, cancel, many waiters ----- */

enum { STRESS_THREADS = 4 };

struct stress {
	skua_pool *p;
	struct item *items;
	long n;
	_Atomic long published;  /* items[0..published) have f set */
	_Atomic int done_spawning;
};

/* Checks one item's outcome against the future: ran xor cancelled. */
static void check_get(struct item *it)
{
	void *r = (void *)1;
	int rc = skua_future_get(it->f, &r);
	if (rc == -ECANCELED) {
		ASSERT(r == NULL);
		ASSERT_EQ(atomic_load(&it->ran), 0);
	} else {
		ASSERT_OK(rc);
		ASSERT_EQ((intptr_t)r, it->value * 3);
		ASSERT_EQ(atomic_load(&it->ran), 1);
	}
}

static void spawn_range(struct stress *s, long lo, long hi)
{
	for (long i = lo; i < hi; i++) {
		struct item *it = &s->items[i];
		skua_future *f;
		it->value = i;
		ASSERT_OK(skua_spawn(s->p, run_item, it, &f));
		__atomic_store_n(&it->f, f, __ATOMIC_RELEASE);
		ASSERT_OK(skua_future_add_done_callback(f, item_cb, it));
	}
}

/* A task that spawns its share of items from a worker and waits on them
 * with wait_any (as_completed), some of them cancelled by others. */
static void *worker_spawner(void *arg)
{
	struct stress *s = arg;
	long lo = s->n / 2, hi = s->n;
	spawn_range(s, lo, hi);
	for (long i = lo; i < hi; i += 8) {
		skua_future *fs[8];
		size_t k = 0;
		for (long j = i; j < hi && j < i + 8; j++)
			fs[k++] = s->items[j].f;
		for (size_t left = k; left > 0; left--) {
			size_t idx = SIZE_MAX;
			ASSERT_OK(skua_future_wait_any(fs, k, &idx));
			ASSERT(idx < k && fs[idx] != NULL);
			ASSERT_EQ(skua_future_done(fs[idx]), 1);
			fs[idx] = NULL;
		}
	}
	return NULL;
}

struct outside {
	struct stress *s;
	int id;
};

static void *outside_main(void *arg)
{
	struct outside *o = arg;
	struct stress *s = o->s;
	long half = s->n / 2;
	long per = half / STRESS_THREADS;
	long lo = o->id * per, hi = o->id == STRESS_THREADS - 1 ? half :
	    lo + per;
	spawn_range(s, lo, hi);
	/* Cancel every third item of the next thread's range (it may have
	 * started: -EBUSY), and wait on our own. */
	long nlo = ((o->id + 1) % STRESS_THREADS) * per;
	for (long i = nlo; i < nlo + per; i += 3) {
		struct item *it = &s->items[i];
		while (__atomic_load_n(&it->f, __ATOMIC_ACQUIRE) == NULL)
			sched_yield();
		int rc = skua_future_cancel(it->f);
		ASSERT(rc == 0 || rc == -EBUSY);
		if (rc == 0)
			atomic_fetch_add(&it->cancelled, 1);
	}
	for (long i = lo; i < hi; i++)
		check_get(&s->items[i]);
	return NULL;
}

TEST_CASE(outside_threads_and_workers_spawn_cancel_and_wait)
{
	long n = test_scale(8000, 800);
	for (int round = 0; round < 4; round++) {
		struct stress s = { .n = n };
		s.items = calloc((size_t)n, sizeof *s.items);
		ASSERT(s.items != NULL);
		s.p = test_pool(3);
		skua_future *ws;
		ASSERT_OK(skua_spawn(s.p, worker_spawner, &s, &ws));
		pthread_t th[STRESS_THREADS];
		struct outside o[STRESS_THREADS];
		for (int t = 0; t < STRESS_THREADS; t++) {
			o[t] = (struct outside){ &s, t };
			ASSERT_OK(pthread_create(&th[t], NULL, outside_main,
			    &o[t]));
		}
		for (int t = 0; t < STRESS_THREADS; t++)
			pthread_join(th[t], NULL);
		ASSERT_OK(skua_future_get(ws, NULL));
		ASSERT_OK(skua_future_release(ws));
		ASSERT_OK(skua_pool_destroy(s.p));
		for (long i = 0; i < n; i++) {
			struct item *it = &s.items[i];
			ASSERT_EQ(atomic_load(&it->cbs), 1);
			ASSERT_EQ(atomic_load(&it->ran) +
			    atomic_load(&it->cancelled), 1);
			check_get(it);
			ASSERT_OK(skua_future_release(it->f));
		}
		free(s.items);
	}
}

/* ---- cancel racing several waiters --------------------------------------- */

static _Atomic int gate, gate_holding;
static void *hold(void *arg)
{
	(void)arg;
	atomic_store(&gate_holding, 1);
	test_spin_until(&gate, 20000);
	return NULL;
}

/* Start hold() on p's one worker and wait until it runs: the worker is
 * busy until gate opens. */
static skua_future *start_holder(skua_pool *p)
{
	skua_future *h;
	atomic_store(&gate, 0);
	atomic_store(&gate_holding, 0);
	ASSERT_OK(skua_spawn(p, hold, NULL, &h));
	ASSERT(test_spin_until(&gate_holding, 5000));
	return h;
}

struct waiters {
	skua_future *f;
	_Atomic int canceled_seen, started, mode;
};

static void *waiter_main(void *arg)
{
	struct waiters *w = arg;
	atomic_fetch_add(&w->started, 1);
	int rc;
	size_t idx = SIZE_MAX;
	switch (atomic_fetch_add(&w->mode, 1) % 3) {
	case 0:
		rc = skua_future_get(w->f, NULL);
		ASSERT_EQ(rc, -ECANCELED);
		break;
	case 1:
		ASSERT_OK(skua_future_wait_all(&w->f, 1));
		ASSERT_EQ(skua_future_get(w->f, NULL), -ECANCELED);
		break;
	default:
		ASSERT_OK(skua_future_wait_any(&w->f, 1, &idx));
		ASSERT_EQ(idx, 0);
		ASSERT_EQ(skua_future_get(w->f, NULL), -ECANCELED);
		break;
	}
	atomic_fetch_add(&w->canceled_seen, 1);
	return NULL;
}

TEST_CASE(cancel_wakes_every_kind_of_waiter)
{
	int rounds = (int)test_scale(200, 30);
	for (int r = 0; r < rounds; r++) {
		skua_pool *p = test_pool(1);
		skua_future *h = start_holder(p);
		struct item it = { 0 };
		struct waiters w = { 0 };
		ASSERT_OK(skua_spawn(p, run_item, &it, &w.f));
		it.f = w.f;
		ASSERT_OK(skua_future_add_done_callback(w.f, item_cb, &it));
		enum { NW = 6 };
		pthread_t th[NW];
		for (int t = 0; t < NW; t++)
			ASSERT_OK(pthread_create(&th[t], NULL, waiter_main, &w));
		while (atomic_load(&w.started) < NW)
			sched_yield();
		if (r & 1)
			usleep(100); /* some waiters asleep by now */
		ASSERT_OK(skua_future_cancel(w.f));
		ASSERT_OK(skua_future_cancel(w.f));
		for (int t = 0; t < NW; t++)
			pthread_join(th[t], NULL);
		ASSERT_EQ(atomic_load(&w.canceled_seen), NW);
		ASSERT_EQ(atomic_load(&it.cbs), 1);
		atomic_store(&gate, 1);
		ASSERT_OK(skua_future_get(h, NULL));
		ASSERT_OK(skua_future_release(h));
		ASSERT_OK(skua_pool_destroy(p));
		ASSERT_EQ(atomic_load(&it.ran), 0);
		ASSERT_EQ(atomic_load(&it.cbs), 1);
		ASSERT_OK(skua_future_release(w.f));
	}
}

/* ---- callbacks that spawn, while the pool is destroyed ------------------ */

static _Atomic long chain_ran;
static skua_pool *chain_pool;

static void *chain_step(void *arg);

static void chain_cb(skua_future *f, void *arg)
{
	intptr_t depth = (intptr_t)arg;
	(void)f;
	if (depth == 0)
		return;
	skua_future *g;
	ASSERT_OK(skua_spawn(chain_pool, chain_step, (void *)(depth - 1), &g));
	ASSERT_OK(skua_future_add_done_callback(g, chain_cb,
	    (void *)(depth - 1)));
	ASSERT_OK(skua_future_release(g)); /* fire and forget */
}

static void *chain_step(void *arg)
{
	(void)arg;
	atomic_fetch_add(&chain_ran, 1);
	return NULL;
}

TEST_CASE(callbacks_spawn_while_destroy_waits)
{
	enum { CHAINS = 64, DEPTH = 20 };
	for (int r = 0; r < 10; r++) {
		atomic_store(&chain_ran, 0);
		chain_pool = test_pool(1);
		skua_future *h;
		atomic_store(&gate, 0);
		atomic_store(&gate_holding, 0);
		ASSERT_OK(skua_spawn(chain_pool, hold, NULL, &h));
		ASSERT_OK(skua_future_release(h));
		ASSERT(test_spin_until(&gate_holding, 5000));
		skua_future *fs[CHAINS];
		for (int i = 0; i < CHAINS; i++) {
			ASSERT_OK(skua_spawn(chain_pool, chain_step, NULL,
			    &fs[i]));
			ASSERT_OK(skua_future_add_done_callback(fs[i],
			    chain_cb, (void *)(intptr_t)DEPTH));
		}
		/* Cancel half of them: their callbacks spawn on this thread. */
		for (int i = 0; i < CHAINS; i += 2)
			ASSERT_OK(skua_future_cancel(fs[i]));
		atomic_store(&gate, 1);
		ASSERT_OK(skua_pool_destroy(chain_pool));
		ASSERT_EQ(atomic_load(&chain_ran),
		    CHAINS / 2 * (DEPTH + 1) + CHAINS / 2 * DEPTH);
		for (int i = 0; i < CHAINS; i++)
			ASSERT_OK(skua_future_release(fs[i]));
	}
}

/* ---- destroy while outside threads wait with get and wait_all ----------- */

static void *slow_item(void *arg)
{
	struct item *it = arg;
	usleep(200);
	atomic_fetch_add(&it->ran, 1);
	return (void *)(it->value * 3);
}

struct dwait {
	struct item *items;
	int n, mode;
	_Atomic int *started;
};

static void *destroy_waiter(void *arg)
{
	struct dwait *d = arg;
	atomic_fetch_add(d->started, 1);
	if (d->mode) {
		skua_future *fs[16];
		for (int i = 0; i < d->n; i++)
			fs[i] = d->items[i].f;
		ASSERT_OK(skua_future_wait_all(fs, (size_t)d->n));
	}
	for (int i = 0; i < d->n; i++)
		check_get(&d->items[i]);
	return NULL;
}

TEST_CASE(destroy_while_outside_threads_get)
{
	enum { N = 16, NW = 4 };
	for (int r = 0; r < 20; r++) {
		skua_pool *p = test_pool(2);
		struct item items[N] = { 0 };
		for (int i = 0; i < N; i++) {
			items[i].value = i;
			ASSERT_OK(skua_spawn(p, slow_item, &items[i],
			    &items[i].f));
			ASSERT_OK(skua_future_add_done_callback(items[i].f,
			    item_cb, &items[i]));
		}
		_Atomic int started = 0;
		pthread_t th[NW];
		struct dwait d[NW];
		for (int t = 0; t < NW; t++) {
			d[t] = (struct dwait){ items, N, t & 1, &started };
			ASSERT_OK(pthread_create(&th[t], NULL, destroy_waiter,
			    &d[t]));
		}
		while (atomic_load(&started) < NW)
			sched_yield();
		ASSERT_OK(skua_pool_destroy(p));
		for (int i = 0; i < N; i++)
			ASSERT_EQ(atomic_load(&items[i].cbs), 1);
		for (int t = 0; t < NW; t++)
			pthread_join(th[t], NULL);
		for (int i = 0; i < N; i++) {
			ASSERT_EQ(atomic_load(&items[i].ran), 1);
			ASSERT_OK(skua_future_release(items[i].f));
		}
	}
}

/* ---- the timeouts' edges ----------------------------------------------- */

static void timed_edges(void)
{
	skua_pool *p = test_pool(1);
	skua_future *h = start_holder(p);
	void *r = (void *)1;
	size_t idx = 7;
	ASSERT_EQ(skua_future_get_timeout(h, &r, 0), -ETIMEDOUT);
	ASSERT(r == NULL);
	ASSERT_EQ(skua_future_wait_all_timeout(&h, 1, 0), -ETIMEDOUT);
	ASSERT_EQ(skua_future_wait_any_timeout(&h, 1, &idx, 0), -ETIMEDOUT);
	ASSERT_EQ(idx, SIZE_MAX);
	ASSERT_EQ(skua_future_get_timeout(h, &r, 1), -ETIMEDOUT);
	ASSERT_EQ(skua_future_get_timeout(h, &r, 1000000), -ETIMEDOUT);
	atomic_store(&gate, 1);
	/* Huge timeouts: now + timeout wraps for all of these. */
	const uint64_t huge[] = { UINT64_MAX, UINT64_MAX - 1,
		UINT64_MAX - test_now_ns() + 1, UINT64_MAX / 2 + 1,
		(uint64_t)INT64_MAX };
	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
		r = (void *)1;
		ASSERT_OK(skua_future_get_timeout(h, &r, huge[i]));
		ASSERT(r == NULL);
		ASSERT_OK(skua_future_wait_all_timeout(&h, 1, huge[i]));
		ASSERT_OK(skua_future_wait_any_timeout(&h, 1, &idx, huge[i]));
		ASSERT_EQ(idx, 0);
	}
	ASSERT_OK(skua_future_release(h));
	ASSERT_OK(skua_pool_destroy(p));
}

/* Huge timeouts before the finish, so that the wait really sleeps with
 * one (a futex timeout the kernel might refuse). */
static void *release_gate_later(void *arg)
{
	(void)arg;
	usleep(20000);
	atomic_store(&gate, 1);
	return NULL;
}

static void huge_timeout_sleeps(uint64_t t, int kind)
{
	skua_pool *p = test_pool(1);
	skua_future *h = start_holder(p);
	pthread_t th;
	ASSERT_OK(pthread_create(&th, NULL, release_gate_later, NULL));
	size_t idx = SIZE_MAX;
	if (kind == 0)
		ASSERT_OK(skua_future_get_timeout(h, NULL, t));
	else if (kind == 1)
		ASSERT_OK(skua_future_wait_all_timeout(&h, 1, t));
	else {
		ASSERT_OK(skua_future_wait_any_timeout(&h, 1, &idx, t));
		ASSERT_EQ(idx, 0);
	}
	pthread_join(th, NULL);
	ASSERT_OK(skua_future_release(h));
	ASSERT_OK(skua_pool_destroy(p));
}

TEST_CASE(timeouts_zero_tiny_and_huge)
{
	timed_edges();
	const uint64_t huge[] = { UINT64_MAX - 1, UINT64_MAX / 2 + 1,
		(uint64_t)INT64_MAX, UINT64_MAX - test_now_ns() - 1000 };
	for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
		for (int kind = 0; kind < 3; kind++)
			huge_timeout_sleeps(huge[i], kind);
}

/* ---- the injection overflow out of memory -------------------------------- */

static _Atomic long ovf_ran;
static void *ovf_count(void *arg)
{
	(void)arg;
	atomic_fetch_add(&ovf_ran, 1);
	return arg;
}

TEST_CASE(spawn_into_a_full_ring_without_memory_is_enomem)
{
	enum { MAX = 4000 };
	static skua_future *fs[MAX];
	skua_pool *p = test_pool(1);
	atomic_store(&ovf_ran, 0);
	skua_future *h = start_holder(p);
	long n = 0, enomem = 0;
	/* The second allocation of each spawn is the overflow's array, once
	 * the ring is full: it fails, and so must the spawn, whole. */
	while (n < MAX && enomem < 3) {
		skua_future *f = (skua_future *)1;
		skua__test_alloc_fail_at(2);
		int rc = skua_spawn(p, ovf_count, (void *)(intptr_t)n, &f);
		skua__test_alloc_fail_at(0);
		if (rc == -ENOMEM) {
			ASSERT(f == NULL);
			enomem++;
			continue;
		}
		ASSERT_OK(rc);
		fs[n++] = f;
	}
	ASSERT_EQ(enomem, 3);
	/* With memory the overflow takes more, in order. */
	for (int i = 0; i < 300 && n < MAX; i++, n++)
		ASSERT_OK(skua_spawn(p, ovf_count, (void *)(intptr_t)n,
		    &fs[n]));
	atomic_store(&gate, 1);
	ASSERT_OK(skua_future_wait_all(fs, (size_t)n));
	for (long i = 0; i < n; i++) {
		void *r;
		ASSERT_OK(skua_future_get(fs[i], &r));
		ASSERT_EQ((intptr_t)r, i);
		ASSERT_OK(skua_future_release(fs[i]));
	}
	ASSERT_EQ(atomic_load(&ovf_ran), n);
	ASSERT_OK(skua_future_get(h, NULL));
	ASSERT_OK(skua_future_release(h));
	ASSERT_OK(skua_pool_destroy(p));
}

/* ---- timed waits on workers beside cancels, futures of two pools -------- */

struct timed {
	skua_pool *pools[2];
	struct item *items;
	long n;
	_Atomic long spawned;
	_Atomic int timeouts;
};

/* On a worker of pools[0]: wait for every item with short timed waits,
 * retrying on -ETIMEDOUT (get, wait_all and wait_any in turn). */
static void *timed_waiter(void *arg)
{
	struct timed *t = arg;
	for (long i = 0; i < t->n; i++) {
		while (atomic_load(&t->spawned) <= i)
			sched_yield();
		struct item *it = &t->items[i];
		skua_future *f = __atomic_load_n(&it->f, __ATOMIC_ACQUIRE);
		size_t idx = 5;
		void *r = (void *)1;
		int rc;
		do {
			switch (i % 3) {
			case 0:
				rc = skua_future_get_timeout(f, &r, 2000);
				if (rc == -ETIMEDOUT)
					ASSERT(r == NULL);
				break;
			case 1:
				rc = skua_future_wait_all_timeout(&f, 1, 2000);
				break;
			default:
				rc = skua_future_wait_any_timeout(&f, 1, &idx,
				    2000);
				ASSERT(rc == -ETIMEDOUT ? idx == SIZE_MAX :
				    idx == 0);
				break;
			}
			if (rc == -ETIMEDOUT)
				atomic_fetch_add(&t->timeouts, 1);
		} while (rc == -ETIMEDOUT);
		ASSERT(rc == 0 || rc == -ECANCELED);
		ASSERT_EQ(skua_future_done(f), 1);
	}
	return NULL;
}

static void *slowish_item(void *arg)
{
	struct item *it = arg;
	test_spin_us(20);
	atomic_fetch_add(&it->ran, 1);
	return (void *)(it->value * 3);
}

TEST_CASE(timed_waits_on_workers_beside_cancels_on_two_pools)
{
	long n = test_scale(3000, 400);
	struct timed t = { .n = n };
	t.items = calloc((size_t)n, sizeof *t.items);
	ASSERT(t.items != NULL);
	t.pools[0] = test_pool(2);
	t.pools[1] = test_pool(1);
	skua_future *w[2];
	ASSERT_OK(skua_spawn(t.pools[0], timed_waiter, &t, &w[0]));
	ASSERT_OK(skua_spawn(t.pools[0], timed_waiter, &t, &w[1]));
	for (long i = 0; i < n; i++) {
		struct item *it = &t.items[i];
		skua_future *f;
		it->value = i;
		ASSERT_OK(skua_spawn(t.pools[i & 1], slowish_item, it, &f));
		__atomic_store_n(&it->f, f, __ATOMIC_RELEASE);
		ASSERT_OK(skua_future_add_done_callback(f, item_cb, it));
		atomic_store(&t.spawned, i + 1);
		if (i % 4 == 3) {
			int rc = skua_future_cancel(t.items[i - 1].f);
			ASSERT(rc == 0 || rc == -EBUSY);
			if (rc == 0)
				atomic_fetch_add(&t.items[i - 1].cancelled, 1);
		}
	}
	ASSERT_OK(skua_future_wait_all(w, 2));
	for (long i = 0; i < n; i++) {
		struct item *it = &t.items[i];
		ASSERT_EQ(atomic_load(&it->ran) + atomic_load(&it->cancelled), 1);
		check_get(it);
	}
	ASSERT_OK(skua_future_release(w[0]));
	ASSERT_OK(skua_future_release(w[1]));
	ASSERT_OK(skua_pool_destroy(t.pools[0]));
	ASSERT_OK(skua_pool_destroy(t.pools[1]));
	for (long i = 0; i < n; i++) {
		ASSERT_EQ(atomic_load(&t.items[i].cbs), 1);
		ASSERT_OK(skua_future_release(t.items[i].f));
	}
	free(t.items);
}

static const struct test_case cases[] = {
	TEST_ENTRY(outside_threads_and_workers_spawn_cancel_and_wait),
	TEST_ENTRY(cancel_wakes_every_kind_of_waiter),
	TEST_ENTRY(callbacks_spawn_while_destroy_waits),
	TEST_ENTRY(destroy_while_outside_threads_get),
	TEST_ENTRY(timeouts_zero_tiny_and_huge),
	TEST_ENTRY(spawn_into_a_full_ring_without_memory_is_enomem),
	TEST_ENTRY(timed_waits_on_workers_beside_cancels_on_two_pools),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
