#include "distlab/runtime/sim/faults.h"

#include <fmt/format.h>

#include "distlab/core/duration.h"

namespace distlab::sim {

std::string Fault::to_string() const {
  switch (kind) {
    case Kind::crash: return fmt::format("crash {}@{}", node, format_duration(at_ns));
    case Kind::recover: return fmt::format("recover {}@{}", node, format_duration(at_ns));
    case Kind::pause:
      return fmt::format("pause {}@{}+{}", node, format_duration(at_ns), format_duration(duration_ns));
  }
  return "?";
}

}  // namespace distlab::sim
