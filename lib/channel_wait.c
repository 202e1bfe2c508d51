/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/channel_wait.c - the sends and receives of skua_channel that wait:
 * a short poll, then a sleep on the side's event count (lib/channel.md,
 * steps W1-W5), counted as blocking on a worker.
 *
 * Why not Concurrency Kit's ck_ec for the event counts:
 * - ck_ec_inc (multi-producer mode) is a locked read-modify-write of the
 *   count on every element, waiters or not.  Here a send or receive only
 *   loads the other side's `waiters` word, which changes only when a
 *   thread goes to sleep, and bumps the count only then.
 * - ck_ec_wait runs its own loop: spinning, then futex waits with growing
 *   timeouts (a safety net its single-producer mode needs; lib/park.md
 *   rejects timed safety nets, since they hide lost wake-ups).  A worker
 *   must instead poll, then wrap only the sleep in skua_blocking_begin/end.
 * - Its slow paths (ck_ec32_wait_slow, ck_ec32_wake) live in libck, which
 *   skua does not link (ck_ring and ck_backoff are used from the headers),
 *   and ck_pr's inline assembly is invisible to ThreadSanitizer.
 * The event count here is the one lib/park.c uses for workers (wake_seq),
 * in C11 atomics, with the same Dekker argument.
 *
 * Why a wait never helps run tasks, unlike a wait on a future
 * (lib/future_wait.c): a task run inside the wait sits on this thread's
 * stack above the waiting frame, and the waiting frame resumes only when
 * it returns.  In a pipeline that task is often another stage, which
 * waits on a channel that the stage below it on the stack must fill: a
 * deadlock (lib/channel.md, "Rejected: helping").  So a waiting worker
 * polls briefly, then sleeps as a blocked worker, and a spare runs the
 * pool's other tasks, the other stages included.
 */
#include "channel.h"
#include "deadline.h"
#include "park.h"
#include "spare.h"
#include "worker.h"

#include <ck_pr.h>
#include <errno.h>
#include <sched.h>

/*
 * The poll before a sleep: spinning for SPIN_NS (an element or a slot
 * usually comes within a microsecond when the other side is running),
 * then yielding between polls until YIELD_NS (on a busy machine the other
 * side may be waiting for this very CPU).  Both bounded: "a few
 * microseconds", then a sleep that costs no CPU.  The figures behind the
 * choice are in docs/benchmarks.md, "Channel".
 */
#define SPIN_NS 2000u
#define YIELD_NS 5000u

/* A worker that no spare could compensate asks again after sleeping this
 * long, doubling from the first figure to the second (sleep_on_worker). */
#define RETRY_MIN_NS 50000u
#define RETRY_MAX_NS 10000000u

/* counted: the caller is between W2 and W5 (lib/channel.h). */
typedef int (*ch_op)(skua_channel *ch, void *elem, bool counted);

static int op_send(skua_channel *ch, void *elem, bool counted)
{
	return skua__ch_send_once(ch, elem, counted);
}

static int op_recv(skua_channel *ch, void *elem, bool counted)
{
	return skua__ch_recv_once(ch, elem, counted);
}

/* Poll op for SPIN_NS, then yield until YIELD_NS; -EAGAIN if nothing
 * came (or the deadline passed). */
static int poll_op(skua_channel *ch, void *elem, ch_op op, uint64_t deadline)
{
	uint64_t start = skua__now_ns();
	for (unsigned i = 1;; i++) {
		int rc = op(ch, elem, false);
		if (rc != -EAGAIN)
			return rc;
		if (i % 16 != 0) {
			ck_pr_stall(); /* pause on x86, yield on arm64 */
			continue;
		}
		uint64_t now = skua__now_ns();
		if (now - start > YIELD_NS ||
		    (deadline != NO_DEADLINE && now >= deadline))
			return -EAGAIN;
		if (now - start > SPIN_NS)
			sched_yield();
	}
}

/*
 * W1-W5 of lib/channel.md: register on side s, re-check with op, sleep
 * unless the count moved or the re-check succeeded, leave.  Returns op's
 * result from the re-check (-EAGAIN after a sleep: the caller tries
 * again).
 */
static int sleep_once(skua_channel *ch, void *elem, ch_op op,
    struct skua__ch_side *s, uint64_t deadline)
{
	/* W1: the count before registering. */
	uint32_t seen = atomic_load_explicit(&s->seq, memory_order_seq_cst);
	/* W2: register (seq_cst RMW, before the re-check's loads). */
	atomic_fetch_add_explicit(&s->waiters, 1, memory_order_seq_cst);
	/* W3: re-check with seq_cst loads. */
	int rc = op(ch, elem, true);
	/* W4: sleep unless the count moved since W1. */
	if (rc == -EAGAIN && !past(deadline))
		skua__futex_wait(&s->seq, seen, time_left(deadline));
	/* W5: leave. */
	atomic_fetch_sub_explicit(&s->waiters, 1, memory_order_seq_cst);
	return rc;
}

