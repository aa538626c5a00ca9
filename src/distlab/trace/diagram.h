// Space-time diagrams of traces, as self-contained HTML: one lane per node, events
// as dots labelled with their clocks, messages as arrows coloured by kind, and the
// algorithms' annotations drawn on top by their overlays (trace/diagram_overlay.h).
// The page has no external resources; a small inline script adds hover details,
// pan and zoom.
//
//   DiagramPage page("distlab: run.jsonl", algorithms::diagram_hints());
//   page.add(trace, "run.jsonl");
//   write_file_atomically("run.html", page.html());
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/diagram_overlay.h"
#include "distlab/trace/trace.h"

namespace distlab::trace {

// Beyond this many events a diagram draws the first ones in detail and the rest as
// counts per lane, and says so: a browser stays responsive with this many SVG shapes.
inline constexpr std::size_t kDiagramMaxEvents = 20'000;
// At most this many lanes; events of further nodes are counted, not drawn.
inline constexpr std::size_t kDiagramMaxLanes = 1'000;
// Up to this many lanes, a table beside the drawing shows each node's state at the
// step-through cursor.
inline constexpr std::size_t kStateTableMaxLanes = 64;

struct DiagramOptions {
  std::size_t max_events = kDiagramMaxEvents;  // events drawn in detail
  Nanos from_ns = 0;                           // the window of time drawn
  Nanos to_ns = kNanosMax;
  // The checkers' verdicts on the run, listed above the drawing; the events a failure
  // names (CheckResult::events) are marked in it.
  std::span<const CheckResult> checks = {};
};

// What a diagram holds, for the command's summary line and for tests.
struct DiagramSummary {
  std::size_t events = 0;   // events of the trace in the window
  std::size_t drawn = 0;    // events drawn in detail
  std::size_t arrows = 0;   // messages drawn (delivered or dropped)
  std::size_t lanes = 0;
  std::size_t overlay_shapes = 0;  // shapes the algorithms' overlays drew
  bool thinned = false;     // some events are shown only as counts
};

// How one family of messages is drawn, and which message types belong to it. Each
// algorithm's descriptor lists its families (algo/registry.h gathers them); the
// diagram engine knows none by name.
struct MessageFamily {
  std::string_view name;          // the arrows' CSS class: lower-case letters
  std::string_view title;         // the legend's words: "application messages"
  std::string_view colour;        // "#CC79A7"
  std::string_view dashes = {};   // SVG stroke-dasharray; empty: a solid line
  std::string_view width = {};    // SVG stroke-width; empty: the common width
  int head_size = 7;              // the arrowhead's size, in stroke widths
  std::vector<std::string_view> types;  // the trace's message types drawn this way
};

// The families a page draws, in the order of their arrows' styles, and "other" for
// any type in none of them.
class MessageFamilies {
 public:
  // Families of the same name are merged (their types joined); they must agree on
  // how they are drawn. A type belongs to one family at most.
  explicit MessageFamilies(std::span<const MessageFamily> families = {});

  // The family of a message type: "other" when no family lists it.
  const MessageFamily& of(std::string_view type) const;
  // Its place in the family that declared it (0 for a type none lists): the shape of
  // its arrowhead, one of kTypeShapes, so that a family's types are told apart.
  std::size_t shape_of(std::string_view type) const;
  static constexpr std::size_t kTypeShapes = 5;
  // Every family, "other" last.
  std::span<const MessageFamily> all() const { return families_; }

 private:
  std::vector<MessageFamily> families_;
  std::vector<std::pair<std::string_view, std::size_t>> shapes_;  // type -> shape
};

// A stretch of a lane that an algorithm's notes open and close, shaded on that lane:
// the monitor's suspicion of a node, a node inside its critical section.
struct LaneSpan {
  std::string_view name;          // its rectangles' CSS class: lower-case letters and dashes
  std::string_view group;         // the SVG group's class, holding every such rectangle
  std::string_view opens_key;     // a state note with this key opens a span...
  std::string_view opens_value;   // ...when its value is this string; empty: the value is
                                  // a node id, and that node's lane is shaded
  std::string_view closes_key;    // likewise, the note that closes it
  std::string_view closes_value;
  bool crash_closes = false;      // a crash of the shaded node closes it too
  std::string_view what;          // the hover text: "n3 {what} from t = ... to t = ..."
  std::string_view legend;        // the legend's words
  std::string_view fill;          // "#F0E442"
  std::string_view opacity;       // ".45"
};

// What the algorithms tell the diagram engine, which knows none of them by name:
// how their messages are drawn, which stretches of lanes their notes shade, and
// what else their notes add to the drawing.
struct DiagramHints {
  MessageFamilies families;
  std::vector<LaneSpan> spans;
  std::vector<DiagramOverlay> overlays;
  // A check's name as people read it ("leader agreement" for "leader_agreement");
  // unset: the identifier.
  std::function<std::string(std::string_view id)> check_title;
};

// An event's mark as the diagrams show it: "crash" and "recover", or what the first
// overlay that marks its note makes of it; empty for an event nobody marks. Its
// `story` is what a page's overview tells (`distlab launch` prints it live too).
EventMark mark_of(const Record& r, const DiagramHints& hints);

// One of the runs a page compares.
struct ComparedRun {
  const Trace& trace;
  std::string_view heading;
  DiagramOptions options;
};

class DiagramPage {
 public:
  DiagramPage(std::string title, DiagramHints hints) : title_(std::move(title)), hints_(std::move(hints)) {}

  // Adds one run's diagram under `heading`, with its notes and the overlays' tables.
  DiagramSummary add(const Trace& trace, std::string_view heading, const DiagramOptions& options = {});
  // Adds two runs or more (of one scenario, say simulated and real) to compare: their
  // heads and verdicts side by side, then their drawings one under the other on the
  // same lanes and one time line, panned and zoomed together.
  std::vector<DiagramSummary> compare(std::span<const ComparedRun> runs, std::string_view heading);
  // The whole page.
  std::string html() const;

 private:
  std::string title_;
  DiagramHints hints_;
  std::string body_;
  int sections_ = 0;
};

}  // namespace distlab::trace
