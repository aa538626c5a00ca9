#include "distlab/trace/diagram.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "distlab/trace/internal/test_records.h"

namespace distlab::trace {
namespace {

using testing::ev;

Record state(Nanos t, NodeId node, nlohmann::ordered_json data) {
  Record r = ev(node, t, EventKind::state);
  r.data = std::move(data);
  return r;
}

Trace make_trace(std::vector<Record> events, std::vector<NodeId> nodes = {1, 2, 3}) {
  Trace trace;
  trace.header.algorithm = "test";
  trace.header.seed = 7;
  trace.header.nodes = std::move(nodes);
  trace.events = std::move(events);
  return trace;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The first diagram's SVG (the legend above it has sample arrows of its own).
std::string svg_of(const std::string& html) {
  const auto begin = html.find("<svg class=\"diagram\"");
  return html.substr(begin, html.find("</svg>", begin) - begin);
}

// Two algorithms' families, as their descriptors would give them: "app" from both.
MessageFamilies test_families() {
  const std::vector<MessageFamily> families{
      {.name = "app", .title = "application messages", .colour = "#0072B2", .types = {"app"}},
      {.name = "marker", .title = "snapshot markers", .colour = "#D55E00", .dashes = "6 3", .types = {"marker"}},
      {.name = "app", .title = "application messages", .colour = "#0072B2", .types = {"move"}},
      {.name = "election", .title = "election messages", .colour = "#CC79A7", .width = "1.8", .head_size = 6,
       .types = {"election", "coordinator"}},
      {.name = "heartbeat", .title = "heartbeats", .colour = "#009E73", .dashes = "2 3", .types = {"heartbeat"}}};
  return MessageFamilies(families);
}

// The monitor's suspicions, as the heartbeat descriptor gives them.
std::vector<LaneSpan> test_spans() {
  return {{.name = "suspect", .group = "suspicions", .opens_key = "suspect", .closes_key = "trust",
           .what = "suspected", .legend = "suspected by the monitor", .fill = "#F0E442", .opacity = ".45"}};
}

std::string render(const Trace& trace, DiagramSummary* summary = nullptr, const DiagramOptions& options = {}) {
  DiagramPage page("test", {test_families(), test_spans()});
  const DiagramSummary s = page.add(trace, "run", options);
  if (summary != nullptr) *summary = s;
  return page.html();
}

// Three messages: one delivered, one lost at its sender, one dropped at a crashed receiver.
Trace three_messages() {
  return make_trace({
      ev(1, 0, EventKind::send, "1.1", 2),
      ev(2, 5, EventKind::recv, "1.1", 1),
      ev(2, 10, EventKind::send, "2.1", 3, "heartbeat"),
      ev(2, 10, EventKind::drop, "2.1", 3, "heartbeat"),
      ev(3, 12, EventKind::crash),
      ev(1, 20, EventKind::send, "1.2", 3, "election"),
      ev(3, 25, EventKind::drop, "1.2", 3, "election"),
      ev(3, 30, EventKind::recover),
  });
}

TEST(Diagram, DrawsEveryEventAndOneArrowPerDeliveredOrDroppedMessage) {
  DiagramSummary s;
  const std::string html = svg_of(render(three_messages(), &s));
  EXPECT_EQ(s.events, 8u);
  EXPECT_EQ(s.drawn, 8u);
  EXPECT_EQ(s.arrows, 3u);
  EXPECT_EQ(s.lanes, 3u);
  EXPECT_FALSE(s.thinned);
  EXPECT_EQ(count(html, "<g class=\"ev k-"), 8u);
  EXPECT_EQ(count(html, "<line class=\"msg "), 3u);
  EXPECT_EQ(count(html, "<line class=\"msg app\""), 1u);
  EXPECT_EQ(count(html, "<line class=\"msg heartbeat dropped\""), 1u);
  EXPECT_EQ(count(html, "<line class=\"msg election dropped\""), 1u);
}

TEST(Diagram, ACrashIsAGapInTheLane) {
  const std::string html = render(three_messages());
  const auto lanes_begin = html.find("<g class=\"lane\">");
  const auto lanes_end = html.find("</g>", lanes_begin);
  const std::string lanes = html.substr(lanes_begin, lanes_end - lanes_begin);
  // Lanes 1 and 2 are one line each; lane 3 is cut in two by the crash.
  EXPECT_EQ(count(lanes, "<line "), 4u);
}

TEST(Diagram, TimeRunsRightAndAReceiptLiesRightOfItsSend) {
  const std::string html = render(three_messages());
  const std::regex dot("<g class=\"ev k-(\\w+)\"[^>]*><circle cx=\"([0-9.]+)\"");
  std::vector<double> xs;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), dot); it != std::sregex_iterator(); ++it) {
    xs.push_back(std::stod((*it)[2]));
  }
  ASSERT_EQ(xs.size(), 4u);  // three sends and a receipt are circles
  for (std::size_t i = 1; i < xs.size(); ++i) EXPECT_LT(xs[i - 1], xs[i]);
}

