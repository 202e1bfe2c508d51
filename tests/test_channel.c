/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua_channel, one property per case: bad arguments and allocation
 * failure; FIFO order across many laps of a ring whose capacity is no
 * power of two; capacity 1 (alone, and between two threads); element sizes
 * 1, 8, 24 and 4096 bytes (every byte checked); try_* and their -EAGAIN;
 * the timed calls (-ETIMEDOUT, never early; 0 only looks); close (-EPIPE
 * for senders, drain then -EPIPE for receivers); an outside thread that
 * waits sleeps instead of spinning; a task that waits does not take its
 * worker away from the pool, even when its first spare cannot start.
 */
#include "test.h"
#include "test_hooks.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>


TEST_CASE(bad_arguments)
{
	skua_channel *ch = (skua_channel *)1;
	char e[8] = { 0 };

	ASSERT_EQ(skua_channel_create(8, 8, NULL), -EINVAL);
	ASSERT_EQ(skua_channel_create(0, 8, &ch), -EINVAL);
	ASSERT(ch == NULL);
	ch = (skua_channel *)1;
	ASSERT_EQ(skua_channel_create(8, 0, &ch), -EINVAL);
	ASSERT(ch == NULL);
	/* capacity * elem_size does not fit: -EOVERFLOW, not a short
	 * allocation. */
	ASSERT_EQ(skua_channel_create(SIZE_MAX, 2, &ch), -EOVERFLOW);
	ASSERT_EQ(skua_channel_create(2, SIZE_MAX, &ch), -EOVERFLOW);
	ASSERT_EQ(skua_channel_create(SIZE_MAX / 8 + 1, 8, &ch), -EOVERFLOW);
	ASSERT_EQ(skua_channel_create((size_t)1 << 40, (size_t)1 << 40, &ch),
	    -EOVERFLOW);
	ASSERT(ch == NULL);
	/* One cell of nearly SIZE_MAX bytes: -ENOMEM in every build (the
	 * allocation's round-up to a cache line wrapped to 0 once, without
	 * jemalloc, and the cell's header was written past a 1-byte block). */
	ASSERT_EQ(skua_channel_create(1, SIZE_MAX - 16, &ch), -ENOMEM);
	ASSERT(ch == NULL);
	/* It fits in a size_t but not in memory (the sanitizers' allocators
	 * abort on such a request instead of failing it). */
	if (!TEST_SANITIZED) {
		ASSERT_EQ(skua_channel_create((size_t)1 << 50, 64, &ch),
		    -ENOMEM);
		ASSERT(ch == NULL);
	}

	ASSERT_EQ(skua_channel_send(NULL, e), -EINVAL);
	ASSERT_EQ(skua_channel_recv(NULL, e), -EINVAL);
	ASSERT_EQ(skua_channel_try_send(NULL, e), -EINVAL);
	ASSERT_EQ(skua_channel_try_recv(NULL, e), -EINVAL);
	ASSERT_EQ(skua_channel_send_timeout(NULL, e, 1), -EINVAL);
	ASSERT_EQ(skua_channel_recv_timeout(NULL, e, 1), -EINVAL);
	ASSERT_EQ(skua_channel_close(NULL), -EINVAL);
	ASSERT_EQ(skua_channel_destroy(NULL), -EINVAL);
	ASSERT_EQ(skua_channel_len(NULL), 0);
	ASSERT_EQ(skua_channel_capacity(NULL), 0);
	ASSERT_EQ(skua_channel_elem_size(NULL), 0);

	ASSERT_OK(skua_channel_create(3, 5, &ch));
	ASSERT_EQ(skua_channel_capacity(ch), 3);
	ASSERT_EQ(skua_channel_elem_size(ch), 5);
	ASSERT_EQ(skua_channel_send(ch, NULL), -EINVAL);
	ASSERT_EQ(skua_channel_recv(ch, NULL), -EINVAL);
	ASSERT_EQ(skua_channel_try_send(ch, NULL), -EINVAL);
	ASSERT_EQ(skua_channel_try_recv(ch, NULL), -EINVAL);
	ASSERT_EQ(skua_channel_send_timeout(ch, NULL, 1), -EINVAL);
	ASSERT_EQ(skua_channel_recv_timeout(ch, NULL, 1), -EINVAL);
	ASSERT_EQ(skua_channel_len(ch), 0);
	ASSERT_OK(skua_channel_destroy(ch));

	ASSERT(strcmp(skua_err_name(-EPIPE), "EPIPE") == 0);
	ASSERT(strcmp(skua_strerror(-EPIPE), "the channel is closed") == 0);
}

