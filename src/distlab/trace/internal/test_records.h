// Trace records written by hand, for the trace layer's tests.
//
//   Trace t{header, {ev(1, 0, EventKind::send, "1.1", 2), ev(2, 5, EventKind::recv, "1.1", 1)}};
#pragma once

#include <string>

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

}  // namespace distlab::trace::testing
