#include "distlab/runtime/sim/simulator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/trace.h"

namespace distlab::sim {
namespace {

// A test algorithm: logs what reaches it; sends and timers come from injections.
struct Ping {
  int value = 0;
};
std::string_view trace_type(const Ping&) { return "ping"; }

struct Delivery {
  Nanos t;
  NodeId from;
  NodeId to;
  int value;
};

struct Log {
  std::vector<Delivery> deliveries;
  std::vector<std::pair<Nanos, NodeId>> timers;  // (time, node) of each fired timer
  std::vector<NodeId> starts;
  std::vector<NodeId> recovers;
  std::vector<std::pair<int, int>> recovered_state;  // (received_, durable_) seen by on_recover
};

class Probe {
 public:
  using Message = Ping;
  static constexpr std::size_t kTimerTags = 2;
  static std::string_view timer_name(TimerTag tag) { return tag == 0 ? "zero" : "one"; }

  Probe(NodeId, Log* log) : log_(log) {}

  void on_start(Context<Ping>& ctx) { log_->starts.push_back(ctx.self()); }
  void on_message(Context<Ping>& ctx, NodeId from, const Ping& m) {
    ++received_;
    ++durable_;
    log_->deliveries.push_back({ctx.now(), from, ctx.self(), m.value});
  }
  void on_timer(Context<Ping>& ctx, TimerTag) { log_->timers.emplace_back(ctx.now(), ctx.self()); }
  void on_recover(Context<Ping>& ctx) {
    log_->recovers.push_back(ctx.self());
    log_->recovered_state.emplace_back(received_, durable_);
  }

  struct Durable {
    int count;
  };
  Durable durable() const { return {durable_}; }
  void restore(const Durable& d) { durable_ = d.count; }

  int received_ = 0;  // volatile: lost in a crash
  int durable_ = 0;   // survives crashes

 private:
  Log* log_;
};

// Keeps each event's JSONL line.
class Lines : public EventSink {
 public:
  void on_event(const Event& e) override { lines.push_back(trace::record_line(trace::to_record(e))); }
  std::vector<std::string> lines;
  std::size_t count(std::string_view needle) const {
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.find(needle) != std::string::npos;
    }));
  }
};

SimConfig config(std::uint32_t nodes, std::uint64_t seed = 1) {
  return SimConfig{.seed = seed, .first_id = 1, .node_count = nodes};
}

Simulator<Probe> make(SimConfig c, Log& log) {
  return Simulator<Probe>(std::move(c), [&log](NodeId id) { return Probe(id, &log); });
}

// Node `from` sends `count` pings to `to`, numbered 0.., at time `at`.
void send_burst(Simulator<Probe>& sim, Nanos at, NodeId from, NodeId to, int count, int first = 0) {
  sim.inject(at, from, [=](Probe&, Context<Ping>& ctx) {
    for (int i = 0; i < count; ++i) ctx.send(to, Ping{first + i});
  });
}

std::vector<int> values_at(const Log& log, NodeId to) {
  std::vector<int> out;
  for (const auto& d : log.deliveries) {
    if (d.to == to) out.push_back(d.value);
  }
  return out;
}

TEST(SimulatorTest, StartsEveryNodeInIdOrderAtTimeZero) {
  Log log;
  auto sim = make(config(4), log);
  sim.run();
  EXPECT_EQ(log.starts, (std::vector<NodeId>{1, 2, 3, 4}));
  EXPECT_EQ(sim.now(), 0);
}

TEST(SimulatorTest, DeliversAfterTheLatencyInSendOrder) {
  Log log;
  SimConfig c = config(3);
  c.network.defaults.latency = Latency::constant(5 * kMillisecond);
  auto sim = make(c, log);
  send_burst(sim, 10 * kMillisecond, 1, 2, 3);
  send_burst(sim, 10 * kMillisecond, 3, 2, 2, 100);
  sim.run();
  ASSERT_EQ(log.deliveries.size(), 5u);
  for (const auto& d : log.deliveries) EXPECT_EQ(d.t, 15 * kMillisecond);
  // Equal times: first scheduled, first handled.
  EXPECT_EQ(values_at(log, 2), (std::vector<int>{0, 1, 2, 100, 101}));
  EXPECT_EQ(sim.stats().delivered, 5u);
}