/* Both allocations of create fail in turn: -ENOMEM, *out NULL, nothing
 * leaked (LeakSanitizer), and the next create works. */
TEST_CASE(alloc_failure)
{
	for (long k = 1; k <= 2; k++) {
		skua_channel *ch = (skua_channel *)1;
		skua__test_alloc_fail_at(k);
		ASSERT_EQ(skua_channel_create(16, 24, &ch), -ENOMEM);
		skua__test_alloc_fail_at(0);
		ASSERT(ch == NULL);
	}
	skua_channel *ch;
	skua__test_alloc_fail_at(3); /* past create: it succeeds */
	ASSERT_OK(skua_channel_create(16, 24, &ch));
	skua__test_alloc_fail_at(0);
	ASSERT_OK(skua_channel_destroy(ch));
}

/* Capacity 5, 1000 laps, varying fill levels: strict FIFO, len exact. */
TEST_CASE(fifo_laps)
{
	skua_channel *ch;
	ASSERT_OK(skua_channel_create(5, sizeof(uint32_t), &ch));
	uint32_t next_in = 0, next_out = 0;
	for (int lap = 0; lap < 1000; lap++) {
		unsigned fill = 1 + (unsigned)lap % 5;
		for (unsigned i = 0; i < fill; i++, next_in++)
			ASSERT_OK(skua_channel_try_send(ch, &next_in));
		ASSERT_EQ(skua_channel_len(ch), fill);
		if (fill == 5)
			ASSERT_EQ(skua_channel_try_send(ch, &next_in), -EAGAIN);
		for (unsigned i = 0; i < fill; i++) {
			uint32_t x;
			ASSERT_OK(skua_channel_try_recv(ch, &x));
			ASSERT_EQ(x, next_out);
			next_out++;
		}
		uint32_t x;
		ASSERT_EQ(skua_channel_try_recv(ch, &x), -EAGAIN);
	}
	ASSERT_OK(skua_channel_destroy(ch));
}

struct pingpong {
	skua_channel *ch;
	long n;
};

static void *consume_in_order(void *arg)
{
	struct pingpong *pp = arg;
	for (long i = 0; i < pp->n; i++) {
		long x;
		ASSERT_OK(skua_channel_recv(pp->ch, &x));
		ASSERT_EQ(x, i);
	}
	long x;
	ASSERT_EQ(skua_channel_recv(pp->ch, &x), -EPIPE);
	return NULL;
}

TEST_CASE(capacity_one)
{
	skua_channel *ch;
	long x = 42, y = 0;
	ASSERT_OK(skua_channel_create(1, sizeof(long), &ch));
	ASSERT_OK(skua_channel_try_send(ch, &x));
	ASSERT_EQ(skua_channel_try_send(ch, &x), -EAGAIN);
	ASSERT_EQ(skua_channel_len(ch), 1);
	ASSERT_OK(skua_channel_try_recv(ch, &y));
	ASSERT_EQ(y, 42);
	ASSERT_EQ(skua_channel_try_recv(ch, &y), -EAGAIN);

	/* Every element waits for room: the two threads alternate. */
	struct pingpong pp = { ch, test_scale(200000, 20000) };
	pthread_t t;
	ASSERT_OK(pthread_create(&t, NULL, consume_in_order, &pp));
	for (long i = 0; i < pp.n; i++)
		ASSERT_OK(skua_channel_send(ch, &i));
	ASSERT_OK(skua_channel_close(ch));
	ASSERT_OK(pthread_join(t, NULL));
	ASSERT_OK(skua_channel_destroy(ch));
}

