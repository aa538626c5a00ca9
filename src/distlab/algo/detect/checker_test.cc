// The detector's completeness bound on hand-made traces: silence starts at the crash,
// or when the last heartbeat sent before it arrives (still in flight at the crash).
#include "distlab/algo/detect/checker.h"

#include <gtest/gtest.h>

#include "distlab/algo/detect/notes.h"
#include "distlab/trace/causality.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::detect {
namespace {

using trace::Record;

// Monitor 0 (fixed timeout 300ms, checked every 50ms) and node 1, whose heartbeat sent
// at 900ms arrives at `arrives` ms; node 1 crashes at 1s; the monitor suspects it at
// `suspected` ms (none: never) and the run ends at `end_ms` (3s unless said).
trace::Trace run(Nanos arrives_ms, std::optional<Nanos> suspected_ms, Nanos end_ms = 3000) {
  trace::Trace t;
  t.header = {.algorithm = "heartbeat", .mode = "sim", .seed = 1, .nodes = {0, 1}};
  const auto state = [&](Nanos at, NodeId node, nlohmann::ordered_json data) {
    Record r;
    r.t = at;
    r.node = node;
    r.kind = EventKind::state;
    r.data = std::move(data);
    t.events.push_back(std::move(r));
  };
  state(0, 0, DetectorNote{.detector = "fixed", .check_every_ns = 50 * kMillisecond, .timeout_ns = 300 * kMillisecond}.to_json());
  using trace::testing::ev;
  t.events.push_back(ev(1, 900 * kMillisecond, EventKind::send, "1.1", 0, "heartbeat"));
  const Record crash = ev(1, kSecond, EventKind::crash, {}, 0, {});
  const Record recv = ev(0, arrives_ms * kMillisecond, EventKind::recv, "1.1", 1, "heartbeat");
  if (arrives_ms < 1000) {
    t.events.push_back(recv);
    t.events.push_back(crash);
  } else {
    t.events.push_back(crash);
    t.events.push_back(recv);
  }
  if (suspected_ms) state(*suspected_ms * kMillisecond, 0, MonitorNote{.kind = MonitorNote::Kind::suspect, .node = 1}.to_json());
  t.events.push_back(ev(0, end_ms * kMillisecond, EventKind::local, {}, 0, {}));
  for (std::size_t i = 0; i < t.events.size(); ++i) t.events[i].line = i + 2;
  return t;
}

TEST(DetectorCompleteness, TheBoundCountsFromTheCrash) {
  EXPECT_TRUE(analyze_detection(run(910, 1300)).missed.empty());  // 300ms after the crash: within 350ms
  const DetectionAnalysis late = analyze_detection(run(910, 1400));
  ASSERT_EQ(late.missed.size(), 1u);
  EXPECT_NE(late.missed[0].text.find("suspected only 400ms later (bound 350ms)"), std::string::npos)
      << late.missed[0].text;
}

TEST(DetectorCompleteness, AHeartbeatInFlightAtTheCrashStartsTheSilenceWhenItArrives) {
  // Arrived at 1.2s, 200ms after the crash: a suspicion at 1.5s is on time.
  const DetectionAnalysis a = analyze_detection(run(1200, 1500));
  EXPECT_TRUE(a.missed.empty()) << a.missed[0].text;
  ASSERT_EQ(a.detections.size(), 1u);
  EXPECT_EQ(a.detections[0].heard_after_ns, 1200 * kMillisecond);
  // But not one at 1.6s, nor none at all.
  const DetectionAnalysis late = analyze_detection(run(1200, 1600));
  ASSERT_EQ(late.missed.size(), 1u);
  EXPECT_NE(late.missed[0].text.find("(bound 350ms after its last heartbeat arrived at 1.2s)"),
            std::string::npos)
      << late.missed[0].text;
  EXPECT_EQ(analyze_detection(run(1200, std::nullopt)).missed.size(), 1u);
}

// The completeness line of `distlab check` and every run's summary for `t`.
std::string completeness_detail(const trace::Trace& t) {
  std::vector<trace::CheckResult> results;
  check(t, trace::CausalGraph(t), results);
  for (const trace::CheckResult& r : results) {
    if (r.name == "detector_completeness") return r.detail;
  }
  return "no completeness check";
}

TEST(DetectorCompleteness, ACrashTheRunEndsTooSoonAfterIsNotRequiredAndTheLineSaysWhy) {
  // Down 300ms of its 350ms bound when the run ends at 1.3s: nothing is asked of it.
  const DetectionAnalysis early = analyze_detection(run(910, std::nullopt, 1300));
  EXPECT_TRUE(early.missed.empty());
  EXPECT_EQ(early.too_short, 1u);
  EXPECT_EQ(early.too_short_bound_ns, 350 * kMillisecond);
  EXPECT_EQ(completeness_detail(run(910, std::nullopt, 1300)),
            "0 detected of 1 crash; 1 not required: down for less than the detection bound (350ms) until it "
            "recovered or the run ended");
  // Detected, or down past its bound: counted as before, with nothing excused.
  EXPECT_EQ(completeness_detail(run(910, 1300)), "1 detected of 1 crash");
  EXPECT_EQ(analyze_detection(run(910, std::nullopt, 1400)).too_short, 0u);
}

}  // namespace
}  // namespace distlab::detect