TEST(SimulatorTest, TimersFireReplaceAndCancel) {
  Log log;
  auto sim = make(config(2), log);
  sim.inject(0, 1, [](Probe&, Context<Ping>& ctx) {
    ctx.set_timer(10, 0);
    ctx.set_timer(20, 0);  // replaces the first
    ctx.set_timer(5, 1);
    ctx.cancel_timer(1);
  });
  sim.inject(0, 2, [](Probe&, Context<Ping>& ctx) { ctx.set_timer(7, 1); });
  sim.run();
  EXPECT_EQ(log.timers, (std::vector<std::pair<Nanos, NodeId>>{{7, 2}, {20, 1}}));
  EXPECT_EQ(sim.stats().timers_fired, 2u);
}

TEST(SimulatorTest, FifoKeepsLinkOrderUnderRandomLatency) {
  Log log;
  SimConfig c = config(2);
  c.network.defaults.latency = Latency::uniform(1 * kMillisecond, 50 * kMillisecond);
  auto sim = make(c, log);
  for (int i = 0; i < 200; ++i) send_burst(sim, i * 100 * kMicrosecond, 1, 2, 1, i);
  sim.run();
  const auto got = values_at(log, 2);
  ASSERT_EQ(got.size(), 200u);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
}

TEST(SimulatorTest, WithoutFifoMessagesOvertake) {
  Log log;
  SimConfig c = config(2);
  c.network.defaults.latency = Latency::uniform(1 * kMillisecond, 50 * kMillisecond);
  c.network.fifo = false;
  auto sim = make(c, log);
  for (int i = 0; i < 200; ++i) send_burst(sim, i * 100 * kMicrosecond, 1, 2, 1, i);
  sim.run();
  const auto got = values_at(log, 2);
  ASSERT_EQ(got.size(), 200u);
  EXPECT_FALSE(std::is_sorted(got.begin(), got.end()));
}

TEST(SimulatorTest, LossDropsAboutTheRequestedShareAndTracesIt) {
  Log log;
  Lines lines;
  SimConfig c = config(2);
  c.network.defaults.loss = 0.3;
  c.sink = &lines;
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 10'000);
  sim.run();
  const auto lost = sim.stats().dropped_loss;
  EXPECT_GT(lost, 2'700u);
  EXPECT_LT(lost, 3'300u);
  EXPECT_EQ(log.deliveries.size() + lost, 10'000u);
  EXPECT_EQ(lines.count("\"reason\":\"loss\""), lost);
}

TEST(SimulatorTest, LossOneDropsEverything) {
  Log log;
  SimConfig c = config(2);
  c.network.defaults.loss = 1.0;
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 100);
  sim.run();
  EXPECT_TRUE(log.deliveries.empty());
  EXPECT_EQ(sim.stats().dropped_loss, 100u);
}

TEST(SimulatorTest, DuplicationDeliversTheSameMessageTwice) {
  Log log;
  Lines lines;
  SimConfig c = config(2);
  c.network.defaults.dup = 1.0;
  c.sink = &lines;
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 5);
  sim.run();
  EXPECT_EQ(log.deliveries.size(), 10u);
  EXPECT_EQ(sim.stats().duplicated, 5u);
  EXPECT_EQ(lines.count("\"kind\":\"send\""), 5u);
  EXPECT_EQ(lines.count("\"kind\":\"recv\",\"msg\":\"1.3\""), 2u);
}

TEST(SimulatorTest, PerLinkOverridesApplyToThatLinkOnly) {
  Log log;
  SimConfig c = config(3);
  c.network.links[{1, 2}] = LinkModel{.latency = Latency::constant(1 * kSecond), .loss = 0, .dup = 0};
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 1);
  send_burst(sim, 0, 1, 3, 1);
  send_burst(sim, 0, 2, 1, 1);
  sim.run();
  std::map<std::pair<NodeId, NodeId>, Nanos> at;
  for (const auto& d : log.deliveries) at[{d.from, d.to}] = d.t;
  EXPECT_EQ(at.at({1, 2}), kSecond);
  EXPECT_EQ(at.at({1, 3}), kMillisecond);
  EXPECT_EQ(at.at({2, 1}), kMillisecond);
}

