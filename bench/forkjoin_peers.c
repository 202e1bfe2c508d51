/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/forkjoin_peers.c - fork/join against its peers, in one process:
 * fib, nqueens (the peers' array board, copied per child) and utree, as
 * serial C, skua's typed fork/join (skua/task.h, the README's style),
 * skua's automatic cut-off (skua/autotask.h) and, when built with
 * -DSKUA_LACE_DIR=<a Lace checkout>, Lace (bench/forkjoin_lace.c).  All
 * built with the same flags.  Rounds are interleaved; each row prints the
 * median time and its ratio to the serial median of the same run.
 *
 *   BUILD/bench/forkjoin_peers [workers...]     (default: 1 2)
 *   env FJ_ROUNDS (default 5), FJ_FIB (35), FJ_QUEENS (12), FJ_Q (199970)
 */
#include "skua.h"
#include "forkjoin_kernels.h"
#include "kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifndef SKUA_WITH_LACE
#define SKUA_WITH_LACE 0
#endif

/* ---- serial C (fib and nqueens: kernels/) ------------------------------- */

static long tree_ser(uint64_t s, uint32_t q)
{
	long n = 1;
	if (fjk_tree_has_children(s, q))
		for (int i = 0; i < FJK_TREE_ARITY; i++)
			n += tree_ser(fjk_tree_child(s, i), q);
	return n;
}

static long forest_ser(uint32_t q)
{
	long n = 1;
	for (int i = 0; i < FJK_TREE_ROOTS; i++)
		n += tree_ser(fjk_tree_child(FJK_TREE_SEED, i), q);
	return n;
}

/* ---- skua, typed fork/join (skua/task.h) -------------------------------- */

/* fib and nqueens: kernels/ (skb_fib_fj, skb_queens_array_fj). */

typedef struct {
	skua_task task;
	uint64_t s;
	uint32_t q;
	long r;
} tree_t;

static long tree_fj(skua_worker *w, uint64_t s, uint32_t q);
static void tree_run(skua_worker *w, skua_task *t)
{
	tree_t *u = (tree_t *)t;
	u->r = tree_fj(w, u->s, u->q);
}
static long tree_fj(skua_worker *w, uint64_t s, uint32_t q)
{
	long n = 1;
	if (!fjk_tree_has_children(s, q))
		return n;
	tree_t kids[FJK_TREE_ARITY];
	for (int i = 0; i < FJK_TREE_ARITY; i++) {
		kids[i].s = fjk_tree_child(s, i); /* fork sets the header */
		kids[i].q = q;
		skua_fork(w, &kids[i].task, tree_run);
	}
	for (int i = FJK_TREE_ARITY - 1; i >= 0; i--) {
		skua_join_fn(w, &kids[i].task, tree_run);
		n += kids[i].r;
	}
	return n;
}
static long forest_fj(skua_worker *w, uint32_t q)
{
	static tree_t kids[FJK_TREE_ROOTS]; /* one root at a time */
	long n = 1;
	for (int i = 0; i < FJK_TREE_ROOTS; i++) {
		kids[i] = (tree_t){ .s = fjk_tree_child(FJK_TREE_SEED, i),
		    .q = q };
		skua_fork(w, &kids[i].task, tree_run);
	}
	for (int i = FJK_TREE_ROOTS - 1; i >= 0; i--) {
		skua_join_fn(w, &kids[i].task, tree_run);
		n += kids[i].r;
	}
	return n;
}

/* ---- skua, automatic cut-off (skua/autotask.h) -------------------------- */

/* nqueens: kernels/autotask.c (skb_queens_array_auto_fj). */

SKUA_TASK_1(long, fib_a, int, n)
{
	if (n < 2)
		return n;
	SKUA_FRAME(fib_a) a;
	SKUA_SPAWN(fib_a, &a, n - 1);
	long b = SKUA_CALL(fib_a, n - 2);
	return SKUA_SYNC(fib_a, &a) + b;
}

SKUA_TASK_2(long, tree_a, uint64_t, s, uint32_t, q)
{
	long n = 1;
	if (!fjk_tree_has_children(s, q))
		return n;
	SKUA_FRAME(tree_a) kids[FJK_TREE_ARITY];
	for (int i = 0; i < FJK_TREE_ARITY; i++)
		SKUA_SPAWN(tree_a, &kids[i], fjk_tree_child(s, i), q);
	for (int i = FJK_TREE_ARITY - 1; i >= 0; i--)
		n += SKUA_SYNC(tree_a, &kids[i]);
	return n;
}

static SKUA_FRAME(tree_a) forest_kids[FJK_TREE_ROOTS];

SKUA_TASK_1(long, forest_a, uint32_t, q)
{
	long n = 1;
	for (int i = 0; i < FJK_TREE_ROOTS; i++)
		SKUA_SPAWN(tree_a, &forest_kids[i],
		    fjk_tree_child(FJK_TREE_SEED, i), q);
	for (int i = FJK_TREE_ROOTS - 1; i >= 0; i--)
		n += SKUA_SYNC(tree_a, &forest_kids[i]);
	return n;
}

