#include "distlab/trace/diagram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "distlab/trace/internal/diagram_layout.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::trace {
namespace {

using testing::ev;

// A note of `node` at `t`.
Record state(Nanos t, NodeId node, nlohmann::ordered_json data) { return testing::note(node, t, std::move(data)); }

Trace make_trace(std::vector<Record> events, std::vector<NodeId> nodes = {1, 2, 3}) {
  Trace trace;
  trace.header.algorithm = "test";
  trace.header.seed = 7;
  trace.header.nodes = std::move(nodes);
  trace.events = std::move(events);
  return trace;
}

std::size_t count(const std::string& text, const std::string& needle) { return testing::occurrences(text, needle); }

// The first diagram's SVG (the legend above it has sample arrows of its own).
std::string svg_of(const std::string& html) {
  const auto begin = html.find("<svg class=\"diagram\"");
  return html.substr(begin, html.find("</svg>", begin) - begin);
}

// Two algorithms' families, as their descriptors would give them: "app" from both.
MessageFamilies test_families() {
  const std::vector<MessageFamily> families{
      {.name = "app", .title = "application messages", .colour = "#0072B2", .types = {"app"}},
      {.name = "token", .title = "token messages", .colour = "#D55E00", .dashes = "6 3", .types = {"token"}},
      {.name = "app", .title = "application messages", .colour = "#0072B2", .types = {"move"}},
      {.name = "probe", .title = "probes", .colour = "#CC79A7", .width = "1.8", .head_size = 6,
       .types = {"probe", "echo"}},
      {.name = "pulse", .title = "pulses", .colour = "#009E73", .dashes = "2 3", .types = {"pulse"}}};
  return MessageFamilies(families);
}

// A watcher's watch over a node, opened and closed by notes naming that node.
std::vector<LaneSpan> test_spans() {
  return {{.name = "watched", .group = "watches", .opens_key = "watch", .closes_key = "unwatch",
           .what = "watched", .legend = "watched by a node", .fill = "#F0E442", .opacity = ".45"}};
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
      ev(2, 10, EventKind::send, "2.1", 3, "pulse"),
      ev(2, 10, EventKind::drop, "2.1", 3, "pulse"),
      ev(3, 12, EventKind::crash),
      ev(1, 20, EventKind::send, "1.2", 3, "probe"),
      ev(3, 25, EventKind::drop, "1.2", 3, "probe"),
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
  EXPECT_EQ(count(html, "<line class=\"msg pulse dropped\""), 1u);
  EXPECT_EQ(count(html, "<line class=\"msg probe dropped\""), 1u);
}

// A message lost at its sender (loss, partition) to a node three lanes away: its
// cross stays on the sender's lane, not on a lane between, which would read as that
// node dropping it.
TEST(Diagram, ALossAtTheSenderIsCrossedOnTheSendersOwnLane) {
  const std::string svg = svg_of(render(make_trace(
      {ev(1, 0, EventKind::send, "1.1", 4), ev(1, 0, EventKind::drop, "1.1", 4), ev(4, 5, EventKind::local)},
      {1, 2, 3, 4})));
  const std::regex cross("<g class=\"ev k-drop\"[^>]*><path d=\"M([0-9.]+),([0-9.]+)l8,8");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, cross));
  const double y = std::stod(m[2]) + 4;  // the cross's centre
  const std::regex arrow("<line class=\"msg app dropped\" x1=\"[0-9.]+\" y1=\"([0-9.]+)\"");
  ASSERT_TRUE(std::regex_search(svg, m, arrow));
  const double sender_y = std::stod(m[1]);
  const std::regex dot("<g class=\"ev k-local\"[^>]*><circle cx=\"[0-9.]+\" cy=\"([0-9.]+)\"");
  ASSERT_TRUE(std::regex_search(svg, m, dot));
  const double pitch = (std::stod(m[1]) - sender_y) / 3;  // node 4's lane is three below
  ASSERT_GT(pitch, 0);
  EXPECT_GT(y, sender_y);                   // on its way down to node 4
  EXPECT_LT(y - sender_y, pitch / 2) << y;  // nearer the sender's lane than any other
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

