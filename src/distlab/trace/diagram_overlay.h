// What an algorithm adds to a space-time diagram (trace/diagram.h), beyond its
// message families and lane spans: marks on its notes (a label, a symbol), shapes
// over the lanes (a snapshot's cut), and HTML beside the drawing (tables). Each
// algorithm's descriptor supplies its overlay (algo/registry.h gathers them); the
// diagram engine places the events and calls the overlays, knowing none by name.
//
//   DiagramOverlay o;
//   o.mark = [](const Record& r) -> std::optional<EventMark> { ... };
//   o.draw = [](const DiagramView& view, std::string& svg) { ...; return shapes; };
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/trace/trace.h"

namespace distlab::trace {

// Helpers for drawing text into a diagram, shared by the engine and the overlays.
namespace draw {
// A state's data is cut here in hover texts and tables.
inline constexpr std::size_t kTipChars = 400;
// Text for HTML content and attribute values.
void escape_to(std::string& out, std::string_view text);
std::string escaped(std::string_view text);
// "n3".
std::string node_name(NodeId id);
// A time as the diagram prints it: "0", "1.5ms".
std::string time_text(Nanos t);
// At most `max_chars` bytes, then "…".
std::string clipped(std::string text, std::size_t max_chars);
}  // namespace draw

// The lanes of one run's diagram, one per node, top to bottom by id.
struct DiagramLanes {
  static constexpr double kTop = 40;  // room for the time axis
  std::vector<NodeId> nodes;          // sorted
  double pitch = 56;
  bool labelled = true;               // events carry labels

  std::optional<std::size_t> index(NodeId id) const;
  double y(std::size_t lane) const { return kTop + pitch * (static_cast<double>(lane) + 0.5); }
  double bottom() const { return kTop + pitch * static_cast<double>(nodes.size()); }
};

// Where the layout put one event drawn in detail.
struct PlacedEvent {
  std::size_t record;       // index in the trace's events
  std::size_t lane;
  double x;
  std::string above;        // label rows; empty: none
  std::string below;
  std::string_view symbol;  // an overlay's symbol for the event; empty: its kind's shape
  std::string_view symbol_legend;
  std::string story;  // EventMark::story, or "n3 crashes"; empty: not part of the story
};

// What an overlay sees of one run's diagram.
struct DiagramView {
  const Trace& trace;
  const DiagramLanes& lanes;
  std::span<const PlacedEvent> placed;  // the events on lanes, in trace order
  std::span<const std::size_t> detail;  // every event drawn in detail (some nodes may have no lane)
};

// How an overlay marks one of its algorithm's notes (a state event with an object).
struct EventMark {
  std::string label;               // drawn above the event when it has no Lamport time
  std::string_view symbol;         // an SVG symbol of the overlay's `defs`, drawn instead of
                                   // the state's diamond when the event is labelled; empty: none
  std::string_view symbol_legend;  // the legend's words for the symbol
  // Set when the event is part of the run's story (an election, a new leader, a
  // suspicion): the words the page's overview of the run shows for it, which it also
  // tries to bring into the first view. Empty: not.
  std::string story;
};

// A change to one field of a node's state, as the page's step-through panel shows it
// beside the diagram ("leader": "follows n5"). An empty value clears the field.
struct StateChange {
  NodeId node = 0;
  std::string field;
  std::string value;
};

// Reads a run's events in trace order and says how each changes its nodes' state.
// Made afresh for each diagram, so it may keep what it needs (a monitor's suspects).
using StateStepper = std::function<void(const Record&, std::vector<StateChange>& changes)>;

// One algorithm's additions to the diagrams. Every member may be left empty.
struct DiagramOverlay {
  // The mark of a note; nullopt when the note is none of this algorithm's. The
  // first overlay that marks a note wins.
  std::function<std::optional<EventMark>(const Record&)> mark;
  // Appends SVG drawn over the lanes, under the arrows; returns how many shapes.
  std::function<std::size_t(const DiagramView&, std::string& svg)> draw;
  // The legend's entries (HTML), when `draw` drew any shape.
  std::string_view legend;
  // Appends HTML below the drawing.
  std::function<void(const DiagramView&, std::string& out)> after;
  // The page's CSS for `draw`'s shapes, for `after`'s HTML, and SVG definitions
  // (symbols) the marks use: each written once per page.
  std::string_view drawing_style;
  std::string_view page_style;
  std::string_view defs;
  // Makes the stepper that tells the step-through panel its algorithm's state
  // (clocks, crashes and recoveries the engine shows itself).
  std::function<StateStepper()> state;
};

}  // namespace distlab::trace