/* Element i of size sz: byte j is (i * 131 + j * 7) & 0xff. */
static void fill_elem(unsigned char *e, size_t sz, uint32_t i)
{
	for (size_t j = 0; j < sz; j++)
		e[j] = (unsigned char)(i * 131u + j * 7u);
	if (sz >= 4)
		memcpy(e, &i, 4);
}

struct sized {
	skua_channel *ch;
	size_t sz;
	uint32_t n;
	_Atomic uint32_t *seen;
};

struct sized_part {
	struct sized *s;
	uint32_t lo, hi;
};

static void *sized_producer(void *arg)
{
	struct sized_part *part = arg;
	unsigned char e[4096];
	for (uint32_t i = part->lo; i < part->hi; i++) {
		fill_elem(e, part->s->sz, i);
		ASSERT_OK(skua_channel_send(part->s->ch, e));
	}
	return NULL;
}

static void *sized_consumer(void *arg)
{
	struct sized *s = arg;
	unsigned char e[4096], want[4096];
	uint32_t next = 0;
	while (skua_channel_recv(s->ch, e) == 0) {
		/* A 1-byte element cannot carry its index: with one producer
		 * and one consumer it is its place in the order. */
		uint32_t i = next++;
		if (s->sz >= 4)
			memcpy(&i, e, 4);
		ASSERT(i < s->n);
		fill_elem(want, s->sz, i);
		ASSERT(memcmp(e, want, s->sz) == 0);
		atomic_fetch_add(&s->seen[i], 1);
	}
	return NULL;
}

/* Size 1 through one producer and one consumer; 8, 24 and 4096 through
 * two of each.  Every element arrives once, every byte intact. */
TEST_CASE(elem_sizes)
{
	static const size_t sizes[] = { 1, 8, 24, 4096 };
	for (int k = 0; k < 4; k++) {
		size_t sz = sizes[k];
		int pairs = sz == 1 ? 1 : 2;
		struct sized s = { NULL, sz, (uint32_t)test_scale(50000, 5000),
			NULL };
		s.seen = calloc(s.n, sizeof *s.seen);
		ASSERT(s.seen != NULL);
		ASSERT_OK(skua_channel_create(7, sz, &s.ch));
		pthread_t prod[2], cons[2];
		struct sized_part parts[2];
		for (int c = 0; c < pairs; c++) {
			parts[c] = (struct sized_part){ &s,
				s.n / (uint32_t)pairs * (uint32_t)c,
				c == pairs - 1 ? s.n :
				s.n / (uint32_t)pairs * (uint32_t)(c + 1) };
			ASSERT_OK(pthread_create(&cons[c], NULL, sized_consumer,
			    &s));
			ASSERT_OK(pthread_create(&prod[c], NULL, sized_producer,
			    &parts[c]));
		}
		for (int c = 0; c < pairs; c++)
			ASSERT_OK(pthread_join(prod[c], NULL));
		ASSERT_OK(skua_channel_close(s.ch));
		for (int c = 0; c < pairs; c++)
			ASSERT_OK(pthread_join(cons[c], NULL));
		for (uint32_t i = 0; i < s.n; i++)
			ASSERT_EQ(atomic_load(&s.seen[i]), 1);
		ASSERT_OK(skua_channel_destroy(s.ch));
		free(s.seen);
	}
}

TEST_CASE(timeouts)
{
	skua_channel *ch;
	int x = 1;
	ASSERT_OK(skua_channel_create(1, sizeof x, &ch));
	/* 0 only looks. */
	ASSERT_EQ(skua_channel_recv_timeout(ch, &x, 0), -ETIMEDOUT);
	uint64_t t0 = test_now_ns();
	ASSERT_EQ(skua_channel_recv_timeout(ch, &x, 20000000), -ETIMEDOUT);
	uint64_t waited = test_now_ns() - t0;
	ASSERT(waited >= 20000000); /* never early */
	ASSERT_OK(skua_channel_send_timeout(ch, &x, 0)); /* room: no wait */
	t0 = test_now_ns();
	ASSERT_EQ(skua_channel_send_timeout(ch, &x, 20000000), -ETIMEDOUT);
	ASSERT(test_now_ns() - t0 >= 20000000);
	ASSERT_EQ(skua_channel_send_timeout(ch, &x, 0), -ETIMEDOUT);
	ASSERT_EQ(skua_channel_len(ch), 1); /* nothing sent by the timeouts */
	ASSERT_OK(skua_channel_recv_timeout(ch, &x, UINT64_MAX));
	ASSERT_EQ(x, 1);
	ASSERT_OK(skua_channel_close(ch));
	ASSERT_EQ(skua_channel_recv_timeout(ch, &x, 1000000000), -EPIPE);
	ASSERT_EQ(skua_channel_send_timeout(ch, &x, 1000000000), -EPIPE);
	ASSERT_OK(skua_channel_destroy(ch));
}

