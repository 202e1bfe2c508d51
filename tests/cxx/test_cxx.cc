// SPDX-License-Identifier: BSD-2-Clause
// skua from C++ (issue 17): futures, parallel_for with a lambda through a
// captureless trampoline, and fork/join (skua_fork / skua_join_fn), built
// with C++17 and C++20 by g++ and clang++ (tests/cxx.cmake).  Real
// answers: fib(25) = 75025 by fork/join, a sum by parallel_for, futures'
// results.
#include <skua.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define CHECK(e)                                                            \
	do {                                                                \
		if (!(e)) {                                                 \
			std::fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__,   \
			    __LINE__, #e);                                  \
			std::exit(1);                                       \
		}                                                           \
	} while (0)

struct fib_task {
	skua_task task; // first member, as in C
	int n;
	long r;
};

static long fib(skua_worker *w, int n);

static void fib_run(skua_worker *w, skua_task *t)
{
	fib_task *f = reinterpret_cast<fib_task *>(t);
	f->r = fib(w, f->n);
}

static long fib(skua_worker *w, int n)
{
	if (n < 2)
		return n;
	fib_task a{};
	a.n = n - 1;
	skua_fork(w, &a.task, fib_run);
	long b = fib(w, n - 2);
	skua_join_fn(w, &a.task, fib_run);
	return a.r + b;
}

// A C++ callable through skua's C function pointer: the trampoline is a
// captureless lambda (it converts to a plain function pointer), the
// closure travels in ctx.
template <class F>
static int parallel_for(skua_pool *p, size_t lo, size_t hi, F &&f)
{
	auto tramp = [](size_t a, size_t b, void *ctx) {
		(*static_cast<F *>(ctx))(a, b);
	};
	return skua_parallel_for(p, lo, hi, nullptr, tramp, &f);
}

int main()
{
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = 2;
	skua_pool *p = nullptr;
	CHECK(skua_pool_create(&cfg, &p) == 0);

	long r = 0;
	auto entry = [](skua_worker *w, void *arg) {
		*static_cast<long *>(arg) = fib(w, 25);
	};
	CHECK(skua_pool_run(p, entry, &r) == 0);
	CHECK(r == 75025);

	std::atomic<uint64_t> sum{0};
	CHECK(parallel_for(p, 0, 100000, [&](size_t a, size_t b) {
		uint64_t s = 0;
		for (size_t i = a; i < b; i++)
			s += i;
		sum += s;
	}) == 0);
	CHECK(sum.load() == 99999ull * 100000 / 2);

	skua_future *fs[8];
	for (intptr_t i = 0; i < 8; i++) {
		auto twice = [](void *a) -> void * {
			return reinterpret_cast<void *>(
			    reinterpret_cast<intptr_t>(a) * 2);
		};
		CHECK(skua_spawn(p, twice, reinterpret_cast<void *>(i),
		    &fs[i]) == 0);
	}
	CHECK(skua_future_wait_all(fs, 8) == 0);
	for (intptr_t i = 0; i < 8; i++) {
		void *v = nullptr;
		CHECK(skua_future_get(fs[i], &v) == 0);
		CHECK(reinterpret_cast<intptr_t>(v) == 2 * i);
		skua_future_release(fs[i]);
	}
	CHECK(skua_pool_destroy(p) == 0);
	std::printf("C++%ld: fork/join, parallel_for with a lambda, futures: "
	    "ok\n", static_cast<long>(__cplusplus / 100 % 100));
	return 0;
}
