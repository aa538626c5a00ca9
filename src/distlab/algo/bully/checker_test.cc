#include "distlab/algo/bully/checker.h"
#include "distlab/algo/bully/descriptor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/algo/bully/notes.h"
#include "distlab/trace/internal/test_records.h"

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

// ---- typed notes (notes.h) and the diagram overlay ----

using trace::testing::ev;
using trace::testing::note;
using trace::testing::occurrences;

std::string render(std::vector<trace::Record> events) {
  trace::Trace t;
  t.header.nodes = {0, 1, 2, 3};
  t.events = std::move(events);
  trace::DiagramPage page("test", {trace::MessageFamilies(Descriptor::message_families()), Descriptor::lane_spans(),
                                   {Descriptor::diagram_overlay()}});
  page.add(t, "run");
  return page.html();
}

TEST(BullyNotesTest, TheirJsonIsTheTracesForm) {
  EXPECT_EQ((ElectionNote{ElectionNote::Kind::start, "leader_timeout"}.to_json().dump()),
            R"({"election":"start","reason":"leader_timeout"})");
  EXPECT_EQ((ElectionNote{ElectionNote::Kind::won, {}}.to_json().dump()), R"({"election":"won"})");
  EXPECT_EQ(LeaderNote{5}.to_json().dump(), R"({"leader":5})");
  const auto start = ElectionNote::from_json(ElectionNote{ElectionNote::Kind::start, "asked"}.to_json());
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->kind, ElectionNote::Kind::start);
  EXPECT_EQ(start->reason, "asked");
  EXPECT_EQ(LeaderNote::from_json(LeaderNote{5}.to_json())->leader, 5u);
}

TEST(BullyNotesTest, TheConfigNoteHoldsTheTimeouts) {
  const ConfigNote c{.heartbeat_ns = 1, .leader_timeout_ns = 2, .leader_timeout_max_ns = 3, .answer_timeout_ns = 4,
                     .coordinator_timeout_ns = 5, .ack_timeout_ns = 6};
  EXPECT_EQ(c.to_json().dump(),
            R"({"bully":{"heartbeat_ns":1,"leader_timeout_ns":2,"leader_timeout_max_ns":3,"answer_timeout_ns":4,)"
            R"("coordinator_timeout_ns":5,"ack_timeout_ns":6}})");
  const auto back = ConfigNote::from_json(c.to_json());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->leader_timeout_max_ns, 3);
  EXPECT_EQ(back->ack_timeout_ns, 6);
  EXPECT_EQ(ConfigNote::from_json({{"bully", {{"answer_timeout_ns", "x"}}}})->answer_timeout_ns, 0);
  EXPECT_FALSE(ConfigNote::from_json({{"bully", 3}}).has_value());
}

TEST(BullyNotesTest, OtherAndDamagedNotesAreReadAsFarAsTheyGo) {
  EXPECT_EQ(ElectionNote::from_json({{"election", "later"}})->kind, ElectionNote::Kind::other);
  EXPECT_EQ(ElectionNote::from_json({{"election", "start"}, {"reason", 3}})->reason, "");
  EXPECT_FALSE(ElectionNote::from_json({{"leader", 3}}).has_value());
  EXPECT_FALSE(ElectionNote::from_json(42).has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"leader", "y"}})->leader.has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"leader", -1}})->leader.has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"leader", 1ULL << 40}})->leader.has_value());
  EXPECT_FALSE(LeaderNote::from_json({{"election", "won"}}).has_value());
}

TEST(BullyOverlayTest, LeadersAreStarredAndElectionsLabelled) {
  const std::string html = render({
      note(3, 0, LeaderNote{3}.to_json()),
      note(1, 1, LeaderNote{3}.to_json()),
      note(2, 2, ElectionNote{ElectionNote::Kind::start, "asked"}.to_json()),
      note(2, 3, ElectionNote{ElectionNote::Kind::won, {}}.to_json()),
      note(1, 4, {{"leader", "y"}}),
  });
  EXPECT_EQ(occurrences(html, "<use href=\"#star\""), 2u);  // node 3's own declaration, and the legend
  EXPECT_NE(html.find("</svg>declares itself leader</span>"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<symbol id=\"star\""), 1u);
  EXPECT_EQ(occurrences(html, ">leader 3</text>"), 2u);
  EXPECT_EQ(occurrences(html, ">election</text>"), 1u);  // the start, not the win
  EXPECT_EQ(occurrences(html, ">leader ?</text>"), 1u);
}

// A bar under a node's lane while it leads: from declaring itself leader to following
// another, to its crash, or to the end of the drawing.
TEST(BullyOverlayTest, ALeadershipBarRunsFromTakingLeadershipToLosingIt) {
  std::vector<trace::Record> events{
      note(3, 10, LeaderNote{3}.to_json()), note(1, 20, LeaderNote{3}.to_json()),  // following is not leading
      ev(3, 50, EventKind::crash),          note(2, 60, LeaderNote{2}.to_json()),
      note(2, 80, LeaderNote{3}.to_json()),  // steps down
      note(1, 90, LeaderNote{1}.to_json()),  // leads to the end
  };
  const std::string html = render(events);
  EXPECT_EQ(occurrences(html, "<rect class=\"lead\" x="), 3u);
  EXPECT_NE(html.find("data-tip=\"n3 leads from t = 10ns to its crash at t = 50ns\""), std::string::npos);
  EXPECT_NE(html.find("data-tip=\"n2 leads from t = 60ns to t = 80ns, when it followed n3\""),
            std::string::npos);
  EXPECT_NE(html.find("data-tip=\"n1 leads from t = 90ns to the end of the drawing\""), std::string::npos);
  EXPECT_NE(html.find("</svg>leading</span>"), std::string::npos);
  // Nobody leads: no bar, no legend entry.
  const std::string quiet = render({note(1, 0, LeaderNote{3}.to_json())});
  EXPECT_EQ(occurrences(quiet, "<rect class=\"lead\""), 0u);
  EXPECT_EQ(quiet.find("</svg>leading</span>"), std::string::npos);
}

}  // namespace
}  // namespace distlab::bully
