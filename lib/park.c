/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/park.c - sleeping and waking workers.  The protocol, its states and the
 * argument that no wake-up is lost are in lib/park.md; keep them in step.
 */
#define _GNU_SOURCE /* cpu_set_t in park_spot.h */
#include "park.h"
#include "park_spot.h"
#include "pool_struct.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int skua__futex_wait(_Atomic uint32_t *addr, uint32_t val, uint64_t timeout_ns)
{
	struct timespec ts, *tp = NULL;
	if (timeout_ns != 0) {
		ts.tv_sec = (time_t)(timeout_ns / 1000000000u);
		ts.tv_nsec = (long)(timeout_ns % 1000000000u);
		tp = &ts;
	}
	long rc = syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, val,
	    tp, NULL, 0);
	return rc == 0 ? 0 : -errno;
}

void skua__futex_wake(_Atomic uint32_t *addr, int n)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL,
	    0);
}

/* The same with a bitset: a wait with bits is woken by a wake whose bits
 * meet them, and by any plain wake.  Wake RETURNS how many it woke. */
static long futex_wait_bits(_Atomic uint32_t *addr, uint32_t val,
    uint32_t bits, const struct timespec *until)
{
	return syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_BITSET_PRIVATE,
	    val, until, NULL, bits);
}

static long futex_wake_bits(_Atomic uint32_t *addr, int n, uint32_t bits)
{
	return syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_BITSET_PRIVATE,
	    n, NULL, NULL, bits);
}

/* A worker's bit in the futex bitsets: who a targeted wake picks. */
static uint32_t park_bit(unsigned me)
{
	return 1u << (me & 31);
}

/* Wake up to n blocked workers, `first` (1 + an index, or 0) first, then
 * the one that announced itself last, then any (a plain wake).  Targeted
 * wakes that find nobody cost a system call each and change nothing. */
static void wake_blocked(skua_pool *p, unsigned n, uint32_t first)
{
	if (first != 0 && futex_wake_bits(&p->wake_seq, 1,
	    park_bit(first - 1)) > 0 && --n == 0)
		return;
	uint32_t last = atomic_load_explicit(&p->last_parked,
	    memory_order_relaxed);
	if (last != 0 && last != first && futex_wake_bits(&p->wake_seq, 1,
	    park_bit(last - 1)) > 0 && --n == 0)
		return;
	skua__futex_wake(&p->wake_seq, (int)n);
}

/*
 * Step P3 of the post-work protocol: bump the sequence, wake n sleepers.
 * First one whose slot is another CPU than ours (lib/park_spot.c: it
 * sleeps there, held or not, and starts there, where the one on our CPU
 * would start beside us); with none, any but that one (a bitset wake
 * without its bit); then the
 * one that announced itself last (LIFO, where a plain futex wake is
 * FIFO: the longest asleep, its caches the coldest); then plain wakes for
 * the rest.  As many blocked workers are released as before: the
 * targeted wakes only choose which (lib/park.md, P3).
 */
void skua__notify(skua_pool *p, unsigned n)
{
	/* seq_cst: a sleeper that read the old value fails its futex wait. */
	atomic_fetch_add_explicit(&p->wake_seq, 1, memory_order_seq_cst);
	uint32_t far = skua__park_spot_far(p);
	if (far == 0) {
		uint32_t near = skua__park_spot_near_worker(p);
		if (near != 0) {
			long woke = futex_wake_bits(&p->wake_seq, (int)n,
			    ~park_bit(near - 1));
			if (woke > 0 && (n -= (unsigned)woke) == 0)
				return;
		}
	}
	wake_blocked(p, n, far);
}

/*
 * P3 for an outside thread that will wait for what it posted (skua_spawn):
 * first the worker asleep on this thread's CPU, which the kernel starts
 * here at once; its finisher yields the CPU back to us
 * (SKUA__F_WATCHED).  Else one asleep on another CPU, which starts there
 * once that CPU wakes (20-50 us on a VM, docs/benchmarks.md): the caller
 * is told, and its waiter keeps polling meanwhile.  Else as skua__notify.
 */
bool skua__notify_near(skua_pool *p)
{
	atomic_fetch_add_explicit(&p->wake_seq, 1, memory_order_seq_cst);
	uint32_t near = skua__park_spot_near(p);
	if (near != 0 && futex_wake_bits(&p->wake_seq, 1,
	    park_bit(near - 1)) > 0)
		return false;
	uint32_t far = skua__park_spot_far(p);
	if (far != 0 && futex_wake_bits(&p->wake_seq, 1,
	    park_bit(far - 1)) > 0)
		return true;
	wake_blocked(p, 1, 0);
	return false;
}

