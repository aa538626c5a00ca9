#include "distlab/trace/diagram.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"
#include "distlab/trace/internal/diagram_assets.h"

namespace distlab::trace {
namespace {

// Geometry, in SVG user units (CSS pixels at 1:1). Labels are 10px monospace: a
// character is at most kCharWidth wide, so a label's width is known without a font.
constexpr double kCharWidth = 6.2;
constexpr double kLabelGap = 6;     // between two labels in one row of a lane
constexpr double kDotGap = 10;      // between two events of a lane
constexpr double kTimeStep = 8;     // between events of different times, at least
constexpr double kFlight = 28;      // from a send to its receipt, at least: arrows slant
constexpr double kLeft = 64;        // room for the lane names
constexpr double kTop = 40;         // room for the time axis
constexpr double kRightMargin = 40;
constexpr double kLanePitch = 56;   // labelled lanes: a row of labels above and below
constexpr double kCompactPitch = 14;
constexpr std::size_t kLabelledLanesMax = 64;
constexpr std::size_t kVectorLabelEntriesMax = 8;  // wider vector times only on hover
constexpr double kTickSpacingMin = 90;
constexpr std::size_t kTipChars = 400;  // a state's data is cut here on hover
// The events past the detailed ones: counts per lane in this many time buckets.
constexpr std::size_t kBuckets = 60;
constexpr double kBucketWidth = 8;

// Text for HTML content and attribute values.
void escape_to(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
}

std::string escaped(std::string_view text) {
  std::string out;
  escape_to(out, text);
  return out;
}

// Characters, not bytes: "→" is one.
std::size_t display_length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

double label_width(std::string_view text) { return static_cast<double>(display_length(text)) * kCharWidth; }

std::string time_text(Nanos t) { return t == 0 ? "0" : format_duration_rounded(t, 4); }

std::string cut(std::string text, std::size_t max_chars) {
  if (text.size() > max_chars) text = text.substr(0, max_chars) + "…";
  return text;
}

// The idle time between two instants widens the gap a little (log scale), so the
// rhythm of a run shows without long runs of empty space.
double time_step(Nanos dt) {
  const auto ms = static_cast<std::uint64_t>(std::max<Nanos>(dt, 0) / kMillisecond);
  return kTimeStep + std::min(24.0, 2.0 * static_cast<double>(std::bit_width(ms)));
}

std::string node_name(NodeId id) { return fmt::format("n{}", id); }

// An annotation's short label and whether it marks a leader.
struct Annotation {
  std::string label;
  bool leader = false;  // the node declares itself leader
};

Annotation annotation_of(const Record& r) {
  Annotation a;
  const auto& d = r.data;
  if (r.kind == EventKind::crash) a.label = "crash";
  if (r.kind == EventKind::recover) a.label = "recover";
  if (r.kind != EventKind::state || !d.is_object()) return a;
  auto number = [](const nlohmann::ordered_json& v) { return v.is_number_integer() ? v.dump() : std::string("?"); };
  if (d.contains("leader")) {
    a.label = "leader " + number(d["leader"]);
    a.leader = d["leader"].is_number_integer() && d["leader"].get<std::int64_t>() == static_cast<std::int64_t>(r.node);
  } else if (d.contains("suspect")) {
    a.label = "suspect " + node_name(d["suspect"].is_number_integer() ? d["suspect"].get<NodeId>() : 0);
  } else if (d.contains("trust")) {
    a.label = "trust " + node_name(d["trust"].is_number_integer() ? d["trust"].get<NodeId>() : 0);
  } else if (d.contains("redirect_to")) {
    const auto& to = d["redirect_to"];
    a.label = to.is_number_integer() ? "→ " + node_name(to.get<NodeId>()) : "→ none";
  } else if (d.contains("election") && d["election"] == "start") {
    a.label = "election";
  }
  return a;
}

std::string vector_text(const VectorClock& vc, const std::vector<NodeId>& nodes) {
  std::string out = "[";
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(vc.get(nodes[i]));
  }
  return out + "]";
}

std::string tip_of(const Record& r, const std::vector<NodeId>& nodes) {
  std::string what;
  switch (r.kind) {
    case EventKind::send:
      what = fmt::format("send {} to {} ({})", r.msg, node_name(r.peer), r.type);
      if (!r.data.is_null()) what += " " + cut(r.data.dump(), kTipChars);
      break;
    case EventKind::recv: what = fmt::format("recv {} from {} ({})", r.msg, node_name(r.peer), r.type); break;
    case EventKind::drop: what = fmt::format("drop {} to {} ({}): {}", r.msg, node_name(r.peer), r.type, r.label); break;
    case EventKind::timer: what = fmt::format("timer {}", r.label); break;
    case EventKind::local: what = r.label.empty() ? "local" : "local " + r.label; break;
    case EventKind::state: what = "state " + cut(r.data.dump(), kTipChars); break;
    case EventKind::crash: what = "crash"; break;
    case EventKind::recover: what = "recover"; break;
  }
  std::string tip = fmt::format("{}: {}\nt = {}", node_name(r.node), what, time_text(r.t));
  if (r.lamport) tip += fmt::format("\nLamport time {}", *r.lamport);
  if (r.vc) tip += "\nvector time " + vector_text(*r.vc, nodes);
  if (r.line > 0) tip += fmt::format("\ntrace line {}", r.line);
  return tip;
}

struct Lanes {
  std::vector<NodeId> nodes;  // sorted
  double pitch = kLanePitch;
  bool labelled = true;

