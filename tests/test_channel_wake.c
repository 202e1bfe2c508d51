/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A wake spent on a copy in progress (found by an independent review):
 * two receivers sleep on an empty channel while send A, which took
 * position 0, is held inside its copy (lib/test_hooks.h).  Send B fills
 * position 1 and wakes one receiver, which re-checks position 0, finds
 * A still copying and sleeps again; then A finishes and wakes the other,
 * which takes 0.  Position 1 must not be left with a receiver asleep:
 * the receive of 0 passes the wake on (lib/channel.md).  The same for
 * senders on a full channel while a receive is held in its copy.  Counts
 * which threads returned; a receiver or sender still asleep after 5 s
 * fails the test (then a close releases it).
 */
#include "test.h"
#include "channel.h"
#include "test_hooks.h"

#include <errno.h>
#include <pthread.h>
#include <skua/channel.h>
#include <time.h>

static skua_channel *ch;
static _Atomic int armed, held, release_held, returned, failures;
static _Atomic bool hold_sending;

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };
	nanosleep(&ts, NULL);
}

/* Hold the first copy of the armed kind until released (bounded). */
static void hold_copy(bool sending)
{
	if (sending != atomic_load(&hold_sending) ||
	    !atomic_exchange(&armed, 0))
		return;
	atomic_store(&held, 1);
	test_spin_until(&release_held, 20000);
}

static void *send_one(void *arg)
{
	long v = (long)(intptr_t)arg;
	int rc = skua_channel_send(ch, &v);
	if (rc != 0 && rc != -EPIPE)
		atomic_fetch_add(&failures, 1);
	atomic_fetch_add(&returned, 1);
	return NULL;
}

static void *recv_one(void *arg)
{
	long v;
	(void)arg;
	int rc = skua_channel_recv(ch, &v);
	if (rc != 0 && rc != -EPIPE)
		atomic_fetch_add(&failures, 1);
	atomic_fetch_add(&returned, 1);
	return NULL;
}

/* Until side s has n registered waiters, then long enough to be asleep
 * in the futex (the wait spins for 20-100 us before it sleeps). */
static void until_asleep(struct skua__ch_side *s, unsigned n)
{
	for (int i = 0; i < 5000 && atomic_load(&s->waiters) != n; i++)
		nap_ms(1);
	ASSERT_EQ(atomic_load(&s->waiters), n);
	nap_ms(30);
}

/* Until `want` threads returned, at most 5 s; then close and count. */
static void want_returned(int want, const char *what)
{
	for (int i = 0; i < 5000 && atomic_load(&returned) < want; i++)
		nap_ms(1);
	int got = atomic_load(&returned);
	if (got < want) {
		skua_channel_close(ch); /* release the sleeper */
		FAIL("%d of %d %s returned in 5 s with the channel holding "
		    "%zu", got, want, what, skua_channel_len(ch));
	}
}

static void start(bool holding_a_send, size_t cap)
{
	ASSERT_OK(skua_channel_create(cap, sizeof(long), &ch));
	atomic_store(&hold_sending, holding_a_send);
	atomic_store(&held, 0);
	atomic_store(&release_held, 0);
	atomic_store(&returned, 0);
	atomic_store(&failures, 0);
	atomic_store(&armed, 1);
	skua__test_channel_copy_hook(hold_copy);
}

static void finish(pthread_t *t, int n)
{
	for (int i = 0; i < n; i++)
		ASSERT_EQ(pthread_join(t[i], NULL), 0);
	skua__test_channel_copy_hook(NULL);
	ASSERT_EQ(atomic_load(&failures), 0);
	ASSERT_OK(skua_channel_destroy(ch));
}

TEST_CASE(receivers_behind_a_send_in_progress)
{
	start(true, 4);
	pthread_t t[3];
	ASSERT_EQ(pthread_create(&t[0], NULL, send_one, (void *)1), 0);
	ASSERT(test_spin_until(&held, 5000)); /* A holds position 0 */
	ASSERT_EQ(pthread_create(&t[1], NULL, recv_one, NULL), 0);
	ASSERT_EQ(pthread_create(&t[2], NULL, recv_one, NULL), 0);
	until_asleep(&ch->recv_side, 2);
	long b = 2;
	ASSERT_OK(skua_channel_send(ch, &b)); /* position 1: wakes one */
	until_asleep(&ch->recv_side, 2);      /* it slept again */
	atomic_store(&release_held, 1);       /* A publishes 0 */
	want_returned(3, "of send A and the two receivers");
	ASSERT_EQ(skua_channel_len(ch), 0);
	finish(t, 3);
}

TEST_CASE(senders_behind_a_receive_in_progress)
{
	start(false, 2);
	long v = 0;
	ASSERT_OK(skua_channel_send(ch, &v));
	ASSERT_OK(skua_channel_send(ch, &v)); /* full: positions 0 and 1 */
	pthread_t t[3];
	ASSERT_EQ(pthread_create(&t[0], NULL, recv_one, NULL), 0);
	ASSERT(test_spin_until(&held, 5000)); /* it holds 0's cell */
	ASSERT_EQ(pthread_create(&t[1], NULL, send_one, (void *)3), 0);
	ASSERT_EQ(pthread_create(&t[2], NULL, send_one, (void *)4), 0);
	until_asleep(&ch->send_side, 2);
	ASSERT_OK(skua_channel_recv(ch, &v)); /* frees 1's cell: wakes one */
	until_asleep(&ch->send_side, 2);      /* it slept again */
	atomic_store(&release_held, 1);       /* the held receive frees 0's */
	want_returned(3, "of the held receive and the two senders");
	ASSERT_EQ(skua_channel_len(ch), 2);
	finish(t, 3);
}

static const struct test_case cases[] = {
	TEST_ENTRY(receivers_behind_a_send_in_progress),
	TEST_ENTRY(senders_behind_a_receive_in_progress),
	TEST_END,
};

int main(int argc, char **argv)
{
	test_watchdog(120);
	return test_run_cases(argc, argv, cases);
}
