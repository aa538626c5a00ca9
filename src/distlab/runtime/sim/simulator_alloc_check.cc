// The simulator's hot path does not allocate: once a run has reached its peak number
// of pending events, handling more events allocates nothing (with tracing off).
// Built as its own test binary (distlab_alloc_tests): it replaces operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "distlab/algo/lamport/lamport.h"
#include "distlab/runtime/sim/simulator.h"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

// Count every allocation in this test binary (replaceable global operator new).
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace distlab::sim {
namespace {

std::uint64_t allocations_during_steady_state(const Latency& latency, bool fifo) {
  lamport::Options options;
  options.random_mode = true;
  options.actions = 1'000'000'000;  // never runs out during the test
  SimConfig config{.seed = 5, .first_id = 1, .node_count = 16};
  config.network.defaults.latency = latency;
  config.network.fifo = fifo;
  Simulator<lamport::LamportNode> sim(config, [&options](NodeId id) { return lamport::LamportNode(id, options); });
  for (int i = 0; i < 200'000; ++i) EXPECT_TRUE(sim.step());  // warm up to the peak
  const std::uint64_t before = g_allocations.load();
  for (int i = 0; i < 200'000; ++i) EXPECT_TRUE(sim.step());
  const std::uint64_t after = g_allocations.load();
  EXPECT_GT(sim.stats().delivered, 100'000u);
  return after - before;
}

TEST(SimulatorAllocationTest, ConstantLatencyRunAllocatesNothingPerEvent) {
  EXPECT_EQ(allocations_during_steady_state(Latency::constant(5 * kMillisecond), true), 0u);
}

TEST(SimulatorAllocationTest, FifoUnderRandomLatencyAllocatesNothingPerEvent) {
  EXPECT_EQ(allocations_during_steady_state(Latency::exponential(30 * kMillisecond), true), 0u);
}

TEST(SimulatorAllocationTest, NonFifoRunAllocatesNothingPerEvent) {
  EXPECT_EQ(allocations_during_steady_state(Latency::uniform(0, 80 * kMillisecond), false), 0u);
}

}  // namespace
}  // namespace distlab::sim
