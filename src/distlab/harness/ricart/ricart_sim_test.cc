#include "distlab/algo/ricart/ricart.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <sstream>

#include "distlab/algo/ricart/checker.h"
#include "distlab/core/random.h"
#include "distlab/runtime/sim/simulator.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/trace.h"

namespace distlab::ricart {
namespace {

using Sim = sim::Simulator<RicartNode>;
using trace::CheckStatus;

std::vector<NodeId> node_ids(std::uint32_t n) {
  std::vector<NodeId> ids;
  for (NodeId id = 1; id <= n; ++id) ids.push_back(id);
  return ids;
}

sim::NetworkModel reliable() {
  sim::NetworkModel net;
  net.defaults.latency = sim::Latency::constant(5 * kMillisecond);
  return net;
}

sim::NetworkModel jittery(bool fifo) {
  sim::NetworkModel net;
  net.defaults.latency = sim::Latency::uniform(1 * kMillisecond, 40 * kMillisecond);
  net.fifo = fifo;
  return net;
}

// A recorded run of n nodes; `options_of` gives each node its options.
struct Harness {
  Harness(std::uint32_t n, std::uint64_t seed, std::function<Options(NodeId)> options_of,
          sim::NetworkModel net = reliable(), sim::FaultPlan faults = {})
      : recorder({.algorithm = "ricart", .mode = "sim", .seed = seed, .nodes = node_ids(n)}) {
    sim::SimConfig config{.seed = seed, .first_id = 1, .node_count = n, .sink = &recorder};
    config.network = std::move(net);
    config.faults = std::move(faults);
    config.until_ns = 60 * kSecond;
    sim.emplace(config, [options_of](NodeId id) { return RicartNode(id, options_of(id)); });
  }
  Harness(std::uint32_t n, std::uint64_t seed, Options o = {}, sim::NetworkModel net = reliable(),
          sim::FaultPlan faults = {})
      : Harness(
            n, seed, [o](NodeId) { return o; }, std::move(net), std::move(faults)) {}

  std::uint64_t sent(std::string_view type) const {
    const auto counts = recorder.sent_by_type();
    auto it = counts.find(type);
    return it == counts.end() ? 0 : it->second;
  }
  std::string text() const {
    std::ostringstream out;
    trace::write_trace(out, recorder.trace());
    return out.str();
  }
  // check_mutex's three results, by name.
  std::map<std::string, trace::CheckResult> mutex() const {
    std::map<std::string, trace::CheckResult> out;
    for (auto& r : check_mutex(recorder.trace())) out.emplace(r.name, r);
    EXPECT_EQ(out.size(), 3u);
    return out;
  }
  // Every check_mutex result passes, and so do the generic checks (causality and the
  // clock condition, which the Lamport stamps must satisfy).
  void expect_all_checks_pass() const {
    for (const auto& [name, r] : mutex()) EXPECT_EQ(r.status, CheckStatus::pass) << name << ": " << r.detail;
    for (const auto& r : trace::check_trace(recorder.trace())) {
      EXPECT_EQ(r.status, CheckStatus::pass) << r.name << ": " << r.detail;
    }
  }
  // Safety whatever the faults: never two inside, entries in timestamp order, clocks right.
  void expect_safe() const {
    auto results = mutex();
    EXPECT_EQ(results["mutual_exclusion"].status, CheckStatus::pass) << results["mutual_exclusion"].detail;
    EXPECT_EQ(results["entry_order"].status, CheckStatus::pass) << results["entry_order"].detail;
    EXPECT_NE(results["requests_granted"].status, CheckStatus::fail) << results["requests_granted"].detail;
    for (const auto& r : trace::check_trace(recorder.trace())) {
      EXPECT_EQ(r.status, CheckStatus::pass) << r.name << ": " << r.detail;
    }
  }
  void expect_all_done(std::uint32_t requests) {
    for (NodeId id : sim->ids()) {
      const RicartNode& node = sim->node(id);
      EXPECT_EQ(node.entries(), requests) << "node " << id;
      EXPECT_EQ(node.state(), RicartNode::State::idle) << "node " << id;
      EXPECT_EQ(node.deferred(), 0u) << "node " << id;
    }
  }
  std::uint64_t ignored_replies() const {
    std::uint64_t sum = 0;
    for (NodeId id : sim->ids()) sum += sim->node(id).ignored_replies();
    return sum;
  }

