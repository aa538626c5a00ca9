// The event queue: a constant latency (every push after the last: the ring) and a
// random one (the heap), at a given number of pending events.
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter=EventQueue
#include <benchmark/benchmark.h>

#include "distlab/core/random.h"
#include "distlab/runtime/sim/event_queue.h"

namespace distlab::sim {
namespace {

// Steady state: pop the next event, push one `delay` later, with `pending` in the queue.
template <bool kRandomDelay>
void BM_EventQueuePopPush(benchmark::State& state) {
  const auto pending = static_cast<std::uint32_t>(state.range(0));
  EventQueue q;
  Rng rng(1);
  for (std::uint32_t i = 0; i < pending; ++i) {
    q.push({.t = static_cast<Nanos>(kRandomDelay ? rng.uniform(1000) : 0), .seq = q.next_seq(), .slot = i, .kind = 0});
  }
  for (auto _ : state) {
    const QueuedEvent e = q.pop();
    const Nanos delay = kRandomDelay ? static_cast<Nanos>(1 + rng.uniform(1000)) : 1000;
    q.push({.t = e.t + delay, .seq = q.next_seq(), .slot = e.slot, .kind = e.kind});
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EventQueuePopPush<false>)->Name("BM_EventQueueConstantDelay")->Arg(16)->Arg(100'000)->Arg(1'000'000);
BENCHMARK(BM_EventQueuePopPush<true>)->Name("BM_EventQueueRandomDelay")->Arg(16)->Arg(100'000)->Arg(1'000'000);

}  // namespace
}  // namespace distlab::sim
