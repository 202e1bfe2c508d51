/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib/imap.c - skua_imap and skua_imap_unordered: a stream through the
 * pool with at most `window` items in flight.
 *
 * The window is cut into nb batches of up to B items each (nb * B <=
 * window).  The calling thread fills a batch from next(), spawns it as one
 * future (fn over its items, on a worker), and once a batch is done hands
 * its results to out() and refills it.  Batching is what makes a stream of
 * cheap items fast: a future per item costs a spawn, a wake-up and a wait,
 * ~1 us from an outside thread, where a batch of 16 pays that once.  B is
 * window / (2 * workers), at most 256, so that at least two batches per
 * worker are in flight and no worker waits while the caller delivers.
 *
 * In order (imap): the batches form a ring; the oldest is awaited, then
 * delivered, then refilled, which makes it the newest.  As completed
 * (imap_unordered): wait_any over the batches in flight.  A batch whose
 * spawn failed (out of memory) runs on the calling thread: no item taken
 * from next() is ever lost.  After a stop, each item that out() did not
 * get goes to drop() (skua_imap_with), as its batch finishes.
 */
#include "skua.h"
#include "common.h"
#include "pool_struct.h" /* skua__pool_forked */

#include <errno.h>
#include <string.h>

#define IMAP_BATCH_MAX 256

struct stream;

struct batch {
	skua_future *f;  /* in flight; NULL when ready or empty */
	size_t count;    /* items in it; 0: empty */
	size_t seq0;     /* the first item's position in the input */
	struct stream *s;
	void **items, **results;
};

struct stream {
	skua_pool *pool;
	skua_imap_next_fn next;
	skua_imap_work_fn fn;
	skua_imap_out_fn out;
	skua_imap_drop_fn drop; /* NULL: none */
	void *ctx;
	size_t b, nb;      /* items per batch, batches */
	size_t seq;        /* the next item's position */
	bool ended;        /* next() said END */
	int stop;          /* next()'s error or out()'s value: stop */
	struct batch *batches;
	skua_future **fs;  /* imap_unordered: the batches' futures */
};

static void *run_batch(void *arg)
{
	struct batch *b = arg;
	for (size_t i = 0; i < b->count; i++)
		b->results[i] = b->s->fn(b->items[i], b->s->ctx);
	return NULL;
}

/* Items [i, count) of b, which out() will not get, to drop(); ran: fn
 * wrote their results (else NULL is passed). */
static void drop_from(struct stream *s, struct batch *b, size_t i, bool ran)
{
	if (s->drop == NULL)
		return;
	for (; i < b->count; i++)
		s->drop(b->items[i], ran ? b->results[i] : NULL, b->seq0 + i,
		    s->ctx);
}

/* Take up to B items into b and start it; false if none was taken. */
static bool fill(struct stream *s, struct batch *b)
{
	b->count = 0;
	b->seq0 = s->seq;
	while (b->count < s->b && !s->ended && s->stop == 0) {
		void *item = NULL;
		int rc = s->next(s->ctx, &item);
		if (rc > 0) {
			s->ended = true;
			break;
		}
		if (rc < 0) {
			s->stop = rc;
			break;
		}
		b->items[b->count++] = item;
		s->seq++;
	}
	if (b->count == 0)
		return false;
	int rc = skua_spawn(s->pool, run_batch, b, &b->f);
	if (rc == -ECHILD) {
		/* A fork() in next() or out(), and we are the child: stop, as
		 * imap.h says, taking nothing more (these items are dropped
		 * undelivered, like a batch in flight at the fork). */
		drop_from(s, b, 0, false);
		b->count = 0;
		if (s->stop == 0)
			s->stop = rc;
		return false;
	}
	if (rc != 0) {
		b->f = NULL; /* out of memory: run it here, lose nothing */
		run_batch(b);
	}
	return true;
}

/* Wait for b (if in flight), deliver its results unless stopping, and
 * leave it empty. */
static void finish(struct stream *s, struct batch *b)
{
	bool ran = true;
	if (b->f != NULL) {
		/* -ECHILD in the child of a fork(): the batch never ran here,
		 * its results were never written.  Stop, delivering none. */
		int rc = skua_future_get(b->f, NULL);
		ran = rc == 0;
		if (rc != 0 && s->stop == 0)
			s->stop = rc;
		skua_future_release(b->f);
		b->f = NULL;
	}
	size_t i = 0;
	while (i < b->count && s->stop == 0) {
		int rc = s->out(b->items[i], b->results[i], b->seq0 + i, s->ctx);
		i++; /* delivered, whatever out() returned */
		if (rc != 0)
			s->stop = rc;
	}
	drop_from(s, b, i, ran);
	b->count = 0;
}

