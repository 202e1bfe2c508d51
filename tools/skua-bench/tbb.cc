/* SPDX-License-Identifier: BSD-2-Clause */
// tools/skua-bench/tbb.cc - the workloads on oneTBB, for --compare.
//
// Compiled only when CMake's find_package(TBB) found oneTBB (libtbb-dev;
// checked with Debian 12's oneTBB 2021.8).  A task_group per fork (fib,
// nqueens, nqueens-array, utree, matmul), parallel_reduce for primes and parallel_for for
// map, each inside a task_arena of `threads`.
//
// Like skua's pool and libgomp's threads, the arena of each thread count is
// made once and kept: the warm-up run pays for its start, not every timed
// run.  A global_control raises TBB's limit (the CPU count) when more
// threads are asked for, as OpenMP's num_threads would give them.
#include "peers.h"
#include "kernels.h"

#include <alloca.h>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>
#include <vector>

namespace {

long fib_t(int n)
{
	if (n < 2)
		return n;
	long a = 0;
	tbb::task_group g;
	g.run([&] { a = fib_t(n - 1); });
	long b = fib_t(n - 2);
	g.wait();
	return a + b;
}

long queens_t(int n, int row, uint32_t cols, uint32_t d1, uint32_t d2)
{
	if (row == n)
		return 1;
	long counts[32] = { 0 };
	int k = 0;
	tbb::task_group g;
	for (int c = 0; c < n; c++) {
		uint32_t bc = 1u << c, b1 = 1u << (row + c),
			 b2 = 1u << (row - c + n - 1);
		if ((cols & bc) || (d1 & b1) || (d2 & b2))
			continue;
		long *out = &counts[k++];
		g.run([=] { *out = queens_t(n, row + 1, cols | bc, d1 | b1,
				d2 | b2); });
	}
	g.wait();
	long total = 0;
	for (int i = 0; i < k; i++)
		total += counts[i];
	return total;
}

// The peers' array board: each child its own copy (alloca in this frame,
// alive until g.wait()).
long queens_array_t(int n, int j, const char *a)
{
	if (n == j)
		return 1;
	long counts[32] = { 0 };
	int k = 0;
	tbb::task_group g;
	for (int i = 0; i < n; i++) {
		char *b = static_cast<char *>(alloca((size_t)j + 1));
		std::memcpy(b, a, (size_t)j);
		b[j] = (char)i;
		if (!skb_queens_ok(j + 1, b))
			continue;
		long *out = &counts[k++];
		g.run([=] { *out = queens_array_t(n, j + 1, b); });
	}
	g.wait();
	long total = 0;
	for (int i = 0; i < k; i++)
		total += counts[i];
	return total;
}

uint64_t child(uint64_t s, int i)
{
	return skb_splitmix64(s ^ ((uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL));
}

long utree_t(uint64_t s, uint32_t q)
{
	long n = 1;
	if (skb_splitmix64(s) % 1000000u < q) {
		long c[5] = { 0 };
		tbb::task_group g;
		for (int i = 0; i < 5; i++) {
			uint64_t cs = child(s, i);
			long *out = &c[i];
			g.run([=] { *out = utree_t(cs, q); });
		}
		g.wait();
		for (int i = 0; i < 5; i++)
			n += c[i];
	}
	return n;
}

void mm_t(const double *a, const double *b, double *c, size_t m, size_t n,
    size_t k, size_t ld)
{
	size_t h;
	switch (skb_matmul_split(m, n, k)) {
	case SKB_MM_LEAF:
		skb_matmul_block(a, b, c, m, n, k, ld);
		break;
	case SKB_MM_SPLIT_N: {
		tbb::task_group g; // not at the leaves: it costs a context
		h = n / 2;
		g.run([=] { mm_t(a, b, c, m, h, k, ld); });
		mm_t(a, b + h, c + h, m, n - h, k, ld);
		g.wait();
		break;
	}
	case SKB_MM_SPLIT_M: {
		tbb::task_group g;
		h = m / 2;
		g.run([=] { mm_t(a, b, c, h, n, k, ld); });
		mm_t(a + h * ld, b, c + h * ld, m - h, n, k, ld);
		g.wait();
		break;
	}
	default:
		h = k / 2;
		mm_t(a, b, c, m, n, h, ld);
		mm_t(a + h, b + h * ld, c, m, n, k - h, ld);
		break;
	}
}

// The arena of `threads` (one slot for the calling thread, threads - 1 for
// TBB's workers), kept for the process.  skua-bench calls from one thread.
tbb::task_arena &arena_of(unsigned threads)
{
	static std::mutex lock;
	static std::map<unsigned, std::unique_ptr<tbb::task_arena>> arenas;
	static std::unique_ptr<tbb::global_control> limit;
	static size_t limit_value;
	std::lock_guard<std::mutex> hold(lock);

	if (threads < 1)
		threads = 1;
	size_t deflt = tbb::global_control::active_value(
	    tbb::global_control::max_allowed_parallelism);
	if (threads > deflt && threads > limit_value) {
		limit.reset(); // one limit at a time: TBB uses the lowest
		limit.reset(new tbb::global_control(
		    tbb::global_control::max_allowed_parallelism, threads));
		limit_value = threads;
	}
	std::unique_ptr<tbb::task_arena> &a = arenas[threads];
	if (!a) {
		a.reset(new tbb::task_arena((int)threads));
		a->initialize();
	}
	return *a;
}

template <typename F> auto in_arena(unsigned threads, F f) -> decltype(f())
{
	return arena_of(threads).execute(f);
}

} // namespace

extern "C" {

int skb_tbb_available(void)
{
	return 1;
}

long skb_tbb_fib(unsigned threads, int n)
{
	return in_arena(threads, [=] { return fib_t(n); });
}

long skb_tbb_queens(unsigned threads, int n)
{
	return in_arena(threads, [=] { return queens_t(n, 0, 0, 0, 0); });
}

long skb_tbb_queens_array(unsigned threads, int n)
{
	return in_arena(threads, [=] {
		char empty[1] = { 0 };
		return queens_array_t(n, 0, empty);
	});
}

long skb_tbb_utree(unsigned threads, uint32_t q)
{
	return in_arena(threads, [=] {
		std::vector<long> c(SKB_UTREE_ROOT_CHILDREN, 0);
		tbb::task_group g;
		for (int i = 0; i < SKB_UTREE_ROOT_CHILDREN; i++) {
			uint64_t cs = child(SKB_UTREE_SEED, i);
			long *out = &c[i];
			g.run([=] { *out = utree_t(cs, q); });
		}
		g.wait();
		long r = 1;
		for (long x : c)
			r += x;
		return r;
	});
}

long skb_tbb_primes(unsigned threads, uint64_t n)
{
	return in_arena(threads, [=] {
		return tbb::parallel_reduce(
		    tbb::blocked_range<uint64_t>(1, n), 0L,
		    [](const tbb::blocked_range<uint64_t> &r, long acc) {
			    for (uint64_t i = r.begin(); i != r.end(); i++)
				    acc += skb_is_prime(i);
			    return acc;
		    },
		    std::plus<long>());
	});
}

void skb_tbb_map(unsigned threads, size_t n, double a, const double *x,
    double *y)
{
	in_arena(threads, [=] {
		tbb::parallel_for(tbb::blocked_range<size_t>(0, n),
		    [=](const tbb::blocked_range<size_t> &r) {
			    for (size_t i = r.begin(); i != r.end(); i++)
				    y[i] = a * x[i] + y[i];
		    });
	});
}

void skb_tbb_matmul(unsigned threads, size_t n, const double *a,
    const double *b, double *c)
{
	in_arena(threads, [=] { mm_t(a, b, c, n, n, n, n); });
}

} // extern "C"
