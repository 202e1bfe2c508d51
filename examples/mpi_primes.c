/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mpi_primes.c - count the primes below N across MPI ranks, with a skua
 * pool inside each rank (the MPI + OpenMP idiom, skua as the thread layer).
 *
 *     usage: mpirun -np R mpi_primes [-a EXP] [N [workers]]
 *
 * N defaults to 10^7 (664579 primes).  Rank r counts its slice of [1, N)
 * with skua_parallel_reduce on its own pool of `workers` threads (0 or
 * absent: SKUA_WORKERS, else the CPUs the rank may run on, which is what
 * mpirun --bind-to gave it); MPI_Reduce adds the counts on rank 0, which
 * prints them with each rank's time and checks the known answers.
 *
 * The split.  Trial division costs up to sqrt(n) for n, so equal slices
 * leave the low ranks idle.  Slice k ends where the cumulative cost reaches
 * k/R of the total, with the cost of [1, x) modelled as x^EXP:
 *
 *     bound(k) = 1 + (N - 1) * (k / R)^(1 / EXP)
 *
 * EXP 1 is equal slices; 1.5 is "equal sums of sqrt(n)", the cost of the
 * primes alone, which overshoots: most composites stop at a small factor,
 * and primes thin out as 1 / ln n.  Measured on the 2-core EPYC of
 * docs/scaling.md with one worker per rank (mpi_primes -a EXP N 1), as the
 * slowest rank's CPU time over the mean (CPU time, since neighbours on the
 * same core inflate the wall time but not the work): at N = 10^7, EXP 1
 * gave 1.25 (2 ranks) and 1.31 (3 ranks), 1.33 gave 1.04-1.06, 1.5 gave
 * 1.04-1.06, and 1.4, the default, 1.00-1.01 with 2, 3 and 4 ranks and at
 * N = 10^6 too.  The figures and commands are in docs/scaling.md.
 *
 * Threads: only the main thread calls MPI, so MPI_THREAD_FUNNELED suffices
 * (skua's workers never touch MPI); a library that grants less is refused.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime: builds with -std=c11 too */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "skua.h"

#define DEFAULT_N 10000000
#define DEFAULT_EXP 1.4
#define NFIELDS 4         /* per rank: count, wall s, CPU s, workers */

struct args {
	size_t n;
	unsigned workers;
	double exp;
};

static int is_prime(size_t n)
{
	if (n < 2)
		return 0;
	for (size_t i = 2; i * i <= n; i++)
		if (n % i == 0)
			return 0;
	return 1;
}

/* Fold the numbers [lo, hi) into *acc, a count. */
static void count_primes(size_t lo, size_t hi, void *acc, void *ctx)
{
	(void)ctx;
	long c = 0;
	for (size_t n = lo; n < hi; n++)
		c += is_prime(n);
	*(long *)acc += c;
}

static void add(void *acc, const void *other, void *ctx)
{
	(void)ctx;
	*(long *)acc += *(const long *)other;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/*
 * An MPI call failed (the communicator returns errors instead of aborting,
 * so that the message names the call): say which, then stop every rank,
 * since the others would wait for this one in the next collective.
 */
static void mpi_check(int rc, const char *what)
{
	char msg[MPI_MAX_ERROR_STRING];
	int len = 0;

	if (rc == MPI_SUCCESS)
		return;
	if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
		snprintf(msg, sizeof msg, "error %d", rc);
	fprintf(stderr, "mpi_primes: %s: %s\n", what, msg);
	MPI_Abort(MPI_COMM_WORLD, 1);
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "mpi_primes: %s: %s\n", what, skua_strerror(rc));
	MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Start of slice k of R: see the header for the cost model. */
static size_t slice_bound(const struct args *a, int k, int ranks)
{
	if (k <= 0)
		return 1;
	if (k >= ranks)
		return a->n;
	double f = pow((double)k / ranks, 1.0 / a->exp);
	size_t b = 1 + (size_t)(f * (double)(a->n - 1));
	return b < a->n ? b : a->n;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	char *end;
	int c;

	a->n = DEFAULT_N;
	a->workers = 0;
	a->exp = DEFAULT_EXP;
	while ((c = getopt(argc, argv, "a:")) != -1) {
		if (c != 'a')
			return -EINVAL;
		errno = 0;
		a->exp = strtod(optarg, &end);
		if (errno || *end || !(a->exp >= 0.5 && a->exp <= 4))
			return -EINVAL;
	}
	if (optind < argc) {
		errno = 0;
		a->n = strtoull(argv[optind], &end, 10);
		if (errno || *end || a->n < 1)
			return -EINVAL;
		optind++;
	}
	if (optind < argc) {
		errno = 0;
		unsigned long w = strtoul(argv[optind], &end, 10);
		if (errno || *end || w > 4096)
			return -EINVAL;
		a->workers = (unsigned)w;
		optind++;
	}
	return optind == argc ? 0 : -EINVAL;
}

/*
 * This rank's share: count [lo, hi) on its pool.  out: the count, the wall
 * and CPU seconds, the workers.  The CPU time (every thread of the rank) is
 * the work itself, which another process on the same core does not inflate
 * as it does the wall time: it is what judges the split.
 */
static void count_slice(const struct args *a, size_t lo, size_t hi,
    double out[NFIELDS])
{
	skua_config cfg;
	skua_par_opts opts;
	skua_pool *pool;
	long zero = 0, count = 0;
	int rc;

	skua_config_init(&cfg);
	cfg.workers = a->workers;
	if ((rc = skua_pool_create(&cfg, &pool)) != 0)
		die("skua_pool_create", rc);
	skua_par_opts_init(&opts);
	opts.site = "mpi_primes";
	double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t0 = now();
	rc = skua_parallel_reduce(pool, lo, hi, &opts, sizeof zero, &zero,
	    count_primes, add, NULL, &count);
	double t1 = now(), c1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (rc != 0)
		die("skua_parallel_reduce", rc);
	out[0] = (double)count;
	out[1] = t1 - t0;
	out[2] = c1 - c0;
	out[3] = skua_pool_workers(pool);
	if ((rc = skua_pool_destroy(pool)) != 0)
		die("skua_pool_destroy", rc);
}

/* Rank 0: each rank's line, the balance, and the check. */
static int report(const struct args *a, int ranks, long total,
    const double *per_rank, double wall)
{
	double slowest = 0, sum = 0, cpu_max = 0, cpu_sum = 0;

	printf("primes below %zu: %ld (%d ranks, cost exponent %.2f)\n", a->n,
	    total, ranks, a->exp);
	for (int r = 0; r < ranks; r++) {
		const double *p = per_rank + NFIELDS * r;
		printf("rank %d: [%zu, %zu) %.0f primes, %.3f s (cpu %.3f s) "
		    "on %.0f workers\n", r, slice_bound(a, r, ranks),
		    slice_bound(a, r + 1, ranks), p[0], p[1], p[2], p[3]);
		slowest = p[1] > slowest ? p[1] : slowest;
		sum += p[1];
		cpu_max = p[2] > cpu_max ? p[2] : cpu_max;
		cpu_sum += p[2];
	}
	printf("wall %.3f s, slowest rank %.3f s, imbalance %.2f "
	    "(slowest / mean), by cpu time %.2f\n", wall, slowest,
	    sum > 0 ? slowest * ranks / sum : 1.0,
	    cpu_sum > 0 ? cpu_max * ranks / cpu_sum : 1.0);

	/* Known answers (primes.c's table); others are not checked. */
	long want = a->n == 1000000 ? 78498 : a->n == 2000000 ? 148933 :
	    a->n == 10000000 ? 664579 : total;
	if (total != want) {
		printf("FAIL: expected %ld\n", want);
		return 1;
	}
	printf("OK\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	int provided, rank, ranks, ret = 0;
	double mine[NFIELDS], *all = NULL;

	mpi_check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided),
	    "MPI_Init_thread");
	mpi_check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN),
	    "MPI_Comm_set_errhandler");
	mpi_check(MPI_Comm_rank(MPI_COMM_WORLD, &rank), "MPI_Comm_rank");
	mpi_check(MPI_Comm_size(MPI_COMM_WORLD, &ranks), "MPI_Comm_size");
	/* The levels are ordered: SINGLE < FUNNELED < SERIALIZED < MULTIPLE. */
	if (provided < MPI_THREAD_FUNNELED) {
		if (rank == 0)
			fprintf(stderr, "mpi_primes: MPI granted thread level %d, "
			    "below MPI_THREAD_FUNNELED (%d) that a rank with "
			    "worker threads needs\n", provided,
			    MPI_THREAD_FUNNELED);
		MPI_Abort(MPI_COMM_WORLD, 1);
	}
	if (parse_args(argc, argv, &a) != 0) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -np R mpi_primes "
			    "[-a EXP (0.5..4)] [N (>= 1) [workers]]\n");
		MPI_Finalize();
		return 2;
	}
	if (rank == 0 && !(all = malloc(sizeof(double) * NFIELDS * (size_t)ranks))) {
		fprintf(stderr, "mpi_primes: out of memory\n");
		MPI_Abort(MPI_COMM_WORLD, 1);
	}

	/* Start together, so that the wall time is the slowest rank's. */
	mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
	double t0 = now();
	count_slice(&a, slice_bound(&a, rank, ranks),
	    slice_bound(&a, rank + 1, ranks), mine);
	long count = (long)mine[0], total = 0;
	mpi_check(MPI_Reduce(&count, &total, 1, MPI_LONG, MPI_SUM, 0,
	    MPI_COMM_WORLD), "MPI_Reduce");
	double wall = now() - t0;
	mpi_check(MPI_Gather(mine, NFIELDS, MPI_DOUBLE, all, NFIELDS, MPI_DOUBLE, 0,
	    MPI_COMM_WORLD), "MPI_Gather");

	if (rank == 0)
		ret = report(&a, ranks, total, all, wall);
	free(all);
	mpi_check(MPI_Finalize(), "MPI_Finalize");
	return ret;
}