  std::optional<std::size_t> index(NodeId id) const {
    const auto it = std::lower_bound(nodes.begin(), nodes.end(), id);
    if (it == nodes.end() || *it != id) return std::nullopt;
    return static_cast<std::size_t>(it - nodes.begin());
  }
  double y(std::size_t lane) const { return kTop + pitch * (static_cast<double>(lane) + 0.5); }
  double bottom() const { return kTop + pitch * static_cast<double>(nodes.size()); }
};

// One run's diagram, built in passes over the events drawn in detail.
class Builder {
 public:
  Builder(const Trace& trace, const DiagramHints& hints, const DiagramOptions& options, int section)
      : trace_(trace), hints_(hints), options_(options), id_(fmt::format("d{}", section)) {}

  DiagramSummary build(std::string& out, std::string_view heading) {
    select();
    make_lanes();
    place();
    summary_.drawn = placed_.size();
    std::string svg;
    draw(svg);
    write_section(out, heading, svg);
    return summary_;
  }

 private:
  struct Placed {
    std::size_t record;  // index in trace_.events
    std::size_t lane;
    double x;
    std::string above;  // label rows; empty: none
    std::string below;
    bool leader = false;
  };

  void select() {
    for (std::size_t i = 0; i < trace_.events.size(); ++i) {
      const Nanos t = trace_.events[i].t;
      if (t < options_.from_ns || t > options_.to_ns) continue;
      ++summary_.events;
      if (detail_.size() < options_.max_events) {
        detail_.push_back(i);
      } else {
        rest_.push_back(i);
      }
    }
    summary_.thinned = !rest_.empty();
  }

  void make_lanes() {
    std::vector<NodeId> nodes = trace_.header.nodes;
    for (const std::size_t i : detail_) nodes.push_back(trace_.events[i].node);
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    if (nodes.size() > kDiagramMaxLanes) {
      lanes_capped_ = nodes.size();
      nodes.resize(kDiagramMaxLanes);
    }
    lanes_.nodes = std::move(nodes);
    lanes_.labelled = lanes_.nodes.size() <= kLabelledLanesMax;
    lanes_.pitch = lanes_.labelled ? kLanePitch : kCompactPitch;
    summary_.lanes = lanes_.nodes.size();
  }

  // x grows with time: an event lies right of every earlier-timed event, right of
  // the previous event of its lane, and far enough that labels in a row never meet.
  void place() {
    const std::size_t n = lanes_.nodes.size();
    constexpr double kNone = -std::numeric_limits<double>::infinity();
    std::vector<double> last_x(n, kNone), above_right(n, kNone), below_right(n, kNone);
    const bool vector_labels = trace_.header.nodes.size() <= kVectorLabelEntriesMax;
    double max_x = kLeft;
    double floor_x = kLeft + 16;
    std::optional<Nanos> group_t;
    placed_.reserve(detail_.size());
    for (const std::size_t i : detail_) {
      const Record& r = trace_.events[i];
      const auto lane = lanes_.index(r.node);
      if (!lane) {
        ++off_lane_;
        continue;
      }
      if (group_t && r.t != *group_t) floor_x = max_x + time_step(r.t - *group_t);
      group_t = r.t;
      Placed p{i, *lane, floor_x, {}, {}, false};
      if (lanes_.labelled) {
        const Annotation a = annotation_of(r);
        p.leader = a.leader;
        p.above = r.lamport ? std::to_string(*r.lamport) : a.label;
        if (r.vc && vector_labels) p.below = vector_text(*r.vc, trace_.header.nodes);
      }
      double x = std::max(floor_x, last_x[*lane] + kDotGap);
      if (!p.above.empty()) x = std::max(x, above_right[*lane] + kLabelGap + label_width(p.above) / 2);
      if (!p.below.empty()) x = std::max(x, below_right[*lane] + kLabelGap + label_width(p.below) / 2);
      if (r.kind == EventKind::recv || r.kind == EventKind::drop) {
        const auto send = sends_.find(r.msg);
        if (send != sends_.end()) x = std::max(x, placed_[send->second].x + kFlight);
      }
      p.x = x;
      last_x[*lane] = x;
      if (!p.above.empty()) above_right[*lane] = x + label_width(p.above) / 2;
      if (!p.below.empty()) below_right[*lane] = x + label_width(p.below) / 2;
      max_x = std::max(max_x, x);
      if (r.kind == EventKind::send) sends_.emplace(r.msg, placed_.size());
      placed_.push_back(std::move(p));
    }
    detail_right_ = max_x;
  }

