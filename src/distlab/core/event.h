// What happened in a run, as the runtimes report it to observers.
//
// Every runtime (simulator or UDP) describes each event as an `Event` and hands it to
// an `EventSink`: the JSONL trace writer, a narrative printer, an in-memory collector
// for the checkers. Events are built only when a sink is attached, so an unobserved
// run pays nothing. Fields that do not apply to a kind are left empty.
//
//   struct Printer : EventSink {
//     void on_event(const Event& e) override { ... }
//   };
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "distlab/core/types.h"

namespace distlab {

class VectorClock;

enum class EventKind : std::uint8_t { local, send, recv, drop, timer, crash, recover, state };

std::string_view to_string(EventKind kind);

// Why a message was not delivered; the trace's `reason`.
enum class DropReason : std::uint8_t { loss, partition, crashed, malformed, auth };

std::string_view to_string(DropReason reason);

inline constexpr std::int64_t kNoLamport = -1;

// Logical clocks an algorithm attaches to one of its events.
struct Stamp {
  std::int64_t lamport = kNoLamport;
  const VectorClock* vc = nullptr;
};

struct Event {
  // Provided, so that each member is set on its own: a value-initialised aggregate is
  // first cleared with a string store, which the sink's first reads of it then wait
  // for (a traced run makes one or two events per delivery).
  Event() noexcept {}

  Nanos t = 0;
  NodeId node = 0;
  EventKind kind = EventKind::local;
  MsgId msg{};                         // send, recv, drop
  NodeId peer = 0;                     // send/drop: destination; recv: source
  std::string_view type;               // send, recv, drop: the message type
  std::string_view label;              // local: label; timer: tag; drop: reason
  const nlohmann::ordered_json* data = nullptr;  // send: body; state: data
  // `data` again when it was built for this event alone (a note passed as a
  // temporary): the one sink that sees it last may move it instead of copying it.
  nlohmann::ordered_json* spare_data = nullptr;
  Stamp stamp;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& event) = 0;
};

}  // namespace distlab