static void *send_later(void *arg)
{
	usleep(10000);
	int v = 7;
	ASSERT_OK(skua_channel_send(arg, &v));
	return NULL;
}

/* A timed receive that an element reaches in time returns it. */
TEST_CASE(timeout_met)
{
	skua_channel *ch;
	int x = 0;
	pthread_t t;
	ASSERT_OK(skua_channel_create(4, sizeof x, &ch));
	ASSERT_OK(pthread_create(&t, NULL, send_later, ch));
	ASSERT_OK(skua_channel_recv_timeout(ch, &x, 5000000000u));
	ASSERT_EQ(x, 7);
	ASSERT_OK(pthread_join(t, NULL));
	ASSERT_OK(skua_channel_destroy(ch));
}

TEST_CASE(close)
{
	skua_channel *ch;
	int x;
	ASSERT_OK(skua_channel_create(4, sizeof x, &ch));
	for (x = 0; x < 3; x++)
		ASSERT_OK(skua_channel_send(ch, &x));
	ASSERT_OK(skua_channel_close(ch));
	ASSERT_EQ(skua_channel_close(ch), -EPIPE); /* once */
	ASSERT_EQ(skua_channel_send(ch, &x), -EPIPE);
	ASSERT_EQ(skua_channel_try_send(ch, &x), -EPIPE);
	ASSERT_EQ(skua_channel_len(ch), 3);
	for (int i = 0; i < 3; i++) {
		ASSERT_OK(skua_channel_recv(ch, &x));
		ASSERT_EQ(x, i);
	}
	ASSERT_EQ(skua_channel_recv(ch, &x), -EPIPE);
	ASSERT_EQ(skua_channel_try_recv(ch, &x), -EPIPE);
	ASSERT_OK(skua_channel_destroy(ch));

	/* A full channel, closed: send says -EPIPE, not "full". */
	ASSERT_OK(skua_channel_create(1, sizeof x, &ch));
	ASSERT_OK(skua_channel_send(ch, &x));
	ASSERT_OK(skua_channel_close(ch));
	ASSERT_EQ(skua_channel_try_send(ch, &x), -EPIPE);
	ASSERT_EQ(skua_channel_send(ch, &x), -EPIPE);
	ASSERT_OK(skua_channel_destroy(ch)); /* with an element left */
}

struct cpu_wait {
	skua_channel *ch;
	uint64_t cpu_ns;
	int rc;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *recv_measured(void *arg)
{
	struct cpu_wait *c = arg;
	int x;
	uint64_t t0 = thread_cpu_ns();
	c->rc = skua_channel_recv(c->ch, &x);
	c->cpu_ns = thread_cpu_ns() - t0;
	return NULL;
}

/* An outside receiver that waits 300 ms uses well under 300 ms of CPU:
 * it polls a few microseconds, then sleeps until the close wakes it. */
TEST_CASE(outside_wait_sleeps)
{
	struct cpu_wait c = { NULL, 0, 0 };
	pthread_t t;
	ASSERT_OK(skua_channel_create(2, sizeof(int), &c.ch));
	ASSERT_OK(pthread_create(&t, NULL, recv_measured, &c));
	usleep(300000);
	ASSERT_OK(skua_channel_close(c.ch));
	ASSERT_OK(pthread_join(t, NULL));
	printf("an outside recv waiting 300 ms used %.3f ms of CPU\n",
	    c.cpu_ns / 1e6);
	ASSERT_EQ(c.rc, -EPIPE);
	ASSERT(c.cpu_ns < 20000000);
	ASSERT_OK(skua_channel_destroy(c.ch));
}

static void *recv_task(void *arg)
{
	int x = 0;
	ASSERT_OK(skua_channel_recv(arg, &x));
	return (void *)(intptr_t)x;
}

static void *answer(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)42;
}