  void draw(std::string& svg) {
    const double strip_left = detail_right_ + 70;
    const double width = (rest_.empty() ? detail_right_ : strip_left + kBuckets * kBucketWidth) + kRightMargin;
    const double height = lanes_.bottom() + 16;
    fmt::format_to(std::back_inserter(svg),
                   "<svg class=\"diagram\" id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" data-width=\"{:.0f}\" "
                   "data-height=\"{:.0f}\" style=\"height:{:.0f}px\" viewBox=\"0 0 {:.0f} {:.0f}\" "
                   "preserveAspectRatio=\"xMinYMin meet\">\n",
                   id_, width, height, height, width, height);
    draw_axis(svg, height);
    draw_spans(svg);
    draw_lane_lines(svg);
    draw_cuts(svg);
    draw_arrows(svg);
    draw_events(svg);
    if (!rest_.empty()) draw_counts(svg, strip_left);
    draw_lane_names(svg);
    svg += "</svg>\n";
  }

  void draw_axis(std::string& svg, double height) {
    svg += "<g class=\"axis\">";
    double last_tick = -kTickSpacingMin;
    for (const Placed& p : placed_) {
      if (p.x - last_tick < kTickSpacingMin) continue;
      last_tick = p.x;
      fmt::format_to(std::back_inserter(svg), "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.0f}\" y2=\"{2:.0f}\"/>",
                     p.x, kTop - 12, height - 8);
      fmt::format_to(std::back_inserter(svg), "<text x=\"{:.1f}\" y=\"{:.0f}\">{}</text>", p.x, kTop - 16,
                     escaped(time_text(trace_.events[p.record].t)));
    }
    svg += "</g>\n";
  }

  // Each kind of span an algorithm's notes open and close shades the lanes it names:
  // a group per kind, drawn only when the run has one.
  void draw_spans(std::string& svg) {
    span_counts_.assign(hints_.spans.size(), 0);
    for (std::size_t k = 0; k < hints_.spans.size(); ++k) draw_spans(svg, hints_.spans[k], span_counts_[k]);
  }

  void draw_spans(std::string& svg, const LaneSpan& span, std::size_t& drawn) {
    std::string group;
    std::map<NodeId, std::pair<double, Nanos>> open;  // shaded node -> where and when it began
    auto shade = [&](NodeId node, double x0, Nanos t0, double x1, std::string_view until) {
      const auto lane = lanes_.index(node);
      if (!lane) return;
      const double y = lanes_.y(*lane) - lanes_.pitch / 2 + 3;
      fmt::format_to(std::back_inserter(group),
                     "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "data-tip=\"{} {} from t = {} {}\"/>",
                     span.name, x0, y, std::max(x1 - x0, 2.0), lanes_.pitch - 6, node_name(node), span.what,
                     escaped(time_text(t0)), escaped(until));
      ++drawn;
    };
    // The node a note names: its value (a node id), or the noting node itself.
    auto named = [](const Record& r, std::string_view key, std::string_view value) -> std::optional<NodeId> {
      const auto it = r.data.find(key);
      if (it == r.data.end()) return std::nullopt;
      if (value.empty()) {
        if (!it->is_number_integer()) return std::nullopt;
        const auto id = it->get<std::int64_t>();
        if (id < 0 || id > std::numeric_limits<NodeId>::max()) return std::nullopt;
        return static_cast<NodeId>(id);
      }
      if (!it->is_string() || it->get_ref<const std::string&>() != value) return std::nullopt;
      return r.node;
    };
    for (const Placed& p : placed_) {
      const Record& r = trace_.events[p.record];
      if (r.kind == EventKind::crash && span.crash_closes) {
        const auto it = open.find(r.node);
        if (it == open.end()) continue;
        shade(it->first, it->second.first, it->second.second, p.x, "to its crash at t = " + time_text(r.t));
        open.erase(it);
        continue;
      }
      if (r.kind != EventKind::state || !r.data.is_object()) continue;
      if (const auto node = named(r, span.opens_key, span.opens_value)) {
        open.emplace(*node, std::pair{p.x, r.t});
      } else if (const auto closed = named(r, span.closes_key, span.closes_value)) {
        const auto it = open.find(*closed);
        if (it == open.end()) continue;
        shade(it->first, it->second.first, it->second.second, p.x, "to t = " + time_text(r.t));
        open.erase(it);
      }
    }
    for (const auto& [node, begin] : open) shade(node, begin.first, begin.second, detail_right_ + 10, "to the end");
    if (drawn > 0) fmt::format_to(std::back_inserter(svg), "<g class=\"{}\">{}</g>\n", span.group, group);
  }