static void run_ordered(struct stream *s)
{
	size_t inflight = 0;
	for (size_t k = 0; k < s->nb && fill(s, &s->batches[k]); k++)
		inflight++;
	for (size_t head = 0; inflight > 0; head = (head + 1) % s->nb) {
		struct batch *b = &s->batches[head];
		if (b->count == 0)
			continue; /* never filled: the stream ended */
		finish(s, b);
		inflight--;
		if (fill(s, b)) /* now the newest */
			inflight++;
	}
}

/* A batch that is ready: done inline, or the first done future. */
static struct batch *next_ready(struct stream *s)
{
	for (size_t k = 0; k < s->nb; k++) {
		s->fs[k] = s->batches[k].f;
		if (s->batches[k].count > 0 && s->batches[k].f == NULL)
			return &s->batches[k];
	}
	size_t k = 0;
	if (skua_future_wait_any(s->fs, s->nb, &k) != 0) {
		/* -ECHILD (a fork() child): none will be done here.  Any
		 * batch in flight; finish's get then stops the stream. */
		for (k = 0; k + 1 < s->nb && s->batches[k].count == 0; k++)
			;
	}
	return &s->batches[k];
}

static void run_unordered(struct stream *s)
{
	size_t inflight = 0;
	for (size_t k = 0; k < s->nb && fill(s, &s->batches[k]); k++)
		inflight++;
	while (inflight > 0) {
		struct batch *b = next_ready(s);
		finish(s, b);
		inflight--;
		if (fill(s, b))
			inflight++;
	}
}

static int imap_run(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx, size_t window,
    bool ordered, skua_imap_drop_fn drop)
{
	if (pool == NULL || next == NULL || fn == NULL || out == NULL ||
	    window == 0 || window > SKUA_IMAP_WINDOW_MAX)
		return -EINVAL;
	if (skua__pool_forked(pool))
		return -ECHILD;
	struct stream s = { .pool = pool, .next = next, .fn = fn, .out = out,
	    .drop = drop, .ctx = ctx };
	size_t per_worker = window / (2 * (size_t)skua_pool_workers(pool));
	s.b = per_worker < 1 ? 1 : per_worker > IMAP_BATCH_MAX ?
	    IMAP_BATCH_MAX : per_worker;
	s.nb = window / s.b;
	size_t bytes = s.nb * (sizeof(struct batch) + sizeof(skua_future *)) +
	    2 * s.nb * s.b * sizeof(void *);
	char *mem = skua__malloc(bytes);
	if (mem == NULL)
		return -ENOMEM;
	s.batches = (struct batch *)mem;
	s.fs = (skua_future **)(s.batches + s.nb);
	void **slots = (void **)(s.fs + s.nb);
	for (size_t k = 0; k < s.nb; k++) {
		struct batch *b = &s.batches[k];
		memset(b, 0, sizeof *b);
		b->s = &s;
		b->items = slots + 2 * k * s.b;
		b->results = b->items + s.b;
	}
	if (ordered)
		run_ordered(&s);
	else
		run_unordered(&s);
	skua__free(mem, bytes);
	return s.stop;
}

int skua_imap(skua_pool *pool, skua_imap_next_fn next, skua_imap_work_fn fn,
    skua_imap_out_fn out, void *ctx, size_t window)
{
	return imap_run(pool, next, fn, out, ctx, window, true, NULL);
}

int skua_imap_unordered(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx, size_t window)
{
	return imap_run(pool, next, fn, out, ctx, window, false, NULL);
}

void skua_imap_opts_init(skua_imap_opts *o)
{
	if (o == NULL)
		return;
	memset(o, 0, sizeof *o);
	o->size = sizeof *o;
}

/* The default window: 64 items per worker (32 per batch at two batches
 * per worker: a batch's spawn and wait cost ~1 us, amortised). */
#define IMAP_WINDOW_PER_WORKER 64u

int skua_imap_with(skua_pool *pool, skua_imap_next_fn next,
    skua_imap_work_fn fn, skua_imap_out_fn out, void *ctx,
    const skua_imap_opts *opts)
{
	skua_imap_opts d;
	if (opts == NULL) {
		skua_imap_opts_init(&d);
		opts = &d;
	}
	if (opts->size != sizeof *opts || (opts->unordered != 0 &&
	    opts->unordered != 1) || opts->window > SKUA_IMAP_WINDOW_MAX ||
	    pool == NULL)
		return -EINVAL;
	size_t window = opts->window;
	if (window == 0)
		window = IMAP_WINDOW_PER_WORKER *
		    (size_t)skua_pool_workers(pool);
	if (window > SKUA_IMAP_WINDOW_MAX)
		window = SKUA_IMAP_WINDOW_MAX;
	return imap_run(pool, next, fn, out, ctx, window, !opts->unordered,
	    opts->drop);
}
