#include "distlab/trace/internal/diagram_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "distlab/core/duration.h"
#include "distlab/trace/note_fields.h"

namespace distlab::trace::internal {
namespace {

using draw::clipped;
using draw::escaped;
using draw::kTipChars;
using draw::node_name;
using draw::time_text;

constexpr double kRightMargin = 40;
constexpr double kTickSpacingMin = 90;

// The events past the detailed ones: counts per lane in this many time buckets.
constexpr std::size_t kBuckets = 60;
constexpr double kBucketWidth = 8;

std::string tip_of(const Record& r, const std::vector<NodeId>& nodes) {
  std::string what;
  switch (r.kind) {
    case EventKind::send:
      what = fmt::format("send {} to {} ({})", r.msg, node_name(r.peer), r.type);
      if (!r.data.is_null()) what += " " + clipped(r.data.dump(), kTipChars);
      break;
    case EventKind::recv: what = fmt::format("recv {} from {} ({})", r.msg, node_name(r.peer), r.type); break;
    case EventKind::drop: what = fmt::format("drop {} to {} ({}): {}", r.msg, node_name(r.peer), r.type, r.label); break;
    case EventKind::timer: what = fmt::format("timer {}", r.label); break;
    case EventKind::local: what = r.label.empty() ? "local" : "local " + r.label; break;
    case EventKind::state: what = "state " + clipped(r.data.dump(), kTipChars); break;
    case EventKind::crash: what = "crash"; break;
    case EventKind::recover: what = "recover"; break;
  }
  std::string tip = fmt::format("{}: {}\nt = {}", node_name(r.node), what, time_text(r.t));
  if (r.lamport) tip += fmt::format("\nLamport time {}", *r.lamport);
  if (r.vc) tip += "\nvector time " + vector_text(*r.vc, nodes);
  if (r.line > 0) tip += fmt::format("\ntrace line {}", r.line);
  return tip;
}

class Drawer {
 public:
  Drawer(const DiagramLayout& layout, const DiagramHints& hints, std::string_view id, std::string_view link)
      : l_(layout), h_(hints), id_(id), link_(link) {
    for (const CheckResult& c : l_.checks) {
      if (c.status != CheckStatus::fail) continue;
      for (const std::size_t e : c.events) named_[e].push_back(c.name);
    }
  }

  DiagramDrawn operator()(std::string& svg) {
    draw(svg);
    return std::move(drawn_);
  }

 private:
  void draw(std::string& svg) {
    const double strip_left = l_.detail_right + 70;
    const double width = (l_.rest.empty() ? l_.detail_right : strip_left + kBuckets * kBucketWidth) + kRightMargin;
    const double height = l_.lanes.bottom() + 16;
    fmt::format_to(
        std::back_inserter(svg),
        "<svg class=\"diagram\" id=\"{}\" xmlns=\"http://www.w3.org/2000/svg\" data-width=\"{:.0f}\" "
        "data-height=\"{:.0f}\" data-lanes=\"{}\"{} style=\"height:{:.0f}px\" viewBox=\"0 0 {:.0f} {:.0f}\" "
        "preserveAspectRatio=\"xMinYMin meet\">\n",
        id_, width, height, l_.lanes.nodes.size(),
        link_.empty() ? std::string() : fmt::format(" data-link=\"{}\"", link_), height, width, height);
    draw_axis(svg, height);
    draw_spans(svg);
    draw_network(svg, height);
    draw_lane_lines(svg);
    draw_overlays(svg);
    draw_arrows(svg);
    draw_events(svg);
    if (!l_.rest.empty()) draw_counts(svg, strip_left);
    draw_lane_names(svg);
    svg += "</svg>\n";
  }

  void draw_axis(std::string& svg, double height) {
    svg += "<g class=\"axis\">";
    double last_tick = -kTickSpacingMin;
    std::optional<Nanos> last_t;
    for (const PlacedEvent& p : l_.placed) {
      if (p.x - last_tick < kTickSpacingMin) continue;
      // Events are placed in order, not by time: many at one instant would repeat its
      // tick, and times close together would round to one label. Each tick is a time
      // of its own, with the digits it takes to tell it from the one before (rounded
      // alike, two times would read as one). Cut, not rounded, so that no label reads
      // earlier than the one before it.
      const Nanos t = l_.trace.events[p.record].t;
      if (t == last_t) continue;
      int digits = 4;
      while (last_t && digits < 19 && cut_to_digits(t, digits) == cut_to_digits(*last_t, digits)) ++digits;
      const std::string text = t == 0 ? time_text(t) : format_duration(cut_to_digits(t, digits));
      last_t = t;
      last_tick = p.x;
      fmt::format_to(std::back_inserter(svg), "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.0f}\" y2=\"{2:.0f}\"/>",
                     p.x, DiagramLanes::kTop - 12, height - 8);
      fmt::format_to(std::back_inserter(svg), "<text x=\"{:.1f}\" y=\"{:.0f}\">{}</text>", p.x,
                     DiagramLanes::kTop - 16, escaped(text));
    }
    svg += "</g>\n";
  }

