// The heartbeat monitor's trace notes, as it writes them (algo/detect/heartbeat.cc)
// and the checker, the narrative and the diagram overlay read them:
//   {"suspect":N}        it suspects node N
//   {"trust":N}          it hears from N (first, or again after a suspicion)
//   {"redirect_to":N}    orders go to N from now on; null: to nobody
//   {"monitor":{...}}    at start: its detector and settings
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "distlab/core/types.h"
#include "distlab/trace/diagram_overlay.h"

namespace distlab::detect {

// The monitor's detector: "fixed" (a timeout) or "phi" (accrual), and its settings;
// 0 for a setting absent from the note.
struct DetectorNote {
  static constexpr const char* kKey = "monitor";  // the note's top-level key
  std::string detector = "fixed";
  Nanos check_every_ns = 0;
  Nanos timeout_ns = 0;  // fixed
  double threshold = 0;  // phi, and the rest
  std::uint32_t window = 0;
  Nanos min_stddev_ns = 0;
  Nanos acceptable_pause_ns = 0;

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "monitor" object.
  static std::optional<DetectorNote> from_json(const nlohmann::ordered_json& data);
};

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
