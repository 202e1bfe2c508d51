/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mpi_futures.c - a dynamic master/worker queue across MPI ranks, each rank
 * running its items as skua futures.
 *
 *     usage: mpirun -np R mpi_futures [N [items [workers]]]
 *
 * The work: count the primes below N (default 10^7, 664579 primes) in
 * `items` slices of equal width (default 100), dearer further up.  Rank 0
 * holds the queue and hands items out one at a time, dearest first (so the
 * last ones to finish are the cheap ones), to whichever rank has room:
 * every rank, rank 0 included, keeps up to `window` items in flight, twice
 * its pool's workers, so its pool keeps computing while a result travels to
 * rank 0 and the next item back.  The other ranks say hello (their window),
 * get that many items, and get one more for each result they send, or STOP
 * when the queue is empty.  Rank 0 then checks every item against a serial
 * count of its own; any difference, or a wrong total for a known N, exits 1.
 *
 * Threads: only each rank's main thread calls MPI (MPI_THREAD_FUNNELED);
 * futures run on the pool's workers and only return their count.  The main
 * thread never spins: it waits on its futures with a 1 ms timeout (a futex
 * sleep) between looks at MPI, or sleeps 0.2 ms when it has none, since a
 * main thread that polled flat out would take a core from the workers
 * (docs/scaling.md sizes ranks x workers to the cores).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: builds with -std=c11 too */
#include <errno.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "skua.h"

#define DEFAULT_N 10000000
#define DEFAULT_ITEMS 100
#define MAX_WINDOW 256

enum { TAG_HELLO = 1, TAG_ITEM, TAG_RESULT, TAG_STOP };

struct args {
	size_t n;
	long items;
	unsigned workers;
};

/* One rank's items in flight: fs[i] computes item[i] (fs[i] NULL: free). */
struct runner {
	skua_pool *pool;
	int window, inflight;
	skua_future *fs[MAX_WINDOW];
	long item[MAX_WINDOW];
};

/* Rank 0's queue and results. */
struct master {
	long next;            /* next item to hand out, counting down; -1: none */
	long done;
	long *result;         /* per item, -1 until its result is in */
	int *owner;           /* per item, the rank that computed it */
	int *stopped;         /* per rank, STOP sent */
	long *workers;        /* per rank, its pool's workers */
	long *count;          /* per rank, the items it computed */
};

static struct args g_args;    /* read-only once the futures start */

static int is_prime(size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 2; i * i <= n; i++)
		if (n % i == 0)
			return 0;
	return 1;
}

static long count_item(const struct args *a, long k)
{
	size_t lo = a->n / (size_t)a->items * (size_t)k;
	size_t hi = k + 1 == a->items ? a->n : lo + a->n / (size_t)a->items;
	long c = 0;

	for (size_t n = lo; n < hi; n++)
		c += is_prime(n);
	return c;
}