  // Each kind of span an algorithm's notes open and close shades the lanes it names:
  // a group per kind, drawn only when the run has one.
  void draw_spans(std::string& svg) {
    drawn_.spans.assign(h_.spans.size(), 0);
    for (std::size_t k = 0; k < h_.spans.size(); ++k) draw_spans(svg, h_.spans[k], drawn_.spans[k]);
  }

  void draw_spans(std::string& svg, const LaneSpan& span, std::size_t& drawn) {
    std::string group;
    std::map<NodeId, std::pair<double, Nanos>> open;  // shaded node -> where and when it began
    auto shade = [&](NodeId node, double x0, Nanos t0, double x1, std::string_view until) {
      const auto lane = l_.lanes.index(node);
      if (!lane) return;
      const double y = l_.lanes.y(*lane) - l_.lanes.pitch / 2 + 3;
      fmt::format_to(std::back_inserter(group),
                     "<rect class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "data-tip=\"{} {} from t = {} {}\"/>",
                     span.name, x0, y, std::max(x1 - x0, 2.0), l_.lanes.pitch - 6, node_name(node), span.what,
                     escaped(time_text(t0)), escaped(until));
      ++drawn;
    };
    // The node a note names: its value (a node id), or the noting node itself.
    auto named = [](const Record& r, std::string_view key, std::string_view value) -> std::optional<NodeId> {
      const auto it = r.data.find(key);
      if (it == r.data.end()) return std::nullopt;
      if (value.empty()) return note_node_id(*it);
      if (!it->is_string() || it->get_ref<const std::string&>() != value) return std::nullopt;
      return r.node;
    };
    for (const PlacedEvent& p : l_.placed) {
      const Record& r = l_.trace.events[p.record];
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
    for (const auto& [node, begin] : open) shade(node, begin.first, begin.second, l_.detail_right + 10, "to the end");
    if (drawn > 0) fmt::format_to(std::back_inserter(svg), "<g class=\"{}\">{}</g>\n", span.group, group);
  }

  // Where time `t` falls along the drawing: at the first event drawn at or after it.
  double x_at(Nanos t) const {
    const auto it =
        std::lower_bound(l_.placed.begin(), l_.placed.end(), t,
                         [&](const PlacedEvent& p, Nanos at) { return l_.trace.events[p.record].t < at; });
    return it == l_.placed.end() ? l_.detail_right + 10 : it->x - 6;
  }

  // The header's network faults: a band over the stretch each lasts, labelled with its
  // sides, and a wall between adjacent lanes it separates (dashed for a partition,
  // dotted for a one-way cut).
  void draw_network(std::string& svg, double height) {
    if (l_.trace.header.network.empty() || l_.placed.empty()) return;
    svg += "<g class=\"network\">";
    for (const NetworkFault& f : l_.trace.header.network) {
      const double x0 = x_at(f.from_ns);
      const double x1 = f.to_ns ? x_at(*f.to_ns) : l_.detail_right + 10;
      if (x1 <= x0) continue;
      const std::string what =
          fmt::format("{} {}", f.one_way ? "one-way cut" : "partition", network_sides(f));
      const std::string when =
          fmt::format("from t = {} {}", time_text(f.from_ns),
                      f.to_ns ? "to t = " + time_text(*f.to_ns) : std::string("to the end"));
      const std::string_view kind = f.one_way ? "oneway" : "partition";  // the CSS class
      fmt::format_to(std::back_inserter(svg),
                     "<rect class=\"net {}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "data-story=\"{} begins\" data-tip=\"{}\"/>",
                     kind, x0, DiagramLanes::kTop - 4, x1 - x0, height - DiagramLanes::kTop - 4,
                     escaped(what), escaped(what + "\n" + when));
      fmt::format_to(std::back_inserter(svg), "<text class=\"net-label\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>",
                     x0 + 4, DiagramLanes::kTop + 6, escaped(what));
      // The group of each lane's node (none: the fault leaves it alone).
      auto group_of = [&](NodeId node) -> int {
        for (std::size_t g = 0; g < f.groups.size(); ++g) {
          if (std::binary_search(f.groups[g].begin(), f.groups[g].end(), node)) return static_cast<int>(g);
        }
        return -1;
      };
      for (std::size_t lane = 0; lane + 1 < l_.lanes.nodes.size(); ++lane) {
        const int a = group_of(l_.lanes.nodes[lane]);
        const int b = group_of(l_.lanes.nodes[lane + 1]);
        if (a < 0 || b < 0 || a == b) continue;
        const double y = (l_.lanes.y(lane) + l_.lanes.y(lane + 1)) / 2;
        fmt::format_to(std::back_inserter(svg),
                       "<line class=\"wall {}\" x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>",
                       kind, x0, x1, y, y);
      }
      ++(f.one_way ? drawn_.one_way_cuts : drawn_.partitions);
    }
    svg += "</g>\n";
  }

  // A lane is a line, with a gap from each crash to the recovery.
  void draw_lane_lines(std::string& svg) {
    std::vector<std::vector<std::pair<double, double>>> gaps(l_.lanes.nodes.size());
    std::vector<std::optional<double>> down(l_.lanes.nodes.size());
    for (const PlacedEvent& p : l_.placed) {
      const EventKind kind = l_.trace.events[p.record].kind;
      if (kind == EventKind::crash) down[p.lane] = p.x;
      if (kind == EventKind::recover && down[p.lane]) {
        gaps[p.lane].emplace_back(*down[p.lane], p.x);
        down[p.lane].reset();
      }
    }
    const double right = l_.detail_right + 16;
    svg += "<g class=\"lane\">";
    for (std::size_t lane = 0; lane < l_.lanes.nodes.size(); ++lane) {
      if (down[lane]) gaps[lane].emplace_back(*down[lane], right);
      double x = kDiagramLeft;
      const double y = l_.lanes.y(lane);
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

  void draw_arrows(std::string& svg) {
    svg += "<g class=\"msgs\">";
    for (const PlacedEvent& p : l_.placed) {
      const Record& r = l_.trace.events[p.record];
      if (r.kind != EventKind::recv && r.kind != EventKind::drop) continue;
      const auto send = l_.sends.find(r.msg);
      if (send == l_.sends.end()) continue;
      const PlacedEvent& s = l_.placed[send->second];
      const Record& sr = l_.trace.events[s.record];
      const std::string_view family = h_.families.of(sr.type).name;
      const double x0 = s.x;
      const double y0 = l_.lanes.y(s.lane);
      double x1 = p.x;
      double y1 = l_.lanes.y(p.lane);
      std::string tip = fmt::format("message {} ({}) {} → {}\nsent t = {}", sr.msg, sr.type, node_name(sr.node),
                                    node_name(sr.peer), time_text(sr.t));
      const bool dropped = r.kind == EventKind::drop;
      if (dropped) {
        tip += fmt::format("\ndropped t = {} ({})", time_text(r.t), r.label);
        // Dropped at the sender (loss, partition): the arrow dies on its way.
        if (p.lane == s.lane) std::tie(x1, y1) = drop_point(l_, p, sr);
      } else {
        tip += fmt::format("\nreceived t = {} (after {})", time_text(r.t), time_text(r.t - sr.t));
      }
      // Stop short of the receiving dot so the arrowhead stays visible.
      const double dx = x1 - x0;
      const double dy = y1 - y0;
      const double length = std::max(1e-9, std::sqrt(dx * dx + dy * dy));
      const double trim = dropped ? 0.0 : std::min(4.5, length / 2);
      const std::size_t shape = h_.families.shape_of(sr.type);  // the type's arrowhead in its family
      const std::string checks = named_both(s.record, p.record);
      fmt::format_to(std::back_inserter(svg),
                     "<line class=\"msg {}{}{}{}\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
                     "data-msg=\"{}\" data-r=\"{}\" data-ln=\"{} {}\"{} data-tip=\"{}\"/>",
                     family, shape > 0 ? fmt::format(" t{}", shape) : "", dropped ? " dropped" : "",
                     checks.empty() ? "" : " flag", x0, y0, x1 - dx / length * trim, y1 - dy / length * trim,
                     escaped(sr.msg), p.record, s.lane, p.lane,
                     checks.empty() ? "" : fmt::format(" data-checks=\"{}\"", checks), escaped(tip));
      ++drawn_.arrows;
    }
    svg += "</g>\n";
  }

  // What the event changes in its nodes' state, for the step-through panel: its
  // clocks, and the overlays' fields as `data-set`, [[lane, field, value], ...].
  std::string state_attributes(const Record& r, std::vector<StateStepper>& steppers,
                               std::vector<StateChange>& changes) {
    std::string out;
    if (r.lamport) {
      fmt::format_to(std::back_inserter(out), " data-l=\"{}\"", *r.lamport);
      drawn_.lamport = true;
    }
    if (r.vc) {
      fmt::format_to(std::back_inserter(out), " data-vc=\"{}\"", vector_text(*r.vc, l_.trace.header.nodes));
      drawn_.vector = true;
    }
    changes.clear();
    for (StateStepper& step : steppers) step(r, changes);
    if (changes.empty()) return out;
    nlohmann::json set = nlohmann::json::array();
    for (StateChange& c : changes) {
      const auto lane = l_.lanes.index(c.node);
      if (!lane) continue;
      if (std::find(drawn_.state_fields.begin(), drawn_.state_fields.end(), c.field) ==
          drawn_.state_fields.end()) {
        drawn_.state_fields.push_back(c.field);
      }
      set.push_back({*lane, std::move(c.field), std::move(c.value)});
    }
    if (!set.empty()) out += " data-set=\"" + escaped(set.dump()) + "\"";
    return out;
  }

  void draw_events(std::string& svg) {
    std::vector<StateStepper> steppers;
    for (const DiagramOverlay& o : h_.overlays) {
      if (o.state) steppers.push_back(o.state());
    }
    std::vector<StateChange> changes;
    svg += "<g class=\"events\">";
    for (const PlacedEvent& p : l_.placed) {
      const Record& r = l_.trace.events[p.record];
      double x = p.x;
      double y = l_.lanes.y(p.lane);
      // A message's events name its family, which the legend's toggles hide with it.
      const bool message =
          r.kind == EventKind::send || r.kind == EventKind::recv || r.kind == EventKind::drop;
      // Its index in the trace and its lane, for the page's causality and cursor; the
      // checks that name it, which mark it.
      const std::string checks = named(p.record);
      fmt::format_to(std::back_inserter(svg),
                     "<g class=\"ev k-{}{}\" data-i=\"{}\" data-n=\"{}\"{}{}{}{} data-tip=\"{}\">",
                     to_string(r.kind), checks.empty() ? "" : " flag", p.record, p.lane,
                     state_attributes(r, steppers, changes),
                     message ? fmt::format(" data-family=\"{}\" data-msg=\"{}\"", h_.families.of(r.type).name,
                                           escaped(r.msg))
                             : "",
                     checks.empty() ? "" : fmt::format(" data-checks=\"{}\"", checks),
                     p.story.empty() ? "" : fmt::format(" data-story=\"{}\"", escaped(p.story)),
                     escaped(tip_of(r, l_.trace.header.nodes)));
      if (!checks.empty()) {
        fmt::format_to(std::back_inserter(svg),
                       "<circle class=\"ring\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"9\"/>", x, y);
      }
      switch (r.kind) {
        case EventKind::send:
        case EventKind::recv:
        case EventKind::local: fmt::format_to(std::back_inserter(svg), "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\"/>", x, y); break;
        case EventKind::timer:
          fmt::format_to(std::back_inserter(svg), "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"5\" height=\"5\"/>", x - 2.5,
                         y - 2.5);
          break;
        case EventKind::state:
          if (!p.symbol.empty()) {
            fmt::format_to(std::back_inserter(svg), "<use href=\"#{}\" x=\"{:.1f}\" y=\"{:.1f}\"/>", p.symbol, x, y);
          } else {
            fmt::format_to(std::back_inserter(svg), "<path d=\"M{:.1f},{:.1f}l4,4l-4,4l-4,-4z\"/>", x, y - 4);
          }
          break;
        case EventKind::drop: {
          const auto send = l_.sends.find(r.msg);
          if (send != l_.sends.end() && l_.placed[send->second].lane == p.lane) {
            std::tie(x, y) = drop_point(l_, p, l_.trace.events[l_.placed[send->second].record]);
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
                       l_.lanes.y(p.lane) - 11, escaped(p.above));
      }
      if (!p.below.empty()) {
        fmt::format_to(std::back_inserter(svg), "<text class=\"lbl\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", p.x,
                       l_.lanes.y(p.lane) + 19, escaped(p.below));
      }
      svg += "</g>";
    }
    svg += "</g>\n";
  }

  // The events past the detailed ones, as counts per lane and stretch of time.
  void draw_counts(std::string& svg, double left) {
    const Nanos t0 = l_.trace.events[l_.rest.front()].t;
    const Nanos t1 = l_.trace.events[l_.rest.back()].t;
    const Nanos bucket_ns = (t1 - t0) / static_cast<Nanos>(kBuckets) + 1;
    std::vector<std::uint32_t> counts(l_.lanes.nodes.size() * kBuckets, 0);
    std::uint32_t most = 1;
    for (const std::size_t i : l_.rest) {
      const Record& r = l_.trace.events[i];
      const auto lane = l_.lanes.index(r.node);
      if (!lane) continue;
      const auto bucket = static_cast<std::size_t>((r.t - t0) / bucket_ns);
      most = std::max(most, ++counts[*lane * kBuckets + bucket]);
    }
    fmt::format_to(std::back_inserter(svg),
                   "<g class=\"counts\"><text x=\"{:.1f}\" y=\"{:.1f}\">+{} events, t = {} … {}: counts per lane</text>",
                   left, DiagramLanes::kTop - 16, l_.rest.size(), escaped(time_text(t0)), escaped(time_text(t1)));
    for (std::size_t lane = 0; lane < l_.lanes.nodes.size(); ++lane) {
      for (std::size_t b = 0; b < kBuckets; ++b) {
        const std::uint32_t c = counts[lane * kBuckets + b];
        if (c == 0) continue;
        const Nanos from = t0 + bucket_ns * static_cast<Nanos>(b);
        fmt::format_to(std::back_inserter(svg),
                       "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.0f}\" height=\"{:.1f}\" fill-opacity=\"{:.2f}\" "
                       "data-tip=\"{}: {} events from t = {}\"/>",
                       left + static_cast<double>(b) * kBucketWidth, l_.lanes.y(lane) - l_.lanes.pitch * 0.3, kBucketWidth,
                       l_.lanes.pitch * 0.6, 0.15 + 0.85 * c / most, node_name(l_.lanes.nodes[lane]), c,
                       escaped(time_text(from)));
      }
    }
    svg += "</g>\n";
  }

  // Lane names stay at the left edge while the view pans (the script moves them).
  void draw_lane_names(std::string& svg) {
    fmt::format_to(std::back_inserter(svg), "<g class=\"lanes\"><rect x=\"0\" y=\"0\" width=\"{:.0f}\" height=\"{:.0f}\"/>",
                   kDiagramLeft - 12, l_.lanes.bottom() + 16);
    if (l_.lanes.labelled || l_.lanes.nodes.size() <= 200) {
      for (std::size_t lane = 0; lane < l_.lanes.nodes.size(); ++lane) {
        fmt::format_to(std::back_inserter(svg), "<text x=\"8\" y=\"{:.1f}\">{}</text>", l_.lanes.y(lane) + 4,
                       node_name(l_.lanes.nodes[lane]));
      }
    }
    svg += "</g>\n";
  }

  // Each algorithm's overlay draws over the lanes, under the arrows.
  void draw_overlays(std::string& svg) {
    drawn_.overlays.assign(h_.overlays.size(), 0);
    const DiagramView view = l_.view();
    for (std::size_t k = 0; k < h_.overlays.size(); ++k) {
      if (h_.overlays[k].draw) drawn_.overlays[k] = h_.overlays[k].draw(view, svg);
    }
  }

  // The failed checks naming event `record`, space-separated: empty when none does.
  std::string named(std::size_t record) const { return named_both(record, record); }

  // The failed checks naming both events (a message is marked when both its ends are).
  std::string named_both(std::size_t a, std::size_t b) const {
    const auto x = named_.find(a);
    const auto y = named_.find(b);
    if (x == named_.end() || y == named_.end()) return {};
    std::string both;
    for (const std::string_view check : x->second) {
      if (std::find(y->second.begin(), y->second.end(), check) == y->second.end()) continue;
      if (!both.empty()) both += ' ';
      both += check;
    }
    return both;
  }

  const DiagramLayout& l_;
  const DiagramHints& h_;
  std::string_view id_;
  std::string_view link_;
  DiagramDrawn drawn_;
  std::unordered_map<std::size_t, std::vector<std::string_view>>
      named_;  // event -> the failed checks naming it
};

}  // namespace

DiagramDrawn draw_svg(std::string& svg, const DiagramLayout& layout, const DiagramHints& hints,
                      std::string_view id, std::string_view link) {
  return Drawer(layout, hints, id, link)(svg);
}

}  // namespace distlab::trace::internal
