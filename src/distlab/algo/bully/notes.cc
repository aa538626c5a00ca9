#include "distlab/algo/bully/notes.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include "distlab/core/assert.h"
#include "distlab/trace/note_fields.h"

namespace distlab::bully {

nlohmann::ordered_json ConfigNote::to_json() const {
  nlohmann::ordered_json bully = trace::note_object(6);
  bully["heartbeat_ns"] = heartbeat_ns;
  bully["leader_timeout_ns"] = leader_timeout_ns;
  bully["leader_timeout_max_ns"] = leader_timeout_max_ns;
  bully["answer_timeout_ns"] = answer_timeout_ns;
  bully["coordinator_timeout_ns"] = coordinator_timeout_ns;
  bully["ack_timeout_ns"] = ack_timeout_ns;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  out["bully"] = std::move(bully);
  return out;
}

std::optional<ConfigNote> ConfigNote::from_json(const nlohmann::ordered_json& data) {
  if (!data.is_object()) return std::nullopt;
  const auto c = data.find("bully");
  if (c == data.end() || !c->is_object()) return std::nullopt;
  using trace::note_nanos;
  return ConfigNote{note_nanos(*c, "heartbeat_ns"),      note_nanos(*c, "leader_timeout_ns"),
                    note_nanos(*c, "leader_timeout_max_ns"), note_nanos(*c, "answer_timeout_ns"),
                    note_nanos(*c, "coordinator_timeout_ns"), note_nanos(*c, "ack_timeout_ns")};
}

nlohmann::ordered_json ElectionNote::to_json() const {
  DISTLAB_ASSERT(kind != Kind::other, "the node writes only the notes it knows");
  nlohmann::ordered_json out = trace::note_object(kind == Kind::won ? 1 : 2);
  out[kKey] = kind == Kind::won ? "won" : "start";
  if (kind != Kind::won) out["reason"] = reason;
  return out;
}

std::optional<ElectionNote> ElectionNote::from_json(const nlohmann::ordered_json& data) {
  if (!data.is_object()) return std::nullopt;
  const auto what = data.find(kKey);
  if (what == data.end()) return std::nullopt;
  ElectionNote note;
  if (*what == "start") note.kind = Kind::start;
  if (*what == "won") note.kind = Kind::won;
  const auto reason = data.find("reason");
  if (reason != data.end() && reason->is_string()) note.reason = reason->get<std::string>();
  return note;
}

nlohmann::ordered_json LeaderNote::to_json() const {
  DISTLAB_ASSERT(leader.has_value(), "the node notes the leader it names");
  nlohmann::ordered_json out = trace::note_object(1);
  out[kKey] = *leader;
  return out;
}

std::optional<LeaderNote> LeaderNote::from_json(const nlohmann::ordered_json& data) {
  if (!data.is_object()) return std::nullopt;
  const auto leader = data.find(kKey);
  if (leader == data.end()) return std::nullopt;
  return LeaderNote{trace::note_node_id(*leader)};
}

namespace {

// A bar under each node's lane while it leads: from the note where it declares itself
// leader to the note where it follows another, its crash, or the end of the drawing.
std::size_t draw_leadership(const trace::DiagramView& view, std::string& svg) {
  std::map<std::size_t, std::pair<double, Nanos>> open;  // lane -> where and when it began leading
  std::string bars;
  std::size_t drawn = 0;
  const auto close = [&](std::size_t lane, double x, std::string_view until) {
    const auto it = open.find(lane);
    if (it == open.end()) return;
    const double y = view.lanes.y(lane) + 5;
    fmt::format_to(std::back_inserter(bars),
                   "<rect class=\"lead\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"4\" "
                   "data-tip=\"{} leads from t = {} {}\"/>",
                   it->second.first, y, std::max(x - it->second.first, 2.0),
                   trace::draw::node_name(view.lanes.nodes[lane]),
                   trace::draw::escaped(trace::draw::time_text(it->second.second)),
                   trace::draw::escaped(until));
    open.erase(it);
    ++drawn;
  };
  double right = 0;
  for (const trace::PlacedEvent& p : view.placed) {
    const trace::Record& r = view.trace.events[p.record];
    right = std::max(right, p.x);
    if (r.kind == EventKind::crash) {
      close(p.lane, p.x, fmt::format("to its crash at t = {}", trace::draw::time_text(r.t)));
      continue;
    }
    if (r.kind != EventKind::state) continue;
    const auto note = LeaderNote::from_json(r.data);
    if (!note || !note->leader) continue;
    if (*note->leader == r.node) {
      open.try_emplace(p.lane, p.x, r.t);
    } else {
      close(p.lane, p.x,
            fmt::format("to t = {}, when it followed {}", trace::draw::time_text(r.t),
                        trace::draw::node_name(*note->leader)));
    }
  }
  while (!open.empty()) close(open.begin()->first, right, "to the end of the drawing");
  if (drawn > 0) svg += "<g class=\"leadership\">" + bars + "</g>\n";
  return drawn;
}

}  // namespace

trace::DiagramOverlay diagram_overlay() {
  trace::DiagramOverlay o;
  o.draw = &draw_leadership;
  o.legend =
      "<span><svg width=\"24\" height=\"10\"><rect y=\"3\" width=\"24\" height=\"4\" class=\"lead\"/></svg>"
      "leading</span>";
  o.drawing_style = R"css(rect.lead { fill: #E69F00; }
)css";
  o.mark = [](const trace::Record& r) -> std::optional<trace::EventMark> {
    if (const auto note = LeaderNote::from_json(r.data)) {
      trace::EventMark mark{.label = "leader " + (note->leader ? std::to_string(*note->leader) : std::string("?"))};
      if (note->leader == r.node) {
        mark.symbol = "star";
        mark.symbol_legend = "declares itself leader";
        mark.story = trace::draw::node_name(r.node) + " leads";
      }
      return mark;
    }
    const auto election = ElectionNote::from_json(r.data);
    if (election && election->kind == ElectionNote::Kind::start) {
      return trace::EventMark{.label = "election",
                              .story = trace::draw::node_name(r.node) + " starts an election"};
    }
    return std::nullopt;
  };
  // Who each node follows, or that it leads, or that it is electing.
  o.state = [] {
    return [known = std::set<NodeId>()](const trace::Record& r,
                                        std::vector<trace::StateChange>& changes) mutable {
      // A crash or a recovery wipes what a node knew.
      if ((r.kind == EventKind::crash || r.kind == EventKind::recover) && known.erase(r.node) > 0) {
        changes.push_back({r.node, "leader", ""});
      }
      if (r.kind != EventKind::state) return;
      if (const auto note = LeaderNote::from_json(r.data); note && note->leader) {
        known.insert(r.node);
        changes.push_back(
            {r.node, "leader",
             *note->leader == r.node ? "leads" : "follows " + trace::draw::node_name(*note->leader)});
      } else if (const auto election = ElectionNote::from_json(r.data);
                 election && election->kind == ElectionNote::Kind::start) {
        known.insert(r.node);
        changes.push_back({r.node, "leader", "electing"});
      }
    };
  };
  o.defs = R"svg(<symbol id="star" viewBox="-7 -7 14 14" width="14" height="14" x="-7" y="-7" overflow="visible"><path d="M0,-6.5L1.6,-2.1L6.2,-2L2.5,0.8L3.8,5.3L0,2.6L-3.8,5.3L-2.5,0.8L-6.2,-2L-1.6,-2.1z" fill="#E69F00" stroke="#222" stroke-width="1"/></symbol>
)svg";
  return o;
}

}  // namespace distlab::bully
