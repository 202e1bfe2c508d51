/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernels/forkjoin.c - the fork/join kernels, fib, nqueens (bit-mask and
 * array board), utree and matmul, serial and on skua (kernels.h).
 *
 * Each fork/join kernel has the shape of the fib example in skua/task.h:
 * the task record lives on the forking frame's stack, the fork makes it
 * stealable, the join runs it inline when nobody stole it.  The serial
 * kernels are the same recursions with plain calls and no runtime.
 */
#define _GNU_SOURCE
#include "kernels.h"

#include <alloca.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double skb_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- fib ---------------------------------------------------------- */

long skb_fib_serial(int n)
{
	return n < 2 ? n : skb_fib_serial(n - 1) + skb_fib_serial(n - 2);
}

uint64_t skb_fib_forks(int n)
{
	/* calls(n) = 2*fib(n+1) - 1; one fork per call with n >= 2, i.e.
	 * per internal node: fib(n+1) - 1. */
	uint64_t a = 0, b = 1;
	for (int i = 0; i < n + 1; i++) {
		uint64_t t = a + b;
		a = b;
		b = t;
	}
	return a - 1;
}

void skb_fib_task_run(skua_worker *w, skua_task *t)
{
	skb_fib_task *f = (skb_fib_task *)t;
	f->r = skb_fib_fj(w, f->n);
}

long skb_fib_fj(skua_worker *w, int n)
{
	if (n < 2)
		return n;
	skb_fib_task a; /* skua_fork sets the header: no initializer */
	a.n = n - 1;
	skua_fork(w, &a.task, skb_fib_task_run);
	long b = skb_fib_fj(w, n - 2);
	skua_join_fn(w, &a.task, skb_fib_task_run);
	return a.r + b;
}

struct fib_call {
	int n;
	long r;
};

static void fib_entry(skua_worker *w, void *arg)
{
	struct fib_call *c = arg;
	c->r = skb_fib_fj(w, c->n);
}

long skb_fib_skua(skua_pool *p, int n)
{
	struct fib_call c = { .n = n, .r = 0 };
	int rc = skua_pool_run(p, fib_entry, &c);
	return rc != 0 ? rc : c.r;
}

/* ---- nqueens ------------------------------------------------------ */

/* Column by column: row is the number of queens placed so far. */
static long queens_ser(int n, int row, uint32_t cols, uint32_t d1,
    uint32_t d2)
{
	if (row == n)
		return 1;
	long total = 0;
	for (int c = 0; c < n; c++) {
		uint32_t bc = 1u << c, b1 = 1u << (row + c),
		    b2 = 1u << (row - c + n - 1);
		if ((cols & bc) || (d1 & b1) || (d2 & b2))
			continue;
		total += queens_ser(n, row + 1, cols | bc, d1 | b1, d2 | b2);
	}
	return total;
}

long skb_queens_serial(int n)
{
	return queens_ser(n, 0, 0, 0, 0);
}

static uint64_t queens_nodes(int n, int row, uint32_t cols, uint32_t d1,
    uint32_t d2)
{
	if (row == n)
		return 0;
	uint64_t total = 0;
	for (int c = 0; c < n; c++) {
		uint32_t bc = 1u << c, b1 = 1u << (row + c),
		    b2 = 1u << (row - c + n - 1);
		if ((cols & bc) || (d1 & b1) || (d2 & b2))
			continue;
		total += 1 + queens_nodes(n, row + 1, cols | bc, d1 | b1,
		    d2 | b2);
	}
	return total;
}

uint64_t skb_queens_forks(int n)
{
	return queens_nodes(n, 0, 0, 0, 0);
}

long skb_queens_known(int n)
{
	static const long a000170[] = { 1, 1, 0, 0, 2, 10, 4, 40, 92, 352,
		724, 2680, 14200, 73712, 365596, 2279184, 14772512 };
	if (n < 0 || n >= (int)(sizeof a000170 / sizeof a000170[0]))
		return -1;
	return a000170[n];
}

typedef struct {
	skua_task task;
	int n, row;
	uint32_t cols, d1, d2;
	long count;
} q_task;

static long queens_fj(skua_worker *w, int n, int row, uint32_t cols,
    uint32_t d1, uint32_t d2);

static void queens_run(skua_worker *w, skua_task *t)
{
	q_task *q = (q_task *)t;
	q->count = queens_fj(w, q->n, q->row, q->cols, q->d1, q->d2);
}

