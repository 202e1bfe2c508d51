/* SPDX-License-Identifier: BSD-2-Clause */
// bench/bench_skua.cc - Google Benchmark microbenchmarks of skua.
//
//   deque:    private push/pop, public push+take, steal (own deque and from
//             another thread)
//   fork/join: an empty fork+join, and fib(25) (cost per fork)
//   futures:  spawn+get of an empty task from a worker, and from an outside
//             thread to a warm pool and to a parked one
//   wake-up:  submit to a parked pool until the task starts
//   parallel: skua_parallel_map per-element cost by chunk size
//
// The measured loops are C (bench/micro.c); times are taken inside them
// and reported with UseManualTime, so entering the pool is not counted.
// Counters: ns_per_op (per fork, per steal, per element...).
// Run: cmake --build BUILD --target run-bench   (docs/benchmarks.md)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <vector>

#include "micro.h"

namespace {

skua_pool *pool(unsigned workers)
{
	static std::map<unsigned, skua_pool *> pools;
	auto it = pools.find(workers);
	if (it != pools.end())
		return it->second;
	skua_config cfg;
	skua_config_init(&cfg);
	cfg.workers = workers;
	skua_pool *p = nullptr;
	if (skua_pool_create(&cfg, &p) != 0)
		abort();
	pools[workers] = p;
	return p;
}

void per_op(benchmark::State &st, double ops)
{
	st.counters["ns_per_op"] = benchmark::Counter(ops,
	    benchmark::Counter::kIsIterationInvariantRate |
	    benchmark::Counter::kInvert);
}

constexpr uint64_t kBatch = 4096;

void BM_deque_push_pop_private(benchmark::State &st)
{
	skua_pool *p = pool(1);
	for (auto _ : st)
		st.SetIterationTime(skbm_deque_push_pop(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_deque_push_pop_private)->UseManualTime();

void BM_deque_push_take_public(benchmark::State &st)
{
	skua_pool *p = pool(1);
	for (auto _ : st)
		st.SetIterationTime(skbm_deque_push_take_public(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_deque_push_take_public)->UseManualTime();

void BM_deque_steal_own(benchmark::State &st)
{
	skua_pool *p = pool(1);
	for (auto _ : st)
		st.SetIterationTime(skbm_deque_steal(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_deque_steal_own)->UseManualTime();

void BM_deque_steal_remote(benchmark::State &st)
{
	skua_pool *p = pool(1);
	for (auto _ : st)
		st.SetIterationTime(skbm_deque_steal_remote(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_deque_steal_remote)->UseManualTime();

void BM_fork_join_empty(benchmark::State &st)
{
	skua_pool *p = pool(1);
	for (auto _ : st)
		st.SetIterationTime(skbm_fork_join_empty(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_fork_join_empty)->UseManualTime();

// fib(25): 121392 forks; ns_per_op is the whole time per fork.
void BM_fork_join_fib25(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	uint64_t forks = 0;
	for (auto _ : st)
		st.SetIterationTime(skbm_fork_join_fib(p, 25, &forks));
	st.SetItemsProcessed(st.iterations() * (int64_t)forks);
}
BENCHMARK(BM_fork_join_fib25)->Arg(1)->Arg(2)->UseManualTime();

void BM_fib25_serial(benchmark::State &st)
{
	for (auto _ : st)
		st.SetIterationTime(skbm_fib_serial(25));
	st.SetItemsProcessed(st.iterations() * 121392);
}
BENCHMARK(BM_fib25_serial)->UseManualTime();

void BM_spawn_get_from_worker(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	for (auto _ : st)
		st.SetIterationTime(skbm_spawn_get_worker(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_spawn_get_from_worker)->Arg(1)->Arg(2)->UseManualTime();

void BM_spawn_get_outside_warm(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	for (auto _ : st)
		st.SetIterationTime(skbm_spawn_get_outside(p));
	st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_spawn_get_outside_warm)->Arg(1)->Arg(2)->UseManualTime();

void BM_spawn_blocking_get(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	for (auto _ : st)
		st.SetIterationTime(skbm_spawn_blocking_get(p));
	st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_spawn_blocking_get)->Arg(2)->UseManualTime();

void BM_blocking_begin_end(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	for (auto _ : st)
		st.SetIterationTime(skbm_blocking_begin_end(p, kBatch));
	st.SetItemsProcessed(st.iterations() * kBatch);
}
BENCHMARK(BM_blocking_begin_end)->Arg(2)->UseManualTime();

void BM_spawn_get_outside_parked(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	for (auto _ : st) {
		skbm_wait_parked(p); // not timed: manual time below
		st.SetIterationTime(skbm_spawn_get_outside(p));
	}
	st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_spawn_get_outside_parked)->Arg(1)->Arg(2)->UseManualTime()
    ->Iterations(200);

void BM_wake_latency_parked(benchmark::State &st)
{
	skua_pool *p = pool((unsigned)st.range(0));
	for (auto _ : st) {
		skbm_wait_parked(p);
		st.SetIterationTime(skbm_wake_latency(p));
	}
}
BENCHMARK(BM_wake_latency_parked)->Arg(1)->Arg(2)->UseManualTime()
    ->Iterations(200);

// parallel_map of out = in + 1 over 2^20 ints, by chunk size (0 = auto).
void BM_parallel_map_chunk(benchmark::State &st)
{
	const size_t n = 1 << 20;
	static std::vector<int> in(n, 1), out(n);
	skua_pool *p = pool((unsigned)st.range(1));
	size_t chunk = (size_t)st.range(0);
	if (skbm_parallel_map(p, in.data(), out.data(), 1, 0) < 0) {
		st.SkipWithError("built without skua/parallel.h");
		return;
	}
	for (auto _ : st)
		st.SetIterationTime(skbm_parallel_map(p, in.data(), out.data(),
		    n, chunk));
	if (!std::all_of(out.begin(), out.end(), [](int v) { return v == 2; }))
		st.SkipWithError("wrong result");
	st.SetItemsProcessed(st.iterations() * (int64_t)n);
	per_op(st, (double)n);
}
BENCHMARK(BM_parallel_map_chunk)
    ->ArgsProduct({ { 0, 1, 16, 256, 4096, 65536 }, { 1, 2 } })
    ->ArgNames({ "chunk", "workers" })->UseManualTime();

} // namespace

BENCHMARK_MAIN();
