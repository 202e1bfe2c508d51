/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/park.pml - a Promela model of the parking protocol of lib/park.md,
 * checked by spin.  Run it with tests/park_model.sh, or by hand:
 *
 *     spin -a park.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 *
 * What is modelled, step by step as lib/park.c, lib/task.c, lib/inject.c,
 * lib/future.c and lib/pool.c do it (one Promela statement per seq_cst
 * load, store or RMW; sequential consistency is what those give):
 *
 *   - N workers (worker_main): find_work (own deque, injection queue, the
 *     other deques), the searching count `spinning` with the baton pass
 *     ("more") when a searcher finds work, running a task (which may spawn
 *     one future into its own deque: expose + skua__post), and skua__park
 *     (S1 read wake_seq, S2 sleepers++, S2b spinning--, S3 re-check shutdown,
 *     the injection count and every deque, S4 futex_wait, S5), and the
 *     last searcher's re-check of every queue when it finds a task
 *     (lib/worker.c's search_ended, Go's rule).
 *   - one outside thread: skua_spawn K times through the injection queue
 *     (pending++, P1 count++, P3 skua__post), then skua_pool_destroy
 *     (wait_drained on done_seq / ext_waiters, shutdown, notify_all, join).
 *   - futex_wait(addr, seen): atomically, block unless *addr != seen.
 *     futex_wake(addr, 1): unblock one blocked waiter, any of them; wake-all
 *     unblocks every one.  No spurious wake-ups: the proof must not need
 *     them.
 *
 * Abstractions: a deque is the count of its public tasks (bottom - top); a
 * take or a steal is one atomic step (the Chase-Lev races are the deque's
 * business, checked by tests/test_deque_stress.c).  Reading bottom, then
 * top in S3 is one load here: top only grows, so two loads can only report
 * "empty" for tasks that somebody awake already took.  Private (unexposed)
 * fork tasks are not modelled: they are invisible to sleepers by design
 * (lib/park.md, "The known gap").
 *
 * Properties:
 *   - monitor LOST: never are tasks queued, every worker blocked in
 *     futex_wait, and no poster between its publish and its wake (ghost
 *     `posting`);
 *   - monitor EXT: never is the outside waiter blocked with pending == 0
 *     and no finisher between pending-- and its wake (ghost `ext_posting`);
 *   - no invalid end state: destroy returns, every worker exits, and the
 *     final assertion finds every submitted and spawned task run;
 *   - with -DSTRONG, also: never are tasks queued while a worker sleeps and
 *     every other worker is asleep or running a task, with no wake in
 *     flight (Go's invariant: idle capacity and queued work imply someone
 *     searching).  The code keeps it (lib/park.md, "Deviations", D1);
 *     -DMORE_ONLY and -DEARLY_RECHECK fail it.
 *
 * Mutations (each must make spin report an error; tests/park_model.cmake):
 *   -DNO_RECHECK       S3 removed: a worker sleeps without looking again.
 *   -DNO_WAKE          P3 removed: posters never wake anybody.
 *   -DNO_STORELOAD     P3's loads hoisted above P1's store, which is what a
 *                      release (not seq_cst) publish allows.
 *   -DLATE_SEQ         S1 moved after S3: a bump between them is missed.
 *   -DNO_WAIT_RECHECK  the outside waiter's re-check of pending removed.
 *   With -DSTRONG (tests/park_model.cmake's park_model_strong_mutants):
 *   -DMORE_ONLY        the last searcher neither wakes nor re-checks (the
 *                      code before the fix of D1).
 *   -DEARLY_RECHECK    the last searcher's re-check read before its
 *                      decrement of spinning (no Dekker order).
 *
 * Sizes: -DN=3 for a third worker, -DK=<n> outside submissions, -DSPAWNS=<n>
 * futures spawned from inside tasks.  Measured with tests/park_model.sh
 * (gcc -O2 -DSAFETY -DCOLLAPSE, one core of the CI machine):
 *   N=2 K=2 SPAWNS=1 (the CTest default)   5.7 M states, about 4 s
 *   N=3 K=1 SPAWNS=0                       9.7 M states, about 8 s
 *   N=3 K=1 SPAWNS=1                       over the 2 GiB MEMLIM cap
 * e.g.: sh tests/park_model.sh spin cc lib/park.pml pass -DN=3 -DK=1 -DSPAWNS=0
 */

#ifndef N
#define N 2
#endif
#ifndef K
#define K 2
#endif
#ifndef SPAWNS
#define SPAWNS 1
#endif

#if N == 2
#define QUEUED		(inject > 0 || pub[0] > 0 || pub[1] > 0)
#define ALL_BLOCKED	(blocked[0] && blocked[1])
#define ANY_BLOCKED	(blocked[0] || blocked[1])
#define NONE_SEARCHING	((blocked[0] || busy[0]) && (blocked[1] || busy[1]))
#elif N == 3
#define QUEUED		(inject > 0 || pub[0] > 0 || pub[1] > 0 || pub[2] > 0)
#define ALL_BLOCKED	(blocked[0] && blocked[1] && blocked[2])
#define ANY_BLOCKED	(blocked[0] || blocked[1] || blocked[2])
#define NONE_SEARCHING	((blocked[0] || busy[0]) && (blocked[1] || busy[1]) && \
			 (blocked[2] || busy[2]))
