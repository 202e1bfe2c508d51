/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * docs/data/src/channel_bench.c - elements per second through one bounded
 * queue of 8-byte elements (capacity 1024) between outside threads, at 1
 * producer / 1 consumer and 2 / 2: skua_channel against the mutex +
 * two condition variables queue a C programmer writes today (below,
 * mcq_*), in the same run, alternating (docs/benchmarks.md, "Channel").
 *
 * usage: channel_bench [elements [runs]]   (defaults: 2000000 5)
 * prints one line per run and the median of each configuration.
 * Build: cc -O2 -std=gnu11 -I include docs/data/src/channel_bench.c \
 *            build/h15/libskua.a -ljemalloc -lpthread -o /tmp/channel_bench
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

#define CAP 1024

/* ---- the baseline: a ring under one mutex, two condition variables ---- */
struct mcq {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	uint64_t buf[CAP];
	size_t head, count;
	int closed;
};

static void mcq_init(struct mcq *q)
{
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
	q->head = q->count = 0;
	q->closed = 0;
}

static void mcq_fini(struct mcq *q)
{
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
}

static void mcq_send(struct mcq *q, uint64_t x)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == CAP)
		pthread_cond_wait(&q->not_full, &q->lock);
	q->buf[(q->head + q->count) % CAP] = x;
	q->count++;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

static int mcq_recv(struct mcq *q, uint64_t *x)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed)
		pthread_cond_wait(&q->not_empty, &q->lock);
	if (q->count == 0) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	*x = q->buf[q->head];
	q->head = (q->head + 1) % CAP;
	q->count--;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

static void mcq_close(struct mcq *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = 1;
	pthread_cond_broadcast(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

/* ---- one run ----------------------------------------------------------- */
struct run {
	int skua; /* 1: skua_channel, 0: mcq */
	skua_channel *ch;
	struct mcq *q;
	uint64_t per; /* per producer */
	uint64_t sums[2];
};

struct side {
	struct run *r;
	int id;
};

static void *produce(void *arg)
{
	struct side *s = arg;
	for (uint64_t i = 1; i <= s->r->per; i++) {
		if (s->r->skua)
			skua_channel_send(s->r->ch, &i);
		else
			mcq_send(s->r->q, i);
	}
	return NULL;
}

static void *consume(void *arg)
{
	struct side *s = arg;
	uint64_t x, sum = 0;
	if (s->r->skua)
		while (skua_channel_recv(s->r->ch, &x) == 0)
			sum += x;
	else
		while (mcq_recv(s->r->q, &x) == 0)
			sum += x;
	s->r->sums[s->id] = sum;
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Elements per second for `pairs` producers and as many consumers. */
static double one_run(int use_skua, int pairs, uint64_t n)
{
	static struct mcq q;
	struct run r = { use_skua, NULL, &q, n / (uint64_t)pairs, { 0, 0 } };
	pthread_t p[2], c[2];
	struct side ps[2], cs[2];

	if (use_skua && skua_channel_create(CAP, sizeof(uint64_t), &r.ch) != 0)
		exit(1);
	if (!use_skua)
		mcq_init(&q);
	double t0 = now();
	for (int i = 0; i < pairs; i++) {
		cs[i] = (struct side){ &r, i };
		ps[i] = (struct side){ &r, i };
		pthread_create(&c[i], NULL, consume, &cs[i]);
		pthread_create(&p[i], NULL, produce, &ps[i]);
	}
	for (int i = 0; i < pairs; i++)
		pthread_join(p[i], NULL);
	if (use_skua)
		skua_channel_close(r.ch);
	else
		mcq_close(&q);
	for (int i = 0; i < pairs; i++)
		pthread_join(c[i], NULL);
	double dt = now() - t0;
	uint64_t want = (uint64_t)pairs * (r.per * (r.per + 1) / 2);
	if (r.sums[0] + r.sums[1] != want) {
		fprintf(stderr, "lost elements\n");
		exit(1);
	}
	if (use_skua)
		skua_channel_destroy(r.ch);
	else
		mcq_fini(&q);
	return (double)r.per * pairs / dt;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
	int runs = argc > 2 ? atoi(argv[2]) : 5;
	double res[2][2][64]; /* [pairs-1][skua][run] */
	if (runs < 1 || runs > 64)
		return 2;
	for (int k = 0; k < runs; k++)
		for (int pairs = 1; pairs <= 2; pairs++)
			for (int s = 1; s >= 0; s--) {
				double v = one_run(s, pairs, n);
				res[pairs - 1][s][k] = v;
				printf("run %d %dP/%dC %-14s %7.2f M/s\n", k + 1,
				    pairs, pairs, s ? "skua_channel" :
				    "mutex+condvar", v / 1e6);
			}
	printf("median of %d runs, %llu elements each, capacity %d, 8-byte "
	    "elements:\n", runs, (unsigned long long)n, CAP);
	for (int pairs = 1; pairs <= 2; pairs++) {
		double m[2];
		for (int s = 0; s < 2; s++) {
			qsort(res[pairs - 1][s], (size_t)runs, sizeof(double), cmp);
			m[s] = res[pairs - 1][s][runs / 2];
		}
		printf("%dP/%dC  skua_channel %7.2f M/s  mutex+condvar %7.2f M/s"
		    "  ratio %.2fx\n", pairs, pairs, m[1] / 1e6, m[0] / 1e6,
		    m[1] / m[0]);
	}
	return 0;
}
