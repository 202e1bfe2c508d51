/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua_channel under load: 8 producers and 8 consumers, half of each
 * outside threads and half tasks of a 2-worker pool, some with timed or
 * non-waiting calls, 10^7 elements each received exactly once and in each
 * producer's order; close while every receiver waits, while every sender
 * waits (each returns -EPIPE; what was sent before is drained), and while
 * both sides run (every send that returned 0 is received, nothing more).
 */
#include "test.h"
#include "channel.h" /* the waiters counts, to know everyone sleeps */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define SIDES 8 /* producers, and consumers */

/* ASan runs the full 10^7 in a few seconds; TSan at ~0.3 M/s gets 2 * 10^6. */
#if defined(__SANITIZE_THREAD__)
#define MPMC_TOTAL 2000000
#else
#define MPMC_TOTAL 10000000
#endif

/* ---- 8 x 8 --------------------------------------------------------- */

struct mpmc {
	skua_channel *ch;
	uint64_t per;            /* elements per producer */
	_Atomic unsigned char *seen;
	_Atomic uint64_t received;
};

struct role {
	struct mpmc *m;
	unsigned id;
	int style; /* 0 blocking, 1 timed (100 us), 2 try_* and yield */
};

static int send_styled(skua_channel *ch, const void *e, int style)
{
	for (;;) {
		int rc = style == 0 ? skua_channel_send(ch, e) :
		    style == 1 ? skua_channel_send_timeout(ch, e, 100000) :
		    skua_channel_try_send(ch, e);
		if (rc != -ETIMEDOUT && rc != -EAGAIN)
			return rc;
		if (style == 2)
			sched_yield();
	}
}

static int recv_styled(skua_channel *ch, void *e, int style)
{
	for (;;) {
		int rc = style == 0 ? skua_channel_recv(ch, e) :
		    style == 1 ? skua_channel_recv_timeout(ch, e, 100000) :
		    skua_channel_try_recv(ch, e);
		if (rc != -ETIMEDOUT && rc != -EAGAIN)
			return rc;
		if (style == 2)
			sched_yield();
	}
}

