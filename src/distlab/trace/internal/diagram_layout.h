// The layout of one run's diagram: which events are drawn in detail, the lanes, and
// each event's place along its lane (trace/diagram.h draws what this places).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "distlab/trace/diagram.h"

namespace distlab::trace::internal {

inline constexpr double kDiagramLeft = 64;  // room for the lane names

struct DiagramLayout {
  const Trace& trace;
  std::size_t events = 0;            // events of the trace in the window
  std::vector<std::size_t> detail;   // indices of the events drawn in detail
  std::vector<std::size_t> rest;     // the window's other events, drawn as counts
  DiagramLanes lanes;
  std::size_t lanes_capped = 0;      // nodes with events, when more than the lanes
  std::size_t off_lane = 0;          // detailed events of nodes without a lane
  std::vector<PlacedEvent> placed;
  std::unordered_map<std::string_view, std::size_t> sends;  // message id -> its send in placed (lookups only)
  double detail_right = kDiagramLeft;
  std::span<const CheckResult> checks;  // the verdicts whose named events are marked

  DiagramView view() const { return {trace, lanes, placed, detail}; }
};

// Places the window's events: x grows with time, labels in a row never meet.
DiagramLayout lay_out(const Trace& trace, const DiagramHints& hints, const DiagramOptions& options);

// Runs laid out to be compared: the same lanes (every node of any of them) and one
// time grid, so that an event earlier than another lies left of it whichever runs
// they belong to, and every layout is as wide as the widest.
struct AlignedRun {
  const Trace& trace;
  const DiagramOptions& options;
};
std::vector<DiagramLayout> lay_out_aligned(std::span<const AlignedRun> runs, const DiagramHints& hints);

// Where a message lost at its sender is drawn to die: a short way towards its target
// lane, still on the sender's own.
std::pair<double, double> drop_point(const DiagramLayout& layout, const PlacedEvent& drop, const Record& send);

// The vector time's entries for the header's nodes: "[1,0,2]".
std::string vector_text(const VectorClock& vc, const std::vector<NodeId>& nodes);

}  // namespace distlab::trace::internal