/* ---- the harness -------------------------------------------------------- */

enum kernel { FIB, QUEENS, TREE, NKERNELS };
enum form { SERIAL, SKUA, AUTO, LACE, NFORMS };
static const char *kernel_name[] = { "fib", "nqueens (array)", "utree" };
static const char *form_name[] = { "serial", "skua", "skua auto", "lace" };
static int arg_fib = 35, arg_queens = 12;
static uint32_t arg_q = FJK_TREE_Q;

struct job {
	enum kernel k;
	enum form f;
	long r;
};

static void entry(skua_worker *w, void *arg)
{
	struct job *j = arg;
	switch (j->k) {
	case FIB:
		j->r = j->f == SKUA ? skb_fib_fj(w, arg_fib) :
		    SKUA_ROOT(fib_a, w, arg_fib);
		break;
	case QUEENS:
		j->r = j->f == SKUA ? skb_queens_array_fj(w, arg_queens) :
		    skb_queens_array_auto_fj(w, arg_queens);
		break;
	default:
		j->r = j->f == SKUA ? forest_fj(w, arg_q) :
		    SKUA_ROOT(forest_a, w, arg_q);
		break;
	}
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* One timed run; the answer in *r. */
static double run_once(skua_pool *p, enum kernel k, enum form f, long *r)
{
	double t0 = now();
	if (f == SERIAL) {
		*r = k == FIB ? skb_fib_serial(arg_fib) : k == QUEENS ?
		    skb_queens_array_serial(arg_queens) : forest_ser(arg_q);
	} else if (f == LACE) {
#if SKUA_WITH_LACE
		*r = k == FIB ? fj_lace_fib(arg_fib) : k == QUEENS ?
		    fj_lace_queens(arg_queens) : fj_lace_tree(arg_q);
#endif
	} else {
		struct job j = { k, f, 0 };
		skua_pool_run(p, entry, &j);
		*r = j.r;
	}
	return now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

static int env_int(const char *name, int def)
{
	const char *s = getenv(name);
	return s != NULL && atoi(s) > 0 ? atoi(s) : def;
}

/* One worker count: rounds x kernels x forms, interleaved; print medians. */
static int run_workers(unsigned workers, int rounds, const long *want)
{
	static double t[NKERNELS][NFORMS][64];
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = workers;
	skua_pool *p;
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
#if SKUA_WITH_LACE
	/* Started once per worker count (its first runs are slow: 2x), and
	 * suspended outside its own runs, where its workers would spin. */
	fj_lace_start(workers);
#endif
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < NKERNELS; k++) {
			for (int f = 0; f < NFORMS; f++) {
				if (f == LACE && !SKUA_WITH_LACE)
					continue;
#if SKUA_WITH_LACE
				if (f == LACE)
					fj_lace_resume();
#endif
				long res;
				t[k][f][r] = run_once(p, k, f, &res);
#if SKUA_WITH_LACE
				if (f == LACE)
					fj_lace_suspend();
#endif
				if (res != want[k]) {
					fprintf(stderr, "%s %s: %ld, want %ld\n",
					    kernel_name[k], form_name[f], res,
					    want[k]);
					return 1;
				}
			}
		}
	}
	skua_pool_destroy(p);
#if SKUA_WITH_LACE
	fj_lace_stop();
#endif
	for (int k = 0; k < NKERNELS; k++) {
		double ts = median(t[k][SERIAL], rounds);
		for (int f = 0; f < NFORMS; f++) {
			if (f == LACE && !SKUA_WITH_LACE)
				continue;
			double m = median(t[k][f], rounds);
			printf("%-16s %8u %-10s %10.4f %8.3f\n", kernel_name[k],
			    workers, form_name[f], m, m / ts);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int rounds = env_int("FJ_ROUNDS", 5);
	rounds = rounds > 64 ? 64 : rounds;
	arg_fib = env_int("FJ_FIB", 35);
	arg_queens = env_int("FJ_QUEENS", 12);
	arg_q = (uint32_t)env_int("FJ_Q", (int)FJK_TREE_Q);
	long want[NKERNELS] = { skb_fib_serial(arg_fib),
	    skb_queens_array_serial(arg_queens), forest_ser(arg_q) };
	printf("fib(%d) = %ld, %d queens: %ld, utree(q=%u): %ld nodes; "
	    "%d rounds, lace %s\n", arg_fib, want[FIB], arg_queens,
	    want[QUEENS], arg_q, want[TREE], rounds,
	    SKUA_WITH_LACE ? "on" : "off (-DSKUA_LACE_DIR=...)");
	printf("%-16s %8s %-10s %10s %8s\n", "kernel", "workers", "form",
	    "median_s", "T/Ts");
	if (argc == 1)
		return run_workers(1, rounds, want) || run_workers(2, rounds,
		    want);
	for (int a = 1; a < argc; a++)
		if (atoi(argv[a]) <= 0 || run_workers((unsigned)atoi(argv[a]),
		    rounds, want) != 0)
			return 1;
	return 0;
}
