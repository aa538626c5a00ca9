// The heartbeat monitor's trace notes, as it writes them (algo/detect/heartbeat.cc)
// and the checker, the narrative and the diagram overlay read them:
//   {"suspect":N}        it suspects node N
//   {"trust":N}          it hears from N (first, or again after a suspicion)
//   {"redirect_to":N}    orders go to N from now on; null: to nobody
// (and {"monitor":{...}} at start, its detector's settings, read by the checker).
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "distlab/core/types.h"
#include "distlab/trace/diagram_overlay.h"

namespace distlab::detect {

struct MonitorNote {
  enum class Kind : std::uint8_t { suspect, trust, redirect };
  Kind kind = Kind::suspect;
  std::optional<NodeId> node;  // redirect: none when nobody is left; absent from a damaged note

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has none of the three keys.
  static std::optional<MonitorNote> from_json(const nlohmann::ordered_json& data);
};

// How diagrams mark its notes: "suspect nN", "trust nN", "→ nN" (the monitor's
// suspicions are shaded by its descriptor's lane span).
trace::DiagramOverlay diagram_overlay();

}  // namespace distlab::detect