// The time axis's labels, left to right.
std::vector<std::string> tick_labels(const std::string& html) {
  const std::string svg = svg_of(html);
  const auto begin = svg.find("<g class=\"axis\">");
  const std::string axis = svg.substr(begin, svg.find("</g>", begin) - begin);
  const std::regex text("<text[^>]*>([^<]*)</text>");
  std::vector<std::string> labels;
  for (auto it = std::sregex_iterator(axis.begin(), axis.end(), text); it != std::sregex_iterator(); ++it) {
    labels.push_back((*it)[1]);
  }
  return labels;
}

TEST(Diagram, EachTickOfTheTimeAxisSaysATimeOfItsOwn) {
  // Many events at 3 s (one tick for them), then times that round alike to four digits.
  std::vector<Record> events;
  for (int i = 0; i < 30; ++i) events.push_back(ev(1 + i % 3, 3 * kSecond, EventKind::local));
  for (int i = 0; i < 30; ++i)
    events.push_back(ev(1 + i % 3, 3 * kSecond + 10'000 + i * 10'000, EventKind::local));
  const std::vector<std::string> labels = tick_labels(render(make_trace(events)));
  ASSERT_GE(labels.size(), 4u) << ::testing::PrintToString(labels);
  EXPECT_EQ(labels.front(), "3s");
  EXPECT_EQ(std::count(labels.begin(), labels.end(), "3s"), 1);
  for (std::size_t i = 1; i < labels.size(); ++i) {
    ASSERT_EQ(labels[i].rfind("3.000", 0), 0u) << labels[i];  // more digits, still seconds
    EXPECT_LT(std::stod(labels[i - 1]), std::stod(labels[i])) << labels[i - 1] << " then " << labels[i];
  }
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

// A span named by a note's value on the noting node's own lane, closed by a note or
// by that node's crash; a page with no such notes draws no group and no legend entry.
TEST(Diagram, LaneSpansOpenAndCloseOnTheNotingNode) {
  const LaneSpan inside{.name = "inside", .group = "rooms", .opens_key = "room",
                        .opens_value = "enter", .closes_key = "room", .closes_value = "leave",
                        .crash_closes = true, .what = "inside", .legend = "inside the room",
                        .fill = "#56B4E9", .opacity = ".35"};
  Trace trace = make_trace({
      state(1, 1, {{"room", "enter"}}),
      state(5, 1, {{"room", "leave"}}),
      state(6, 2, {{"room", "enter"}}),
      ev(2, 8, EventKind::crash),
      state(9, 1, {{"room", "knock"}}),
  }, {1, 2});
  DiagramPage page("test", {test_families(), {inside}});
  page.add(trace, "run");
  const std::string html = page.html();
  EXPECT_EQ(count(html, "<rect class=\"inside\""), 2u);
  EXPECT_NE(html.find("class=\"inside\"/></svg>inside the room</span>"), std::string::npos);
  EXPECT_NE(html.find("n1 inside from t = 1ns to t = 5ns"), std::string::npos);
  EXPECT_NE(html.find("n2 inside from t = 6ns to its crash at t = 8ns"), std::string::npos);
  EXPECT_NE(html.find("rect.inside { fill: #56B4E9; fill-opacity: .35; }"), std::string::npos);
  EXPECT_EQ(count(html, "<g class=\"rooms\">"), 1u);

  DiagramPage none("test", {test_families(), {inside}});
  none.add(make_trace({state(1, 1, {{"room", "knock"}})}, {1, 2}), "run");
  EXPECT_EQ(none.html().find("<g class=\"rooms\">"), std::string::npos);
  EXPECT_EQ(none.html().find("inside the room</span>"), std::string::npos);
}

// A span named by a note's value, a node id: that node's lane is shaded, until the
// closing note or the end.
TEST(Diagram, LaneSpansShadeTheNamedNodesLane) {
  const std::string html = render(make_trace({
      state(2, 0, {{"watch", 2}}),
      state(9, 0, {{"unwatch", 2}}),
      state(10, 0, {{"watch", 1}}),
      state(11, 0, {{"watch", -1}}),
      state(12, 0, {{"unwatch", "x"}}),
  }, {0, 1, 2}));
  EXPECT_EQ(count(html, "<rect class=\"watched\""), 2u);  // 2 from watch to unwatch; 1 to the end
  EXPECT_NE(html.find("n2 watched from t = 2ns to t = 9ns"), std::string::npos);
  EXPECT_NE(html.find("n1 watched from t = 10ns to the end"), std::string::npos);
}

// An overlay that marks "flag" notes with a label and, on the flagging node's own
// lane, a symbol; boxes each "box" note; and lists the boxes below the drawing.
DiagramOverlay test_overlay() {
  DiagramOverlay o;
  o.mark = [](const Record& r) -> std::optional<EventMark> {
    const auto it = r.data.find("flag");
    if (it == r.data.end()) return std::nullopt;
    EventMark mark{.label = "flag " + it->dump()};
    if (*it == r.node) {
      mark.symbol = "own";
      mark.symbol_legend = "its own flag";
    }
    return mark;
  };
  o.draw = [](const DiagramView& view, std::string& svg) {
    std::size_t shapes = 0;
    for (const PlacedEvent& p : view.placed) {
      if (!view.trace.events[p.record].data.contains("box")) continue;
      svg += "<rect class=\"box\" x=\"" + std::to_string(static_cast<int>(p.x)) + "\"/>";
      ++shapes;
    }
    return shapes;
  };
  o.legend = "<span>boxes</span>";
  o.after = [](const DiagramView& view, std::string& out) {
    out += "<p class=\"boxes\">" + std::to_string(view.detail.size()) + " events in detail</p>\n";
  };
  o.drawing_style = ".box { fill: red; }\n";
  o.page_style = "p.boxes { color: red; }\n";
  o.defs = "<symbol id=\"own\"></symbol>\n";
  return o;
}

TEST(Diagram, OverlaysMarkNotesDrawShapesAndWriteBelowTheDrawing) {
  DiagramPage page("test", {test_families(), test_spans(), {DiagramOverlay{}, test_overlay()}});
  const DiagramSummary s = page.add(make_trace({
      state(0, 3, {{"flag", 3}}),
      state(1, 1, {{"flag", 3}}),
      state(2, 1, {{"box", true}}),
      state(3, 2, {{"box", true}}),
  }, {1, 2, 3}), "run");
  const std::string html = page.html();
  EXPECT_EQ(s.overlay_shapes, 2u);
  EXPECT_EQ(count(html, "<use href=\"#own\""), 2u);  // node 3's own flag, and the legend
  EXPECT_NE(html.find("<use href=\"#own\" x=\"7\" y=\"7\"/></svg>its own flag</span>"), std::string::npos);
  EXPECT_EQ(count(html, ">flag 3</text>"), 2u);
  EXPECT_EQ(count(html, "<rect class=\"box\""), 2u);
  EXPECT_EQ(count(html, "<span>boxes</span>"), 1u);
  EXPECT_NE(html.find("<p class=\"boxes\">4 events in detail</p>"), std::string::npos);
  // Each style and definition once, in its place: drawing styles before the lane
  // spans', page styles after them, the symbols among the definitions.
  EXPECT_EQ(count(html, ".box { fill: red; }"), 1u);
  EXPECT_LT(html.find(".box { fill: red; }"), html.find("rect.watched {"));
  EXPECT_LT(html.find("rect.watched {"), html.find("p.boxes { color: red; }"));
  EXPECT_LT(html.find("p.boxes { color: red; }"), html.find("</style>"));
  EXPECT_LT(html.find("<defs>"), html.find("<symbol id=\"own\">"));
  EXPECT_LT(html.find("<symbol id=\"own\">"), html.find("</defs>"));

  // A run the overlay has nothing for: no shapes, no legend entry.
  DiagramPage none("test", {test_families(), {}, {test_overlay()}});
  EXPECT_EQ(none.add(three_messages(), "run").overlay_shapes, 0u);
  EXPECT_EQ(none.html().find("<span>boxes</span>"), std::string::npos);
  EXPECT_EQ(none.html().find("its own flag</span>"), std::string::npos);
}

TEST(Diagram, NotesOfUnexpectedShapesAreDrawnNotTrusted) {
  // A trace's state data is free-form: odd values are shown, never dereferenced blindly.
  DiagramSummary s;
  render(make_trace({state(0, 1, {{"watch", "x"}}), state(1, 1, {{"unwatch", nullptr}}), state(2, 1, 42),
                     state(3, 1, nullptr), state(4, 1, {{"room", 1}})},
                    {1}),
         &s);
  EXPECT_EQ(s.drawn, 5u);
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
  EXPECT_EQ(families.of("token").name, "token");
  EXPECT_EQ(families.of("echo").name, "probe");
  EXPECT_EQ(families.of("move").name, "app");  // same-named families merge their types
  EXPECT_EQ(families.of("app").name, "app");
  EXPECT_EQ(families.of("gossip").name, "other");
  ASSERT_EQ(families.all().size(), 5u);  // app, token, probe, pulse, and "other" last
  EXPECT_EQ(families.all().back().name, "other");
  EXPECT_EQ(MessageFamilies().of("app").name, "other");
}

// The legend's entry for each family drawn is a toggle for that diagram; a message's
// events name their family, and the page's style hides both under the toggle's class.
TEST(Diagram, EachFamilyDrawnHasAToggleThatHidesItsArrowsAndEvents) {
  const std::string html = render(three_messages());
  for (const std::string family : {"app", "pulse", "probe"}) {
    EXPECT_EQ(count(html, "<input type=\"checkbox\" checked data-for=\"d1\" data-family=\"" + family + "\">"),
              1u)
        << family;
    EXPECT_NE(html.find("svg.hide-" + family + " line.msg." + family + ", svg.hide-" + family +
                        " [data-family=\"" + family + "\"] { display: none; }"),
              std::string::npos)
        << family;
  }
  EXPECT_EQ(count(html, "data-for=\"d1\" data-family=\"token\""), 0u) << "no token was sent";
  const std::string svg = svg_of(html);
  EXPECT_EQ(count(svg, "data-family=\"app\""), 2u);    // a send and its receipt
  EXPECT_EQ(count(svg, "data-family=\"pulse\""), 2u);  // a send and its drop
  const auto crash = svg.find("<g class=\"ev k-crash\"");
  ASSERT_NE(crash, std::string::npos);
  EXPECT_EQ(svg.substr(crash, svg.find('>', crash) - crash).find("data-family"), std::string::npos)
      << "a crash is no message's";
  // The search box finds a message by the id its arrow and events carry.
  EXPECT_EQ(count(svg, "data-msg=\"1.1\""), 3u);  // the arrow, the send and the receipt
  EXPECT_EQ(count(svg, "data-msg=\"2.1\""), 3u);  // the arrow, the send and the drop
  EXPECT_EQ(count(html, "<input type=\"search\" class=\"find\""), 1u);
}

// Within a family, each type has an arrowhead of its own (its place in the family's
// list), and the legend names the types a run sent beside their heads.
TEST(Diagram, EachTypeOfAFamilyHasItsOwnArrowheadNamedInTheLegend) {
  const std::string html = render(make_trace({
      ev(1, 0, EventKind::send, "1.1", 2, "probe"),
      ev(2, 5, EventKind::recv, "1.1", 1, "probe"),
      ev(2, 10, EventKind::send, "2.1", 1, "echo"),
      ev(1, 15, EventKind::recv, "2.1", 2, "echo"),
      ev(1, 20, EventKind::send, "1.2", 2, "pulse"),
      ev(2, 25, EventKind::recv, "1.2", 1, "pulse"),
  }));
  const std::string svg = svg_of(html);
  EXPECT_EQ(count(svg, "<line class=\"msg probe\" "), 1u);     // the first type: the family's head
  EXPECT_EQ(count(svg, "<line class=\"msg probe t1\" "), 1u);  // echo, the second
  EXPECT_EQ(count(svg, "<line class=\"msg pulse\" "), 1u);
  EXPECT_NE(html.find("line.msg.probe.t1 { marker-end: url(#ah-probe-1); }"), std::string::npos);
  EXPECT_NE(html.find("<marker id=\"ah-probe-1\""), std::string::npos);
  EXPECT_EQ(html.find("<marker id=\"ah-pulse-1\""), std::string::npos) << "pulse has one type";
  // The legend: probes with both types named; pulses, one type sent, without.
  EXPECT_NE(html.find("<line class=\"msg probe t1\" x1=\"0\""), std::string::npos);
  EXPECT_NE(html.find("</svg>echo</span>"), std::string::npos);
  EXPECT_NE(html.find("</svg>probe</span>"), std::string::npos);
  EXPECT_EQ(html.find("</svg>pulse</span>"), std::string::npos);
}

TEST(Diagram, EachFamilyGetsItsStyleAndArrowhead) {
  const std::string html = render(three_messages());
  EXPECT_NE(html.find("line.msg.probe { stroke: #CC79A7; stroke-width: 1.8; marker-end: url(#ah-probe); }"),
            std::string::npos);
  EXPECT_NE(html.find("line.msg.token { stroke: #D55E00; stroke-dasharray: 6 3; marker-end: url(#ah-token); }"),
            std::string::npos);
  EXPECT_NE(html.find("<marker id=\"ah-probe\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"6\""),
            std::string::npos);
  EXPECT_NE(html.find("line.msg.other { stroke: #999; marker-end: url(#ah-other); }"), std::string::npos);
  EXPECT_EQ(count(html, "line.msg.app {"), 1u);
}

// The checkers' verdicts head the diagram, each with its status and reason; the events
// a failure names are marked (a ring, and the check's name on them), and so is a
// message whose both ends it names; a passing check marks nothing.
TEST(Diagram, VerdictsAreListedAndAFailuresEventsAreMarked) {
  const Trace trace = three_messages();
  const std::vector<CheckResult> checks{
      {"causality", CheckStatus::pass, "7 events"},
      {"clock_condition", CheckStatus::fail, "e0 happened before e1 <but>", {0, 1}},
      {"mutual_exclusion", CheckStatus::fail, "two inside", {1, 4, 99}},
      {"entry_order", CheckStatus::skipped, "not judged", {2}},
  };
  const std::string html = render(trace, nullptr, {.checks = checks});
  const auto list = html.substr(html.find("<ul class=\"verdicts\""),
                                html.find("</ul>") - html.find("<ul class=\"verdicts\""));
  EXPECT_EQ(count(list, "<li class=\"pass\">"), 1u);
  EXPECT_EQ(count(list, "<li class=\"fail\">"), 2u);
  EXPECT_EQ(count(list, "<li class=\"skipped\">"), 1u);
  EXPECT_NE(list.find("e0 happened before e1 &lt;but&gt;"), std::string::npos) << "the reason, escaped";
  EXPECT_NE(list.find("data-check=\"clock_condition\">show its 2 events</button>"), std::string::npos)
      << list;
  EXPECT_NE(
      list.find("data-check=\"mutual_exclusion\">show its 2 events</button> <i>(1 of the events it names is "
                "outside the drawing)</i>"),
      std::string::npos)
      << list;
  const std::string svg = svg_of(html);
  EXPECT_EQ(count(svg, "<circle class=\"ring\""), 3u) << "events 0, 1 and 4; not the skipped check's";
  EXPECT_EQ(
      count(svg,
            "data-i=\"1\" data-n=\"1\" data-family=\"app\" data-msg=\"1.1\" data-checks=\"clock_condition "
            "mutual_exclusion\""),
      1u)
      << svg;
  // Message 1.1's send and receipt are both named by clock_condition: its arrow is marked.
  EXPECT_EQ(count(svg, "class=\"msg app flag\""), 1u);
  EXPECT_EQ(count(svg, "data-checks=\"clock_condition\" data-tip=\"message 1.1"), 1u);
  EXPECT_EQ(count(svg, " flag\""), 1u + 3u) << "one arrow, three events";
  // Without checks, no panel.
  EXPECT_EQ(render(trace).find("<ul class=\"verdicts\""), std::string::npos);
}

// The step-through panel: a table beside the drawing with a row per lane and a column
// per field the overlays' steppers set; each event carries its clocks and the
// changes it makes, which the page applies up to the cursor. Each diagram gets a
// fresh stepper.
TEST(Diagram, EventsCarryTheStateChangesTheStepThroughTableShows) {
  Trace trace = three_messages();
  trace.events[0].lamport = 4;
  DiagramOverlay counting;
  int made = 0;
  counting.state = [&made] {
    ++made;
    return [seen = 0](const Record& r, std::vector<StateChange>& changes) mutable {
      if (r.kind == EventKind::crash) changes.push_back({r.node, "mood \"down\"", "gone"});
      if (r.kind == EventKind::recv) changes.push_back({r.node, "heard", std::to_string(++seen)});
      if (r.kind == EventKind::recv) changes.push_back({99, "heard", "a node with no lane"});
    };
  };
  DiagramPage page("test", {test_families(), {}, {counting}});
  page.add(trace, "one");
  page.add(trace, "two");
  const std::string html = page.html();
  EXPECT_EQ(made, 2) << "one stepper per diagram";
  const std::string svg = svg_of(html);
  EXPECT_EQ(count(svg, "data-set=\"[[1,&quot;heard&quot;,&quot;1&quot;]]\""), 1u) << svg;
  EXPECT_EQ(count(svg, "data-set=\"[[2,&quot;mood \\&quot;down\\&quot;&quot;,&quot;gone&quot;]]\""), 1u)
      << svg;
  EXPECT_EQ(count(svg, "data-set="), 2u) << "the node without a lane is left out";
  EXPECT_EQ(count(svg, "data-l=\"4\""), 1u);
  EXPECT_EQ(count(html, "<table class=\"state\" data-for=\"d2\">"), 1u);
  const auto table = html.substr(html.find("<table class=\"state\" data-for=\"d1\">"));
  EXPECT_EQ(table.substr(0, table.find("</thead>")),
            "<table class=\"state\" "
            "data-for=\"d1\"><thead><tr><th>node</th><th>status</th><th>Lamport</th><th>heard</th>"
            "<th>mood &quot;down&quot;</th></tr>");
  EXPECT_EQ(count(table.substr(0, table.find("</table>")), "<tr><td>n"), 3u);
  EXPECT_NE(html.find("<input type=\"range\" class=\"cursor\" min=\"0\" max=\"8\""), std::string::npos);
}

// The run's story, which the page's overview ticks and its first view seeks: crashes
// and recoveries, and what the overlays' marks call part of it.
TEST(Diagram, CrashesRecoveriesAndMarkedNotesAreTheStory) {
  Trace trace = three_messages();
  trace.events.push_back(ev(1, 40, EventKind::state));
  trace.events.back().data = {{"told", true}};
  trace.events.push_back(ev(2, 41, EventKind::state));
  trace.events.back().data = {{"other", true}};
  DiagramOverlay telling;
  telling.mark = [](const Record& r) -> std::optional<EventMark> {
    if (!r.data.contains("told")) return std::nullopt;
    return EventMark{.label = "told", .story = "n1 tells <all>"};
  };
  DiagramPage page("test", {test_families(), {}, {telling}});
  page.add(trace, "run");
  const std::string svg = svg_of(page.html());
  EXPECT_EQ(count(svg, "data-story=\"n3 crashes\""), 1u);
  EXPECT_EQ(count(svg, "data-story=\"n3 recovers\""), 1u);
  EXPECT_EQ(count(svg, "data-story=\"n1 tells &lt;all&gt;\""), 1u);
  EXPECT_EQ(count(svg, "data-story="), 3u) << "a note no overlay tells is not";
  EXPECT_EQ(count(svg, "data-lanes=\"3\""), 1u);
}

// Runs compared share one time line: an event earlier than another lies left of it,
// whichever runs they belong to; an instant has one x in each run.
TEST(Diagram, RunsComparedShareTheirLanesAndOneTimeLine) {
  const Trace a = three_messages();
  Trace b = make_trace({ev(4, 3, EventKind::local), ev(2, 7, EventKind::send, "9.1", 4),
                        ev(4, 12, EventKind::recv, "9.1", 2), ev(2, 26, EventKind::local)},
                       {2, 4});
  const DiagramHints hints{test_families(), test_spans()};
  const DiagramOptions options;
  const internal::AlignedRun runs[] = {{a, options}, {b, options}};
  const std::vector<internal::DiagramLayout> ls = internal::lay_out_aligned(runs, hints);
  ASSERT_EQ(ls.size(), 2u);
  const std::vector<NodeId> lanes{1, 2, 3, 4};  // every node of either run, in one order
  EXPECT_EQ(ls[0].lanes.nodes, lanes);
  EXPECT_EQ(ls[1].lanes.nodes, lanes);
  EXPECT_EQ(ls[0].detail_right, ls[1].detail_right) << "as wide as each other";
  ASSERT_EQ(ls[0].placed.size(), a.events.size());
  ASSERT_EQ(ls[1].placed.size(), b.events.size());
  for (const PlacedEvent& p : ls[0].placed) {
    for (const PlacedEvent& q : ls[1].placed) {
      const Nanos tp = a.events[p.record].t, tq = b.events[q.record].t;
      if (tp < tq) {
        EXPECT_LT(p.x, q.x) << "t = " << tp << " and t = " << tq;
      } else if (tq < tp) {
        EXPECT_LT(q.x, p.x) << "t = " << tq << " and t = " << tp;
      }
    }
  }
  // A run compared with itself: each event at the same place in both.
  const internal::AlignedRun twice[] = {{a, options}, {a, options}};
  const std::vector<internal::DiagramLayout> same = internal::lay_out_aligned(twice, hints);
  for (std::size_t i = 0; i < a.events.size(); ++i) EXPECT_EQ(same[0].placed[i].x, same[1].placed[i].x) << i;
  // Laid out alone, a run keeps its own lanes.
  EXPECT_EQ(internal::lay_out(b, hints, options).lanes.nodes, (std::vector<NodeId>{2, 4}));
}

TEST(Diagram, AComparisonLinksItsDrawingsAndPutsTheirHeadsSideBySide) {
  const Trace a = three_messages();
  const Trace b = three_messages();
  DiagramPage page("test", {test_families(), test_spans()});
  page.add(a, "alone");
  const ComparedRun runs[] = {{a, "first", {}}, {b, "second", {}}};
  const std::vector<DiagramSummary> s = page.compare(runs, "two runs");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1].events, b.events.size());
  const std::string html = page.html();
  EXPECT_EQ(count(html, "<svg class=\"diagram\""), 3u);
  EXPECT_EQ(count(html, "data-link=\"c2\""), 2u) << "the two compared, not the one alone";
  EXPECT_EQ(count(html, "<section class=\"compare\" id=\"sc2\">\n<h2>two runs</h2>"), 1u);
  EXPECT_EQ(count(html, "<div class=\"run\">\n<h3>first</h3>"), 1u);
  EXPECT_EQ(count(html, "<b class=\"which\">second</b>"), 1u);
  // Heads first, then the drawings one under the other.
  EXPECT_LT(html.find("<h3>second</h3>"), html.find("id=\"d2\""));
  EXPECT_LT(html.find("id=\"d2\""), html.find("id=\"d3\""));
}

}  // namespace
}  // namespace distlab::trace
