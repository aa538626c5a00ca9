// The clocks: a Lamport receive, and a vector clock send/receive at N entries.
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter=Clock
#include <benchmark/benchmark.h>

#include "distlab/clock/lamport_clock.h"
#include "distlab/clock/vector_clock.h"

namespace distlab {
namespace {

void BM_LamportClockReceive(benchmark::State& state) {
  LamportClock a;
  LamportClock b;
  for (auto _ : state) {
    b.receive(a.send());
    benchmark::DoNotOptimize(b);
    std::swap(a, b);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LamportClockReceive);

// Two nodes that both know all N entries exchange a message each iteration.
void BM_VectorClockSendReceive(benchmark::State& state) {
  const auto n = static_cast<NodeId>(state.range(0));
  VectorClock a(1);
  VectorClock b(2);
  for (NodeId id = 1; id <= n; ++id) {
    a.set(id, 1);
    b.set(id, 1);
  }
  for (auto _ : state) {
    b.receive(a.send());
    benchmark::DoNotOptimize(b);
    std::swap(a, b);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_VectorClockSendReceive)->Arg(4)->Arg(64)->Arg(1024);

}  // namespace
}  // namespace distlab