  // A lane is a line, with a gap from each crash to the recovery.
  void draw_lane_lines(std::string& svg) {
    std::vector<std::vector<std::pair<double, double>>> gaps(lanes_.nodes.size());
    std::vector<std::optional<double>> down(lanes_.nodes.size());
    for (const Placed& p : placed_) {
      const EventKind kind = trace_.events[p.record].kind;
      if (kind == EventKind::crash) down[p.lane] = p.x;
      if (kind == EventKind::recover && down[p.lane]) {
        gaps[p.lane].emplace_back(*down[p.lane], p.x);
        down[p.lane].reset();
      }
    }
    const double right = detail_right_ + 16;
    svg += "<g class=\"lane\">";
    for (std::size_t lane = 0; lane < lanes_.nodes.size(); ++lane) {
      if (down[lane]) gaps[lane].emplace_back(*down[lane], right);
      double x = kLeft;
      const double y = lanes_.y(lane);
      for (const auto& [from, to] : gaps[lane]) {
        fmt::format_to(std::back_inserter(svg), "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", x,
                       from, y, y);
        x = to;
      }
      if (x < right) {
        fmt::format_to(std::back_inserter(svg), "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>", x,
                       right, y, y);
      }
    }
    svg += "</g>\n";
  }

  // Each snapshot's cut: a line through the points where the nodes recorded their state.
  void draw_cuts(std::string& svg) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<std::pair<std::size_t, double>>> points;  // snapshot -> (lane, x)
    for (const Placed& p : placed_) {
      const Record& r = trace_.events[p.record];
      if (r.kind != EventKind::state || !r.data.is_object() || !r.data.contains("snapshot") ||
          !r.data.contains("recorded")) {
        continue;
      }
      const std::string id = snapshot_id(r.data["snapshot"]);
      auto [it, fresh] = points.try_emplace(id);
      if (fresh) order.push_back(id);
      it->second.emplace_back(p.lane, p.x);
    }
    svg += "<g class=\"cuts\">";
    for (const std::string& id : order) {
      auto& pts = points[id];
      std::sort(pts.begin(), pts.end());
      std::string line;
      for (const auto& [lane, x] : pts) fmt::format_to(std::back_inserter(line), "{:.1f},{:.1f} ", x, lanes_.y(lane));
      const double top_x = pts.front().second;
      fmt::format_to(std::back_inserter(svg),
                     "<g class=\"cut\" data-tip=\"snapshot {0}: the cut through the {1} recorded states\">"
                     "<polyline points=\"{2:.1f},{3:.1f} {4}{5:.1f},{6:.1f}\"/>"
                     "<text x=\"{2:.1f}\" y=\"{7:.1f}\">snapshot {0}</text></g>",
                     escaped(id), pts.size(), top_x, kTop - 2, line, pts.back().second, lanes_.bottom(), kTop - 4);
      ++summary_.cuts;
    }
    svg += "</g>\n";
  }

  void draw_arrows(std::string& svg) {
    svg += "<g class=\"msgs\">";
    for (const Placed& p : placed_) {
      const Record& r = trace_.events[p.record];
      if (r.kind != EventKind::recv && r.kind != EventKind::drop) continue;
      const auto send = sends_.find(r.msg);
      if (send == sends_.end()) continue;
      const Placed& s = placed_[send->second];
      const Record& sr = trace_.events[s.record];
      const std::string_view family = hints_.families.of(sr.type).name;
      const double x0 = s.x;
      const double y0 = lanes_.y(s.lane);
      double x1 = p.x;
      double y1 = lanes_.y(p.lane);
      std::string tip = fmt::format("message {} ({}) {} → {}\nsent t = {}", sr.msg, sr.type, node_name(sr.node),
                                    node_name(sr.peer), time_text(sr.t));
      const bool dropped = r.kind == EventKind::drop;
      if (dropped) {
        tip += fmt::format("\ndropped t = {} ({})", time_text(r.t), r.label);
        // Dropped at the sender (loss, partition): the arrow dies on its way.
        if (p.lane == s.lane) std::tie(x1, y1) = drop_point(p, sr);
      } else {
        tip += fmt::format("\nreceived t = {} (after {})", time_text(r.t), time_text(r.t - sr.t));
      }
      // Stop short of the receiving dot so the arrowhead stays visible.
      const double dx = x1 - x0;
      const double dy = y1 - y0;
      const double length = std::max(1e-9, std::sqrt(dx * dx + dy * dy));
      const double trim = dropped ? 0.0 : std::min(4.5, length / 2);
      fmt::format_to(std::back_inserter(svg),
                     "<line class=\"msg {}{}\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" data-tip=\"{}\"/>",
                     family, dropped ? " dropped" : "", x0, y0, x1 - dx / length * trim, y1 - dy / length * trim,
                     escaped(tip));
      ++summary_.arrows;
    }
    svg += "</g>\n";
  }

