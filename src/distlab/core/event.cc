#include "distlab/core/event.h"

namespace distlab {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::local: return "local";
    case EventKind::send: return "send";
    case EventKind::recv: return "recv";
    case EventKind::drop: return "drop";
    case EventKind::timer: return "timer";
    case EventKind::crash: return "crash";
    case EventKind::recover: return "recover";
    case EventKind::state: return "state";
  }
  return "?";
}

std::string_view to_string(DropReason reason) {
  switch (reason) {
    case DropReason::loss: return "loss";
    case DropReason::partition: return "partition";
    case DropReason::crashed: return "crashed";
    case DropReason::malformed: return "malformed";
    case DropReason::auth: return "auth";
  }
  return "?";
}

}  // namespace distlab
