#include "distlab/algo/detect/heartbeat.h"

#include <gtest/gtest.h>

#include "distlab/runtime/sim/simulator.h"
#include "distlab/trace/trace.h"

namespace distlab::detect {
namespace {

// A monitor (0) and three senders, 1 s heartbeats, 3 s timeout, 100 ms checks.
struct Harness {
  Harness() : recorder({.algorithm = "heartbeat", .mode = "sim", .seed = 1, .nodes = {0, 1, 2, 3}}) {
    monitor.fixed.timeout_ns = 3 * kSecond;
    monitor.check_every_ns = 100 * kMillisecond;
    sender.interval_ns = 1 * kSecond;
    sender.jitter_ns = 100 * kMillisecond;
    config.seed = 1;
    config.first_id = 0;
    config.node_count = 4;
    config.sink = &recorder;
    config.until_ns = 60 * kSecond;
  }
  sim::Simulator<HeartbeatNode> make() {
    return sim::Simulator<HeartbeatNode>(config, [this](NodeId id) { return HeartbeatNode(id, monitor, sender); });
  }
  // The redirect targets noted, in order; -1 for "nobody".
  std::vector<long> redirects() const {
    std::vector<long> out;
    for (const auto& r : recorder.trace().events) {
      if (r.kind == EventKind::state && r.data.contains("redirect_to")) {
        out.push_back(r.data["redirect_to"].is_null() ? -1 : r.data["redirect_to"].get<long>());
      }
    }
    return out;
  }
  MonitorOptions monitor;
  SenderOptions sender;
  sim::SimConfig config;
  trace::Recorder recorder;
};

TEST(MonitorTest, OrdersGoToTheLowestTrustedNodeAndBackWhenItReturns) {
  Harness h;
  h.config.faults.crash(1, 10 * kSecond);
  h.config.faults.recover(1, 20 * kSecond);
  h.config.faults.crash(2, 30 * kSecond);
  h.config.faults.crash(3, 40 * kSecond);
  h.config.faults.crash(1, 45 * kSecond);
  auto sim = h.make();
  sim.run();
  const Monitor* m = sim.node(0).monitor();
  ASSERT_NE(m, nullptr);
  EXPECT_FALSE(m->target().has_value());
  // First heard order at start, then: 1 fails -> 2; 1 back -> 1; 2 fails -> still 1;
  // 3 fails -> 1; 1 fails -> nobody.
  const auto r = h.redirects();
  ASSERT_GE(r.size(), 5u);
  const std::vector<long> tail(r.end() - 5, r.end());
  EXPECT_EQ(tail, (std::vector<long>{2, 1, 1, 1, -1}));
}

TEST(MonitorTest, DetectsWithinTimeoutPlusCheckAndNeverSuspectsLiveNodes) {
  Harness h;
  h.config.faults.crash(2, 10 * kSecond);
  auto sim = h.make();
  sim.run();
  Nanos suspected = -1;
  for (const auto& r : h.recorder.trace().events) {
    if (r.kind != EventKind::state || !r.data.contains("suspect")) continue;
    EXPECT_EQ(r.data["suspect"], 2) << "a live node was suspected";
    suspected = r.t;
  }
  ASSERT_GT(suspected, 0);
  EXPECT_LE(suspected - 10 * kSecond, 3 * kSecond + 100 * kMillisecond);
  EXPECT_TRUE(sim.node(0).monitor()->suspected(2));
  EXPECT_FALSE(sim.node(0).monitor()->suspected(1));
}

TEST(MonitorTest, ASilentNodeThatSpeaksAgainIsTrustedAgain) {
  Harness h;
  h.config.faults.pause(3, 5 * kSecond, 5 * kSecond);  // alive but silent for 5 s
  auto sim = h.make();
  sim.run();
  std::vector<std::string> transitions;
  for (const auto& r : h.recorder.trace().events) {
    if (r.kind == EventKind::state && r.data.contains("suspect") && r.data["suspect"] == 3) transitions.push_back("suspect");
    if (r.kind == EventKind::state && r.data.contains("trust") && r.data["trust"] == 3) transitions.push_back("trust");
  }
  EXPECT_EQ(transitions, (std::vector<std::string>{"trust", "suspect", "trust"}));
  EXPECT_FALSE(sim.node(0).monitor()->suspected(3));
}

TEST(MonitorTest, PhiDetectsARegularSenderSoonerThanTheFixedTimeout) {
  Harness fixed;
  fixed.config.faults.crash(1, 10 * kSecond);
  auto a = fixed.make();
  a.run();
  Harness phi;
  phi.monitor.detector = DetectorKind::phi;
  phi.monitor.phi.min_stddev_ns = 100 * kMillisecond;
  phi.monitor.phi.first_interval_ns = 1 * kSecond;
  phi.config.faults.crash(1, 10 * kSecond);
  auto b = phi.make();
  b.run();
  auto suspected_at = [](const trace::Recorder& r) {
    for (const auto& e : r.trace().events) {
      if (e.kind == EventKind::state && e.data.contains("suspect")) return e.t;
    }
    return Nanos{-1};
  };
  EXPECT_GT(suspected_at(phi.recorder), 0);
  EXPECT_LT(suspected_at(phi.recorder), suspected_at(fixed.recorder));
}

TEST(HeartbeatWireTest, RoundTrip) {
  std::vector<std::byte> payload;
  EXPECT_EQ(wire_encode(Heartbeat{42}, payload), kHeartbeatWireType);
  const auto back = wire_decode(std::type_identity<Heartbeat>{}, kHeartbeatWireType, payload);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->seq, 42u);
  EXPECT_FALSE(wire_decode(std::type_identity<Heartbeat>{}, 2, payload).has_value());
  payload.pop_back();
  EXPECT_FALSE(wire_decode(std::type_identity<Heartbeat>{}, kHeartbeatWireType, payload).has_value());
}

}  // namespace
}  // namespace distlab::detect