  // Where a message lost at its sender is drawn to die: part way to its target lane.
  std::pair<double, double> drop_point(const Placed& drop, const Record& send) const {
    const double y0 = lanes_.y(drop.lane);
    const auto target = lanes_.index(send.peer);
    const double y1 = target ? lanes_.y(*target) : y0 + lanes_.pitch;
    return {drop.x + 18, y0 + (y1 - y0) * 0.4};
  }

  void draw_events(std::string& svg) {
    svg += "<g class=\"events\">";
    for (const Placed& p : placed_) {
      const Record& r = trace_.events[p.record];
      double x = p.x;
      double y = lanes_.y(p.lane);
      fmt::format_to(std::back_inserter(svg), "<g class=\"ev k-{}\" data-tip=\"{}\">", to_string(r.kind),
                     escaped(tip_of(r, trace_.header.nodes)));
      switch (r.kind) {
        case EventKind::send:
        case EventKind::recv:
        case EventKind::local: fmt::format_to(std::back_inserter(svg), "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\"/>", x, y); break;
        case EventKind::timer:
          fmt::format_to(std::back_inserter(svg), "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"5\" height=\"5\"/>", x - 2.5,
                         y - 2.5);
          break;
        case EventKind::state:
          if (p.leader) {
            fmt::format_to(std::back_inserter(svg), "<use href=\"#star\" x=\"{:.1f}\" y=\"{:.1f}\"/>", x, y);
          } else {
            fmt::format_to(std::back_inserter(svg), "<path d=\"M{:.1f},{:.1f}l4,4l-4,4l-4,-4z\"/>", x, y - 4);
          }
          break;
        case EventKind::drop: {
          const auto send = sends_.find(r.msg);
          if (send != sends_.end() && placed_[send->second].lane == p.lane) {
            std::tie(x, y) = drop_point(p, trace_.events[placed_[send->second].record]);
          }
          fmt::format_to(std::back_inserter(svg), "<path d=\"M{0:.1f},{1:.1f}l8,8m0,-8l-8,8\"/>", x - 4, y - 4);
          break;
        }
        case EventKind::crash:
        case EventKind::recover:
          fmt::format_to(std::back_inserter(svg), "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"3\" height=\"16\"/>", x - 1.5,
                         y - 8);
          break;
      }
      if (!p.above.empty()) {
        fmt::format_to(std::back_inserter(svg), "<text class=\"lbl\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", p.x,
                       lanes_.y(p.lane) - 11, escaped(p.above));
      }
      if (!p.below.empty()) {
        fmt::format_to(std::back_inserter(svg), "<text class=\"lbl\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", p.x,
                       lanes_.y(p.lane) + 19, escaped(p.below));
      }
      svg += "</g>";
    }
    svg += "</g>\n";
  }

  // The events past the detailed ones, as counts per lane and stretch of time.
  void draw_counts(std::string& svg, double left) {
    const Nanos t0 = trace_.events[rest_.front()].t;
    const Nanos t1 = trace_.events[rest_.back()].t;
    const Nanos bucket_ns = (t1 - t0) / static_cast<Nanos>(kBuckets) + 1;
    std::vector<std::uint32_t> counts(lanes_.nodes.size() * kBuckets, 0);
    std::uint32_t most = 1;
    for (const std::size_t i : rest_) {
      const Record& r = trace_.events[i];
      const auto lane = lanes_.index(r.node);
      if (!lane) continue;
      const auto bucket = static_cast<std::size_t>((r.t - t0) / bucket_ns);
      most = std::max(most, ++counts[*lane * kBuckets + bucket]);
    }
    fmt::format_to(std::back_inserter(svg),
                   "<g class=\"counts\"><text x=\"{:.1f}\" y=\"{:.1f}\">+{} events, t = {} … {}: counts per lane</text>",
                   left, kTop - 16, rest_.size(), escaped(time_text(t0)), escaped(time_text(t1)));
    for (std::size_t lane = 0; lane < lanes_.nodes.size(); ++lane) {
      for (std::size_t b = 0; b < kBuckets; ++b) {
        const std::uint32_t c = counts[lane * kBuckets + b];
        if (c == 0) continue;
        const Nanos from = t0 + bucket_ns * static_cast<Nanos>(b);
        fmt::format_to(std::back_inserter(svg),
                       "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\" fill-opacity=\"{:.2f}\" "
                       "data-tip=\"{}: {} events from t = {}\"/>",
                       left + static_cast<double>(b) * kBucketWidth, lanes_.y(lane) - lanes_.pitch * 0.3, kBucketWidth,
                       lanes_.pitch * 0.6, 0.15 + 0.85 * c / most, node_name(lanes_.nodes[lane]), c,
                       escaped(time_text(from)));
      }
    }
    svg += "</g>\n";
  }

