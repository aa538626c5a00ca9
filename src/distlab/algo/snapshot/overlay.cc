// How diagrams draw snapshots (trace/diagram_overlay.h): a cut line through each
// snapshot's recorded states, and a table of what it recorded below the drawing.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <unordered_map>
#include <utility>

#include "distlab/algo/snapshot/notes.h"

namespace distlab::snapshot {
namespace {

using trace::draw::clipped;
using trace::draw::escaped;
using trace::draw::kTipChars;
using trace::draw::node_name;

// Each snapshot's cut: a line through the points where the nodes recorded their state.
std::size_t draw_cuts(const trace::DiagramView& view, std::string& svg) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::pair<std::size_t, double>>> points;  // snapshot -> (lane, x)
  for (const trace::PlacedEvent& p : view.placed) {
    const trace::Record& r = view.trace.events[p.record];
    if (r.kind != EventKind::state) continue;
    const auto note = SnapshotNote::from_json(r.data);
    if (!note || !note->recorded) continue;
    auto [it, fresh] = points.try_emplace(note->id);
    if (fresh) order.push_back(note->id);
    it->second.emplace_back(p.lane, p.x);
  }
  const double top = trace::DiagramLanes::kTop;
  svg += "<g class=\"cuts\">";
  for (const std::string& id : order) {
    auto& pts = points[id];
    std::sort(pts.begin(), pts.end());
    std::string line;
    for (const auto& [lane, x] : pts) fmt::format_to(std::back_inserter(line), "{:.1f},{:.1f} ", x, view.lanes.y(lane));
    const double top_x = pts.front().second;
    fmt::format_to(std::back_inserter(svg),
                   "<g class=\"cut\" data-tip=\"snapshot {0}: the cut through the {1} recorded states\">"
                   "<polyline points=\"{2:.1f},{3:.1f} {4}{5:.1f},{6:.1f}\"/>"
                   "<text x=\"{2:.1f}\" y=\"{7:.1f}\">snapshot {0}</text></g>",
                   escaped(id), pts.size(), top_x, top - 2, line, pts.back().second, view.lanes.bottom(), top - 4);
  }
  svg += "</g>\n";
  return order.size();
}

// Each snapshot's recorded states and channel states, below the drawing.
void write_tables(const trace::DiagramView& view, std::string& out) {
  struct Snapshot {
    std::map<NodeId, std::string> recorded;
    std::vector<std::string> channels;
  };
  std::vector<std::string> order;
  std::map<std::string, Snapshot> snapshots;
  // Every send of the run, not only the drawn ones: indexed once, and only for a
  // run whose snapshots recorded messages in flight.
  std::unordered_map<std::string_view, const trace::Record*> sends;
  auto send_of = [&](const std::string& msg) -> const trace::Record* {
    if (sends.empty()) {
      for (const trace::Record& r : view.trace.events) {
        if (r.kind == EventKind::send) sends.emplace(r.msg, &r);
      }
    }
    const auto it = sends.find(msg);
    return it == sends.end() ? nullptr : it->second;
  };
  for (const std::size_t i : view.detail) {
    const trace::Record& r = view.trace.events[i];
    if (r.kind != EventKind::state) continue;
    const auto note = SnapshotNote::from_json(r.data);
    if (!note) continue;
    auto [it, fresh] = snapshots.try_emplace(note->id);
    if (fresh) order.push_back(note->id);
    if (note->recorded) it->second.recorded[r.node] = clipped(note->recorded->dump(), kTipChars);
    if (!note->channel || !note->channel->messages) continue;
    const std::vector<std::string>& messages = *note->channel->messages;
    // HTML: each message's id is a link that finds it in the diagram (its search box).
    std::string html = escaped(fmt::format("{} → {}: ", node_name(note->channel->from), node_name(r.node)));
    if (messages.empty()) html += "empty";
    bool first = true;
    for (const std::string& msg : messages) {
      if (!first) html += ", ";
      first = false;
      html += fmt::format("<a class=\"find-msg\" href=\"#\" title=\"Find it in the diagram\">{}</a>",
                          escaped(msg));
      if (const trace::Record* send = send_of(msg)) {
        std::string what = " (" + send->type;
        if (!send->data.is_null()) what += " " + clipped(send->data.dump(), kTipChars);
        html += escaped(what + ")");
      }
    }
    it->second.channels.push_back(std::move(html));
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
      fmt::format_to(std::back_inserter(out), "<tr><td colspan=\"2\"><code>{}</code></td></tr>", c);
    }
    out += "</table>\n";
  }
}

}  // namespace

trace::DiagramOverlay diagram_overlay() {
  trace::DiagramOverlay o;
  o.draw = &draw_cuts;
  o.legend = "<span><svg width=\"34\" height=\"10\"><line x1=\"2\" y1=\"5\" x2=\"30\" y2=\"5\" class=\"cut-line\"/></svg>snapshot cut</span>";
  o.after = &write_tables;
  // Its story: where each snapshot begins (the cut shows the rest).
  o.mark = [](const trace::Record& r) -> std::optional<trace::EventMark> {
    const auto note = SnapshotNote::from_json(r.data);
    if (!note || !note->initiated) return std::nullopt;
    return trace::EventMark{.story = fmt::format("{} starts snapshot {}", node_name(r.node), note->id)};
  };
  // A wide, pale band: nothing like the markers' thin dashed vermillion arrows.
  o.drawing_style =
      R"css(.cut polyline, .cut-line { fill: none; stroke: #56B4E9; stroke-width: 6; stroke-linecap: round; stroke-linejoin: round; opacity: .55; }
.cut text { fill: #1f6f99; font-weight: bold; }
)css";
  o.page_style = R"css(table.snapshot { border-collapse: collapse; margin: 1em 0; } table.snapshot caption { text-align: left; font-weight: bold; }
table.snapshot td, table.snapshot th { border: 1px solid #ddd; padding: .2em .6em; text-align: left; vertical-align: top; }
)css";
  // What each node has recorded: its state, then each incoming channel as it closes.
  o.state = [] {
    return [closed = std::map<std::pair<NodeId, std::string>, std::string>()](
               const trace::Record& r, std::vector<trace::StateChange>& changes) mutable {
      const auto note = r.kind == EventKind::state ? SnapshotNote::from_json(r.data) : std::nullopt;
      if (!note) return;
      if (note->recorded)
        changes.push_back({r.node, "snapshot " + note->id, clipped(note->recorded->dump(), 60)});
      if (note->channel && note->channel->messages) {
        const std::vector<std::string>& m = *note->channel->messages;
        std::string& text = closed[{r.node, note->id}];
        text += fmt::format("{}{}: {}", text.empty() ? "" : "; ", node_name(note->channel->from),
                            m.empty() ? "empty" : fmt::format("{}", fmt::join(m, " ")));
        changes.push_back({r.node, "channels " + note->id, text});
      }
    };
  };
  return o;
}

}  // namespace distlab::snapshot
