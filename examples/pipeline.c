/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline.c - reader -> N parsers -> writer over two skua_channels, the
 * shape of a Python pipeline of queue.Queue and worker threads.
 *
 *     usage: pipeline [lines [parsers]]   (defaults: 1000000 4)
 *
 * The reader (the main thread) generates `lines` lines of text and sends
 * them, BATCH lines to an element, into `lines_ch`.  Each parser (a task)
 * receives batches, counts the words of each line and hashes it (FNV-1a),
 * and sends a batch of results into `results_ch`; the last parser to see
 * the end closes it.  The writer (a task) puts every result in its place,
 * in line order, as a program would write its output.  The word count and
 * a checksum over the output in order are then compared with a serial run
 * over the same lines.
 *
 * Batches: an element costs a send and a receive (~0.1-0.3 us, more when
 * a side has to wake the other), about what parsing one line costs, so a
 * line per element would spend most of the time passing lines on.  64
 * lines to an element make that cost small next to the work.
 *
 * The parsers and the writer are more tasks than a 2-core machine has
 * workers, and each spends time waiting in recv or send: a waiting task
 * sleeps counted as blocking (skua_blocking_begin), so a spare worker
 * takes its place and every stage keeps moving.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: builds with -std=c11 too */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "skua.h"

#define LINE_MAX_LEN 72
#define BATCH 64

struct line {
	uint32_t no;
	uint32_t len;
	char text[LINE_MAX_LEN];
};

struct result {
	uint32_t no;
	uint32_t words;
	uint64_t hash;
};

/* The channels' elements: lines [first, first + count), and results. */
struct line_batch {
	uint32_t first, count;
	struct line l[BATCH];
};

