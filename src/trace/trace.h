// A trace held in memory: the header and every event, as read from a JSONL file or
// recorded from a live run. The checkers, the narrative printers and the exporters
// all work on this one representation.
//
//   Trace trace = read_trace_file("run.jsonl");
//   for (const Record& r : trace.events) if (r.kind == EventKind::send) ...
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "clock/vector_clock.h"
#include "core/event.h"
#include "core/types.h"

namespace distlab::trace {

inline constexpr int kTraceVersion = 1;
inline constexpr std::string_view kTraceFormat = "distlab-trace";

struct Header {
  std::string algorithm;
  std::string mode = "sim";  // "sim" or "real"
  std::uint64_t seed = 0;
  std::vector<NodeId> nodes;  // sorted
};

struct Record {
  std::size_t line = 0;  // 1-based line in the file; 0 when recorded live
  Nanos t = 0;
  NodeId node = 0;
  EventKind kind = EventKind::local;
  std::string msg;      // send, recv, drop
  NodeId peer = 0;      // send/drop: `to`; recv: `from`
  std::string type;     // send, recv, drop: message type
  std::string label;    // local: label; timer: tag; drop: reason
  nlohmann::ordered_json data;  // send: body (may be null); state: data; keys keep their order
  std::optional<std::int64_t> lamport;
  std::optional<VectorClock> vc;
};

struct Trace {
  Header header;
  std::vector<Record> events;
  std::string source;  // the file it was read from, for error messages; empty when live
};

// {"1":2,"3":1}: a vector clock as traces write it.
nlohmann::ordered_json to_json(const VectorClock& vc);

// Convert a live event to a record (line 0).
Record to_record(const Event& event);

// "line 12 (node 2 send 2.1 to 1, lamport 5)": how reports name an event.
std::string describe(const Record& record);

// An EventSink that keeps every event as a Record, for checks after a run, and shows
// each new record to an optional listener (a narrative printer, say).
class Recorder : public EventSink {
 public:
  using Listener = std::function<void(const Record&)>;
  explicit Recorder(Header header, Listener listener = {}) : listener_(std::move(listener)) {
    trace_.header = std::move(header);
  }
  void on_event(const Event& event) override {
    trace_.events.push_back(to_record(event));
    if (listener_) listener_(trace_.events.back());
  }
  const Trace& trace() const { return trace_; }

 private:
  Trace trace_;
  Listener listener_;
};

// Passes each event on to several sinks, in order.
class FanOut : public EventSink {
 public:
  void add(EventSink* sink) {
    if (sink != nullptr) sinks_.push_back(sink);
  }
  bool empty() const { return sinks_.empty(); }
  void on_event(const Event& event) override {
    for (EventSink* sink : sinks_) sink->on_event(event);
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace distlab::trace
