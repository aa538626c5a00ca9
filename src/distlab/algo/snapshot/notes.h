// The snapshot layer's trace notes, as the node writes them (algo/snapshot/snapshot.h)
// and the checker, the narrative and the diagram overlay read them, per snapshot ID:
//   {"snapshot":ID,"initiated":true}    the node starts snapshot ID
//   {"snapshot":ID,"recorded":STATE}    it records its state
//   {"snapshot":ID,"channel":FROM,"messages":[msg ids]}, with "incomplete":true and
//                                       "end":true when so, as each channel closes
// and once at start, for the checker to know what to expect:
//   {"channels":{"in":[...],"out":[...]}}  the node's incoming and outgoing channels
//   {"bank":{"initial_balance":N}}         (the bank) its account's opening balance
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distlab/core/types.h"
#include "distlab/trace/diagram_overlay.h"

namespace distlab::snapshot {

struct SnapshotNote {
  static constexpr const char* kKey = "snapshot";  // the note's top-level key
  // A channel's state, recorded when it closes.
  struct Channel {
    NodeId from = 0;                                   // its source; 0 in a damaged note
    std::optional<std::vector<std::string>> messages;  // the ids in flight; absent from a damaged note
    bool incomplete = false;  // closed by the end of the run, leaving a Chandy-Lamport snapshot incomplete
    bool end = false;         // closed by the end of the run, not by a marker
  };
  std::string id;  // "2.1"
  bool initiated = false;
  std::optional<nlohmann::ordered_json> recorded;  // the node's state
  std::optional<Channel> channel;

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "snapshot" key. A
  // damaged note is read as far as it goes (an id that is not a string is its JSON,
  // a message id likewise), and `problem`, when given, gets what is wrong with it
  // (empty: nothing).
  static std::optional<SnapshotNote> from_json(const nlohmann::ordered_json& data, std::string* problem = nullptr);
};

struct ChannelsNote {
  static constexpr const char* kKey = "channels";
  std::vector<NodeId> in;   // the nodes it hears from
  std::vector<NodeId> out;  // the nodes it sends to

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "channels" key. For a
  // damaged note, `problem` (when given) gets what is wrong, as SnapshotNote's.
  static std::optional<ChannelsNote> from_json(const nlohmann::ordered_json& data, std::string* problem = nullptr);
};

struct BankNote {
  static constexpr const char* kKey = "bank";
  std::int64_t initial_balance = 0;

  nlohmann::ordered_json to_json() const;
  // The note in a state event's data; nullopt when it has no "bank" key.
  static std::optional<BankNote> from_json(const nlohmann::ordered_json& data, std::string* problem = nullptr);
};

// How diagrams draw its notes: each snapshot's cut through the recorded states, and
// a table of its recorded states and channel states below the drawing.
trace::DiagramOverlay diagram_overlay();

}  // namespace distlab::snapshot