  // Lane names stay at the left edge while the view pans (the script moves them).
  void draw_lane_names(std::string& svg) {
    fmt::format_to(std::back_inserter(svg), "<g class=\"lanes\"><rect x=\"0\" y=\"0\" width=\"{:.0f}\" height=\"{:.0f}\"/>",
                   kLeft - 12, lanes_.bottom() + 16);
    if (lanes_.labelled || lanes_.nodes.size() <= 200) {
      for (std::size_t lane = 0; lane < lanes_.nodes.size(); ++lane) {
        fmt::format_to(std::back_inserter(svg), "<text x=\"8\" y=\"{:.1f}\">{}</text>", lanes_.y(lane) + 4,
                       node_name(lanes_.nodes[lane]));
      }
    }
    svg += "</g>\n";
  }

  static std::string snapshot_id(const nlohmann::ordered_json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
  }

  void write_section(std::string& out, std::string_view heading, const std::string& svg) {
    const Header& h = trace_.header;
    fmt::format_to(std::back_inserter(out), "<section id=\"s{}\">\n<h2>{}</h2>\n", id_, escaped(heading));
    fmt::format_to(std::back_inserter(out),
                   "<p class=\"summary\">{} run of <b>{}</b>, seed {}, {} nodes: {} events, {} drawn, {} messages "
                   "drawn.</p>\n",
                   h.mode == "real" ? "Real" : "Simulated", escaped(h.algorithm), h.seed, h.nodes.size(),
                   summary_.events, placed_.size(), summary_.arrows);
    write_notes(out);
    write_legend(out);
    fmt::format_to(std::back_inserter(out),
                   "<div class=\"tools\" data-for=\"{}\"><button data-act=\"fit\">Fit</button><button "
                   "data-act=\"one\">1:1</button><button data-act=\"in\">+</button><button "
                   "data-act=\"out\">−</button> <span>Drag to pan, wheel to zoom, hover for details. Time runs "
                   "right; idle stretches are shortened.</span></div>\n<div class=\"view\">",
                   id_);
    out += svg;
    out += "</div>\n";
    write_snapshot_tables(out);
    out += "</section>\n";
  }

  void write_notes(std::string& out) {
    auto note = [&out](const std::string& text) { fmt::format_to(std::back_inserter(out), "<p class=\"note\">{}</p>\n", text); };
    if (options_.from_ns > 0 || options_.to_ns < kNanosMax) {
      note(fmt::format("Only the events from t = {} to {} are drawn.", escaped(time_text(options_.from_ns)),
                       options_.to_ns == kNanosMax ? "the end" : "t = " + escaped(time_text(options_.to_ns))));
    }
    if (summary_.thinned) {
      note(fmt::format("This run has {} events, more than a browser draws comfortably: the first {} (to t = {}) are "
                       "drawn in detail, the other {} as counts per lane, on the right. Draw another stretch in detail "
                       "with <code>distlab render --from T --to T</code>, or more with <code>--max-events N</code>.",
                       summary_.events, detail_.size(), escaped(time_text(trace_.events[detail_.back()].t)),
                       rest_.size()));
    }
    if (lanes_capped_ > 0) {
      note(fmt::format("{} nodes have events; the first {} by id have lanes, and {} events of the others are not drawn.",
                       lanes_capped_, kDiagramMaxLanes, off_lane_));
    }
    if (!lanes_.labelled) {
      note(fmt::format("With {} lanes, events carry no labels: hover for their details.", lanes_.nodes.size()));
    }
    if (trace_.messages_omitted) {
      note("This trace was recorded without its messages (a large run keeps only annotations and faults): no arrows "
           "are drawn.");
    }
  }

