/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/user_alloc.c - a user's own malloc-heavy code inside skua tasks,
 * to see what linking libskua does to it: with -DSKUA_WITH_JEMALLOC=ON
 * (the default) the program's malloc is jemalloc, with OFF it is glibc's
 * (docs/optimization-guide.md, "jemalloc in your process").
 *
 *   strassen N  C = A.B by Strassen's 7 products, the temporaries of each
 *               level malloc'd by the task that needs them (leaves of 64)
 *   tree D      a binary tree of 2^D - 1 malloc'd nodes built, summed and
 *               freed by fork/join (forks down to depth D - 10)
 *   strings N   N small strings (snprintf'd, strdup'd, concatenated) made
 *               by one parallel loop and freed by another, in the opposite
 *               order, so most frees come from another worker
 *
 * Usage: user_alloc KERNEL SIZE WORKERS [RUNS]; prints the median of RUNS
 * (default 7) after one warm-up, and which malloc the process has.
 */
#define _GNU_SOURCE
#include <skua.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (p == NULL) {
		fprintf(stderr, "user_alloc: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- strassen ------------------------------------------------------ */

#define LEAF 64

/* A view of a square block: n x n, row stride s. */
typedef struct { double *p; int n, s; } mat;

static mat sub(mat m, int i, int j)
{
	int h = m.n / 2;
	return (mat){ m.p + (size_t)i * h * m.s + (size_t)j * h, h, m.s };
}

static mat fresh(int n)
{
	return (mat){ xmalloc((size_t)n * n * sizeof(double)), n, n };
}

/* c = a + sign * b */
static void add(mat c, mat a, mat b, double sign)
{
	for (int i = 0; i < c.n; i++)
		for (int j = 0; j < c.n; j++)
			c.p[i * c.s + j] = a.p[i * a.s + j] +
			    sign * b.p[i * b.s + j];
}

static void leaf(mat c, mat a, mat b)
{
	for (int i = 0; i < c.n; i++) {
		for (int j = 0; j < c.n; j++)
			c.p[i * c.s + j] = 0;
		for (int k = 0; k < a.n; k++) {
			double x = a.p[i * a.s + k];
			for (int j = 0; j < c.n; j++)
				c.p[i * c.s + j] += x * b.p[k * b.s + j];
		}
	}
}

typedef struct { skua_task task; mat c, a, b; } mul_task;
static void strassen(skua_worker *w, mat c, mat a, mat b);
static void mul_run(skua_worker *w, skua_task *t)
{
	mul_task *m = (mul_task *)t;
	strassen(w, m->c, m->a, m->b);
	/* The operand sums were made for this product only. */
	if (m->a.s == m->a.n)
		free(m->a.p);
	if (m->b.s == m->b.n)
		free(m->b.p);
}

/* One of the 7 products: the operands are quadrants, or sums of two
 * (sa, sb = +1 or -1) malloc'd here and freed by the task. */
static void product(mul_task *t, int h, mat a1, mat a2, double sa, mat b1,
    mat b2, double sb)
{
	t->c = fresh(h);
	t->a = a1;
	t->b = b1;
	if (sa != 0) {
		t->a = fresh(h);
		add(t->a, a1, a2, sa);
	}
	if (sb != 0) {
		t->b = fresh(h);
		add(t->b, b1, b2, sb);
	}
}

static void strassen(skua_worker *w, mat c, mat a, mat b)
{
	if (c.n <= LEAF) {
		leaf(c, a, b);
		return;
	}
	int h = c.n / 2;
	mat a11 = sub(a, 0, 0), a12 = sub(a, 0, 1), a21 = sub(a, 1, 0),
	    a22 = sub(a, 1, 1), b11 = sub(b, 0, 0), b12 = sub(b, 0, 1),
	    b21 = sub(b, 1, 0), b22 = sub(b, 1, 1);
	mul_task m[7];
	product(&m[0], h, a11, a22, 1, b11, b22, 1);
	product(&m[1], h, a21, a22, 1, b11, b11, 0);
	product(&m[2], h, a11, a11, 0, b12, b22, -1);
	product(&m[3], h, a22, a22, 0, b21, b11, -1);
	product(&m[4], h, a11, a12, 1, b22, b22, 0);
	product(&m[5], h, a21, a11, -1, b11, b12, 1);
	product(&m[6], h, a12, a22, -1, b21, b22, 1);
	for (int i = 0; i < 6; i++)
		skua_fork(w, &m[i].task, mul_run);
	mul_run(w, &m[6].task);
	for (int i = 5; i >= 0; i--)
		skua_join_fn(w, &m[i].task, mul_run);
	mat c11 = sub(c, 0, 0), c12 = sub(c, 0, 1), c21 = sub(c, 1, 0),
	    c22 = sub(c, 1, 1);
	for (int i = 0; i < h; i++)
		for (int j = 0; j < h; j++) {
			double *p[7];
			for (int k = 0; k < 7; k++)
				p[k] = m[k].c.p + (size_t)i * h + j;
			c11.p[i * c.s + j] = *p[0] + *p[3] - *p[4] + *p[6];
			c12.p[i * c.s + j] = *p[2] + *p[4];
			c21.p[i * c.s + j] = *p[1] + *p[3];
			c22.p[i * c.s + j] = *p[0] - *p[1] + *p[2] + *p[5];
		}
	for (int k = 0; k < 7; k++)
		free(m[k].c.p);
}

struct mm { mat c, a, b; };
static void strassen_entry(skua_worker *w, void *arg)
{
	struct mm *x = arg;
	strassen(w, x->c, x->a, x->b);
}

/* Small integers: the product is exact, checked against the plain one. */
static double run_strassen(skua_pool *p, long n, int *ok)
{
	struct mm x = { fresh((int)n), fresh((int)n), fresh((int)n) };
	for (long i = 0; i < n * n; i++) {
		x.a.p[i] = (double)(i % 7) - 3;
		x.b.p[i] = (double)(i % 5) - 2;
	}
	double t0 = now_s();
	skua_pool_run(p, strassen_entry, &x);
	double t = now_s() - t0;
	for (int i = 0; i < n && *ok; i += 97) {
		double want = 0;
		for (int k = 0; k < n; k++)
			want += x.a.p[i * n + k] * x.b.p[k * n + (n - 1 - i)];
		*ok = x.c.p[i * n + (n - 1 - i)] == want;
	}
	free(x.a.p);
	free(x.b.p);
	free(x.c.p);
	return t;
}

/* ---- tree ---------------------------------------------------------- */

typedef struct node { struct node *l, *r; long v; } node;
typedef struct { skua_task task; int d; long v; node *n; long sum; } tree_task;

static node *build(skua_worker *w, int d, long v, int forks);
static void build_run(skua_worker *w, skua_task *t)
{
	tree_task *x = (tree_task *)t;
	x->n = build(w, x->d, x->v, 1);
}

static node *build(skua_worker *w, int d, long v, int forks)
{
	node *n = xmalloc(sizeof *n);
	n->v = v;
	n->l = n->r = NULL;
	if (d <= 1)
		return n;
	if (forks && d > 10) {
		tree_task a = { .d = d - 1, .v = 2 * v };
		skua_fork(w, &a.task, build_run);
		n->r = build(w, d - 1, 2 * v + 1, 1);
		skua_join_fn(w, &a.task, build_run);
		n->l = a.n;
	} else {
		n->l = build(w, d - 1, 2 * v, 0);
		n->r = build(w, d - 1, 2 * v + 1, 0);
	}
	return n;
}

/* Sum the values and free the nodes, forking while the subtree is big. */
static long reap(skua_worker *w, node *n, int d);
static void reap_run(skua_worker *w, skua_task *t)
{
	tree_task *x = (tree_task *)t;
	x->sum = reap(w, x->n, x->d);
}

static long reap(skua_worker *w, node *n, int d)
{
	if (n == NULL)
		return 0;
	long s = n->v;
	if (d > 10) {
		tree_task a = { .d = d - 1, .n = n->l };
		skua_fork(w, &a.task, reap_run);
		s += reap(w, n->r, d - 1);
		skua_join_fn(w, &a.task, reap_run);
		s += a.sum;
	} else {
		s += reap(w, n->l, d - 1) + reap(w, n->r, d - 1);
	}
	free(n);
	return s;
}

struct tr { int d; long sum; };
static void tree_entry(skua_worker *w, void *arg)
{
	struct tr *x = arg;
	x->sum = reap(w, build(w, x->d, 1, 1), x->d);
}

static double run_tree(skua_pool *p, long d, int *ok)
{
	struct tr x = { (int)d, 0 };
	double t0 = now_s();
	skua_pool_run(p, tree_entry, &x);
	double t = now_s() - t0;
	/* Heap numbering: node values are 1 .. 2^d - 1. */
	long m = (1L << d) - 1;
	*ok = x.sum == m * (m + 1) / 2;
	return t;
}

/* ---- strings ------------------------------------------------------- */

struct strs { char **s; size_t n; };

static void make_strings(size_t lo, size_t hi, void *ctx)
{
	struct strs *x = ctx;
	for (size_t i = lo; i < hi; i++) {
		char *a = xmalloc(24), *b;
		snprintf(a, 24, "key-%zu", i);
		b = strdup(a);
		size_t la = strlen(a), lb = strlen(b);
		char *c = xmalloc(la + lb + 2);
		memcpy(c, a, la);
		c[la] = '/';
		memcpy(c + la + 1, b, lb + 1);
		free(a);
		free(b);
		x->s[i] = c;
	}
}

static void free_strings(size_t lo, size_t hi, void *ctx)
{
	struct strs *x = ctx;
	/* The opposite end of the array: mostly another worker's strings. */
	for (size_t i = lo; i < hi; i++) {
		size_t j = x->n - 1 - i;
		if (strncmp(x->s[j], "key-", 4) != 0)
			x->s[j][0] = '!'; /* seen by the check below */
		free(x->s[j]);
		x->s[j] = NULL;
	}
}

static double run_strings(skua_pool *p, long n, int *ok)
{
	struct strs x = { xmalloc((size_t)n * sizeof(char *)), (size_t)n };
	double t0 = now_s();
	*ok = skua_parallel_for(p, 0, x.n, NULL, make_strings, &x) == 0 &&
	    skua_parallel_for(p, 0, x.n, NULL, free_strings, &x) == 0;
	double t = now_s() - t0;
	for (size_t i = 0; i < x.n && *ok; i++)
		*ok = x.s[i] == NULL;
	free(x.s);
	return t;
}

/* ---- main ---------------------------------------------------------- */

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: user_alloc strassen|tree|strings SIZE "
		    "WORKERS [RUNS]\n");
		return 2;
	}
	const char *k = argv[1];
	long size = atol(argv[2]);
	int runs = argc > 4 ? atoi(argv[4]) : 7;
	double (*run)(skua_pool *, long, int *) = strcmp(k, "strassen") == 0 ?
	    run_strassen : strcmp(k, "tree") == 0 ? run_tree :
	    strcmp(k, "strings") == 0 ? run_strings : NULL;
	if (run == NULL || size < 1 || runs < 1 || runs > 100 ||
	    (run == run_strassen && (size & (size - 1)) != 0)) {
		fprintf(stderr, "user_alloc: bad arguments\n");
		return 2;
	}
	skua_config cfg;
	skua_pool *p;
	skua_config_init(&cfg);
	cfg.workers = (unsigned)atoi(argv[3]);
	if (skua_pool_create(&cfg, &p) != 0)
		return 1;
	double t[101];
	int ok = 1;
	for (int i = 0; i <= runs && ok; i++)
		t[i] = run(p, size, &ok); /* t[0]: the warm-up */
	skua_pool_destroy(p);
	if (!ok) {
		fprintf(stderr, "user_alloc: %s %ld: WRONG ANSWER\n", k, size);
		return 1;
	}
	qsort(t + 1, (size_t)runs, sizeof *t, cmp);
	/* jemalloc defines mallctl; glibc does not. */
	const char *heap = dlsym(RTLD_DEFAULT, "mallctl") ? "jemalloc" :
	    "glibc";
	printf("%s %ld workers=%u malloc=%s median_ms=%.2f min_ms=%.2f "
	    "max_ms=%.2f\n", k, size, cfg.workers, heap,
	    t[1 + runs / 2] * 1e3, t[1] * 1e3, t[runs] * 1e3);
	return 0;
}