TEST(SimulatorTest, TwoWayPartitionCutsAcrossGroupsDuringItsWindow) {
  Log log;
  Lines lines;
  SimConfig c = config(4);
  c.network.partitions.push_back(Partition::two_way({{1, 2}, {3, 4}}, 1 * kSecond, 2 * kSecond));
  c.sink = &lines;
  auto sim = make(c, log);
  for (Nanos at : {0 * kSecond, 1 * kSecond, 1500 * kMillisecond, 2 * kSecond}) {
    send_burst(sim, at, 1, 3, 1, static_cast<int>(at / kMillisecond));  // across
    send_burst(sim, at, 4, 2, 1, static_cast<int>(at / kMillisecond));  // across, other way
    send_burst(sim, at, 1, 2, 1, static_cast<int>(at / kMillisecond));  // within
  }
  sim.run();
  EXPECT_EQ(values_at(log, 3), (std::vector<int>{0, 2000}));
  // From 4 (across) only outside the window; from 1 (same group) always.
  EXPECT_EQ(values_at(log, 2), (std::vector<int>{0, 0, 1000, 1500, 2000, 2000}));
  EXPECT_EQ(sim.stats().dropped_partition, 4u);
  EXPECT_EQ(lines.count("\"reason\":\"partition\""), 4u);
}

TEST(SimulatorTest, OneWayPartitionCutsOneDirectionOnly) {
  Log log;
  SimConfig c = config(2);
  c.network.partitions.push_back(Partition::one_way({1}, {2}, 0, kNanosMax));
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 3);
  send_burst(sim, 0, 2, 1, 3);
  sim.run();
  EXPECT_TRUE(values_at(log, 2).empty());
  EXPECT_EQ(values_at(log, 1).size(), 3u);
}

TEST(SimulatorTest, CrashedNodeGetsNothingAndItsTimersAreVoid) {
  Log log;
  Lines lines;
  SimConfig c = config(2);
  c.faults.crash(2, 5 * kMillisecond);
  c.sink = &lines;
  auto sim = make(c, log);
  sim.inject(0, 2, [](Probe&, Context<Ping>& ctx) { ctx.set_timer(10 * kMillisecond, 0); });
  send_burst(sim, 1 * kMillisecond, 1, 2, 1, 1);   // arrives at 2ms: delivered
  send_burst(sim, 4 * kMillisecond, 1, 2, 1, 2);   // arrives at 5ms, after the crash: dropped
  send_burst(sim, 20 * kMillisecond, 1, 2, 1, 3);  // dropped
  sim.inject(30 * kMillisecond, 2, [](Probe&, Context<Ping>&) { FAIL() << "a crashed node ran"; });
  sim.run();
  EXPECT_EQ(values_at(log, 2), (std::vector<int>{1}));
  EXPECT_TRUE(log.timers.empty());
  EXPECT_EQ(sim.stats().dropped_crashed, 2u);
  EXPECT_FALSE(sim.is_up(2));
  EXPECT_EQ(lines.count("\"kind\":\"crash\""), 1u);
  EXPECT_EQ(lines.count("\"node\":2,\"kind\":\"drop\",\"msg\":\"1.2\",\"to\":2,\"type\":\"ping\",\"reason\":\"crashed\""), 1u);
}

TEST(SimulatorTest, RecoverRestartsWithFreshVolatileStateAndKeepsDurableState) {
  Log log;
  SimConfig c = config(2);
  c.faults.crash(2, 10 * kMillisecond);
  c.faults.recover(2, 20 * kMillisecond);
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 3);
  send_burst(sim, 30 * kMillisecond, 1, 2, 2, 10);
  sim.run();
  ASSERT_EQ(log.recovers, (std::vector<NodeId>{2}));
  // At on_recover the object is fresh (0 received) but the durable count is back (3).
  EXPECT_EQ(log.recovered_state.at(0), (std::pair<int, int>{0, 3}));
  EXPECT_EQ(sim.node(2).received_, 2);
  EXPECT_EQ(sim.node(2).durable_, 5);
  EXPECT_TRUE(sim.is_up(2));
}

