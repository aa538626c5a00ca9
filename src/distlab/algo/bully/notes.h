// The Bully election's trace notes, as the node writes them (algo/bully/bully.cc)
// and the checker, the narrative and the diagram overlay read them:
//   {"election":"start","reason":R}  it starts an election (R: why)
//   {"election":"won"}               it won and sends COORDINATOR
//   {"leader":L}                     it learns or takes up leadership of L
//   {"bully":{...timeouts...}}        at start (and recovery), its timeouts
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "distlab/core/types.h"
#include "distlab/trace/diagram_overlay.h"

namespace distlab::bully {

// The timeouts a node runs with, from which the checker bounds how long an
// election may take. 0: no heartbeats (the leader timeouts), or absent from the note.
struct ConfigNote {
  Nanos heartbeat_ns = 0;
  Nanos leader_timeout_ns = 0;
  Nanos leader_timeout_max_ns = 0;
  Nanos answer_timeout_ns = 0;
  Nanos coordinator_timeout_ns = 0;
  Nanos ack_timeout_ns = 0;

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "bully" object.
  static std::optional<ConfigNote> from_json(const nlohmann::ordered_json& data);
};

struct ElectionNote {
  static constexpr const char* kKey = "election";  // the note's top-level key
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
  static constexpr const char* kKey = "leader";
  std::optional<NodeId> leader;  // absent from a damaged note

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "leader" key.
  static std::optional<LeaderNote> from_json(const nlohmann::ordered_json& data);
};

// How diagrams mark its notes: "election", "leader L", and a star where a node
// declares itself leader.
trace::DiagramOverlay diagram_overlay();

}  // namespace distlab::bully