/* Sleep and re-try until op succeeds, fails for good, or the deadline. */
static int sleep_until(skua_channel *ch, void *elem, ch_op op,
    struct skua__ch_side *s, uint64_t deadline)
{
	for (;;) {
		int rc = sleep_once(ch, elem, op, s, deadline);
		if (rc == -EAGAIN)
			rc = op(ch, elem, false); /* after W5: also the last look */
		if (rc != -EAGAIN)
			return rc;
		if (past(deadline))
			return -ETIMEDOUT;
	}
}

/*
 * On a worker: sleep counted as blocking.  Where no spare can be had
 * (skua_blocking_begin's -EAGAIN: the spare cap, or a spare whose thread
 * did not start; -ENOMEM), sleep uncompensated in slices, RETRY_MIN_NS
 * doubling to RETRY_MAX_NS, and ask again after each: a spare that
 * lingers or starts later takes over.  Sleeping through at once would
 * make a passing failure a hang: the only worker asleep in recv, its
 * sender queued behind it (lib/channel.md, step 3).  The slices only
 * retry the compensation; no wake-up depends on them.  -EOVERFLOW:
 * nested in the caller's own begins, which compensated already.
 */
static int sleep_on_worker(skua_channel *ch, void *elem, ch_op op,
    struct skua__ch_side *s, uint64_t deadline)
{
	for (uint64_t slice = RETRY_MIN_NS;;) {
		int brc = skua_blocking_begin();
		if (brc == 0 || brc == -EOVERFLOW) {
			int rc = sleep_until(ch, elem, op, s, deadline);
			if (brc == 0)
				skua_blocking_end();
			return rc;
		}
		uint64_t now = skua__now_ns();
		uint64_t until = deadline > now && deadline - now > slice ?
		    now + slice : deadline;
		int rc = sleep_until(ch, elem, op, s, until);
		if (rc != -ETIMEDOUT || until == deadline)
			return rc;
		if (slice < RETRY_MAX_NS)
			slice *= 2;
	}
}

/*
 * Wait for op.  On a worker: make the frame's private forks runnable (what
 * we wait for may need them; a blocked frame forks nothing that would
 * expose them), poll, then sleep counted as blocking, so a spare keeps the
 * pool at strength.  Never runs a task here (the header comment says why).
 */
static int wait_op(skua_channel *ch, void *elem, ch_op op,
    struct skua__ch_side *s, uint64_t deadline)
{
	int rc = op(ch, elem, false);
	if (rc != -EAGAIN)
		return rc;
	if (past(deadline))
		return -ETIMEDOUT;
	skua_worker *w = skua__tls_worker;
	if (w != NULL && w->hot.head > w->hot.bottom)
		skua__expose(w);
	rc = poll_op(ch, elem, op, deadline);
	if (rc != -EAGAIN)
		return rc;
	if (past(deadline))
		return -ETIMEDOUT;
	/* Inside the user's own blocking_begin/end this only nests. */
	if (w != NULL)
		return sleep_on_worker(ch, elem, op, s, deadline);
	return sleep_until(ch, elem, op, s, deadline);
}

int skua_channel_send(skua_channel *ch, const void *elem)
{
	if (ch == NULL || elem == NULL)
		return -EINVAL;
	int rc = skua__ch_send_once(ch, elem, false);
	if (rc != -EAGAIN)
		return rc;
	/* The cast drops const only to share ch_op: op_send never writes. */
	return wait_op(ch, (void *)(uintptr_t)elem, op_send, &ch->send_side,
	    NO_DEADLINE);
}

int skua_channel_recv(skua_channel *ch, void *elem)
{
	if (ch == NULL || elem == NULL)
		return -EINVAL;
	int rc = skua__ch_recv_once(ch, elem, false);
	if (rc != -EAGAIN)
		return rc;
	return wait_op(ch, elem, op_recv, &ch->recv_side, NO_DEADLINE);
}

int skua_channel_send_timeout(skua_channel *ch, const void *elem,
    uint64_t timeout_ns)
{
	if (ch == NULL || elem == NULL)
		return -EINVAL;
	uint64_t deadline = deadline_in(timeout_ns);
	return wait_op(ch, (void *)(uintptr_t)elem, op_send, &ch->send_side,
	    deadline);
}

int skua_channel_recv_timeout(skua_channel *ch, void *elem,
    uint64_t timeout_ns)
{
	if (ch == NULL || elem == NULL)
		return -EINVAL;
	uint64_t deadline = deadline_in(timeout_ns);
	return wait_op(ch, elem, op_recv, &ch->recv_side, deadline);
}
