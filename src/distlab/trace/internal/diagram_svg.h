// The SVG drawing of one laid-out run (internal/diagram_layout.h): axis, lane spans,
// lanes, the overlays' shapes, arrows, events, counts and lane names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/trace/internal/diagram_layout.h"

namespace distlab::trace::internal {

// What the drawing holds, for the legend and the summary.
struct DiagramDrawn {
  std::size_t arrows = 0;
  std::vector<std::size_t> spans;     // rectangles, per hints.spans entry
  std::vector<std::size_t> overlays;  // shapes, per hints.overlays entry
  std::size_t partitions = 0;         // network faults drawn: two-way partitions
  std::size_t one_way_cuts = 0;       // and one-way cuts
  // What the step-through panel shows: the fields the overlays' steppers set, in the
  // order first set, and whether events carry Lamport or vector times.
  std::vector<std::string> state_fields;
  bool lamport = false;
  bool vector = false;
};

// `link`: the name drawings compared share (the page moves their views together);
// empty for a drawing of its own.
DiagramDrawn draw_svg(std::string& svg, const DiagramLayout& layout, const DiagramHints& hints,
                      std::string_view id, std::string_view link = {});

}  // namespace distlab::trace::internal