static void *job(void *arg)
{
	return (void *)(uintptr_t)count_item(&g_args, (long)(uintptr_t)arg);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* As mpi_primes.c: name the failed call, then stop every rank. */
static void mpi_check(int rc, const char *what)
{
	char msg[MPI_MAX_ERROR_STRING];
	int len = 0;

	if (rc == MPI_SUCCESS)
		return;
	if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
		snprintf(msg, sizeof msg, "error %d", rc);
	fprintf(stderr, "mpi_futures: %s: %s\n", what, msg);
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "mpi_futures: %s: %s\n", what, skua_strerror(rc));
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static void runner_spawn(struct runner *r, long k)
{
	for (int i = 0; i < r->window; i++) {
		if (r->fs[i])
			continue;
		int rc = skua_spawn(r->pool, job, (void *)(uintptr_t)k, &r->fs[i]);
		if (rc != 0)
			die("skua_spawn", rc);
		r->item[i] = k;
		r->inflight++;
		return;
	}
	fprintf(stderr, "mpi_futures: item %ld beyond the window\n", k);
	MPI_Abort(MPI_COMM_WORLD, 1);
}

/*
 * Hand every finished item to done(k, count, ctx), waiting up to timeout_ns
 * for the first one.  Returns how many finished.
 */
static int runner_reap(struct runner *r, uint64_t timeout_ns,
    void (*done)(long k, long count, void *ctx), void *ctx)
{
	int n = 0;
	size_t i;

	while (r->inflight > 0) {
		int rc = skua_future_wait_any_timeout(r->fs, (size_t)r->window,
		    &i, n ? 0 : timeout_ns);
		if (rc == -ETIMEDOUT)
			break;
		void *res;
		if (rc == 0)
			rc = skua_future_get(r->fs[i], &res);
		if (rc != 0)
			die("waiting for an item", rc);
		skua_future_release(r->fs[i]);
		r->fs[i] = NULL;
		r->inflight--;
		n++;
		done(r->item[i], (long)(uintptr_t)res, ctx);
	}
	return n;
}

static void nap(void)
{
	struct timespec ts = { 0, 200000 };
	nanosleep(&ts, NULL);
}

/* A rank other than 0: say hello, run what comes, send each result back. */
static void send_result(long k, long count, void *ctx)
{
	long msg[2] = { k, count };

	(void)ctx;
	mpi_check(MPI_Send(msg, 2, MPI_LONG, 0, TAG_RESULT, MPI_COMM_WORLD),
	    "MPI_Send (result)");
}

static void worker_rank(struct runner *r)
{
	long hello[2] = { r->window, (long)skua_pool_workers(r->pool) };
	int stopped = 0;

	mpi_check(MPI_Send(hello, 2, MPI_LONG, 0, TAG_HELLO, MPI_COMM_WORLD),
	    "MPI_Send (hello)");
	while (!stopped || r->inflight > 0) {
		MPI_Status st;
		int flag;
		long k;

		mpi_check(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st),
		    "MPI_Iprobe");
		if (flag) {
			/* Take every waiting message before looking at results. */
			mpi_check(MPI_Recv(&k, 1, MPI_LONG, 0, st.MPI_TAG,
			    MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv (item)");
			if (st.MPI_TAG == TAG_STOP)
				stopped = 1;
			else
				runner_spawn(r, k);
		} else if (r->inflight > 0) {
			runner_reap(r, 1000000, send_result, NULL);
		} else {
			nap();
		}
	}
}

/* Rank 0: the queue. */
static void send_item_or_stop(struct master *m, int rank)
{
	long k = m->next;

	if (k >= 0) {
		m->next--;
		mpi_check(MPI_Send(&k, 1, MPI_LONG, rank, TAG_ITEM,
		    MPI_COMM_WORLD), "MPI_Send (item)");
	} else if (!m->stopped[rank]) {
		m->stopped[rank] = 1;
		mpi_check(MPI_Send(&k, 1, MPI_LONG, rank, TAG_STOP,
		    MPI_COMM_WORLD), "MPI_Send (stop)");
	}
}

static void record(struct master *m, long k, long count, int rank)
{
	if (k < 0 || k >= g_args.items || m->result[k] != -1) {
		fprintf(stderr, "mpi_futures: rank %d sent item %ld, which is "
		    "out of range or done\n", rank, k);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	m->result[k] = count;
	m->owner[k] = rank;
	m->count[rank]++;
	m->done++;
}

static void record_local(long k, long count, void *ctx)
{
	record(ctx, k, count, 0);
}

/*
 * A hello gets the rank's window of items, a result one more item; either
 * gets STOP once the queue is empty, so a rank is never left waiting.
 */
static void take_message(struct master *m, const MPI_Status *st)
{
	long msg[2];
	int src = st->MPI_SOURCE;

	mpi_check(MPI_Recv(msg, 2, MPI_LONG, src, st->MPI_TAG, MPI_COMM_WORLD,
	    MPI_STATUS_IGNORE), "MPI_Recv (hello or result)");
	if (st->MPI_TAG == TAG_HELLO) {
		m->workers[src] = msg[1];
		/* Items while there are, then one STOP: never nothing. */
		for (long i = 0; i < msg[0]; i++)
			send_item_or_stop(m, src);
	} else {
		record(m, msg[0], msg[1], src);
		send_item_or_stop(m, src);
	}
}

static void master_rank(struct master *m, struct runner *r, int ranks)
{
	MPI_Status st;
	int flag;

	while (m->done < g_args.items) {
		do {
			mpi_check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG,
			    MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
			if (flag)
				take_message(m, &st);
		} while (flag);
		while (r->inflight < r->window && m->next >= 0)
			runner_spawn(r, m->next--);
		if (r->inflight > 0)
			runner_reap(r, 1000000, record_local, m);
		else
			nap();
	}
	/*
	 * Every item is in, so a rank that was never sent STOP is one whose
	 * hello had not arrived (a rank that got items got STOP in answer to
	 * its last result): answer it now.
	 */
	for (int src = 1; src < ranks; src++) {
		if (m->stopped[src])
			continue;
		mpi_check(MPI_Probe(src, TAG_HELLO, MPI_COMM_WORLD, &st),
		    "MPI_Probe (hello)");
		take_message(m, &st);
	}
}

static int parse_args(int argc, char **argv, struct args *a)
{
	unsigned long long v[3] = { DEFAULT_N, DEFAULT_ITEMS, 0 };
	const unsigned long long max[3] = { SIZE_MAX / 2, 1000000, 4096 };
	char *end;

	if (argc > 4)
		return -EINVAL;
	for (int i = 1; i < argc; i++) {
		errno = 0;
		v[i - 1] = strtoull(argv[i], &end, 10);
		if (errno || *end || v[i - 1] > max[i - 1] ||
		    (i < 3 && v[i - 1] < 1))
			return -EINVAL;
	}
	a->n = (size_t)v[0];
	a->items = (long)v[1];
	a->workers = (unsigned)v[2];
	return 0;
}

/* Rank 0, once every item is in: the serial run, and the verdict. */
static int check(const struct master *m, int ranks, double parallel_s)
{
	long total = 0, serial = 0, differ = 0;

	for (long k = 0; k < g_args.items; k++)
		total += m->result[k];
	printf("primes below %zu: %ld (%ld items over %d ranks, %.3f s)\n",
	    g_args.n, total, g_args.items, ranks, parallel_s);
	for (int r = 0; r < ranks; r++)
		printf("rank %d: %ld items on %ld workers\n", r, m->count[r],
		    m->workers[r]);

	double t0 = now();
	for (long k = 0; k < g_args.items; k++) {
		long c = count_item(&g_args, k);
		serial += c;
		if (c != m->result[k]) {
			if (differ++ < 5)
				printf("item %ld: %ld from rank %d, serial %ld\n",
				    k, m->result[k], m->owner[k], c);
		}
	}
	printf("serial: %ld primes, %.3f s, %ld items differ\n", serial,
	    now() - t0, differ);

	/* Known answers (primes.c's table). */
	long want = g_args.n == 1000000 ? 78498 : g_args.n == 2000000 ?
	    148933 : g_args.n == 10000000 ? 664579 : serial;
	if (differ || total != serial || serial != want) {
		printf("FAIL: expected %ld\n", want);
		return 1;
	}
	printf("OK\n");
	return 0;
}

static void master_free(struct master *m)
{
	if (!m)
		return;
	free(m->result);
	free(m->owner);
	free(m->stopped);
	free(m->workers);
	free(m->count);
	free(m);
}

static struct master *master_new(int ranks)
{
	struct master *m = calloc(1, sizeof *m);
	size_t items = (size_t)g_args.items, nr = (size_t)ranks;

	if (!m)
		return NULL;
	m->next = g_args.items - 1;
	m->result = malloc(items * sizeof *m->result);
	m->owner = calloc(items, sizeof *m->owner);
	m->stopped = calloc(nr, sizeof *m->stopped);
	m->workers = calloc(nr, sizeof *m->workers);
	m->count = calloc(nr, sizeof *m->count);
	if (!m->result || !m->owner || !m->stopped || !m->workers ||
	    !m->count) {
		master_free(m);
		return NULL;
	}
	for (size_t k = 0; k < items; k++)
		m->result[k] = -1;
	return m;
}

static void init_mpi(int *argc, char ***argv, int *rank, int *ranks)
{
	int provided;

	mpi_check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided),
	    "MPI_Init_thread");
	mpi_check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
	    "MPI_Comm_set_errhandler");
	mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, rank), "MPI_Comm_rank");
	mpi_check(MPI_Comm_size(MPI_COMM_WORLD, ranks), "MPI_Comm_size");
	/* The levels are ordered: SINGLE < FUNNELED < SERIALIZED < MULTIPLE. */
	if (provided < MPI_THREAD_FUNNELED) {
		if (*rank == 0)
			fprintf(stderr, "mpi_futures: MPI granted thread level "
			    "%d, below MPI_THREAD_FUNNELED (%d) that a rank "
			    "with worker threads needs\n", provided,
			    MPI_THREAD_FUNNELED);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
}