TEST(SimulatorTest, MessageIdsStayUniqueAcrossACrash) {
  Log log;
  Lines lines;
  SimConfig c = config(2);
  c.faults.crash(1, 10 * kMillisecond);
  c.faults.recover(1, 20 * kMillisecond);
  c.sink = &lines;
  auto sim = make(c, log);
  send_burst(sim, 0, 1, 2, 2);
  send_burst(sim, 30 * kMillisecond, 1, 2, 2);
  sim.run();
  for (const char* id : {"1.1", "1.2", "1.3", "1.4"}) {
    EXPECT_EQ(lines.count(fmt::format("\"kind\":\"send\",\"msg\":\"{}\"", id)), 1u) << id;
  }
}

TEST(SimulatorTest, PauseHoldsEventsUntilItEndsAndKeepsTheirOrder) {
  Log log;
  SimConfig c = config(2);
  c.network.defaults.latency = Latency::uniform(1 * kMillisecond, 9 * kMillisecond);
  c.faults.pause(2, 5 * kMillisecond, 100 * kMillisecond);
  auto sim = make(c, log);
  for (int i = 0; i < 50; ++i) send_burst(sim, i * kMillisecond, 1, 2, 1, i);
  sim.inject(10 * kMillisecond, 2, [](Probe&, Context<Ping>& ctx) { ctx.set_timer(0, 0); });
  sim.run();
  const auto got = values_at(log, 2);
  ASSERT_EQ(got.size(), 50u);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));  // FIFO survives the pause
  for (const auto& d : log.deliveries) {
    EXPECT_TRUE(d.t < 5 * kMillisecond || d.t >= 105 * kMillisecond) << d.t;
  }
  ASSERT_EQ(log.timers.size(), 1u);
  EXPECT_EQ(log.timers[0].first, 105 * kMillisecond);
  EXPECT_GT(sim.stats().deferred, 0u);
}

TEST(SimulatorTest, UntilStopsTheRun) {
  Log log;
  SimConfig c = config(2);
  c.until_ns = 10 * kMillisecond;
  auto sim = make(c, log);
  for (int i = 0; i < 20; ++i) send_burst(sim, i * kMillisecond, 1, 2, 1, i);
  sim.run();
  EXPECT_EQ(log.deliveries.size(), 10u);  // sent at 0..9ms, delivered at 1..10ms
  EXPECT_LE(sim.now(), 10 * kMillisecond);
}

std::vector<std::string> traced_run(std::uint64_t seed) {
  Log log;
  Lines lines;
  SimConfig c = config(5, seed);
  c.network.defaults.latency = Latency::exponential(10 * kMillisecond);
  c.network.defaults.loss = 0.1;
  c.network.defaults.dup = 0.1;
  c.network.fifo = false;
  c.faults.crash(3, 50 * kMillisecond);
  c.faults.recover(3, 80 * kMillisecond);
  c.sink = &lines;
  auto sim = make(c, log);
  for (int i = 0; i < 100; ++i) {
    sim.inject(i * kMillisecond, 1 + i % 5, [](Probe&, Context<Ping>& ctx) {
      NodeId to = ctx.nodes()[ctx.random().uniform(ctx.nodes().size())];
      if (to == ctx.self()) to = to % 5 + 1;
      ctx.send(to, Ping{static_cast<int>(ctx.random().uniform(1000))});
    });
  }
  sim.run();
  return lines.lines;
}

TEST(SimulatorTest, SameSeedSameTraceDifferentSeedDifferentTrace) {
  const auto a = traced_run(11);
  const auto b = traced_run(11);
  const auto c = traced_run(12);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_GT(a.size(), 150u);
}

// Messages between five nodes, paced, with a pause; the network as `tweak` makes it.
std::vector<std::string> layered_run(std::uint64_t seed, bool reliable, Log& log,
                                     const std::function<void(SimConfig&)>& tweak) {
  Lines lines;
  SimConfig c = config(5, seed);
  c.network.defaults.latency = Latency::exponential(10 * kMillisecond);
  c.network.reliable = reliable;
  c.faults.pause(2, 30 * kMillisecond, 400 * kMillisecond);
  c.sink = &lines;
  tweak(c);
  auto sim = make(c, log);
  for (int i = 0; i < 200; ++i) {
    sim.inject(i * kMillisecond, 1 + i % 5, [](Probe&, Context<Ping>& ctx) {
      NodeId to = ctx.nodes()[ctx.random().uniform(ctx.nodes().size())];
      if (to == ctx.self()) to = to % 5 + 1;
      ctx.send(to, Ping{static_cast<int>(ctx.random().uniform(1000))});
    });
  }
  sim.run();
  lines.lines.push_back("ended at " + std::to_string(sim.now()));
  return lines.lines;
}