/* One worker, whose task waits in recv: other tasks still run (a spare
 * compensates), and the receiver gets its element afterwards. */
TEST_CASE(worker_wait_compensates)
{
	skua_pool *p = test_pool(1);
	skua_channel *ch;
	skua_future *r, *a;
	void *v;
	ASSERT_OK(skua_channel_create(1, sizeof(int), &ch));
	ASSERT_OK(skua_spawn(p, recv_task, ch, &r));
	usleep(20000); /* r is asleep in recv by now */
	ASSERT_OK(skua_spawn(p, answer, NULL, &a));
	ASSERT_OK(skua_future_get_timeout(a, &v, 10000000000u));
	ASSERT_EQ((intptr_t)v, 42);
	int x = 5;
	ASSERT_OK(skua_channel_send(ch, &x));
	ASSERT_OK(skua_future_get(r, &v));
	ASSERT_EQ((intptr_t)v, 5);
	skua_future_release(a);
	skua_future_release(r);
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_OK(skua_channel_destroy(ch));
}

static void *send_nine(void *arg)
{
	int v = 9;
	return (void *)(intptr_t)skua_channel_send(arg, &v);
}

/* On the only worker: queue the sender behind us, then wait in recv while
 * the spare's thread cannot start (once).  A spare must take over later
 * and run the sender: the wait used to sleep uncompensated to the end, so
 * the element never came (-ETIMEDOUT after 3 s; a plain recv hung). */
static void *recv_beside_failed_spare(void *arg)
{
	skua_channel *ch = arg;
	skua_future *s;
	void *src;
	int x = 0;
	ASSERT_OK(skua_spawn(skua_worker_pool(skua_worker_current()),
	    send_nine, ch, &s));
	skua__test_thread_fail_at(1);
	int rc = skua_channel_recv_timeout(ch, &x, 3000000000u);
	skua__test_thread_fail_at(0);
	if (rc != 0)
		skua_channel_close(ch); /* let the sender go */
	ASSERT_OK(skua_future_get(s, &src));
	ASSERT_OK(skua_future_release(s));
	return (void *)(intptr_t)(rc != 0 ? rc : x);
}

TEST_CASE(failed_spare_start_is_retried)
{
	skua_pool *p = test_pool(1);
	skua_channel *ch;
	skua_future *r;
	void *v;
	ASSERT_OK(skua_channel_create(1, sizeof(int), &ch));
	ASSERT_OK(skua_spawn(p, recv_beside_failed_spare, ch, &r));
	ASSERT_OK(skua_future_get(r, &v));
	ASSERT_OK(skua_future_release(r));
	if ((intptr_t)v != 9)
		FAIL("recv on the only worker, its spare's start failed once: "
		    "%ld (want the element, 9)", (long)(intptr_t)v);
	ASSERT_OK(skua_pool_destroy(p));
	ASSERT_OK(skua_channel_destroy(ch));
}

int main(int argc, char **argv)
{
	static const struct test_case cases[] = {
		TEST_ENTRY(bad_arguments),
		TEST_ENTRY(alloc_failure),
		TEST_ENTRY(fifo_laps),
		TEST_ENTRY(capacity_one),
		TEST_ENTRY(elem_sizes),
		TEST_ENTRY(timeouts),
		TEST_ENTRY(timeout_met),
		TEST_ENTRY(close),
		TEST_ENTRY(outside_wait_sleeps),
		TEST_ENTRY(worker_wait_compensates),
		TEST_ENTRY(failed_spare_start_is_retried),
		TEST_END,
	};
	test_watchdog(240);
	return test_run_cases(argc, argv, cases);
}
