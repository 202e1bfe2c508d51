/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skua/channel.h - a bounded multi-producer multi-consumer channel of
 * fixed-size elements: Python's queue.Queue(maxsize), Go's buffered chan.
 *
 *     skua_channel *ch;
 *     skua_channel_create(1024, sizeof(struct item), &ch);
 *     skua_channel_send(ch, &item);      any thread or task; waits when full
 *     skua_channel_recv(ch, &item);      waits when empty; -EPIPE once the
 *                                        channel is closed and drained
 *     skua_channel_close(ch);            later sends return -EPIPE
 *     skua_channel_destroy(ch);          once no call on ch is running
 *
 * An element is copied in by send and out by recv (elem_size bytes); the
 * channel stores up to `capacity` of them.  Sends and receives are FIFO
 * in the order in which they take their turn (a compare-and-swap on the
 * tail or the head); two racing sends have no order between them.
 *
 * How a send or receive waits (full, or empty), lib/channel.md:
 * - It polls for a few microseconds (spinning, then yielding), then
 *   sleeps on a futex until the other side makes room or an element.
 * - On a worker it first makes the calling frame's private forks
 *   runnable, and it sleeps counted as blocking (skua_blocking_begin), so
 *   a spare worker keeps the pool at strength: a pipeline of more stages
 *   than workers, each a task looping on recv and send, runs to the end.
 *   Unlike a wait on a future, it never runs another task on the calling
 *   thread meanwhile: that task could be the pipeline stage it waits for,
 *   and it could not resume below it.  So a lock held across a channel
 *   wait is never taken by a task run inside it.
 * - Where no spare can be had (the spare cap, SKUA_MAX_BLOCKING waits at
 *   once on one pool, or a spare thread that cannot start) it sleeps all
 *   the same, the worker away meanwhile, and asks for a spare again after
 *   50 us, then after intervals doubling to 10 ms: one that lingers or
 *   can start later takes over.
 */
#ifndef SKUA_CHANNEL_H
#define SKUA_CHANNEL_H

#include "bits/export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct skua_channel skua_channel;

/*
 * skua_channel_create - a channel for `capacity` elements of `elem_size`
 * bytes each, allocated at once (about capacity * (elem_size + 8) bytes).
 * RETURNS 0, or a negative error with *out set to NULL.
 * ERRORS  -EINVAL (out NULL, capacity or elem_size 0), -EOVERFLOW
 *         (capacity * elem_size, with the 8 bytes per element and the
 *         element rounded up to 8, does not fit in a size_t), -ENOMEM.
 * THREAD SAFETY: any thread; needs no pool.
 */
SKUA_API int skua_channel_create(size_t capacity, size_t elem_size,
    skua_channel **out);

/*
 * skua_channel_destroy - free the channel and the elements left in it.
 * Call it only once every call on ch has returned (join the threads and
 * wait for the tasks that use it): a send that woke the receiver of its
 * element may still be inside skua_channel_send.
 * RETURNS 0; -EINVAL (ch NULL).
 */
SKUA_API int skua_channel_destroy(skua_channel *ch);

/*
 * skua_channel_send - copy elem_size bytes from elem into the channel,
 * waiting while it is full.
 * RETURNS 0; -EPIPE (closed, before or while it waited: nothing sent);
 *         -EINVAL (ch or elem NULL).
 * THREAD SAFETY: any thread, any number at once.
 */
SKUA_API int skua_channel_send(skua_channel *ch, const void *elem);

/*
 * skua_channel_recv - take the oldest element into elem, waiting while
 * the channel is empty.  A closed channel still gives every element sent
 * before the close; then -EPIPE.
 * RETURNS 0; -EPIPE (closed and empty); -EINVAL (ch or elem NULL).
 * THREAD SAFETY: any thread, any number at once.
 */
SKUA_API int skua_channel_recv(skua_channel *ch, void *elem);

/*
 * skua_channel_try_send, skua_channel_try_recv - as send and recv, but
 * never wait: -EAGAIN when the channel is full (send) or empty (recv).
 * "Empty" includes a send that has taken its turn and is still copying its
 * element in (a later send may have finished meanwhile); "full" likewise a
 * receive still copying out.
 * RETURNS 0; -EAGAIN; -EPIPE; -EINVAL, as above.
 */
SKUA_API int skua_channel_try_send(skua_channel *ch, const void *elem);
SKUA_API int skua_channel_try_recv(skua_channel *ch, void *elem);

/*
 * skua_channel_send_timeout, skua_channel_recv_timeout - as send and recv,
 * giving up after timeout_ns nanoseconds (relative, on CLOCK_MONOTONIC; 0
 * only looks, UINT64_MAX never gives up), as skua_future_get_timeout.
 * They never return early.
 * RETURNS as send and recv, or -ETIMEDOUT with nothing sent or received.
 */
SKUA_API int skua_channel_send_timeout(skua_channel *ch, const void *elem,
    uint64_t timeout_ns);
SKUA_API int skua_channel_recv_timeout(skua_channel *ch, void *elem,
    uint64_t timeout_ns);

/*
 * skua_channel_close - no more sends: every later send, and every send
 * waiting for room, returns -EPIPE; receivers drain what is left (every
 * send that returned 0 is received), then get -EPIPE.  Wakes every waiter.
 * RETURNS 0 (closed now); -EPIPE (closed before: nothing changed);
 *         -EINVAL (ch NULL).
 * THREAD SAFETY: any thread, concurrently with sends and receives.
 */
SKUA_API int skua_channel_close(skua_channel *ch);

/*
 * skua_channel_len - the elements in the channel now (sends that have
 * taken their turn minus receives that have taken theirs), a snapshot
 * that may be stale at once.  skua_channel_capacity and _elem_size: as
 * created.  All three return 0 for a NULL channel.
 */
SKUA_API size_t skua_channel_len(const skua_channel *ch);
SKUA_API size_t skua_channel_capacity(const skua_channel *ch);
SKUA_API size_t skua_channel_elem_size(const skua_channel *ch);

#ifdef __cplusplus
}
#endif
#endif /* SKUA_CHANNEL_H */
