#include "distlab/trace/internal/diagram_layout.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <optional>

namespace distlab::trace::internal {
namespace {

// Geometry, in SVG user units (CSS pixels at 1:1). Labels are 10px monospace: a
// character is at most kCharWidth wide, so a label's width is known without a font.
constexpr double kCharWidth = 6.2;
constexpr double kLabelGap = 6;     // between two labels in one row of a lane
constexpr double kDotGap = 10;      // between two events of a lane
constexpr double kTimeStep = 8;     // between events of different times, at least
constexpr double kFlight = 28;      // from a send to its receipt, at least: arrows slant
constexpr double kLanePitch = 56;   // labelled lanes: a row of labels above and below
constexpr double kCompactPitch = 14;
constexpr std::size_t kLabelledLanesMax = 64;
constexpr std::size_t kVectorLabelEntriesMax = 8;  // wider vector times only on hover

// Characters, not bytes: "→" is one.
std::size_t display_length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

double label_width(std::string_view text) { return static_cast<double>(display_length(text)) * kCharWidth; }

// The idle time between two instants widens the gap a little (log scale), so the
// rhythm of a run shows without long runs of empty space.
double time_step(Nanos dt) {
  const auto ms = static_cast<std::uint64_t>(std::max<Nanos>(dt, 0) / kMillisecond);
  return kTimeStep + std::min(24.0, 2.0 * static_cast<double>(std::bit_width(ms)));
}

void select(DiagramLayout& l, const DiagramOptions& options) {
  for (std::size_t i = 0; i < l.trace.events.size(); ++i) {
    const Nanos t = l.trace.events[i].t;
    if (t < options.from_ns || t > options.to_ns) continue;
    ++l.events;
    if (l.detail.size() < options.max_events) {
      l.detail.push_back(i);
    } else {
      l.rest.push_back(i);
    }
  }
}

// One lane per node with events (or in the header) in any of the layouts, the same
// lanes in each: a run compared with another is drawn on aligned lanes.
void make_lanes(std::span<DiagramLayout> ls) {
  std::vector<NodeId> nodes;
  for (const DiagramLayout& l : ls) {
    nodes.insert(nodes.end(), l.trace.header.nodes.begin(), l.trace.header.nodes.end());
    for (const std::size_t i : l.detail) nodes.push_back(l.trace.events[i].node);
  }
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  std::size_t capped = 0;
  if (nodes.size() > kDiagramMaxLanes) {
    capped = nodes.size();
    nodes.resize(kDiagramMaxLanes);
  }
  for (DiagramLayout& l : ls) {
    l.lanes_capped = capped;
    l.lanes.nodes = nodes;
    l.lanes.labelled = nodes.size() <= kLabelledLanesMax;
    l.lanes.pitch = l.lanes.labelled ? kLanePitch : kCompactPitch;
  }
}

// Where each layout's lanes stand while placing: the right ends of the last dot and
// of the last label in each row.
struct LaneEnds {
  explicit LaneEnds(const DiagramLayout& l)
      : last_x(l.lanes.nodes.size(), kNone),
        above_right(l.lanes.nodes.size(), kNone),
        below_right(l.lanes.nodes.size(), kNone),
        vector_labels(l.trace.header.nodes.size() <= kVectorLabelEntriesMax) {}
  static constexpr double kNone = -std::numeric_limits<double>::infinity();
  std::vector<double> last_x, above_right, below_right;
  bool vector_labels;  // the run's vector times are short enough to label its events with
};

// x grows with time: an event lies right of every earlier-timed event (of every
// layout: runs compared share one time grid, so an instant has one x in all of
// them), right of the previous event of its lane, and far enough that labels in a
// row never meet.
void place(std::span<DiagramLayout> ls, const DiagramHints& hints) {
  std::vector<LaneEnds> ends;
  std::vector<std::size_t> next(ls.size(), 0);  // each layout's next event in `detail`
  for (DiagramLayout& l : ls) {
    ends.emplace_back(l);
    l.placed.reserve(l.detail.size());
  }
  double max_x = kDiagramLeft;
  double floor_x = kDiagramLeft + 16;
  std::optional<Nanos> group_t;
  for (;;) {
    // The earliest next event; the first layout's at a tie. Each trace is in time order.
    std::size_t k = ls.size();
    for (std::size_t j = 0; j < ls.size(); ++j) {
      if (next[j] == ls[j].detail.size()) continue;
      if (k == ls.size() ||
          ls[j].trace.events[ls[j].detail[next[j]]].t < ls[k].trace.events[ls[k].detail[next[k]]].t)
        k = j;
    }
    if (k == ls.size()) break;
    DiagramLayout& l = ls[k];
    LaneEnds& e = ends[k];
    const std::size_t i = l.detail[next[k]++];
    const Record& r = l.trace.events[i];
    const auto lane = l.lanes.index(r.node);
    if (!lane) {
      ++l.off_lane;
      continue;
    }
    if (group_t && r.t != *group_t) floor_x = max_x + time_step(r.t - *group_t);
    group_t = r.t;
    PlacedEvent p{i, *lane, floor_x, {}, {}, {}, {}, {}};
    EventMark mark = mark_of(r, hints);
    p.story = std::move(mark.story);
    if (l.lanes.labelled) {
      p.symbol = mark.symbol;
      p.symbol_legend = mark.symbol_legend;
      p.above = r.lamport ? std::to_string(*r.lamport) : std::move(mark.label);
      if (r.vc && e.vector_labels) p.below = vector_text(*r.vc, l.trace.header.nodes);
    }
    double x = std::max(floor_x, e.last_x[*lane] + kDotGap);
    if (!p.above.empty()) x = std::max(x, e.above_right[*lane] + kLabelGap + label_width(p.above) / 2);
    if (!p.below.empty()) x = std::max(x, e.below_right[*lane] + kLabelGap + label_width(p.below) / 2);
    if (r.kind == EventKind::recv || r.kind == EventKind::drop) {
      const auto send = l.sends.find(r.msg);
      if (send != l.sends.end()) x = std::max(x, l.placed[send->second].x + kFlight);
    }
    p.x = x;
    e.last_x[*lane] = x;
    if (!p.above.empty()) e.above_right[*lane] = x + label_width(p.above) / 2;
    if (!p.below.empty()) e.below_right[*lane] = x + label_width(p.below) / 2;
    max_x = std::max(max_x, x);
    if (r.kind == EventKind::send) l.sends.emplace(r.msg, l.placed.size());
    l.placed.push_back(std::move(p));
  }
  for (DiagramLayout& l : ls) l.detail_right = max_x;  // runs compared are as wide as each other
}

}  // namespace

DiagramLayout lay_out(const Trace& trace, const DiagramHints& hints, const DiagramOptions& options) {
  const AlignedRun run[] = {{trace, options}};
  std::vector<DiagramLayout> one = lay_out_aligned(run, hints);
  return std::move(one.front());
}

std::vector<DiagramLayout> lay_out_aligned(std::span<const AlignedRun> runs, const DiagramHints& hints) {
  std::vector<DiagramLayout> ls;
  ls.reserve(runs.size());
  for (const AlignedRun& run : runs) {
    ls.push_back(DiagramLayout{.trace = run.trace, .checks = run.options.checks});
    select(ls.back(), run.options);
  }
  make_lanes(ls);
  place(ls, hints);
  return ls;
}

std::pair<double, double> drop_point(const DiagramLayout& layout, const PlacedEvent& drop, const Record& send) {
  const double y0 = layout.lanes.y(drop.lane);
  const auto target = layout.lanes.index(send.peer);
  const double pitch = layout.lanes.pitch;
  const double y1 = target ? layout.lanes.y(*target) : y0 + pitch;
  // A short way towards the receiver, however far its lane: still on the sender's own
  // lane, never on one between (where it would read as that node dropping it).
  return {drop.x + 18, y0 + std::clamp(y1 - y0, -pitch, pitch) * 0.3};
}

std::string vector_text(const VectorClock& vc, const std::vector<NodeId>& nodes) {
  std::string out = "[";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(vc.get(nodes[i]));
  }
  return out + "]";
}

}  // namespace distlab::trace::internal

namespace distlab::trace {

std::optional<std::size_t> DiagramLanes::index(NodeId id) const {
  const auto it = std::lower_bound(nodes.begin(), nodes.end(), id);
  if (it == nodes.end() || *it != id) return std::nullopt;
  return static_cast<std::size_t>(it - nodes.begin());
}

}  // namespace distlab::trace
