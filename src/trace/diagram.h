// Space-time diagrams of traces, as self-contained HTML: one lane per node, events
// as dots labelled with their clocks, messages as arrows coloured by kind, and the
// algorithms' annotations drawn on top (snapshot cuts, leaders, suspicions, crashes).
// The page has no external resources; a small inline script adds hover details,
// pan and zoom.
//
//   DiagramPage page("Bully, seed 214");
//   page.add(trace, "Bully election");
//   write_file_atomically("run.html", page.html());
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/types.h"
#include "trace/trace.h"

namespace distlab::trace {

// Beyond this many events a diagram draws the first ones in detail and the rest as
// counts per lane, and says so: a browser stays responsive with this many SVG shapes.
inline constexpr std::size_t kDiagramMaxEvents = 20'000;
// At most this many lanes; events of further nodes are counted, not drawn.
inline constexpr std::size_t kDiagramMaxLanes = 1'000;

struct DiagramOptions {
  std::size_t max_events = kDiagramMaxEvents;  // events drawn in detail
  Nanos from_ns = 0;                           // the window of time drawn
  Nanos to_ns = kNanosMax;
};

// What a diagram holds, for the command's summary line and for tests.
struct DiagramSummary {
  std::size_t events = 0;   // events of the trace in the window
  std::size_t drawn = 0;    // events drawn in detail
  std::size_t arrows = 0;   // messages drawn (delivered or dropped)
  std::size_t lanes = 0;
  std::size_t cuts = 0;     // snapshot cuts drawn
  bool thinned = false;     // some events are shown only as counts
};

class DiagramPage {
 public:
  explicit DiagramPage(std::string title) : title_(std::move(title)) {}

  // Adds one run's diagram under `heading`, with its notes and snapshot tables.
  DiagramSummary add(const Trace& trace, std::string_view heading, const DiagramOptions& options = {});
  // The whole page.
  std::string html() const;

 private:
  std::string title_;
  std::string body_;
  int sections_ = 0;
};

// The colour family of a message type: "app", "marker", "election", "heartbeat" or
// "other" (legend and arrow classes).
std::string_view message_family(std::string_view type);

}  // namespace distlab::trace