static void *producer(void *arg)
{
	struct role *r = arg;
	for (uint64_t i = 0; i < r->m->per; i++) {
		uint64_t x = (uint64_t)r->id << 40 | i;
		ASSERT_OK(send_styled(r->m->ch, &x, r->style));
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct role *r = arg;
	uint64_t last[SIDES], n = 0, x;
	for (int p = 0; p < SIDES; p++)
		last[p] = UINT64_MAX;
	int rc;
	while ((rc = recv_styled(r->m->ch, &x, r->style)) == 0) {
		unsigned p = (unsigned)(x >> 40);
		uint64_t i = x & ((UINT64_C(1) << 40) - 1);
		ASSERT(p < SIDES && i < r->m->per);
		/* One consumer sees each producer's elements in order. */
		ASSERT(last[p] == UINT64_MAX || i > last[p]);
		last[p] = i;
		ASSERT_EQ(atomic_fetch_add(&r->m->seen[p * r->m->per + i], 1),
		    0);
		n++;
	}
	ASSERT_EQ(rc, -EPIPE);
	atomic_fetch_add(&r->m->received, n);
	return NULL;
}

TEST_CASE(mpmc_8x8)
{
	struct mpmc m = { NULL, 0, NULL, 0 };
	uint64_t total = MPMC_TOTAL;
	m.per = total / SIDES;
	m.seen = calloc(SIDES * m.per, 1);
	ASSERT(m.seen != NULL);
	ASSERT_OK(skua_channel_create(1024, sizeof(uint64_t), &m.ch));
	skua_pool *pool = test_pool(2);

	struct role prod[SIDES], cons[SIDES];
	pthread_t pt[SIDES], ct[SIDES];
	skua_future *pf[SIDES], *cf[SIDES];
	uint64_t t0 = test_now_ns();
	/* Even ids are threads, odd ones tasks; ids 2-3 timed, 4-5 try_*. */
	for (unsigned i = 0; i < SIDES; i++) {
		int style = i / 2 == 1 ? 1 : i / 2 == 2 ? 2 : 0;
		cons[i] = (struct role){ &m, i, style };
		prod[i] = (struct role){ &m, i, style };
		if (i % 2 == 0) {
			ASSERT_OK(pthread_create(&ct[i], NULL, consumer,
			    &cons[i]));
			ASSERT_OK(pthread_create(&pt[i], NULL, producer,
			    &prod[i]));
		} else {
			ASSERT_OK(skua_spawn(pool, consumer, &cons[i], &cf[i]));
			ASSERT_OK(skua_spawn(pool, producer, &prod[i], &pf[i]));
		}
	}
	for (unsigned i = 0; i < SIDES; i++) {
		if (i % 2 == 0)
			ASSERT_OK(pthread_join(pt[i], NULL));
		else
			ASSERT_OK(skua_future_get(pf[i], NULL));
	}
	ASSERT_OK(skua_channel_close(m.ch));
	for (unsigned i = 0; i < SIDES; i++) {
		if (i % 2 == 0) {
			ASSERT_OK(pthread_join(ct[i], NULL));
		} else {
			ASSERT_OK(skua_future_get(cf[i], NULL));
			skua_future_release(cf[i]);
			skua_future_release(pf[i]);
		}
	}
	double s = (test_now_ns() - t0) / 1e9;
	printf("8 x 8: %llu elements in %.2f s (%.2f M/s)\n",
	    (unsigned long long)(SIDES * m.per), s, SIDES * m.per / s / 1e6);
	ASSERT_EQ(atomic_load(&m.received), SIDES * m.per);
	for (uint64_t k = 0; k < SIDES * m.per; k++)
		ASSERT_EQ(atomic_load(&m.seen[k]), 1);
	ASSERT_OK(skua_pool_destroy(pool));
	ASSERT_OK(skua_channel_destroy(m.ch));
	free(m.seen);
}

/* ---- close while waiting ------------------------------------------- */

struct waiter {
	skua_channel *ch;
	int value;
	_Atomic int rc;
};

static void *recv_one(void *arg)
{
	struct waiter *wt = arg;
	int x;
	atomic_store(&wt->rc, skua_channel_recv(wt->ch, &x));
	return NULL;
}

static void *send_one(void *arg)
{
	struct waiter *wt = arg;
	atomic_store(&wt->rc, skua_channel_send(wt->ch, &wt->value));
	return NULL;
}

/* Until `waiters` shows n sleepers registered (W2 of lib/channel.md). */
static void await_sleepers(_Atomic uint32_t *waiters, uint32_t n)
{
	uint64_t end = test_now_ns() + 10000000000u;
	while (atomic_load(waiters) < n) {
		ASSERT(test_now_ns() < end);
		usleep(1000);
	}
}

/* 4 threads and 4 tasks run fn on ch; close once all 8 sleep; each
 * returns -EPIPE. */
static void close_under(skua_channel *ch, void *(*fn)(void *),
    _Atomic uint32_t *waiters)
{
	skua_pool *pool = test_pool(2);
	struct waiter wt[SIDES];
	pthread_t t[SIDES];
	skua_future *f[SIDES];
	for (int i = 0; i < SIDES; i++) {
		wt[i] = (struct waiter){ ch, 100 + i, 1 };
		if (i % 2 == 0)
			ASSERT_OK(pthread_create(&t[i], NULL, fn, &wt[i]));
		else
			ASSERT_OK(skua_spawn(pool, fn, &wt[i], &f[i]));
	}
	await_sleepers(waiters, SIDES);
	ASSERT_OK(skua_channel_close(ch));
	for (int i = 0; i < SIDES; i++) {
		if (i % 2 == 0) {
			ASSERT_OK(pthread_join(t[i], NULL));
		} else {
			ASSERT_OK(skua_future_get(f[i], NULL));
			skua_future_release(f[i]);
		}
		ASSERT_EQ(atomic_load(&wt[i].rc), -EPIPE);
	}
	ASSERT_OK(skua_pool_destroy(pool));
}

TEST_CASE(close_wakes_receivers)
{
	skua_channel *ch;
	ASSERT_OK(skua_channel_create(4, sizeof(int), &ch));
	close_under(ch, recv_one, &ch->recv_side.waiters);
	ASSERT_OK(skua_channel_destroy(ch));
}

TEST_CASE(close_wakes_senders)
{
	skua_channel *ch;
	ASSERT_OK(skua_channel_create(4, sizeof(int), &ch));
	for (int i = 0; i < 4; i++)
		ASSERT_OK(skua_channel_send(ch, &i));
	close_under(ch, send_one, &ch->send_side.waiters);
	/* What was sent before the close is all there, and only that. */
	for (int i = 0; i < 4; i++) {
		int x;
		ASSERT_OK(skua_channel_recv(ch, &x));
		ASSERT_EQ(x, i);
	}
	int x;
	ASSERT_EQ(skua_channel_recv(ch, &x), -EPIPE);
	ASSERT_OK(skua_channel_destroy(ch));
}

/* ---- close while both sides run ------------------------------------ */

struct flow {
	skua_channel *ch;
	unsigned id;
	uint64_t count, sum; /* sent (returned 0) or received */
};

static void *flow_send(void *arg)
{
	struct flow *f = arg;
	for (uint64_t i = 0;; i++) {
		uint64_t x = (uint64_t)f->id << 40 | i;
		int rc = skua_channel_send(f->ch, &x);
		if (rc == -EPIPE)
			return NULL;
		ASSERT_OK(rc);
		f->count++;
		f->sum += x;
	}
}

static void *flow_recv(void *arg)
{
	struct flow *f = arg;
	uint64_t x;
	int rc;
	while ((rc = skua_channel_recv(f->ch, &x)) == 0) {
		f->count++;
		f->sum += x;
	}
	ASSERT_EQ(rc, -EPIPE);
	return NULL;
}

static void one_close_race(skua_pool *pool, size_t cap, unsigned ms)
{
	skua_channel *ch;
	ASSERT_OK(skua_channel_create(cap, sizeof(uint64_t), &ch));
	struct flow snd[4], rcv[4];
	pthread_t t[8];
	skua_future *f[8];
	for (unsigned i = 0; i < 4; i++) {
		snd[i] = (struct flow){ ch, i, 0, 0 };
		rcv[i] = (struct flow){ ch, i, 0, 0 };
		if (i % 2 == 0) {
			ASSERT_OK(pthread_create(&t[i], NULL, flow_send, &snd[i]));
			ASSERT_OK(pthread_create(&t[4 + i], NULL, flow_recv,
			    &rcv[i]));
		} else {
			ASSERT_OK(skua_spawn(pool, flow_send, &snd[i], &f[i]));
			ASSERT_OK(skua_spawn(pool, flow_recv, &rcv[i], &f[4 + i]));
		}
	}
	usleep(ms * 1000);
	ASSERT_OK(skua_channel_close(ch));
	uint64_t sent = 0, got = 0, ssum = 0, gsum = 0;
	for (unsigned i = 0; i < 8; i++) {
		if (i % 4 % 2 == 0) {
			ASSERT_OK(pthread_join(t[i], NULL));
		} else {
			ASSERT_OK(skua_future_get(f[i], NULL));
			skua_future_release(f[i]);
		}
	}
	for (unsigned i = 0; i < 4; i++) {
		sent += snd[i].count;
		ssum += snd[i].sum;
		got += rcv[i].count;
		gsum += rcv[i].sum;
	}
	ASSERT_EQ(got, sent);
	ASSERT_EQ(gsum, ssum);
	ASSERT(sent > 0);
	ASSERT_OK(skua_channel_destroy(ch));
}

TEST_CASE(close_while_running)
{
	static const size_t caps[] = { 1, 3, 64 };
	skua_pool *pool = test_pool(2);
	int rounds = (int)test_scale(12, 3);
	for (int r = 0; r < rounds; r++)
		one_close_race(pool, caps[r % 3], 5 + (unsigned)r % 4 * 5);
	ASSERT_OK(skua_pool_destroy(pool));
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		TEST_ENTRY(mpmc_8x8),
		TEST_ENTRY(close_wakes_receivers),
		TEST_ENTRY(close_wakes_senders),
		TEST_ENTRY(close_while_running),
		TEST_END,
	};
	test_watchdog(280);
	return test_run_cases(argc, argv, cases);
}