  void write_legend(std::string& out) {
    std::vector<const MessageFamily*> families;
    for (const Placed& p : placed_) {
      const Record& r = trace_.events[p.record];
      if (r.kind != EventKind::send) continue;
      const MessageFamily* f = &hints_.families.of(r.type);
      if (std::find(families.begin(), families.end(), f) == families.end()) families.push_back(f);
    }
    std::sort(families.begin(), families.end(),
              [](const MessageFamily* a, const MessageFamily* b) { return a->name < b->name; });
    out += "<div class=\"legend\">";
    for (const MessageFamily* f : families) {
      fmt::format_to(std::back_inserter(out),
                     "<span><svg width=\"34\" height=\"10\"><line class=\"msg {0}\" x1=\"2\" y1=\"5\" x2=\"28\" "
                     "y2=\"5\"/></svg>{1}</span>",
                     f->name, f->title);
    }
    out += "<span><svg width=\"12\" height=\"10\"><circle cx=\"6\" cy=\"5\" r=\"3.5\" class=\"dot-send\"/></svg>send</span>"
           "<span><svg width=\"12\" height=\"10\"><circle cx=\"6\" cy=\"5\" r=\"3.5\" class=\"dot-recv\"/></svg>receive</span>";
    bool drop = false, crash = false, leader = false, timer = false;
    for (const Placed& p : placed_) {
      const EventKind k = trace_.events[p.record].kind;
      drop |= k == EventKind::drop;
      crash |= k == EventKind::crash;
      timer |= k == EventKind::timer;
      leader |= p.leader;
    }
    if (timer) out += "<span><svg width=\"12\" height=\"10\"><rect x=\"3\" y=\"2.5\" width=\"5\" height=\"5\" class=\"dot-timer\"/></svg>timer</span>";
    if (drop) out += "<span><svg width=\"12\" height=\"10\"><path d=\"M2,1l8,8m0,-8l-8,8\" class=\"dot-drop\"/></svg>dropped message</span>";
    if (crash) out += "<span><svg width=\"30\" height=\"10\"><line x1=\"0\" y1=\"5\" x2=\"8\" y2=\"5\" class=\"lane-line\"/><line x1=\"22\" y1=\"5\" x2=\"30\" y2=\"5\" class=\"lane-line\"/></svg>crashed (gap)</span>";
    if (leader) out += "<span><svg width=\"14\" height=\"14\"><use href=\"#star\" x=\"7\" y=\"7\"/></svg>declares itself leader</span>";
    if (summary_.cuts > 0) out += "<span><svg width=\"34\" height=\"10\"><line x1=\"2\" y1=\"5\" x2=\"30\" y2=\"5\" class=\"cut-line\"/></svg>snapshot cut</span>";
    for (std::size_t k = 0; k < hints_.spans.size(); ++k) {
      if (span_counts_[k] == 0) continue;
      fmt::format_to(std::back_inserter(out),
                     "<span><svg width=\"20\" height=\"10\"><rect width=\"20\" height=\"10\" class=\"{}\"/></svg>{}</span>",
                     hints_.spans[k].name, hints_.spans[k].legend);
    }
    out += "</div>\n";
  }

  // Each snapshot's recorded states and channel states, beside the drawing.
  void write_snapshot_tables(std::string& out) {
    struct Snapshot {
      std::map<NodeId, std::string> recorded;
      std::vector<std::string> channels;
    };
    std::vector<std::string> order;
    std::map<std::string, Snapshot> snapshots;
    // Every send of the run, not only the drawn ones: indexed once, and only for a
    // run whose snapshots recorded messages in flight.
    std::unordered_map<std::string_view, const Record*> sends;
    auto send_of = [&](const std::string& msg) -> const Record* {
      if (sends.empty()) {
        for (const Record& r : trace_.events) {
          if (r.kind == EventKind::send) sends.emplace(r.msg, &r);
        }
      }
      const auto it = sends.find(msg);
      return it == sends.end() ? nullptr : it->second;
    };
    for (const std::size_t i : detail_) {
      const Record& r = trace_.events[i];
      if (r.kind != EventKind::state || !r.data.is_object() || !r.data.contains("snapshot")) continue;
      const std::string id = snapshot_id(r.data["snapshot"]);
      auto [it, fresh] = snapshots.try_emplace(id);
      if (fresh) order.push_back(id);
      if (r.data.contains("recorded")) it->second.recorded[r.node] = cut(r.data["recorded"].dump(), kTipChars);
      if (r.data.contains("channel") && r.data.contains("messages") && r.data["messages"].is_array()) {
        std::string text = fmt::format("{} → {}: ", node_name(r.data["channel"].is_number_integer()
                                                                   ? r.data["channel"].get<NodeId>()
                                                                   : 0),
                                       node_name(r.node));
        if (r.data["messages"].empty()) text += "empty";
        bool first = true;
        for (const auto& m : r.data["messages"]) {
          const std::string msg = m.is_string() ? m.get<std::string>() : m.dump();
          if (!first) text += ", ";
          first = false;
          text += msg;
          if (const Record* send = send_of(msg)) {
            text += " (" + send->type;
            if (!send->data.is_null()) text += " " + cut(send->data.dump(), kTipChars);
            text += ")";
          }
        }
        it->second.channels.push_back(std::move(text));
      }
    }
    for (const std::string& id : order) {
      const Snapshot& s = snapshots[id];
      fmt::format_to(std::back_inserter(out),
                     "<table class=\"snapshot\"><caption>Snapshot {}</caption><tr><th>node</th><th>recorded "
                     "state</th></tr>",
                     escaped(id));
      for (const auto& [node, state] : s.recorded) {
        fmt::format_to(std::back_inserter(out), "<tr><td>{}</td><td><code>{}</code></td></tr>", node_name(node),
                       escaped(state));
      }
      out += "<tr><th colspan=\"2\">channel states (messages in flight across the cut)</th></tr>";
      for (const std::string& c : s.channels) {
        fmt::format_to(std::back_inserter(out), "<tr><td colspan=\"2\"><code>{}</code></td></tr>", escaped(c));
      }
      out += "</table>\n";
    }
  }

