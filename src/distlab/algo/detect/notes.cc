#include "distlab/algo/detect/notes.h"

#include <set>
#include <string>

#include "distlab/trace/note_fields.h"

namespace distlab::detect {
namespace {

constexpr const char* kKeys[] = {"suspect", "trust", "redirect_to"};

}  // namespace

nlohmann::ordered_json DetectorNote::to_json() const {
  nlohmann::ordered_json config{{"check_every_ns", check_every_ns}, {"detector", detector}};
  if (detector == "fixed") {
    config["timeout_ns"] = timeout_ns;
  } else {
    config["threshold"] = threshold;
    config["window"] = window;
    config["min_stddev_ns"] = min_stddev_ns;
    config["acceptable_pause_ns"] = acceptable_pause_ns;
  }
  return {{kKey, config}};
}

std::optional<DetectorNote> DetectorNote::from_json(const nlohmann::ordered_json& data) {
  if (!data.is_object()) return std::nullopt;
  const auto m = data.find(kKey);
  if (m == data.end() || !m->is_object()) return std::nullopt;
  DetectorNote note;
  if (const auto d = m->find("detector"); d != m->end() && d->is_string()) note.detector = d->get<std::string>();
  note.check_every_ns = trace::note_nanos(*m, "check_every_ns");
  note.timeout_ns = trace::note_nanos(*m, "timeout_ns");
  if (const auto t = m->find("threshold"); t != m->end() && t->is_number()) note.threshold = t->get<double>();
  if (const auto w = m->find("window"); w != m->end() && w->is_number_unsigned()) note.window = w->get<std::uint32_t>();
  note.min_stddev_ns = trace::note_nanos(*m, "min_stddev_ns");
  note.acceptable_pause_ns = trace::note_nanos(*m, "acceptable_pause_ns");
  return note;
}

nlohmann::ordered_json MonitorNote::to_json() const {
  const char* key = kKeys[static_cast<int>(kind)];
  return {{key, node ? nlohmann::ordered_json(*node) : nlohmann::ordered_json(nullptr)}};
}

std::optional<MonitorNote> MonitorNote::from_json(const nlohmann::ordered_json& data) {
  if (!data.is_object()) return std::nullopt;
  for (const Kind kind : {Kind::suspect, Kind::trust, Kind::redirect}) {
    const auto it = data.find(kKeys[static_cast<int>(kind)]);
    if (it != data.end()) return MonitorNote{kind, trace::note_node_id(*it)};
  }
  return std::nullopt;
}

trace::DiagramOverlay diagram_overlay() {
  trace::DiagramOverlay o;
  o.mark = [](const trace::Record& r) -> std::optional<trace::EventMark> {
    const auto note = MonitorNote::from_json(r.data);
    if (!note) return std::nullopt;
    switch (note->kind) {
      case MonitorNote::Kind::suspect: {
        const std::string who = trace::draw::node_name(note->node.value_or(0));
        return trace::EventMark{.label = "suspect " + who, .story = "suspects " + who};
      }
      case MonitorNote::Kind::trust: {
        const std::string who = trace::draw::node_name(note->node.value_or(0));
        return trace::EventMark{.label = "trust " + who, .story = "trusts " + who};
      }
      case MonitorNote::Kind::redirect:
        return trace::EventMark{.label = note->node ? "→ " + trace::draw::node_name(*note->node) : "→ none"};
    }
    return std::nullopt;
  };
  // Whom the monitor suspects, and where it sends orders.
  o.state = [] {
    return [suspects = std::set<NodeId>()](const trace::Record& r,
                                           std::vector<trace::StateChange>& changes) mutable {
      const auto note = r.kind == EventKind::state ? MonitorNote::from_json(r.data) : std::nullopt;
      if (!note) return;
      if (note->kind == MonitorNote::Kind::redirect) {
        changes.push_back({r.node, "orders to", note->node ? trace::draw::node_name(*note->node) : "none"});
        return;
      }
      if (!note->node) return;
      if (note->kind == MonitorNote::Kind::suspect) suspects.insert(*note->node);
      if (note->kind == MonitorNote::Kind::trust) suspects.erase(*note->node);
      std::string text;
      for (const NodeId n : suspects) text += (text.empty() ? "" : ", ") + trace::draw::node_name(n);
      changes.push_back({r.node, "suspects", text.empty() ? "nobody" : text});
    };
  };
  return o;
}

}  // namespace distlab::detect