TEST(Diagram, ManyEventsAreThinnedAndThePageSaysSo) {
  std::vector<Record> events;
  for (int i = 0; i < 50; ++i) events.push_back(ev(1 + i % 3, i * 1000, EventKind::local));
  DiagramSummary s;
  DiagramOptions options;
  options.max_events = 20;
  const std::string html = render(make_trace(events), &s, options);
  EXPECT_TRUE(s.thinned);
  EXPECT_EQ(s.events, 50u);
  EXPECT_EQ(s.drawn, 20u);
  EXPECT_EQ(count(html, "<g class=\"ev k-"), 20u);
  EXPECT_NE(html.find("This run has 50 events"), std::string::npos);
  EXPECT_NE(html.find("+30 events"), std::string::npos);
}

TEST(Diagram, AWindowDrawsOnlyItsEvents) {
  std::vector<Record> events;
  for (int i = 0; i < 10; ++i) events.push_back(ev(1, i * kMillisecond, EventKind::local));
  DiagramSummary s;
  DiagramOptions options;
  options.from_ns = 3 * kMillisecond;
  options.to_ns = 5 * kMillisecond;
  const std::string html = render(make_trace(events), &s, options);
  EXPECT_EQ(s.events, 3u);
  EXPECT_EQ(count(html, "<g class=\"ev k-"), 3u);
  EXPECT_NE(html.find("Only the events from t = 3ms to t = 5ms"), std::string::npos);
}

TEST(Diagram, LabelsInOneRowOfALaneNeverMeet) {
  // Lamport labels of growing width on busy lanes, and vector times below them.
  std::vector<Record> events;
  for (int i = 0; i < 40; ++i) {
    Record r = ev(1 + i % 2, i / 4, EventKind::local);
    r.lamport = static_cast<std::int64_t>(i) * 99'991;
    r.vc = VectorClock();
    r.vc->set(1, static_cast<std::uint64_t>(i) * 1000);
    events.push_back(r);
  }
  const std::string html = render(make_trace(events, {1, 2}));
  const std::regex label("<text class=\"lbl\" x=\"([0-9.]+)\" y=\"([0-9.]+)\">([^<]*)</text>");
  std::map<std::string, std::vector<std::pair<double, double>>> rows;  // y -> [left, right]
  std::size_t labels = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), label); it != std::sregex_iterator(); ++it) {
    const double x = std::stod((*it)[1]);
    const double half = static_cast<double>((*it)[3].length()) * 6.0 / 2;  // a 10px monospace character is 6px
    rows[(*it)[2]].emplace_back(x - half, x + half);
    ++labels;
  }
  EXPECT_EQ(labels, 80u);
  for (auto& [y, spans] : rows) {
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) EXPECT_LE(spans[i - 1].second, spans[i].first) << "row y=" << y;
  }
}

TEST(Diagram, ASnapshotIsACutWithItsChannelStates) {
  Trace trace = make_trace({
      ev(2, 0, EventKind::send, "2.1", 1, "transfer"),
      state(1, 1, {{"snapshot", "1.1"}, {"recorded", {{"balance", 90}}}}),
      state(2, 2, {{"snapshot", "1.1"}, {"recorded", {{"balance", 40}}}}),
      ev(1, 3, EventKind::recv, "2.1", 2, "transfer"),
      state(3, 1, {{"snapshot", "1.1"}, {"channel", 2}, {"messages", {"2.1"}}}),
  }, {1, 2});
  trace.events[0].data = {{"amount", 10}};
  DiagramSummary s;
  const std::string html = render(trace, &s);
  EXPECT_EQ(s.cuts, 1u);
  EXPECT_EQ(count(html, "<g class=\"cut\""), 1u);
  EXPECT_NE(html.find("n2 → n1: 2.1 (transfer {&quot;amount&quot;:10})"), std::string::npos);
  EXPECT_NE(html.find("{&quot;balance&quot;:40}"), std::string::npos);
}

