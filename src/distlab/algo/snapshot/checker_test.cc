#include "distlab/algo/snapshot/checker.h"
#include "distlab/algo/snapshot/descriptor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/algo/snapshot/notes.h"
#include "distlab/trace/internal/test_records.h"

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

// ---- typed notes (notes.h) and the diagram overlay ----


using trace::testing::ev;
using trace::testing::note;
using trace::testing::occurrences;
using json = nlohmann::ordered_json;

std::string render(std::vector<trace::Record> events, trace::DiagramSummary* summary) {
  trace::Trace t;
  t.header.nodes = {1, 2};
  t.events = std::move(events);
  trace::DiagramPage page("test", {trace::MessageFamilies(Descriptor::message_families()), Descriptor::lane_spans(),
                                   {Descriptor::diagram_overlay()}});
  *summary = page.add(t, "run");
  return page.html();
}

TEST(SnapshotNotesTest, TheirJsonIsTheTracesForm) {
  EXPECT_EQ((SnapshotNote{.id = "2.1", .initiated = true}.to_json().dump()), R"({"snapshot":"2.1","initiated":true})");
  EXPECT_EQ((SnapshotNote{.id = "2.1", .recorded = json{{"hp", 3}}}.to_json().dump()),
            R"({"snapshot":"2.1","recorded":{"hp":3}})");
  const SnapshotNote channel{.id = "2.1",
                             .channel = SnapshotNote::Channel{.from = 3, .messages = {{"1.4"}}, .incomplete = true, .end = true}};
  EXPECT_EQ(channel.to_json().dump(),
            R"({"snapshot":"2.1","channel":3,"messages":["1.4"],"incomplete":true,"end":true})");
  std::string problem = "x";
  const auto back = SnapshotNote::from_json(channel.to_json(), &problem);
  ASSERT_TRUE(back && back->channel && back->channel->messages);
  EXPECT_EQ(problem, "");
  EXPECT_EQ(back->id, "2.1");
  EXPECT_EQ(back->channel->from, 3u);
  EXPECT_EQ(*back->channel->messages, std::vector<std::string>{"1.4"});
  EXPECT_TRUE(back->channel->incomplete && back->channel->end);
  EXPECT_FALSE(back->initiated || back->recorded);
}

TEST(SnapshotNotesTest, ADamagedNoteIsReadAsFarAsItGoesAndSaysWhatIsWrong) {
  std::string problem;
  EXPECT_FALSE(SnapshotNote::from_json({{"channels", {{"in", {1}}}}}, &problem).has_value());
  auto n = SnapshotNote::from_json({{"snapshot", 3}, {"recorded", nullptr}}, &problem);
  EXPECT_EQ(n->id, "3");
  EXPECT_TRUE(n->recorded.has_value());
  EXPECT_EQ(problem, "\"snapshot\" must be a snapshot id string");
  n = SnapshotNote::from_json({{"snapshot", "1.1"}, {"channel", "z"}, {"messages", {1, "2.1"}}}, &problem);
  EXPECT_EQ(problem, "\"channel\" must be a node id");
  EXPECT_EQ(*n->channel->messages, (std::vector<std::string>{"1", "2.1"}));
  SnapshotNote::from_json({{"snapshot", "1.1"}, {"channel", 2}, {"messages", {1}}}, &problem);
  EXPECT_EQ(problem, "\"messages\" must hold message ids");
  n = SnapshotNote::from_json({{"snapshot", "1.1"}, {"channel", 2}}, &problem);
  EXPECT_EQ(problem, "a recorded channel needs \"messages\"");
  EXPECT_FALSE(n->channel->messages.has_value());
}

TEST(SnapshotNotesTest, ChannelsAndBankNotesAtStart) {
  const ChannelsNote channels{.in = {2, 3}, .out = {3}};
  EXPECT_EQ(channels.to_json().dump(), R"({"channels":{"in":[2,3],"out":[3]}})");
  std::string problem = "x";
  EXPECT_EQ(ChannelsNote::from_json(channels.to_json(), &problem)->in, (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(problem, "");
  ChannelsNote::from_json({{"channels", {{"out", {1}}}}}, &problem);
  EXPECT_EQ(problem, "\"channels\" needs an \"in\" list");
  EXPECT_EQ(ChannelsNote::from_json({{"channels", {{"in", {1, -2}}}}}, &problem)->in, std::vector<NodeId>{1});
  EXPECT_EQ(problem, "a channel's source must be a node id");

  EXPECT_EQ(BankNote{250}.to_json().dump(), R"({"bank":{"initial_balance":250}})");
  EXPECT_EQ(BankNote::from_json(BankNote{250}.to_json(), &problem)->initial_balance, 250);
  EXPECT_EQ(problem, "");
  BankNote::from_json({{"bank", {{"initial_balance", "lots"}}}}, &problem);
  EXPECT_EQ(problem, "\"bank\" needs an integer \"initial_balance\"");
  EXPECT_FALSE(BankNote::from_json({{"snapshot", "1.1"}}).has_value());
}

TEST(SnapshotOverlayTest, ASnapshotIsACutWithItsChannelStates) {
  std::vector<trace::Record> events{
      ev(2, 0, EventKind::send, "2.1", 1, "transfer"),
      note(1, 1, SnapshotNote{.id = "1.1", .recorded = json{{"balance", 90}}}.to_json()),
      note(2, 2, SnapshotNote{.id = "1.1", .recorded = json{{"balance", 40}}}.to_json()),
      ev(1, 3, EventKind::recv, "2.1", 2, "transfer"),
      note(1, 3, SnapshotNote{.id = "1.1", .channel = SnapshotNote::Channel{.from = 2, .messages = {{"2.1"}}}}.to_json()),
  };
  events[0].data = {{"amount", 10}};
  trace::DiagramSummary s;
  const std::string html = render(events, &s);
  EXPECT_EQ(s.overlay_shapes, 1u);
  EXPECT_EQ(occurrences(html, "<g class=\"cut\""), 1u);
  EXPECT_EQ(occurrences(html, "class=\"cut-line\"/></svg>snapshot cut</span>"), 1u);
  EXPECT_EQ(occurrences(html, "<table class=\"snapshot\"><caption>Snapshot 1.1</caption>"), 1u);
  // Each id in the table is a link that finds the message in the diagram.
  EXPECT_NE(html.find("n2 → n1: <a class=\"find-msg\" href=\"#\" title=\"Find it in the diagram\">2.1</a> (transfer "
                      "{&quot;amount&quot;:10})"),
            std::string::npos);
  EXPECT_NE(html.find("{&quot;balance&quot;:40}"), std::string::npos);
}

TEST(SnapshotOverlayTest, DamagedNotesAreDrawnNotTrusted) {
  trace::DiagramSummary s;
  const std::string html = render({note(1, 4, {{"snapshot", 3}, {"recorded", nullptr}}),
                                   note(1, 5, {{"snapshot", 3}, {"channel", "z"}, {"messages", {1, nullptr}}}),
                                   note(1, 6, {{"snapshot", "4"}, {"channel", 2}})},
                                  &s);
  EXPECT_EQ(s.drawn, 3u);
  EXPECT_EQ(s.overlay_shapes, 1u);
  EXPECT_NE(html.find("n0 → n1: <a class=\"find-msg\" href=\"#\" title=\"Find it in the diagram\">1</a>, <a "
                      "class=\"find-msg\" href=\"#\" title=\"Find it in the diagram\">null</a>"),
            std::string::npos);
  EXPECT_EQ(occurrences(html, "<caption>"), 2u);
}

}  // namespace
}  // namespace distlab::snapshot
