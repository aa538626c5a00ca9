#include "distlab/algo/bully/checker.h"
#include "distlab/algo/bully/descriptor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::bully {
namespace {

using namespace distlab::trace;

// This algorithm's checks, after the generic ones.
std::vector<CheckResult> checked(const Trace& trace) { return trace::check_trace(trace, Descriptor::kCheckers); }

Trace parse(const std::string& events) {
  std::istringstream in(
      R"({"format":"distlab-trace","version":1,"algorithm":"bully","mode":"sim","seed":1,"nodes":[1,2,3],"time_unit":"ns"})"
      "\n" + events);
  return read_trace(in, "b.jsonl");
}

const CheckResult& result(const std::vector<CheckResult>& results, std::string_view name) {
  for (const auto& r : results) {
    if (r.name == name) return r;
  }
  static const CheckResult kMissing{"missing", CheckStatus::skipped, ""};
  ADD_FAILURE() << "no " << name;
  return kMissing;
}

// Timeouts giving a bound of 100 + 2 * (10 + 20 + 10) = 180 ns.
constexpr const char* kConfig = R"({"t":0,"node":1,"kind":"state","data":{"bully":{"leader_timeout_ns":100,"answer_timeout_ns":10,"coordinator_timeout_ns":20,"ack_timeout_ns":10}}}
)";

TEST(ElectionCheckTest, AgreementOnTheHighestLiveIdPasses) {
  const Trace trace = parse(std::string(kConfig) + R"({"t":10,"node":3,"kind":"state","data":{"leader":3}}
{"t":11,"node":1,"kind":"state","data":{"leader":3}}
{"t":12,"node":2,"kind":"state","data":{"leader":3}}
{"t":500,"node":3,"kind":"crash"}
{"t":600,"node":2,"kind":"state","data":{"leader":2}}
{"t":601,"node":1,"kind":"state","data":{"leader":2}}
)");
  const ElectionAnalysis a = analyze_election(trace);
  EXPECT_EQ(a.bound_ns, 180);
  EXPECT_EQ(a.agreed_leader, 2u);
  EXPECT_EQ(a.agreed_since_ns, 601);
  ASSERT_EQ(a.failovers.size(), 1u);
  EXPECT_EQ(a.failovers[0].node, 3u);
  EXPECT_EQ(*a.failovers[0].agreed_ns - a.failovers[0].at_ns, 101);
  const auto results = checked(trace);
  EXPECT_EQ(result(results, "leader_agreement").status, CheckStatus::pass);
  EXPECT_EQ(result(results, "single_leader").status, CheckStatus::pass);
}

TEST(ElectionCheckTest, FollowingALowerNodeAtTheEndFails) {
  const Trace trace = parse(std::string(kConfig) + R"({"t":10,"node":2,"kind":"state","data":{"leader":2}}
{"t":11,"node":1,"kind":"state","data":{"leader":2}}
{"t":12,"node":3,"kind":"state","data":{"leader":2}}
{"t":1000,"node":1,"kind":"local"}
)");
  const auto results = checked(trace);
  const auto& r = result(results, "leader_agreement");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("3->2"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("highest live id 3"), std::string::npos) << r.detail;
}

TEST(ElectionCheckTest, AgreementAfterTheBoundFails) {
  const Trace trace = parse(std::string(kConfig) + R"({"t":10,"node":3,"kind":"crash"}
{"t":900,"node":2,"kind":"state","data":{"leader":2}}
{"t":901,"node":1,"kind":"state","data":{"leader":2}}
)");
  const auto results = checked(trace);
  const auto& r = result(results, "leader_agreement");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("beyond the bound"), std::string::npos) << r.detail;
}

TEST(ElectionCheckTest, EndingBeforeTheBoundIsInconclusive) {
  const Trace trace = parse(std::string(kConfig) + R"({"t":10,"node":3,"kind":"crash"}
{"t":50,"node":2,"kind":"state","data":{"election":"start"}}
)");
  EXPECT_EQ(result(checked(trace), "leader_agreement").status, CheckStatus::skipped);
}

TEST(ElectionCheckTest, TwoLeadersAtOnceOnAReliableNetworkFail) {
  const Trace trace = parse(std::string(kConfig) + R"({"t":10,"node":2,"kind":"state","data":{"leader":2}}
{"t":20,"node":3,"kind":"state","data":{"leader":3}}
{"t":30,"node":2,"kind":"state","data":{"leader":3}}
{"t":31,"node":1,"kind":"state","data":{"leader":3}}
)");
  const ElectionAnalysis a = analyze_election(trace);
  ASSERT_EQ(a.overlaps.size(), 1u);
  EXPECT_EQ(a.overlaps[0].from_ns, 20);
  EXPECT_EQ(a.overlaps[0].to_ns, 30);
  const auto results = checked(trace);
  const auto& r = result(results, "single_leader");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("nodes 2 and 3 both held leadership"), std::string::npos) << r.detail;
}

TEST(ElectionCheckTest, TwoLeadersUnderAPartitionAreReportedAsSplitBrain) {
  const Trace trace = parse(std::string(kConfig) + R"({"t":10,"node":2,"kind":"state","data":{"leader":2}}
{"t":15,"node":2,"kind":"send","msg":"2.1","to":3,"type":"alive"}
{"t":15,"node":2,"kind":"drop","msg":"2.1","to":3,"type":"alive","reason":"partition"}
{"t":20,"node":3,"kind":"state","data":{"leader":3}}
{"t":150,"node":2,"kind":"state","data":{"leader":3}}
{"t":151,"node":1,"kind":"state","data":{"leader":3}}
)");
  const auto results = checked(trace);
  const auto& single = result(results, "single_leader");
  EXPECT_EQ(single.status, CheckStatus::pass);
  EXPECT_NE(single.detail.find("split brain"), std::string::npos) << single.detail;
  EXPECT_NE(single.detail.find("known weakness"), std::string::npos) << single.detail;
  EXPECT_EQ(result(results, "leader_agreement").status, CheckStatus::pass);
}

TEST(ElectionCheckTest, TracesWithoutElectionsGetNoElectionChecks) {
  const auto results = checked(parse(R"({"t":0,"node":1,"kind":"local"}
)"));
  for (const auto& r : results) EXPECT_NE(r.name, "leader_agreement");
}

}  // namespace
}  // namespace distlab::bully