  trace::Recorder recorder;
  std::optional<Sim> sim;
};

std::string replay(std::uint32_t n, std::uint64_t seed) {
  return fmt::format("n={} seed={} (rerun this test with that seed to replay)", n, seed);
}

TEST(RicartTest, EveryNodeCompletesAllItsRequestsOnAReliableNetwork) {
  for (std::uint32_t n : {1u, 2u, 5u, 12u}) {
    for (std::uint64_t seed : {1u, 2u, 3u, 7u}) {
      SCOPED_TRACE(replay(n, seed));
      Harness run(n, seed);
      run.sim->run();
      run.expect_all_done(3);
      run.expect_all_checks_pass();
      EXPECT_EQ(run.ignored_replies(), 0u);
    }
  }
}

TEST(RicartTest, EachCriticalSectionCostsTwoMessagesPerOtherNode) {
  for (std::uint32_t n : {1u, 2u, 5u, 12u}) {
    SCOPED_TRACE(replay(n, 11));
    Options o;
    o.requests = 4;
    Harness run(n, 11, o);
    run.sim->run();
    const std::uint64_t sections = std::uint64_t{n} * o.requests;
    EXPECT_EQ(run.sent("request"), sections * (n - 1));
    EXPECT_EQ(run.sent("reply"), sections * (n - 1));
    EXPECT_EQ(run.sim->stats().sent, 2 * (n - 1) * sections);
  }
}

TEST(RicartTest, ASingleNodeEntersAtOnce) {
  Harness run(1, 5);
  run.sim->run();
  run.expect_all_done(3);
  EXPECT_EQ(run.sim->stats().sent, 0u);
  const auto& events = run.recorder.trace().events;
  // request, enter, exit: each enter in the same instant as its request.
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind == EventKind::state && events[i].data["mutex"] == "enter") {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(events[i - 1].data["mutex"], "request");
      EXPECT_EQ(events[i - 1].t, events[i].t);
    }
  }
}

TEST(RicartTest, TheSameSeedReplaysTheSameTraceByteForByte) {
  auto record = [](std::uint64_t seed) {
    Options o;
    o.requests = 4;
    Harness run(6, seed, o, jittery(false));
    run.sim->run();
    return run.text();
  };
  const std::string first = record(42);
  EXPECT_EQ(first, record(42));
  EXPECT_NE(first, record(43));
  EXPECT_NE(first.find(R"("mutex":"enter")"), std::string::npos);
}

TEST(RicartTest, RandomLatencyWithoutFifoKeepsSafetyAndOrder) {
  Options busy;
  busy.requests = 5;
  busy.think_mean_ns = 5 * kMillisecond;  // shorter than a round trip: heavy contention
  busy.hold_ns = 2 * kMillisecond;
  for (std::uint32_t n : {3u, 8u}) {
    for (bool fifo : {true, false}) {
      for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        SCOPED_TRACE(replay(n, seed) + (fifo ? " fifo" : " no-fifo"));
        Harness run(n, seed, busy, jittery(fifo));
        run.sim->run();
        run.expect_all_done(busy.requests);
        run.expect_all_checks_pass();
      }
    }
  }
}

TEST(RicartTest, SimultaneousRequestsAreGrantedInTimestampThenIdOrder) {
  Options o;
  o.requests = 1;
  o.think_mean_ns = 0;  // every node asks at time 0, with the same timestamp
  Harness run(5, 3, o);
  run.sim->run();
  run.expect_all_done(1);
  run.expect_all_checks_pass();
  std::vector<NodeId> order;
  for (const auto& r : run.recorder.trace().events) {
    if (r.kind == EventKind::state && r.data["mutex"] == "enter") order.push_back(r.node);
  }
  EXPECT_EQ(order, node_ids(5));
}

TEST(RicartTest, DuplicatedMessagesAreHarmless) {
  std::uint64_t ignored = 0;
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    SCOPED_TRACE(replay(5, seed) + " dup 0.3");
    sim::NetworkModel net = jittery(false);
    net.defaults.dup = 0.3;
    Harness run(5, seed, Options{}, net);
    run.sim->run();
    run.expect_all_done(3);
    run.expect_all_checks_pass();
    ignored += run.ignored_replies();
  }
  EXPECT_GT(ignored, 0u);  // copies of replies did arrive, and none counted twice
}

