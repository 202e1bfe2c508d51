/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/channel.h - the channel record, shared by lib/channel.c (the ring,
 * close, create/destroy) and lib/channel_wait.c (sends and receives that
 * wait).  The protocol and why no wake-up is lost: lib/channel.md.
 *
 * The ring is D. Vyukov's bounded MPMC queue ("Bounded MPMC queue",
 * 1024cores.net, 2010): every cell carries a sequence word that says whose
 * turn it is, so a send or receive takes its position with one CAS on the
 * tail or the head and then owns the cell until it stores the sequence.
 * The sequence is doubled here, so that "full for position p" (2p + 1)
 * and "free for position p + capacity" (2(p + capacity)) differ even at
 * capacity 1 (Vyukov's original needs two cells at least):
 *
 *     cell of position p:  2p  --send claims p, copies in-->  2p + 1
 *                          2p + 1  --recv claims p, copies out-->  2(p + cap)
 *
 * Bit 63 of the tail is the closed flag: a send takes its position with a
 * CAS that expects it clear, so no send can take a turn after the close
 * (lib/channel.md, "Close").
 */
#ifndef SKUA_CHANNEL_INTERNAL_H
#define SKUA_CHANNEL_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common.h"

#define SKUA__CH_CLOSED (UINT64_C(1) << 63)

struct skua__ch_cell {
	_Atomic uint64_t seq;
	unsigned char data[]; /* elem_size bytes, then padding to 8 */
};

/* One side's sleepers (lib/channel.md): an event count and a count of
 * the threads between registering and leaving. */
struct skua__ch_side {
	_Atomic uint32_t seq;
	_Atomic uint32_t waiters;
};

struct skua_channel {
	/* line 0: set by create, read-only afterwards */
	size_t cap;
	size_t elem_size;
	size_t stride;  /* bytes per cell: 8 + elem_size rounded up to 8 */
	size_t bytes;   /* of cells */
	bool pow2;      /* cap is a power of two: index = pos & (cap - 1) */
	unsigned char *cells;
	/* line 1: the next send position, and SKUA__CH_CLOSED */
	_Atomic uint64_t tail SKUA_ALIGNED;
	/* line 2: the next receive position */
	_Atomic uint64_t head SKUA_ALIGNED;
	/* line 3: receivers waiting for an element (or the close) */
	struct skua__ch_side recv_side SKUA_ALIGNED;
	/* line 4: senders waiting for room (or the close) */
	struct skua__ch_side send_side SKUA_ALIGNED;
};

/* The ring, without waiting (lib/channel.c).  0, -EAGAIN (full / empty,
 * or the cell's previous owner is still copying), -EPIPE.  `counted`:
 * the caller is registered in its own side's waiters (the re-check W3),
 * so that the wake it passes on is for another sleeper, not itself. */
int skua__ch_send_once(skua_channel *ch, const void *elem, bool counted);
int skua__ch_recv_once(skua_channel *ch, void *elem, bool counted);

#endif
