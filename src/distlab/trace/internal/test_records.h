// Trace records written by hand, for the trace layer's tests.
//
//   Trace t{header, {ev(1, 0, EventKind::send, "1.1", 2), ev(2, 5, EventKind::recv, "1.1", 1)}};
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "distlab/trace/trace.h"

namespace distlab::trace::testing {

// An event of `node` at `t`; messages get `msg`, the peer (to or from) and a type.
inline Record ev(NodeId node, Nanos t, EventKind kind, std::string msg = {}, NodeId peer = 0,
                 std::string type = "app") {
  Record r;
  r.node = node;
  r.t = t;
  r.kind = kind;
  r.msg = std::move(msg);
  r.peer = peer;
  r.type = std::move(type);
  return r;
}

// A state event (an algorithm's note) of `node` at `t`.
inline Record note(NodeId node, Nanos t, nlohmann::ordered_json data) {
  Record r = ev(node, t, EventKind::state);
  r.data = std::move(data);
  return r;
}

// How often `needle` occurs in `text`, overlaps included.
inline std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace distlab::trace::testing