TEST(RicartTest, ACrashedNodeBlocksTheOthersButNeverBreaksSafety) {
  sim::FaultPlan faults;
  faults.crash(3, 100 * kMillisecond);
  Harness run(5, 1, Options{}, reliable(), faults);
  run.sim->run();
  std::uint32_t entries = 0;
  for (NodeId id : run.sim->ids()) {
    if (id == 3) continue;
    const RicartNode& node = run.sim->node(id);
    entries += node.entries();
    // Whoever did not finish waits for node 3's reply forever.
    if (node.entries() < 3) {
      EXPECT_EQ(node.state(), RicartNode::State::wanting) << "node " << id;
    }
  }
  EXPECT_LT(entries, 4u * 3u);
  auto results = run.mutex();
  EXPECT_EQ(results["mutual_exclusion"].status, CheckStatus::pass) << results["mutual_exclusion"].detail;
  EXPECT_EQ(results["entry_order"].status, CheckStatus::pass) << results["entry_order"].detail;
  const auto& granted = results["requests_granted"];
  EXPECT_EQ(granted.status, CheckStatus::skipped) << granted.detail;
  EXPECT_NE(granted.detail.find("known weakness"), std::string::npos) << granted.detail;
  EXPECT_NE(granted.detail.find("1 crash"), std::string::npos) << granted.detail;
}

// Node 2 asks; the others only answer, so nothing blocks on node 2 while it is down.
Options only_node_2_asks(NodeId id, Options o) {
  if (id != 2) o.requests = 0;
  return o;
}

TEST(RicartTest, ARecoveredNodeAsksForItsRemainingCriticalSections) {
  sim::FaultPlan faults;
  faults.crash(2, 0);  // before it asks anything
  faults.recover(2, 500 * kMillisecond);
  Harness run(
      3, 1, [](NodeId id) { return only_node_2_asks(id, Options{}); }, reliable(), faults);
  run.sim->run();
  EXPECT_EQ(run.sim->node(2).entries(), 3u);
  run.expect_safe();
  EXPECT_EQ(run.mutex()["requests_granted"].status, CheckStatus::pass);
}

TEST(RicartTest, ACriticalSectionCutShortByACrashIsAskedForAgain) {
  Options o;
  o.requests = 2;
  o.hold_ns = 200 * kMillisecond;
  sim::FaultPlan faults;
  faults.crash(2, 100 * kMillisecond);  // inside: it entered by 69ms and holds for 200ms
  faults.recover(2, 300 * kMillisecond);
  Harness run(
      2, 1, [o](NodeId id) { return only_node_2_asks(id, o); }, reliable(), faults);
  run.sim->run();
  EXPECT_EQ(run.sim->node(2).entries(), 2u);
  std::vector<std::string> notes;
  for (const auto& r : run.recorder.trace().events) {
    if (r.kind == EventKind::crash) notes.push_back("crash");
    if (r.kind == EventKind::state && r.node == 2) notes.push_back(r.data["mutex"].get<std::string>());
  }
  EXPECT_EQ(notes, (std::vector<std::string>{"request", "enter", "crash", "request", "enter", "exit",
                                             "request", "enter", "exit"}));
  // The clock survived: every timestamp after the crash is above those before it
  // (entry_order), and the clock condition holds across the restart.
  run.expect_safe();
}

TEST(RicartTest, AReplyToARequestFromBeforeACrashIsIgnored) {
  Options o;
  o.requests = 1;
  o.think_mean_ns = 1 * kMillisecond;  // exactly 1ms
  sim::NetworkModel slow;
  slow.defaults.latency = sim::Latency::constant(50 * kMillisecond);
  sim::FaultPlan faults;
  // Node 2 asks at 1ms; node 1 replies at 51ms, arriving at 101ms. Node 2 restarts in
  // between and asks again at 76ms: the old reply finds it waiting for the new one.
  faults.crash(2, 70 * kMillisecond);
  faults.recover(2, 75 * kMillisecond);
  Harness run(
      2, 1, [o](NodeId id) { return only_node_2_asks(id, o); }, slow, faults);
  std::optional<Nanos> entered_ns;
  run.sim->schedule(102 * kMillisecond, [&] {
    EXPECT_EQ(run.sim->node(2).state(), RicartNode::State::wanting);
    EXPECT_EQ(run.sim->node(2).ignored_replies(), 1u);
  });
  run.sim->run();
  for (const auto& r : run.recorder.trace().events) {
    if (r.kind == EventKind::state && r.data["mutex"] == "enter") entered_ns = r.t;
  }
  EXPECT_EQ(entered_ns, 176 * kMillisecond);  // on the reply to the new request
  EXPECT_EQ(run.sim->node(2).entries(), 1u);
  run.expect_safe();
}