#else
#error "N must be 2 or 3"
#endif

/* The pool (struct skua_pool) and the queues. */
byte inject;		/* inject.count: tasks in the injection queue */
byte pub[N];		/* bottom - top of each worker's deque */
byte wake_seq;		/* workers sleep on it */
byte sleepers;		/* workers between S2 and S5 */
byte spinning = N;	/* workers searching; they start so (pool.c) */
bit shutdown;
byte pending;		/* futures not finished yet */
byte done_seq;		/* outside waiters sleep on it */
byte ext_waiters;

/* The kernel's futex queues. */
bit blocked[N];
bit ext_blocked;

/* Ghosts, for the properties only. */
byte posting;		/* posters between P1 and the end of P3 */
byte ext_posting;	/* finishers between pending-- and ext_notify's end */
bit busy[N];		/* running a task (out of the searching count) */
byte spawn_left = SPAWNS;
byte consumed;
byte exited;

/* futex_wake(&wake_seq, 1): any one blocked worker. */
inline futex_wake_one()
{
	if
	:: blocked[0] -> blocked[0] = 0
	:: blocked[1] -> blocked[1] = 0
#if N == 3
	:: blocked[2] -> blocked[2] = 0
#endif
	:: else -> skip
	fi
}

inline futex_wake_all()
{
	blocked[0] = 0;
	blocked[1] = 0;
#if N == 3
	blocked[2] = 0;
#endif
}

/*
 * skua__post (P3): if sleepers != 0 and spinning == 0, skua__notify: bump
 * wake_seq, futex_wake one.  pg: 1 when this post ends a publish (ghost).
 */
inline post()
{
#ifndef NO_WAKE
	atomic { wk = (sleepers != 0); if :: !wk -> posting = posting - pg :: else fi }
	if
	:: wk -> atomic { wk = (spinning == 0); if :: !wk -> posting = posting - pg :: else fi }
	:: else
	fi;
	if
	:: wk ->
		wake_seq++;
		atomic { futex_wake_one(); posting = posting - pg }
	:: else
	fi
#else
	posting = posting - pg
#endif
}

/* skua__park: S1-S5. */
inline park()
{
#ifndef LATE_SEQ
	seen = wake_seq;			/* S1 */
#endif
	sleepers++;				/* S2 */
	spinning--;				/* S2b */
	/* S3: shutdown, the injection count, every deque. */
#ifndef NO_RECHECK
	work = shutdown;
	if :: !work -> work = (inject > 0) :: else fi;
	v = 0;
	do
	:: work || v == N -> break
	:: else -> work = (pub[v] > 0); v++
	od;
#else
	work = 0;
#endif
#ifdef LATE_SEQ
	seen = wake_seq;
#endif
	if
	:: !work ->
		/* S4: futex_wait(&wake_seq, seen) */
		atomic { if :: wake_seq == seen -> blocked[me] = 1 :: else fi };
		!blocked[me]
	:: else
	fi;
	spinning++;				/* S5 */
	sleepers--
}

/* future_run_claimed: status DONE, pending--, skua__ext_notify. */
inline finish()
{
	atomic { consumed++; pending--; ext_posting++ };
	if
	:: ext_waiters != 0 ->
		done_seq++;
		atomic { ext_blocked = 0; ext_posting--; busy[me] = 0 }
	:: else -> atomic { ext_posting--; busy[me] = 0 }
	fi
}

