#include "distlab/trace/checks.h"

#include <gtest/gtest.h>

#include <sstream>

#include "distlab/core/error.h"
#include "distlab/trace/causality.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::trace {
namespace {

Trace parse(const std::string& events, const std::string& mode = "sim") {
  std::istringstream in(R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":")" + mode +
                        R"(","seed":1,"nodes":[1,2,3],"time_unit":"ns"})" "\n" + events);
  return read_trace(in, "t.jsonl");
}

const CheckResult& result(const std::vector<CheckResult>& results, std::string_view name) {
  for (const auto& r : results) {
    if (r.name == name) return r;
  }
  static const CheckResult kMissing{"missing", CheckStatus::skipped, ""};
  ADD_FAILURE() << "no result for " << name;
  return kMissing;
}

// 2 -> 1, then 1 -> 3: a chain across three nodes.
constexpr const char* kGood = R"({"t":0,"node":2,"kind":"local","lamport":1,"vc":{"2":1}}
{"t":0,"node":2,"kind":"send","msg":"2.1","to":1,"type":"app","lamport":2,"vc":{"2":2}}
{"t":1,"node":1,"kind":"recv","msg":"2.1","from":2,"type":"app","lamport":3,"vc":{"1":1,"2":2}}
{"t":2,"node":1,"kind":"send","msg":"1.1","to":3,"type":"app","lamport":4,"vc":{"1":2,"2":2}}
{"t":2,"node":3,"kind":"local","lamport":1,"vc":{"3":1}}
{"t":3,"node":3,"kind":"recv","msg":"1.1","from":1,"type":"app","lamport":5,"vc":{"1":2,"2":2,"3":2}}
)";

TEST(ChecksTest, AGoodTracePassesEveryCheck) {
  const auto results = check_trace(parse(kGood));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(all_passed(results));
  EXPECT_EQ(result(results, "vector_clocks").detail, "6 events with vector clocks, each equal to its vector time");
}

TEST(ChecksTest, ClockConditionFailsOnAReceiveNotAfterItsSend) {
  std::string text = kGood;
  text.replace(text.find("\"lamport\":3"), 11, "\"lamport\":2");
  const auto results = check_trace(parse(text));
  const auto& clock = result(results, "clock_condition");
  EXPECT_EQ(clock.status, CheckStatus::fail);
  // Names both events by line.
  EXPECT_NE(clock.detail.find("line 3 (node 2 send 2.1"), std::string::npos) << clock.detail;
  EXPECT_NE(clock.detail.find("line 4 (node 1 recv 2.1"), std::string::npos) << clock.detail;
}