struct result_batch {
	uint32_t first, count;
	struct result r[BATCH];
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Line i, the same every time: 1-8 words of 1-8 lowercase letters (at
 * most 71 characters). */
static void gen_line(uint32_t i, struct line *l)
{
	uint64_t x = (uint64_t)i * 0x9e3779b97f4a7c15u + 1;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u; /* splitmix64's mix */
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
	x ^= x >> 31;
	unsigned words = 1 + (unsigned)(x % 8), len = 0;
	for (unsigned w = 0; w < words; w++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		unsigned n = 1 + (unsigned)(x % 8);
		if (w > 0)
			l->text[len++] = ' ';
		for (unsigned k = 0; k < n; k++)
			l->text[len++] = (char)('a' + (x >> (8 + 5 * k)) % 26);
	}
	l->no = i;
	l->len = len;
}

static struct result parse(const struct line *l)
{
	struct result r = { l->no, 0, 0xcbf29ce484222325u };
	int in_word = 0;
	for (uint32_t k = 0; k < l->len; k++) {
		char c = l->text[k];
		r.hash = (r.hash ^ (unsigned char)c) * 0x100000001b3u;
		if (c != ' ' && !in_word)
			r.words++;
		in_word = c != ' ';
	}
	return r;
}

/* The output, in line order: total words and a checksum of the order. */
struct output {
	uint64_t words, checksum;
};

static struct output summarize(const struct result *out, uint32_t n)
{
	struct output o = { 0, 0 };
	for (uint32_t i = 0; i < n; i++) {
		o.words += out[i].words;
		o.checksum = o.checksum * 31 + out[i].hash;
	}
	return o;
}

struct shared {
	skua_channel *lines_ch, *results_ch;
	_Atomic unsigned parsers_left;
	struct result *out;
	uint32_t n;
};

static void *parser(void *arg)
{
	struct shared *s = arg;
	struct line_batch in;
	struct result_batch out;
	while (skua_channel_recv(s->lines_ch, &in) == 0) {
		out.first = in.first;
		out.count = in.count;
		for (uint32_t k = 0; k < in.count; k++)
			out.r[k] = parse(&in.l[k]);
		if (skua_channel_send(s->results_ch, &out) != 0)
			return (void *)1;
	}
	/* The last parser out closes the results: the writer then drains
	 * them and sees -EPIPE. */
	if (atomic_fetch_sub(&s->parsers_left, 1) == 1)
		skua_channel_close(s->results_ch);
	return NULL;
}

static void *writer(void *arg)
{
	struct shared *s = arg;
	struct result_batch b;
	uintptr_t got = 0;
	while (skua_channel_recv(s->results_ch, &b) == 0) {
		for (uint32_t k = 0; k < b.count; k++)
			if (b.r[k].no < s->n)
				s->out[b.r[k].no] = b.r[k];
		got += b.count;
	}
	return (void *)got;
}

/* The reader: lines [0, n) in batches, then the close. */
static int read_lines(skua_channel *ch, uint32_t n)
{
	static struct line_batch b;
	for (uint32_t i = 0; i < n; i += b.count) {
		b.first = i;
		b.count = n - i < BATCH ? n - i : BATCH;
		for (uint32_t k = 0; k < b.count; k++)
			gen_line(i + k, &b.l[k]);
		if (skua_channel_send(ch, &b) != 0)
			return -1;
	}
	return skua_channel_close(ch);
}

/* Start the parsers and the writer, read on this thread, wait for them.
 * 0 when every stage ended well and the writer got all n results. */
static int run_pipeline(skua_pool *pool, struct shared *s, unsigned parsers)
{
	skua_future *fs[65];
	unsigned started = 0;
	int rc = 0;
	for (; started < parsers && rc == 0; started++)
		rc = skua_spawn(pool, parser, s, &fs[started]);
	if (rc == 0)
		rc = skua_spawn(pool, writer, s, &fs[started++]);
	if (rc == 0)
		rc = read_lines(s->lines_ch, s->n);
	else
		skua_channel_close(s->lines_ch); /* let the started ones end */
	for (unsigned k = 0; k < started; k++) {
		void *r = NULL;
		skua_future_get(fs[k], &r);
		skua_future_release(fs[k]);
		if (k < parsers && r != NULL)          /* a parser failed */
			rc = -1;
		if (k == parsers && (uintptr_t)r != s->n) /* the writer */
			rc = -1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
	unsigned parsers = argc > 2 ? (unsigned)atoi(argv[2]) : 4;
	if (n == 0 || parsers == 0 || parsers > 64) {
		fprintf(stderr, "usage: pipeline [WORDS >= 1 [PARSERS 1..64]]\n");
		return 2;
	}

	/* Serial: generate, parse, write in order. */
	struct result *out = calloc(n, sizeof *out);
	if (out == NULL)
		return 1;
	double t0 = now();
	for (uint32_t i = 0; i < n; i++) {
		struct line l;
		gen_line(i, &l);
		out[i] = parse(&l);
	}
	struct output serial = summarize(out, n);
	double t_serial = now() - t0;
	memset(out, 0, n * sizeof *out);

	skua_pool *pool;
	struct shared s = { NULL, NULL, parsers, out, n };
	if (skua_pool_create(NULL, &pool) != 0 ||
	    skua_channel_create(64, sizeof(struct line_batch), &s.lines_ch) ||
	    skua_channel_create(64, sizeof(struct result_batch), &s.results_ch))
		return 1;
	t0 = now();
	int rc = run_pipeline(pool, &s, parsers);
	struct output piped = summarize(out, n);
	double t_pipe = now() - t0;

	printf("%u lines, %u parsers, %u workers: %llu words, checksum "
	    "%016llx\n", n, parsers, skua_pool_workers(pool),
	    (unsigned long long)piped.words,
	    (unsigned long long)piped.checksum);
	printf("serial: %llu words, checksum %016llx\n",
	    (unsigned long long)serial.words,
	    (unsigned long long)serial.checksum);
	printf("pipeline %.3f s, serial %.3f s\n", t_pipe, t_serial);
	skua_channel_destroy(s.lines_ch);
	skua_channel_destroy(s.results_ch);
	skua_pool_destroy(pool);
	free(out);
	if (rc != 0 || piped.words != serial.words ||
	    piped.checksum != serial.checksum) {
		printf("MISMATCH\n");
		return 1;
	}
	printf("OK\n");
	return 0;
}
