// The Bully election's trace notes, as the node writes them (algo/bully/bully.cc)
// and the checker, the narrative and the diagram overlay read them:
//   {"election":"start","reason":R}  it starts an election (R: why)
//   {"election":"won"}               it won and sends COORDINATOR
//   {"leader":L}                     it learns or takes up leadership of L
// (and {"bully":{...timeouts...}} at start, read by the checker alone).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "distlab/core/types.h"
#include "distlab/trace/diagram_overlay.h"

namespace distlab::bully {

struct ElectionNote {
  enum class Kind : std::uint8_t {
    start,
    won,
    other,  // an "election" note of another kind (a later version, or a damaged trace)
  };
  Kind kind = Kind::other;
  std::string reason;  // start: "leader_timeout", ...

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "election" key.
  static std::optional<ElectionNote> from_json(const nlohmann::ordered_json& data);
};

struct LeaderNote {
  std::optional<NodeId> leader;  // absent from a damaged note

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "leader" key.
  static std::optional<LeaderNote> from_json(const nlohmann::ordered_json& data);
};

// How diagrams mark its notes: "election", "leader L", and a star where a node
// declares itself leader.
trace::DiagramOverlay diagram_overlay();

}  // namespace distlab::bully
