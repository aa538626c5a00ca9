#include "distlab/algo/snapshot/checker.h"
#include "distlab/algo/snapshot/descriptor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::snapshot {
namespace {

using namespace distlab::trace;

// This algorithm's checks, after the generic ones.
std::vector<CheckResult> checked(const Trace& trace) { return trace::check_trace(trace, Descriptor::kCheckers); }

Trace parse(const std::string& events) {
  std::istringstream in(
      R"({"format":"distlab-trace","version":1,"algorithm":"snapshot","mode":"sim","seed":1,"nodes":[1,2],"time_unit":"ns"})"
      "\n" + events);
  return read_trace(in, "s.jsonl");
}

CheckStatus status(const std::vector<CheckResult>& results, std::string_view name) {
  for (const auto& r : results) {
    if (r.name == name) return r.status;
  }
  ADD_FAILURE() << "no " << name;
  return CheckStatus::skipped;
}

// Two bank accounts of 100. 1 pays 5 to 2, then 1 records and sends its marker; 2
// pays 7 to 1 (before recording), records on the marker; 1 gets the 7 (recording
// channel 2->1), then 2's marker.
constexpr const char* kStart = R"({"t":0,"node":1,"kind":"state","data":{"channels":{"in":[2],"out":[2]}}}
{"t":0,"node":1,"kind":"state","data":{"bank":{"initial_balance":100}}}
{"t":0,"node":2,"kind":"state","data":{"channels":{"in":[1],"out":[1]}}}
{"t":0,"node":2,"kind":"state","data":{"bank":{"initial_balance":100}}}
)";
constexpr const char* kGood = R"({"t":1,"node":1,"kind":"send","msg":"1.1","to":2,"type":"transfer","body":{"amount":5}}
{"t":2,"node":1,"kind":"state","data":{"snapshot":"1.1","initiated":true}}
{"t":2,"node":1,"kind":"state","data":{"snapshot":"1.1","recorded":{"balance":95}}}
{"t":2,"node":1,"kind":"send","msg":"1.2","to":2,"type":"marker","body":{"snapshot":"1.1"}}
{"t":3,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"transfer"}
{"t":4,"node":2,"kind":"send","msg":"2.1","to":1,"type":"transfer","body":{"amount":7}}
{"t":5,"node":2,"kind":"recv","msg":"1.2","from":1,"type":"marker"}
{"t":5,"node":2,"kind":"state","data":{"snapshot":"1.1","recorded":{"balance":98}}}
{"t":5,"node":2,"kind":"state","data":{"snapshot":"1.1","channel":1,"messages":[]}}
{"t":5,"node":2,"kind":"send","msg":"2.2","to":1,"type":"marker","body":{"snapshot":"1.1"}}
{"t":6,"node":1,"kind":"recv","msg":"2.1","from":2,"type":"transfer"}
{"t":7,"node":1,"kind":"recv","msg":"2.2","from":2,"type":"marker"}
{"t":7,"node":1,"kind":"state","data":{"snapshot":"1.1","channel":2,"messages":["2.1"]}}
)";

TEST(SnapshotCheckTest, AGoodSnapshotPassesEveryProperty) {
  const Trace trace = parse(std::string(kStart) + kGood);
  const auto results = checked(trace);
  EXPECT_TRUE(all_passed(results));
  const SnapshotRun run = collect_snapshots(trace);
  ASSERT_EQ(run.snapshots.size(), 1u);
  EXPECT_EQ(run.snapshots[0].initiator, 1u);
  EXPECT_EQ(run.markers, 2u);
  EXPECT_EQ(*run.initial_money, 200);
  const CausalGraph graph(trace);
  const SnapshotVerdict v = verify_snapshot(trace, graph, run, run.snapshots[0]);
  EXPECT_EQ(v.recorded_balances, 193);
  EXPECT_EQ(v.in_channels, 7);
  EXPECT_EQ(v.money_conserved, true);
}