int main(int argc, char **argv)
{
	struct runner r = { 0 };
	struct master *m = NULL;
	skua_config cfg;
	int rank, ranks, rc, ret = 0;

	init_mpi(&argc, &argv, &rank, &ranks);
	if (parse_args(argc, argv, &g_args) != 0) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -np R mpi_futures "
			    "[N (>= 1) [items (1..10^6) [workers]]]\n");
		MPI_Finalize();
		return 2;
	}
	skua_config_init(&cfg);
	cfg.workers = g_args.workers;
	if ((rc = skua_pool_create(&cfg, &r.pool)) != 0)
		die("skua_pool_create", rc);
	r.window = 2 * (int)skua_pool_workers(r.pool);
	r.window = r.window > MAX_WINDOW ? MAX_WINDOW : r.window;
	if (rank == 0 && !(m = master_new(ranks))) {
		fprintf(stderr, "mpi_futures: out of memory\n");
		MPI_Abort(MPI_COMM_WORLD, 1);
	}

	mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
	double t0 = now();
	if (rank == 0) {
		m->workers[0] = (long)skua_pool_workers(r.pool);
		master_rank(m, &r, ranks);
	} else {
		worker_rank(&r);
	}
	double t1 = now();
	if ((rc = skua_pool_destroy(r.pool)) != 0)
		die("skua_pool_destroy", rc);
	if (rank == 0)
		ret = check(m, ranks, t1 - t0);
	master_free(m);
	mpi_check(MPI_Finalize(), "MPI_Finalize");
	return ret;
}