proctype worker(byte me)
{
	byte seen, v;
	bit got, more, work, wk, pg, searching = 1;

loop:
	/* skua__find_work; locals reset in the same step (fewer states) */
	atomic {
		got = 0; more = 0; v = 0; work = 0; wk = 0; pg = 0; seen = 0;
		if :: pub[me] > 0 -> pub[me]--; got = 1 :: else fi
	};
	if
	:: !got ->
		atomic { if :: inject > 0 -> inject--; got = 1 :: else fi };
		if :: got -> more = (inject > 0) :: else fi
	:: else
	fi;
	do
	:: got || v == N -> break
	:: else ->
		if
		:: v != me ->
			atomic { if :: pub[v] > 0 -> pub[v]--; got = 1 :: else fi };
			if :: got -> more = (pub[v] > 0) :: else fi
		:: else
		fi;
		if :: !got -> v++ :: else fi
	od;

	if
	:: got ->
		if
		:: searching ->
#ifdef MORE_ONLY
			/* The code before the fix of D1: post only if work was
			 * left where the task came from. */
			atomic { searching = 0; spinning-- };
			if :: more -> post() :: else fi
#else
			/* worker_main (search_ended): left = fetch_sub(spinning)
			 * - 1, in one step.  Work left behind: post (the baton).
			 * Else, the last searcher with somebody asleep re-checks
			 * every queue (as S3 does) and posts only if it sees
			 * work: Go's rule (resetspinning -> wakep) without the
			 * wake-up when nothing is queued. */
#ifdef EARLY_RECHECK
			/* The re-check read before the decrement: a poster
			 * that saw us searching and skipped its wake may
			 * publish between the two. */
			work = (inject > 0);
			v = 0;
			do
			:: work || v == N -> break
			:: else -> work = (pub[v] > 0); v++
			od;
			atomic { searching = 0; spinning--; wk = (spinning == 0) };
			if
			:: more -> post()
			:: !more && wk && sleepers != 0 && work -> post()
			:: else
			fi
#else
			atomic { searching = 0; spinning--; wk = (spinning == 0) };
			if
			:: more -> post()
			:: !more && wk ->
				wk = (sleepers != 0);
				if
				:: wk ->
					work = (inject > 0);
					v = 0;
					do
					:: work || v == N -> break
					:: else -> work = (pub[v] > 0); v++
					od;
					if :: work -> post() :: else fi
				:: else
				fi
			:: else
			fi
#endif
#endif
		:: else
		fi;
		/* skua__run_taken: the task may spawn a future from inside
		 * (skua_spawn -> skua__push_public -> skua__expose). */
		if
		:: atomic {
			/* pending++ (read only by the destroying thread) and
			 * P1, the seq_cst store of bottom, in one step. */
			spawn_left > 0 ->
				busy[me] = 1; spawn_left--; pending++;
				pub[me]++; posting++; pg = 1
			};
			post()					/* P3 */
		:: true -> busy[me] = 1
		fi;
		finish()
	:: else ->
		if :: shutdown -> goto done :: else fi;
		if :: !searching -> searching = 1; spinning++ :: else fi;
		/* The timed spin before parking only delays: straight on. */
		park()
	fi;
	goto loop;
done:
	exited++
}

/* An outside thread: K x skua_spawn, then skua_pool_destroy. */
active proctype outside()
{
	byte i, seen;
	bit wk, pg;

	do
	:: i < K ->
#ifndef NO_STORELOAD
		/* pending++ (read only by this thread) and P1, count++. */
		atomic { pending++; inject++; posting++; pg = 1 };
		post();					/* P3 */
#else
		/* The loads of skua__post performed before the store. */
		wk = (sleepers != 0);
		if :: wk -> wk = (spinning == 0) :: else fi;
		atomic {
			pending++; inject++; posting++;
			if :: !wk -> posting-- :: else fi
		};
		if
		:: wk -> wake_seq++; atomic { futex_wake_one(); posting-- }
		:: else
		fi;
#endif
		i++
	:: else -> break
	od;

	/* wait_drained */
	do
	:: pending == 0 -> break
	:: else ->
		seen = done_seq;
		ext_waiters++;
#ifndef NO_WAIT_RECHECK
		if
		:: pending != 0 ->
#endif
			atomic { if :: done_seq == seen -> ext_blocked = 1 :: else fi };
			!ext_blocked
#ifndef NO_WAIT_RECHECK
		:: else
		fi;
#endif
		ext_waiters--
	od;

	/* pool_stop: shutdown, notify_all, join every worker. */
	shutdown = 1;
	wake_seq++;
	atomic { futex_wake_all() };
	exited == N;
	assert(!QUEUED && pending == 0 && consumed == K + SPAWNS - spawn_left)
}

init
{
	atomic {
		run worker(0);
		run worker(1);
#if N == 3
		run worker(2);
#endif
	}
}

active proctype monitor()
{
end:
	atomic {
		((QUEUED && ALL_BLOCKED && posting == 0) ||
#ifdef STRONG
		 (QUEUED && ANY_BLOCKED && NONE_SEARCHING && posting == 0) ||
#endif
		 (ext_blocked && pending == 0 && ext_posting == 0)) ->
		assert(false)
	}
}