TEST(ChecksTest, ClockConditionFollowsPathsThroughUnstampedEvents) {
  // 2's send reaches 1 through an unstamped recv; 1's later stamped event is too low.
  const auto results = check_trace(parse(R"({"t":0,"node":2,"kind":"send","msg":"2.1","to":1,"type":"app","lamport":9}
{"t":1,"node":1,"kind":"recv","msg":"2.1","from":2,"type":"app"}
{"t":2,"node":1,"kind":"timer","tag":"x"}
{"t":3,"node":1,"kind":"local","lamport":4}
)"));
  const auto& clock = result(results, "clock_condition");
  EXPECT_EQ(clock.status, CheckStatus::fail);
  EXPECT_NE(clock.detail.find("line 2"), std::string::npos) << clock.detail;
  EXPECT_NE(clock.detail.find("line 5"), std::string::npos) << clock.detail;
}

TEST(ChecksTest, ConcurrentEventsMayHaveAnyLamportTimes) {
  const auto results = check_trace(parse(R"({"t":0,"node":1,"kind":"local","lamport":9}
{"t":0,"node":2,"kind":"local","lamport":1}
)"));
  EXPECT_TRUE(all_passed(results));
}

TEST(ChecksTest, VectorClocksFailWhenAReceiveDoesNotMerge) {
  std::string text = kGood;
  text.replace(text.find(R"("vc":{"1":1,"2":2})"), 18, R"("vc":{"1":1})");
  const auto results = check_trace(parse(text));
  const auto& vc = result(results, "vector_clocks");
  EXPECT_EQ(vc.status, CheckStatus::fail);
  EXPECT_NE(vc.detail.find("happened before"), std::string::npos) << vc.detail;
}

TEST(ChecksTest, VectorClocksFailWhenConcurrentEventsLookOrdered) {
  // Node 3's local event is concurrent with everything before 1.1's receive;
  // claiming it knows of node 2 makes 2's local event look before it.
  std::string text = kGood;
  text.replace(text.find(R"("vc":{"3":1})"), 12, R"("vc":{"2":1,"3":1})");
  const auto results = check_trace(parse(text));
  const auto& vc = result(results, "vector_clocks");
  EXPECT_EQ(vc.status, CheckStatus::fail);
  EXPECT_NE(vc.detail.find("did not happen before"), std::string::npos) << vc.detail;
}

TEST(ChecksTest, ReceiveBeforeSendInSimulatedTimeIsACausalityViolation) {
  const auto results = check_trace(parse(R"({"t":5,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"}
{"t":3,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app"}
)"));
  EXPECT_EQ(result(results, "causality").status, CheckStatus::fail);
  // A real run's hosts have separate clocks: the same times are not a violation there.
  const auto real = check_trace(parse(R"({"t":5,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"}
{"t":3,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app"}
)", "real"));
  EXPECT_TRUE(all_passed(real));
}

TEST(ChecksTest, ACausalCycleIsReported) {
  // Each node receives the other's message before sending its own.
  const auto results = check_trace(parse(R"({"t":0,"node":1,"kind":"recv","msg":"2.1","from":2,"type":"app"}
{"t":0,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"}
{"t":0,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app"}
{"t":0,"node":2,"kind":"send","msg":"2.1","to":1,"type":"app"}
)"));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, CheckStatus::fail);
}

// A graph rebuilt for one trace after another (as check_trace's per-thread graph is)
// equals a graph built for that trace alone: nothing of the earlier trace remains.
void expect_same_graph(const CausalGraph& rebuilt, const CausalGraph& fresh) {
  ASSERT_EQ(rebuilt.size(), fresh.size());
  EXPECT_EQ(rebuilt.node_count(), fresh.node_count());
  EXPECT_EQ(rebuilt.message_count(), fresh.message_count());
  EXPECT_EQ(rebuilt.external_count(), fresh.external_count());
  EXPECT_EQ(rebuilt.cycle(), fresh.cycle());
  EXPECT_EQ(rebuilt.topological_order(), fresh.topological_order());
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ(rebuilt.prev_on_node(i), fresh.prev_on_node(i)) << i;
    EXPECT_EQ(rebuilt.send_of(i), fresh.send_of(i)) << i;
    EXPECT_EQ(rebuilt.position(i), fresh.position(i)) << i;
    EXPECT_EQ(rebuilt.node_index(i), fresh.node_index(i)) << i;
  }
}

TEST(ChecksTest, ARebuiltGraphKeepsNothingOfTheTraceBefore) {
  const Trace good = parse(kGood);
  const Trace cycle = parse(R"({"t":0,"node":1,"kind":"recv","msg":"2.1","from":2,"type":"app"}
{"t":0,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"}
{"t":0,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app"}
{"t":0,"node":2,"kind":"send","msg":"2.1","to":1,"type":"app"}
)");
  std::istringstream sparse_text(
      R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":1,"nodes":[7,40],"time_unit":"ns"}
{"t":0,"node":7,"kind":"send","msg":"7.1","to":40,"type":"app"}
{"t":1,"node":40,"kind":"recv","msg":"7.1","from":7,"type":"app"}
{"t":2,"node":40,"kind":"local"}
)");
  const Trace sparse = read_trace(sparse_text, "sparse.jsonl");  // node ids with a gap
  CausalGraph graph;
  for (const Trace* t : {&good, &cycle, &good, &sparse, &cycle, &sparse, &good}) {
    graph.rebuild(*t);
    expect_same_graph(graph, CausalGraph(*t));
  }
  EXPECT_FALSE(graph.cycle().has_value());
  EXPECT_EQ(graph.topological_order().size(), good.events.size());
}

TEST(ChecksTest, StructuralErrorsAreInputErrors) {
  EXPECT_THROW(check_trace(parse(R"({"t":0,"node":1,"kind":"recv","msg":"9.9","from":2,"type":"app"}
)")),
               InputError);
  EXPECT_THROW(check_trace(parse(R"({"t":0,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"}
{"t":0,"node":1,"kind":"send","msg":"1.1","to":3,"type":"app"}
)")),
               InputError);
  EXPECT_THROW(check_trace(parse(R"({"t":0,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"}
{"t":0,"node":3,"kind":"recv","msg":"1.1","from":1,"type":"app"}
)")),
               InputError);
}

// A large run keeps its drops in memory but not its sends (Recorder::Keep::annotations):
// a drop of a message the trace does not hold is no structural error there, and
// causality is skipped, not judged.
TEST(ChecksTest, ADropWithoutItsSendIsAcceptedOnlyWhenMessagesWereOmitted) {
  Trace trace;  // as a run keeps it in memory (a file's reader refuses the drop itself)
  trace.header.algorithm = "bully";
  trace.header.nodes = {1, 2};
  Record drop;
  drop.node = 1;
  drop.kind = EventKind::drop;
  drop.msg = "1.13";
  drop.peer = 2;
  drop.type = "election";
  drop.label = "loss";
  trace.events.push_back(drop);
  EXPECT_THROW(check_trace(trace), InputError);
  trace.messages_omitted = true;
  std::vector<CheckResult> results;
  ASSERT_NO_THROW(results = check_trace(trace));
  EXPECT_EQ(result(results, "causality").status, CheckStatus::skipped);
}

TEST(ChecksTest, PairCountsUseTheVectorClocks) {
  const PairCounts counts = count_pairs(parse(kGood));
  EXPECT_EQ(counts.events, 6u);
  // Node 3's local event is concurrent with the four events of nodes 1 and 2;
  // every other pair is ordered.
  EXPECT_EQ(counts.concurrent, 4u);
  EXPECT_EQ(counts.happens_before, 11u);
}

}  // namespace
}  // namespace distlab::trace