  const Trace& trace_;
  const DiagramHints& hints_;
  const DiagramOptions& options_;
  std::string id_;
  DiagramSummary summary_;
  std::vector<std::size_t> detail_;  // indices of the events drawn in detail
  std::vector<std::size_t> rest_;    // the window's other events, drawn as counts
  Lanes lanes_;
  std::size_t lanes_capped_ = 0;     // nodes with events, when more than the lanes
  std::size_t off_lane_ = 0;         // detailed events of nodes without a lane
  std::vector<std::size_t> span_counts_;  // rectangles drawn, per kind of span
  std::vector<Placed> placed_;
  std::unordered_map<std::string_view, std::size_t> sends_;  // message id -> its send in placed_ (lookups only)
  double detail_right_ = kLeft;
};

}  // namespace

// Drawn grey: a type no family lists.
const MessageFamily kOtherFamily{.name = "other", .title = "other messages", .colour = "#999"};

MessageFamilies::MessageFamilies(std::span<const MessageFamily> families) {
  for (const MessageFamily& f : families) {
    DISTLAB_ASSERT(f.name != kOtherFamily.name, "\"other\" is the family of types no family lists");
    auto same = std::find_if(families_.begin(), families_.end(), [&](const MessageFamily& g) { return g.name == f.name; });
    if (same == families_.end()) {
      families_.push_back(f);
      continue;
    }
    DISTLAB_ASSERT(same->title == f.title && same->colour == f.colour && same->dashes == f.dashes &&
                       same->width == f.width && same->head_size == f.head_size,
                   "two algorithms draw a message family of one name differently");
    same->types.insert(same->types.end(), f.types.begin(), f.types.end());
  }
  for (const MessageFamily& f : families_) {
    for (const std::string_view type : f.types) {
      DISTLAB_ASSERT(&of(type) == &f, "a message type belongs to one family at most");
    }
  }
  families_.push_back(kOtherFamily);
}

const MessageFamily& MessageFamilies::of(std::string_view type) const {
  for (const MessageFamily& f : families_) {
    if (std::find(f.types.begin(), f.types.end(), type) != f.types.end()) return f;
  }
  return families_.back();
}

DiagramSummary DiagramPage::add(const Trace& trace, std::string_view heading, const DiagramOptions& options) {
  DISTLAB_ASSERT(options.max_events > 0, "a diagram draws at least one event in detail");
  Builder builder(trace, hints_, options, ++sections_);
  return builder.build(body_, heading);
}

std::string DiagramPage::html() const {
  std::string page;
  page.reserve(body_.size() + 16'384);
  std::string styles;
  std::string heads;
  std::string spans;
  for (const LaneSpan& span : hints_.spans) {
    fmt::format_to(std::back_inserter(spans), "rect.{} {{ fill: {}; fill-opacity: {}; }}\n", span.name, span.fill,
                   span.opacity);
  }
  for (const MessageFamily& f : hints_.families.all()) {
    fmt::format_to(std::back_inserter(styles), "line.msg.{0} {{ stroke: {1};{2}{3} marker-end: url(#ah-{0}); }}\n", f.name,
                   f.colour, f.dashes.empty() ? "" : fmt::format(" stroke-dasharray: {};", f.dashes),
                   f.width.empty() ? "" : fmt::format(" stroke-width: {};", f.width));
    fmt::format_to(std::back_inserter(heads),
                   "<marker id=\"ah-{0}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"{1}\" "
                   "markerHeight=\"{1}\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" fill=\"{2}\"/></marker>\n",
                   f.name, f.head_size, f.colour);
  }
  fmt::format_to(std::back_inserter(page),
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"generator\" content=\"distlab\">\n<title>{}</title>\n<style>{}{}{}{}{}</style>\n</head>\n<body>\n"
                 "<h1>{}</h1>\n{}{}{}\n",
                 escaped(title_), internal::kDiagramStyleHead, styles, internal::kDiagramStyleMiddle, spans,
                 internal::kDiagramStyleTail, escaped(title_),
                 internal::kDiagramDefsHead, heads, internal::kDiagramDefsTail);
  page += body_;
  fmt::format_to(std::back_inserter(page), "<div id=\"tip\" hidden></div>\n<script>{}</script>\n</body>\n</html>\n",
                 internal::kDiagramScript);
  return page;
}

}  // namespace distlab::trace