TEST(RicartTest, RepliesNamingAnotherRequestGrantNothing) {
  Options o;
  o.requests = 1;
  o.think_mean_ns = 1 * kMillisecond;
  Harness run(2, 1, [o](NodeId id) { return only_node_2_asks(id, o); });
  // While node 2 waits (1ms to 11ms), node 1 sends it replies for requests it never made.
  run.sim->inject(3 * kMillisecond, 1, [](RicartNode&, Context<Message>& ctx) {
    ctx.send(2, Reply{.ts = 500, .request_ts = 400});
    ctx.send(2, Reply{.ts = 3, .request_ts = 2});  // node 2's request has timestamp 1
  });
  run.sim->run();
  EXPECT_EQ(run.sim->node(2).ignored_replies(), 2u);
  EXPECT_EQ(run.sim->node(2).entries(), 1u);
}

// Random crashes and short restarts while messages are in flight: replies arrive after
// the restart, deferred requests are forgotten. Liveness is lost, safety never.
TEST(RicartTest, CrashesAndRecoveriesNeverBreakSafety) {
  Options busy;
  busy.requests = 4;
  busy.think_mean_ns = 10 * kMillisecond;
  busy.hold_ns = 3 * kMillisecond;
  std::uint64_t ignored = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(replay(4, seed) + " with faults");
    Rng draw(derive_seed(seed, kStreamFaults));
    sim::FaultPlan faults;
    for (int k = 0; k < 2; ++k) {
      const auto node = static_cast<NodeId>(1 + draw.uniform(4));
      const Nanos at_ns = draw.between(0, 300 * kMillisecond);
      faults.crash(node, at_ns);
      faults.recover(node, at_ns + draw.between(1 * kMillisecond, 40 * kMillisecond));
    }
    sim::NetworkModel net = jittery(false);
    net.defaults.latency = sim::Latency::uniform(1 * kMillisecond, 30 * kMillisecond);
    net.defaults.dup = 0.05;
    Harness run(4, seed, busy, net, faults);
    run.sim->run();
    run.expect_safe();
    ignored += run.ignored_replies();
  }
  EXPECT_GT(ignored, 0u);  // the stale-reply path was taken
}

TEST(RicartCodecTest, MessagesRoundTrip) {
  auto round_trip = [](const Message& m) {
    std::vector<std::byte> payload;
    const std::uint8_t type = wire_encode(m, payload);
    auto back = wire_decode(std::type_identity<Message>{}, type, payload);
    EXPECT_TRUE(back.has_value());
    return std::pair(type, back.value_or(Message{}));
  };
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (std::int64_t ts : {std::int64_t{1}, std::int64_t{300}, kMax}) {
    const auto [type, back] = round_trip(Request{.ts = ts});
    EXPECT_EQ(type, 40);
    EXPECT_EQ(std::get<Request>(back).ts, ts);
  }
  const auto [type, back] = round_trip(Reply{.ts = kMax, .request_ts = 7});
  EXPECT_EQ(type, 41);
  EXPECT_EQ(std::get<Reply>(back).ts, kMax);
  EXPECT_EQ(std::get<Reply>(back).request_ts, 7);

  std::vector<std::byte> payload;
  wire_encode(Request{.ts = 0x0102}, payload);
  EXPECT_EQ(payload, (std::vector<std::byte>{std::byte{2}, std::byte{1}, std::byte{0}, std::byte{0},
                                             std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}}));
}