TEST(SnapshotCheckTest, AMissingInFlightMessageIsCaughtAndMoneyIsShort) {
  std::string text = std::string(kStart) + kGood;
  text.replace(text.find(R"("messages":["2.1"])"), 18, R"("messages":[])");
  const auto results = checked(parse(text));
  EXPECT_EQ(status(results, "snapshot_channels"), CheckStatus::fail);
  EXPECT_EQ(status(results, "money_conserved"), CheckStatus::fail);
  EXPECT_EQ(status(results, "consistent_cut"), CheckStatus::pass);
}

TEST(SnapshotCheckTest, ARecordAfterReceivingAPostCutMessageIsInconsistent) {
  // Node 2 records only after receiving 1's payment that 1 sent after recording:
  // the cut holds an effect without its cause.
  const std::string events = std::string(kStart) + R"({"t":1,"node":1,"kind":"state","data":{"snapshot":"1.1","initiated":true}}
{"t":1,"node":1,"kind":"state","data":{"snapshot":"1.1","recorded":{"balance":100}}}
{"t":2,"node":1,"kind":"send","msg":"1.1","to":2,"type":"transfer","body":{"amount":5}}
{"t":3,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"transfer"}
{"t":4,"node":2,"kind":"state","data":{"snapshot":"1.1","recorded":{"balance":105}}}
{"t":4,"node":2,"kind":"state","data":{"snapshot":"1.1","channel":1,"messages":[]}}
{"t":5,"node":1,"kind":"state","data":{"snapshot":"1.1","channel":2,"messages":[]}}
)";
  const auto results = checked(parse(events));
  EXPECT_EQ(status(results, "consistent_cut"), CheckStatus::fail);
  EXPECT_EQ(status(results, "money_conserved"), CheckStatus::fail);  // 205 found, 200 exist
  for (const auto& r : results) {
    if (r.name == "consistent_cut") {
      EXPECT_NE(r.detail.find("line 9 (node 2 recv 1.1"), std::string::npos) << r.detail;
      EXPECT_NE(r.detail.find("line 8 (node 1 send 1.1"), std::string::npos) << r.detail;
    }
  }
}

TEST(SnapshotCheckTest, AnUnclosedChannelMakesTheSnapshotIncomplete) {
  std::string text = std::string(kStart) + kGood;
  text.replace(text.find(R"("channel":2,"messages":["2.1"])"), 30,
               R"("channel":2,"messages":["2.1"],"incomplete":true)");
  EXPECT_EQ(status(checked(parse(text)), "snapshot_complete"), CheckStatus::fail);
}

TEST(SnapshotCheckTest, ANodeThatNeverRecordedMakesTheSnapshotIncomplete) {
  const std::string text = std::string(kStart) + R"({"t":2,"node":1,"kind":"state","data":{"snapshot":"1.1","initiated":true}}
{"t":2,"node":1,"kind":"state","data":{"snapshot":"1.1","recorded":{"balance":100}}}
)";
  const auto results = checked(parse(text));
  EXPECT_EQ(status(results, "snapshot_complete"), CheckStatus::fail);
}

TEST(SnapshotCheckTest, MalformedAnnotationsAreInputErrors) {
  EXPECT_THROW(collect_snapshots(parse(R"({"t":0,"node":1,"kind":"state","data":{"snapshot":7}}
)")),
               InputError);
  EXPECT_THROW(collect_snapshots(parse(R"({"t":0,"node":1,"kind":"state","data":{"snapshot":"1.1","channel":2}}
)")),
               InputError);
  EXPECT_THROW(collect_snapshots(parse(R"({"t":0,"node":1,"kind":"state","data":{"snapshot":"1.1","recorded":{}}}
{"t":0,"node":1,"kind":"state","data":{"snapshot":"1.1","recorded":{}}}
)")),
               InputError);
}

}  // namespace
}  // namespace distlab::snapshot