// On a network that loses nothing, the reliable layer changes no event a node sees,
// not even the time the run ends: the trace is the same, byte for byte.
TEST(SimulatorTest, TheReliableLayerLeavesALosslessRunAsItWas) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Log plain_log, layered_log;
    const auto plain = layered_run(seed, false, plain_log, [](SimConfig&) {});
    const auto layered = layered_run(seed, true, layered_log, [](SimConfig&) {});
    ASSERT_EQ(plain, layered) << "seed " << seed;
    ASSERT_EQ(plain_log.deliveries.size(), 200U);
  }
}

// Over loss, duplication and reordering, every message arrives once, in the order it
// was sent on its link, and the trace shows no drop.
TEST(SimulatorTest, TheReliableLayerDeliversEachMessageOnceInOrderOverALossyNetwork) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Log log;
    const auto lines = layered_run(seed, true, log, [](SimConfig& c) {
      c.network.defaults.loss = 0.3;
      c.network.defaults.dup = 0.2;
      c.network.fifo = false;
      c.network.partitions.push_back(
          Partition::two_way({{1, 2}, {3, 4, 5}}, 50 * kMillisecond, 150 * kMillisecond));
    });
    ASSERT_EQ(log.deliveries.size(), 200U) << "seed " << seed;
    std::map<std::pair<NodeId, NodeId>, std::vector<std::uint64_t>> per_link;  // message numbers, as received
    for (const std::string& line : lines) {
      ASSERT_EQ(line.find("\"drop\""), std::string::npos) << line;
      const auto recv = line.find("\"kind\":\"recv\"");
      if (recv == std::string::npos) continue;
      const auto msg = line.find("\"msg\":\"");
      const std::string id = line.substr(msg + 7, line.find('"', msg + 7) - msg - 7);
      const auto dot = id.find('.');
      const NodeId from = static_cast<NodeId>(std::stoul(id.substr(0, dot)));
      const NodeId to = static_cast<NodeId>(std::stoul(line.substr(line.find("\"node\":") + 7)));
      per_link[{from, to}].push_back(std::stoull(id.substr(dot + 1)));
    }
    for (const auto& [link, seqs] : per_link) {
      EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()))
          << "seed " << seed << ": " << link.first << "->" << link.second;
      EXPECT_EQ(std::adjacent_find(seqs.begin(), seqs.end()), seqs.end()) << "each once";
    }
  }
}

TEST(LatencyTest, DrawsStayInTheirDistribution) {
  Rng rng(9);
  const Latency uniform = Latency::uniform(2, 8);
  const Latency exp = Latency::exponential(1000);
  const Latency normal = Latency::normal(10, 50);  // often below zero: clamped
  double exp_sum = 0;
  int zeros = 0;
  constexpr int kDraws = 20'000;
  for (int i = 0; i < kDraws; ++i) {
    const Nanos u = uniform.sample(rng);
    ASSERT_GE(u, 2);
    ASSERT_LE(u, 8);
    const Nanos e = exp.sample(rng);
    ASSERT_GE(e, 0);
    exp_sum += static_cast<double>(e);
    const Nanos n = normal.sample(rng);
    ASSERT_GE(n, 0);
    zeros += n == 0 ? 1 : 0;
  }
  EXPECT_NEAR(exp_sum / kDraws, 1000.0, 40.0);
  EXPECT_GT(zeros, kDraws / 4);  // P(N(10, 50) < 0) is about 0.42
  EXPECT_EQ(Latency::constant(5).sample(rng), 5);
  EXPECT_EQ(Latency::uniform(1000000, 20000000).to_string(), "uniform:1ms:20ms");
}

}  // namespace
}  // namespace distlab::sim
