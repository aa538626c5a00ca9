#include "distlab/trace/trace.h"

#include <fmt/format.h>

namespace distlab::trace {

nlohmann::ordered_json to_json(const VectorClock& vc) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [node, counter] : vc.entries()) out[std::to_string(node)] = counter;
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
    r.msg = to_string(event.msg);
    r.peer = event.peer;
    r.type = std::string(event.type);
  }
  r.label = std::string(event.label);
  if (event.data != nullptr) r.data = *event.data;
  if (event.stamp.lamport != kNoLamport) r.lamport = event.stamp.lamport;
  if (event.stamp.vc != nullptr) r.vc = *event.stamp.vc;
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

}  // namespace distlab::trace