// A span named by a note's value on the noting node's own lane, closed by a note or
// by that node's crash; a page with no such notes draws no group and no legend entry.
TEST(Diagram, LaneSpansOpenAndCloseOnTheNotingNode) {
  const LaneSpan inside{.name = "inside", .group = "critical-sections", .opens_key = "mutex",
                        .opens_value = "enter", .closes_key = "mutex", .closes_value = "exit",
                        .crash_closes = true, .what = "inside", .legend = "inside the critical section",
                        .fill = "#56B4E9", .opacity = ".35"};
  Trace trace = make_trace({
      state(1, 1, {{"mutex", "enter"}}),
      state(5, 1, {{"mutex", "exit"}}),
      state(6, 2, {{"mutex", "enter"}}),
      ev(2, 8, EventKind::crash),
      state(9, 1, {{"mutex", "request"}}),
  }, {1, 2});
  DiagramPage page("test", {test_families(), {inside}});
  page.add(trace, "run");
  const std::string html = page.html();
  EXPECT_EQ(count(html, "<rect class=\"inside\""), 2u);
  EXPECT_NE(html.find("class=\"inside\"/></svg>inside the critical section</span>"), std::string::npos);
  EXPECT_NE(html.find("n1 inside from t = 1ns to t = 5ns"), std::string::npos);
  EXPECT_NE(html.find("n2 inside from t = 6ns to its crash at t = 8ns"), std::string::npos);
  EXPECT_NE(html.find("rect.inside { fill: #56B4E9; fill-opacity: .35; }"), std::string::npos);
  EXPECT_EQ(count(html, "<g class=\"critical-sections\">"), 1u);

  DiagramPage none("test", {test_families(), {inside}});
  none.add(make_trace({state(1, 1, {{"mutex", "request"}})}, {1, 2}), "run");
  EXPECT_EQ(none.html().find("<g class=\"critical-sections\">"), std::string::npos);
  EXPECT_EQ(none.html().find("inside the critical section</span>"), std::string::npos);
}

TEST(Diagram, LeadersAreStarredAndSuspicionsShaded) {
  const std::string html = render(make_trace({
      state(0, 3, {{"leader", 3}}),
      state(1, 1, {{"leader", 3}}),
      state(2, 0, {{"suspect", 2}}),
      state(9, 0, {{"trust", 2}}),
      state(10, 0, {{"suspect", 1}}),
  }, {0, 1, 2, 3}));
  EXPECT_EQ(count(html, "<use href=\"#star\""), 2u);  // node 3's own declaration, and the legend
  EXPECT_EQ(count(html, "<rect class=\"suspect\""), 2u);  // 2 from suspect to trust; 1 to the end
  EXPECT_NE(html.find("n1 suspected from t = 10ns to the end"), std::string::npos);
}

TEST(Diagram, AnnotationsOfUnexpectedShapesAreDrawnNotTrusted) {
  // A trace's state data is free-form: odd values are shown, never dereferenced blindly.
  DiagramSummary s;
  render(make_trace({state(0, 1, {{"redirect_to", "x"}}), state(1, 1, {{"leader", "y"}}),
                     state(2, 1, {{"suspect", -1}}), state(3, 1, {{"trust", nullptr}}),
                     state(4, 1, {{"snapshot", 3}, {"recorded", nullptr}}),
                     state(5, 1, {{"snapshot", 3}, {"channel", "z"}, {"messages", {1, nullptr}}}), state(6, 1, 42)},
                    {1}),
         &s);
  EXPECT_EQ(s.drawn, 7u);
  EXPECT_EQ(s.cuts, 1u);
}

TEST(Diagram, TextFromTheTraceIsEscaped) {
  Record r = ev(1, 0, EventKind::local);
  r.label = "<script>alert(1)</script>";
  const std::string html = render(make_trace({r}, {1}));
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)"), std::string::npos);
}

TEST(Diagram, ThePageIsSelfContainedAndTheSameEveryTime) {
  const std::string html = render(three_messages());
  EXPECT_EQ(html, render(three_messages()));
  EXPECT_EQ(html.find("http://www.w3.org/2000/svg\"") != std::string::npos, true);
  // The SVG namespace is the one address; nothing is fetched.
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(count(html, "http://"), count(html, "http://www.w3.org/2000/svg"));
}

TEST(Diagram, MessageFamilies) {
  const MessageFamilies families = test_families();
  EXPECT_EQ(families.of("marker").name, "marker");
  EXPECT_EQ(families.of("coordinator").name, "election");
  EXPECT_EQ(families.of("move").name, "app");  // same-named families merge their types
  EXPECT_EQ(families.of("app").name, "app");
  EXPECT_EQ(families.of("gossip").name, "other");
  ASSERT_EQ(families.all().size(), 5u);  // app, marker, election, heartbeat, and "other" last
  EXPECT_EQ(families.all().back().name, "other");
  EXPECT_EQ(MessageFamilies().of("app").name, "other");
}

TEST(Diagram, EachFamilyGetsItsStyleAndArrowhead) {
  const std::string html = render(three_messages());
  EXPECT_NE(html.find("line.msg.election { stroke: #CC79A7; stroke-width: 1.8; marker-end: url(#ah-election); }"),
            std::string::npos);
  EXPECT_NE(html.find("line.msg.marker { stroke: #D55E00; stroke-dasharray: 6 3; marker-end: url(#ah-marker); }"),
            std::string::npos);
  EXPECT_NE(html.find("<marker id=\"ah-election\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\""),
            std::string::npos);
  EXPECT_NE(html.find("line.msg.other { stroke: #999; marker-end: url(#ah-other); }"), std::string::npos);
  EXPECT_EQ(count(html, "line.msg.app {"), 1u);
}

}  // namespace
}  // namespace distlab::trace