static long queens_fj(skua_worker *w, int n, int row, uint32_t cols,
    uint32_t d1, uint32_t d2)
{
	if (row == n)
		return 1;
	q_task ts[16]; /* at most n <= 16 children, as the autotask kernel */
	int k = 0;
	for (int c = 0; c < n; c++) {
		uint32_t bc = 1u << c, b1 = 1u << (row + c),
		    b2 = 1u << (row - c + n - 1);
		if ((cols & bc) || (d1 & b1) || (d2 & b2))
			continue;
		ts[k].n = n;
		ts[k].row = row + 1;
		ts[k].cols = cols | bc;
		ts[k].d1 = d1 | b1;
		ts[k].d2 = d2 | b2;
		skua_fork(w, &ts[k].task, queens_run);
		k++;
	}
	long total = 0;
	while (k > 0) {
		k--;
		skua_join_fn(w, &ts[k].task, queens_run);
		total += ts[k].count;
	}
	return total;
}

struct q_call {
	int n;
	long r;
};

static void queens_entry(skua_worker *w, void *arg)
{
	struct q_call *c = arg;
	c->r = queens_fj(w, c->n, 0, 0, 0, 0);
}

long skb_queens_skua(skua_pool *p, int n)
{
	if (n < 1 || n > 16)
		return -EINVAL;
	struct q_call c = { .n = n, .r = 0 };
	int rc = skua_pool_run(p, queens_entry, &c);
	return rc != 0 ? rc : c.r;
}

/* ---- nqueens, the peers' array board ------------------------------ */

/* j queens placed in a[0..j); each child its own copy with row j set.
 * The shape of Lace's and BOTS' kernel, as bench/forkjoin_peers.c had it:
 * keep it so, its figures are set beside theirs. */
static long qa_ser(int n, int j, const char *a)
{
	if (n == j)
		return 1;
	long res = 0;
	for (int i = 0; i < n; i++) {
		char *b = alloca((size_t)j + 1);
		memcpy(b, a, (size_t)j);
		b[j] = (char)i;
		if (skb_queens_ok(j + 1, b))
			res += qa_ser(n, j + 1, b);
	}
	return res;
}

long skb_queens_array_serial(int n)
{
	char empty[1] = { 0 };
	return qa_ser(n, 0, empty);
}

typedef struct {
	skua_task task;
	int n, j;
	char *a;
	long r;
} qa_task;

static long qa_fj(skua_worker *w, int n, int j, char *a);
static void qa_run(skua_worker *w, skua_task *t)
{
	qa_task *q = (qa_task *)t;
	q->r = qa_fj(w, q->n, q->j, q->a);
}
static long qa_fj(skua_worker *w, int n, int j, char *a)
{
	if (n == j)
		return 1;
	qa_task kids[32];
	int k = 0;
	for (int i = 0; i < n; i++) {
		char *b = alloca((size_t)j + 1);
		memcpy(b, a, (size_t)j);
		b[j] = (char)i;
		if (!skb_queens_ok(j + 1, b))
			continue;
		kids[k].n = n; /* skua_fork sets the header */
		kids[k].j = j + 1;
		kids[k].a = b;
		skua_fork(w, &kids[k].task, qa_run);
		k++;
	}
	long res = 0;
	while (k-- > 0) {
		skua_join_fn(w, &kids[k].task, qa_run);
		res += kids[k].r;
	}
	return res;
}

long skb_queens_array_fj(skua_worker *w, int n)
{
	char empty[1] = { 0 };
	return qa_fj(w, n, 0, empty);
}

static void qa_entry(skua_worker *w, void *arg)
{
	struct q_call *c = arg;
	c->r = skb_queens_array_fj(w, c->n);
}

long skb_queens_array_skua(skua_pool *p, int n)
{
	if (n < 1 || n > 32)
		return -EINVAL;
	struct q_call c = { .n = n, .r = 0 };
	int rc = skua_pool_run(p, qa_entry, &c);
	return rc != 0 ? rc : c.r;
}

/* ---- utree -------------------------------------------------------- */

static inline uint64_t utree_child(uint64_t s, int i)
{
	return skb_splitmix64(s ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL));
}

static inline int utree_has_children(uint64_t s, uint32_t q)
{
	return skb_splitmix64(s) % 1000000u < q;
}

static long utree_ser(uint64_t s, uint32_t q)
{
	long n = 1;
	if (utree_has_children(s, q))
		for (int i = 0; i < 5; i++)
			n += utree_ser(utree_child(s, i), q);
	return n;
}

long skb_utree_serial(uint32_t q)
{
	long n = 1;
	for (int i = 0; i < SKB_UTREE_ROOT_CHILDREN; i++)
		n += utree_ser(utree_child(SKB_UTREE_SEED, i), q);
	return n;
}

typedef struct {
	skua_task task;
	uint64_t s;
	uint32_t q;
	long count;
} ut_task;

static void utree_run(skua_worker *w, skua_task *t);

static long utree_fj(skua_worker *w, uint64_t s, uint32_t q)
{
	long n = 1;
	if (utree_has_children(s, q)) {
		ut_task ts[5];
		for (int i = 0; i < 5; i++) {
			ts[i].s = utree_child(s, i);
			ts[i].q = q;
			skua_fork(w, &ts[i].task, utree_run);
		}
		for (int i = 4; i >= 0; i--) {
			skua_join_fn(w, &ts[i].task, utree_run);
			n += ts[i].count;
		}
	}
	return n;
}