TEST(RicartCodecTest, RefusesWrongTypesLengthsAndTimestamps) {
  auto decodes = [](std::uint8_t type, const std::vector<std::byte>& payload) {
    return wire_decode(std::type_identity<Message>{}, type, payload).has_value();
  };
  std::vector<std::byte> request;
  wire_encode(Request{.ts = 5}, request);
  std::vector<std::byte> reply;
  wire_encode(Reply{.ts = 9, .request_ts = 5}, reply);
  ASSERT_TRUE(decodes(40, request));
  ASSERT_TRUE(decodes(41, reply));
  // Types outside the range, and each message's payload under the other's type.
  for (std::uint8_t type : {0, 10, 39, 42, 255}) {
    EXPECT_FALSE(decodes(type, request)) << int{type};
    EXPECT_FALSE(decodes(type, reply)) << int{type};
  }
  EXPECT_FALSE(decodes(40, reply));
  EXPECT_FALSE(decodes(41, request));
  // Lengths: one byte short, one byte over, empty.
  for (auto [type, good] : {std::pair{std::uint8_t{40}, request}, std::pair{std::uint8_t{41}, reply}}) {
    const std::span<const std::byte> bytes(good);
    std::vector<std::byte> longer(bytes.begin(), bytes.end());
    longer.push_back(std::byte{0});
    EXPECT_FALSE(wire_decode(std::type_identity<Message>{}, type, bytes.first(bytes.size() - 1)))
        << int{type};
    EXPECT_FALSE(decodes(type, longer)) << int{type};
    EXPECT_FALSE(decodes(type, {})) << int{type};
  }
  // Timestamps: negative (the top bit set) or zero are no clock's ticks.
  std::vector<std::byte> negative(8, std::byte{0xff});  // -1
  EXPECT_FALSE(decodes(40, negative));
  std::vector<std::byte> min_int(8, std::byte{0});
  min_int[7] = std::byte{0x80};
  EXPECT_FALSE(decodes(40, min_int));
  EXPECT_FALSE(decodes(40, std::vector<std::byte>(8, std::byte{0})));
  auto reply_with_negative = reply;
  reply_with_negative[15] = std::byte{0x80};  // request_ts negative
  EXPECT_FALSE(decodes(41, reply_with_negative));
  // A reply's own time comes after the request it answers.
  std::vector<std::byte> early;
  wire_encode(Reply{.ts = 9, .request_ts = 5}, early);
  early[0] = std::byte{5};  // ts 5, request_ts 5
  EXPECT_FALSE(decodes(41, early));
}

TEST(RicartCodecTest, WhateverDecodesEncodesBackToTheSameBytes) {
  Rng rng(9);
  int accepted = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::vector<std::byte> payload(rng.uniform(2) == 0 ? 8 : 16 + rng.uniform(2));
    for (auto& b : payload) b = static_cast<std::byte>(rng.uniform(3) == 0 ? rng.next() : rng.uniform(2));
    const auto type = static_cast<std::uint8_t>(39 + rng.uniform(4));
    const auto m = wire_decode(std::type_identity<Message>{}, type, payload);
    if (!m) continue;
    ++accepted;
    std::vector<std::byte> again;
    ASSERT_EQ(wire_encode(*m, again), type);
    ASSERT_EQ(again, payload);
  }
  EXPECT_GT(accepted, 1000);
}

TEST(RicartCodecTest, TraceNamesAndBodies) {
  EXPECT_EQ(trace_type(Message{Request{.ts = 4}}), "request");
  EXPECT_EQ(trace_type(Message{Reply{.ts = 6, .request_ts = 4}}), "reply");
  EXPECT_EQ(trace_body(Message{Request{.ts = 4}}).dump(), R"({"ts":4})");
  EXPECT_EQ(trace_body(Message{Reply{.ts = 6, .request_ts = 4}}).dump(), R"({"ts":6,"request_ts":4})");
}

// The notes the node writes are the notes the checker and the narrative read.
TEST(RicartCodecTest, MutexNotesSurviveJson) {
  const MutexNote request{MutexNote::Kind::request, 7};
  EXPECT_EQ(request.to_json().dump(), R"({"mutex":"request","ts":7})");
  EXPECT_EQ((MutexNote{MutexNote::Kind::exit, std::nullopt}.to_json().dump()), R"({"mutex":"exit"})");
  const auto back = MutexNote::from_json(MutexNote{MutexNote::Kind::enter, 9}.to_json());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->kind, MutexNote::Kind::enter);
  EXPECT_EQ(back->ts, 9);
  EXPECT_EQ(MutexNote::from_json(nlohmann::ordered_json{{"mutex", "later"}})->kind, MutexNote::Kind::other);
  EXPECT_FALSE(MutexNote::from_json(nlohmann::ordered_json{{"mutex", "enter"}, {"ts", "9"}})->ts.has_value());
  EXPECT_FALSE(MutexNote::from_json(nlohmann::ordered_json{{"leader", 3}}).has_value());
  EXPECT_FALSE(MutexNote::from_json(nlohmann::ordered_json{{"mutex", 1}}).has_value());
  EXPECT_FALSE(MutexNote::from_json(nlohmann::ordered_json::array()).has_value());
}

TEST(RicartCodecTest, DurableStateSurvivesJson) {
  const RicartNode::Durable d{LamportClock(42), 2};
  const auto back = RicartNode::durable_from_json(RicartNode::durable_to_json(d));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->clock, d.clock);
  EXPECT_EQ(back->entries, 2u);
  EXPECT_FALSE(RicartNode::durable_from_json(nlohmann::ordered_json{{"leader", 3}}).has_value());
}

}  // namespace
}  // namespace distlab::ricart
