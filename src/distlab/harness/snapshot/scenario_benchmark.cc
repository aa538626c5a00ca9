// How long a snapshot of a large system takes to simulate.
//
//   make bench   (or build-bench/bench/distlab_benchmarks --benchmark_filter=Snapshot)
#include <benchmark/benchmark.h>

#include "distlab/harness/lamport/scenario.h"
#include "distlab/harness/snapshot/scenario.h"
#include "distlab/trace/trace.h"

namespace distlab::harness {
namespace {

SnapshotScenario large(std::uint32_t nodes, std::uint32_t snapshots) {
  return SnapshotScenario{.seed = 1,
                          .nodes = nodes,
                          .scenario = "bank",
                          .topology = "random",
                          .initiator = 1,
                          .snapshots = snapshots,
                          .messages = 10};
}

// The whole run: 10 transfers per node plus the snapshots, nothing traced.
void BM_SnapshotRandomTopology(benchmark::State& state) {
  const SnapshotScenario s = large(static_cast<std::uint32_t>(state.range(0)), 1);
  SnapshotOutcome out;
  for (auto _ : state) {
    out = run_snapshot_scenario(s, nullptr);
    benchmark::DoNotOptimize(out.stats.events);
  }
  state.counters["events"] = static_cast<double>(out.stats.events);
  state.counters["markers"] = static_cast<double>(out.channels);  // one per channel per snapshot
}
BENCHMARK(BM_SnapshotRandomTopology)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// The same with every event recorded in memory, as `distlab snapshot` does for its checks.
void BM_SnapshotRandomTopologyRecorded(benchmark::State& state) {
  const SnapshotScenario s = large(static_cast<std::uint32_t>(state.range(0)), 1);
  for (auto _ : state) {
    trace::Recorder recorder({.algorithm = "snapshot", .mode = "sim", .seed = s.seed, .nodes = node_ids(s.nodes)});
    run_snapshot_scenario(s, &recorder);
    benchmark::DoNotOptimize(recorder.trace().events.size());
  }
}
BENCHMARK(BM_SnapshotRandomTopologyRecorded)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace distlab::harness