static void utree_run(skua_worker *w, skua_task *t)
{
	ut_task *u = (ut_task *)t;
	u->count = utree_fj(w, u->s, u->q);
}

struct ut_call {
	uint32_t q;
	long r;
	ut_task *root; /* SKB_UTREE_ROOT_CHILDREN records */
};

static void utree_entry(skua_worker *w, void *arg)
{
	struct ut_call *c = arg;
	long n = 1;
	for (int i = 0; i < SKB_UTREE_ROOT_CHILDREN; i++) {
		c->root[i].s = utree_child(SKB_UTREE_SEED, i);
		c->root[i].q = c->q;
		skua_fork(w, &c->root[i].task, utree_run);
	}
	for (int i = SKB_UTREE_ROOT_CHILDREN - 1; i >= 0; i--) {
		skua_join_fn(w, &c->root[i].task, utree_run);
		n += c->root[i].count;
	}
	c->r = n;
}

long skb_utree_skua(skua_pool *p, uint32_t q)
{
	/* The root's 2000 records (64 KiB) would fit a worker's stack too;
	 * the heap keeps sanitizer builds' larger frames comfortable. */
	ut_task *root = calloc(SKB_UTREE_ROOT_CHILDREN, sizeof *root);
	if (root == NULL)
		return -ENOMEM;
	struct ut_call c = { .q = q, .r = 0, .root = root };
	int rc = skua_pool_run(p, utree_entry, &c);
	free(root);
	return rc != 0 ? rc : c.r;
}

/* ---- matmul ------------------------------------------------------- */

void skb_matmul_block(const double *restrict a, const double *restrict b,
    double *restrict c, size_t m, size_t nn, size_t k, size_t ld)
{
	for (size_t i = 0; i < m; i++)
		for (size_t kk = 0; kk < k; kk++) {
			double aik = a[i * ld + kk];
			const double *brow = b + kk * ld;
			double *crow = c + i * ld;
			for (size_t j = 0; j < nn; j++)
				crow[j] += aik * brow[j];
		}
}

void skb_matmul_serial(size_t n, const double *restrict a,
    const double *restrict b, double *restrict c)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < n; k++) {
			double aik = a[i * n + k];
			for (size_t j = 0; j < n; j++)
				c[i * n + j] += aik * b[k * n + j];
		}
}

typedef struct {
	skua_task task;
	const double *a, *b;
	double *c;
	size_t m, n, k, ld;
} mm_task;

static void mm_fj(skua_worker *w, const double *a, const double *b,
    double *c, size_t m, size_t n, size_t k, size_t ld);

static void mm_run(skua_worker *w, skua_task *t)
{
	mm_task *x = (mm_task *)t;
	mm_fj(w, x->a, x->b, x->c, x->m, x->n, x->k, x->ld);
}

/* C[m x n] += A[m x k] * B[k x n], all with leading dimension ld; the
 * decomposition is skb_matmul_split()'s. */
static void mm_fj(skua_worker *w, const double *a, const double *b,
    double *c, size_t m, size_t n, size_t k, size_t ld)
{
	size_t h;
	mm_task t;

	switch (skb_matmul_split(m, n, k)) {
	case SKB_MM_LEAF:
		skb_matmul_block(a, b, c, m, n, k, ld);
		break;
	case SKB_MM_SPLIT_N:
		h = n / 2;
		t = (mm_task){ .a = a, .b = b, .c = c, .m = m, .n = h, .k = k,
			.ld = ld };
		skua_fork(w, &t.task, mm_run);
		mm_fj(w, a, b + h, c + h, m, n - h, k, ld);
		skua_join_fn(w, &t.task, mm_run);
		break;
	case SKB_MM_SPLIT_M:
		h = m / 2;
		t = (mm_task){ .a = a, .b = b, .c = c, .m = h, .n = n, .k = k,
			.ld = ld };
		skua_fork(w, &t.task, mm_run);
		mm_fj(w, a + h * ld, b, c + h * ld, m - h, n, k, ld);
		skua_join_fn(w, &t.task, mm_run);
		break;
	default:
		h = k / 2;
		mm_fj(w, a, b, c, m, n, h, ld);
		mm_fj(w, a + h, b + h * ld, c, m, n, k - h, ld);
		break;
	}
}

struct mm_call {
	size_t n;
	const double *a, *b;
	double *c;
};

static void mm_entry(skua_worker *w, void *arg)
{
	struct mm_call *x = arg;
	mm_fj(w, x->a, x->b, x->c, x->n, x->n, x->n, x->n);
}

int skb_matmul_skua(skua_pool *p, size_t n, const double *a, const double *b,
    double *c)
{
	struct mm_call x = { .n = n, .a = a, .b = b, .c = c };
	return skua_pool_run(p, mm_entry, &x);
}
