// FIFO bookkeeping under a random latency: one arrival per send, on `links` distinct
// links in flight at once among 5,000 nodes (the sparse table; a 5,000-node Bully
// election has 12.5 million), time moving on so that old links are let go.
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter=FifoLinks
#include <benchmark/benchmark.h>

#include "distlab/core/random.h"
#include "distlab/runtime/sim/fifo_links.h"

namespace distlab::sim {
namespace {

void BM_FifoLinksSparse(benchmark::State& state) {
  constexpr std::uint32_t kNodes = 5000;
  const auto links = static_cast<std::uint64_t>(state.range(0));
  FifoLinks fifo(1, kNodes);
  Rng rng(1);
  Nanos now = 0;
  std::uint64_t sent = 0;
  for (auto _ : state) {
    // A latency of up to 1,000 time units and `links` sends per 1,000: about `links` in flight.
    if (++sent % links == 0) now += 1000;
    const auto from = static_cast<NodeId>(1 + rng.uniform(kNodes));
    const auto to = static_cast<NodeId>(1 + rng.uniform(kNodes));
    benchmark::DoNotOptimize(fifo.arrival(from, to, now + static_cast<Nanos>(rng.uniform(1000)), now));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FifoLinksSparse)->Arg(1'000)->Arg(1'000'000);

}  // namespace
}  // namespace distlab::sim
