#include "distlab/trace/trace.h"

#include <fmt/format.h>

#include "distlab/core/json_object.h"

namespace distlab::trace {

nlohmann::ordered_json to_json(const VectorClock& vc) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [node, counter] : vc.entries()) append_key(out, std::to_string(node), counter);
  return out;
}

Record to_record(const Event& event) {
  Record r;
  fill_record(event, r);
  return r;
}

void fill_record(const Event& event, Record& r) {
  r.t = event.t;
  r.node = event.node;
  r.kind = event.kind;
  if (event.kind == EventKind::send || event.kind == EventKind::recv ||
      event.kind == EventKind::drop) {
    assign_msg_id(event.msg, r.msg);
    r.peer = event.peer;
    r.type.assign(event.type);
  }
  r.label.assign(event.label);
  if (event.spare_data != nullptr) {
    r.data = std::move(*event.spare_data);
  } else if (event.data != nullptr) {
    r.data = *event.data;
  }
  if (event.stamp.lamport != kNoLamport) r.lamport = event.stamp.lamport;
  if (event.stamp.vc != nullptr) r.vc = *event.stamp.vc;
}

std::map<std::string, std::uint64_t, std::less<>> Recorder::sent_by_type() const {
  if (keep_ == Keep::annotations) return sent_by_type_;
  std::map<std::string, std::uint64_t, std::less<>> counts;
  for (const Record& r : trace_.events) {
    if (r.kind != EventKind::send) continue;
    auto it = counts.find(r.type);
    if (it == counts.end()) it = counts.emplace(r.type, 0).first;
    ++it->second;
  }
  return counts;
}

bool has_note_key(const Trace& trace, std::initializer_list<const char*> keys) {
  for (const Record& r : trace.events) {
    if (r.kind != EventKind::state || !r.data.is_object()) continue;
    for (const char* key : keys) {
      if (r.data.find(key) != r.data.end()) return true;
    }
  }
  return false;
}

std::string describe(const Record& r) {
  std::string where = r.line > 0 ? fmt::format("line {} ", r.line) : std::string();
  std::string what;
  switch (r.kind) {
    case EventKind::send: what = fmt::format("send {} to {}", r.msg, r.peer); break;
    case EventKind::recv: what = fmt::format("recv {} from {}", r.msg, r.peer); break;
    case EventKind::drop: what = fmt::format("drop {} ({})", r.msg, r.label); break;
    case EventKind::timer: what = fmt::format("timer {}", r.label); break;
    case EventKind::local:
      what = r.label.empty() ? "local" : fmt::format("local {}", r.label);
      break;
    default: what = std::string(to_string(r.kind)); break;
  }
  std::string clocks;
  if (r.lamport) clocks += fmt::format(", lamport {}", *r.lamport);
  if (r.vc) clocks += fmt::format(", vc {}", to_string(*r.vc));
  return fmt::format("{}(node {} {} at t={}ns{})", where, r.node, what, r.t, clocks);
}

std::string network_sides(const NetworkFault& fault) {
  std::string out;
  for (std::size_t g = 0; g < fault.groups.size(); ++g) {
    if (g > 0) out += fault.one_way ? " -> " : " | ";
    out += "{";
    for (std::size_t i = 0; i < fault.groups[g].size(); ++i)
      out += (i > 0 ? "," : "") + std::to_string(fault.groups[g][i]);
    out += "}";
  }
  return out;
}

}  // namespace distlab::trace