/*
 * P3 of the post-work protocol, after the caller's seq_cst publish: wake
 * a sleeper unless nobody sleeps, or a worker is still searching (it will
 * find the work, or re-check after leaving the spinning count when it
 * parks: S2b-S3).  Skipping the wake while one searches keeps a worker that
 * spawns in a loop from paying a futex syscall per spawn.
 */
bool skua__post_wakes(skua_pool *p)
{
	return atomic_load_explicit(&p->sleepers, memory_order_seq_cst) != 0 &&
	    atomic_load_explicit(&p->spinning, memory_order_seq_cst) == 0;
}

void skua__post(skua_pool *p, unsigned n)
{
	if (skua__post_wakes(p))
		skua__notify(p, n);
}

void skua__notify_all(skua_pool *p)
{
	atomic_fetch_add_explicit(&p->wake_seq, 1, memory_order_seq_cst);
	skua__futex_wake(&p->wake_seq, INT_MAX);
}

/* A future finished: wake outside threads waiting in skua_future_*. */
void skua__ext_notify(skua_pool *p)
{
	/* seq_cst load after the seq_cst store of the future's status: the
	 * waiter's side registers, then re-checks (lib/park.md, "waiters"). */
	if (atomic_load_explicit(&p->ext_waiters, memory_order_seq_cst) != 0) {
		atomic_fetch_add_explicit(&p->done_seq, 1, memory_order_seq_cst);
		skua__futex_wake(&p->done_seq, INT_MAX);
	}
}

void skua__park_init(skua_pool *p, unsigned searching)
{
	atomic_init(&p->wake_seq, 0);
	atomic_init(&p->sleepers, 0);
	atomic_init(&p->spinning, searching);
	atomic_init(&p->done_seq, 0);
	atomic_init(&p->ext_waiters, 0);
	atomic_init(&p->last_parked, 0);
	for (unsigned i = 0; i < SKUA__PARK_CPU_SLOTS; i++)
		atomic_init(&p->parked_on_cpu[i], 0);
	atomic_init(&p->waker_cpu, -1);
}

void skua__park_search_begin(skua_pool *p)
{
	/* seq_cst: skua__post's skip is safe only while we count. */
	atomic_fetch_add_explicit(&p->spinning, 1, memory_order_seq_cst);
}

uint32_t skua__park_search_end(skua_pool *p)
{
	/* seq_cst: the poster's skip in skua__post is safe only while we
	 * count as searching; after this, a post must wake. */
	return atomic_fetch_sub_explicit(&p->spinning, 1,
	    memory_order_seq_cst) - 1;
}

bool skua__park_any_sleeper(skua_pool *p)
{
	/* seq_cst, after the caller's decrement of spinning: a worker that
	 * announces itself later re-checks the queues after that (S2-S3). */
	return atomic_load_explicit(&p->sleepers, memory_order_seq_cst) != 0;
}

/*
 * Steps S1-S2b of the fall-asleep protocol; the caller's re-check (S3,
 * lib/worker.c's skua__pool_has_work) follows, then skua__park_sleep (S4)
 * when it found nothing, then skua__park_resume (S5).
 */
uint32_t skua__park_announce(skua_pool *p, unsigned me)
{
	/* S1: read the sequence before announcing ourselves. */
	uint32_t seq = atomic_load_explicit(&p->wake_seq, memory_order_seq_cst);
	/* S2: announce.  seq_cst RMW: ordered before the re-check's loads. */
	atomic_fetch_add_explicit(&p->sleepers, 1, memory_order_seq_cst);
	/* S2b: stop counting as searching, before the re-check. */
	atomic_fetch_sub_explicit(&p->spinning, 1, memory_order_seq_cst);
	/* Relaxed: only a hint of whom to wake first. */
	atomic_store_explicit(&p->last_parked, me + 1, memory_order_relaxed);
	return seq;
}

/* S4: sleep unless the sequence moved since S1.  The timeout would only
 * hide a lost wake-up, so there is none. */
void skua__park_sleep(skua_pool *p, uint32_t seq, unsigned me)
{
	/* With our bit, so that a targeted wake finds us. */
	futex_wait_bits(&p->wake_seq, seq, park_bit(me), NULL);
}


/* S5: searching again.  Returns when woken, when the re-check found work
 * (left for the caller's next search), or at shutdown. */
void skua__park_resume(skua_pool *p, unsigned me)
{
	/* No longer the one to wake first (relaxed: a hint).  A stale hint
	 * costs a targeted wake that finds nobody, then the plain one. */
	uint32_t mine = me + 1;
	atomic_compare_exchange_strong_explicit(&p->last_parked, &mine, 0,
	    memory_order_relaxed, memory_order_relaxed);
	atomic_fetch_add_explicit(&p->spinning, 1, memory_order_seq_cst);
	atomic_fetch_sub_explicit(&p->sleepers, 1, memory_order_seq_cst);
}
