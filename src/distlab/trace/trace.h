// A trace held in memory: the header and every event, as read from a JSONL file or
// recorded from a live run. The checkers, the narrative printers and the exporters
// all work on this one representation.
//
//   Trace trace = read_trace_file("run.jsonl");
//   for (const Record& r : trace.events) if (r.kind == EventKind::send) ...
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "distlab/clock/vector_clock.h"
#include "distlab/core/event.h"
#include "distlab/core/types.h"

namespace distlab::trace {

inline constexpr int kTraceVersion = 1;
inline constexpr std::string_view kTraceFormat = "distlab-trace";

// A fault of the network over a stretch of the run, as the run applied it: a
// partition between groups of nodes, or a one-way cut from the first group to the
// second. The trace's header lists them ("network"), so that the diagram draws them
// and the narratives tell them; the drops they cause are events as any drop is.
struct NetworkFault {
  bool one_way = false;                     // groups[0] -> groups[1] only
  std::vector<std::vector<NodeId>> groups;  // each sorted; two or more (one-way: two)
  Nanos from_ns = 0;
  std::optional<Nanos> to_ns;  // none: to the end of the run

  bool operator==(const NetworkFault&) const = default;
};

// At most this many network faults in a header.
inline constexpr std::size_t kMaxNetworkFaults = 1000;

// How a simulation writes its trace file: JSON Lines (the trace contract), or the
// compact binary form of trace/binary_trace.h, which every reader takes as well.
enum class TraceFormat { jsonl, binary };

struct Header {
  std::string algorithm;
  std::string mode = "sim";  // "sim" or "real"
  std::uint64_t seed = 0;
  std::vector<NodeId> nodes;  // sorted
  std::vector<NetworkFault> network = {};  // written only when not empty
};

// "{1,2,3} | {4,5}" or "{1} -> {2,3}": how narratives and diagrams name a fault's sides.
std::string network_sides(const NetworkFault& fault);

struct Record {
  // Provided, so that a new record is not zeroed byte by byte before its members are
  // initialised (a value-initialised aggregate is): runs record one per event.
  Record() noexcept {}

  std::size_t line = 0;  // 1-based line in the trace file (live: the line --trace writes it on)
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
  // Recorded without its sends and receives (a large run kept only annotations,
  // faults and drops): message-level checks do not apply.
  bool messages_omitted = false;
};

// {"1":2,"3":1}: a vector clock as traces write it.
nlohmann::ordered_json to_json(const VectorClock& vc);

// Convert a live event to a record (line 0).
Record to_record(const Event& event);
// The same into `record`, a default-constructed one (no temporary to move).
void fill_record(const Event& event, Record& record);

// True when a state note of `trace` has one of `keys` at its top level: an
// algorithm's checker returns at once on a trace without its notes (a sweep runs every
// checker on every seed).
bool has_note_key(const Trace& trace, std::initializer_list<const char*> keys);

// "line 12 (node 2 send 2.1 to 1, lamport 5)": how reports name an event.
std::string describe(const Record& record);

// An EventSink that keeps the events of a run as Records, for checks after it, and
// shows each new record to an optional listener (a narrative printer, say). It
// counts the messages sent, by type. With Keep::annotations it keeps only state
// annotations, crashes, recoveries and drops by partition or loss: enough for
// election checks on runs too large to keep every message.
class Recorder : public EventSink {
 public:
  using Listener = std::function<void(const Record&)>;
  enum class Keep { everything, annotations };

  explicit Recorder(Header header, Listener listener = {}, Keep keep = Keep::everything)
      : listener_(std::move(listener)), keep_(keep) {
    trace_.header = std::move(header);
    trace_.messages_omitted = keep == Keep::annotations;
  }
  void on_event(const Event& event) override {
    ++seen_;
    if (keep_ == Keep::annotations) {
      if (event.kind == EventKind::send) count_send(event.type);  // the trace will not have it
      if (!is_annotation(event)) return;
    }
    Record& record = trace_.events.emplace_back();
    fill_record(event, record);
    record.line = seen_ + 1;  // as in the file --trace writes: the header is line 1
    if (listener_) listener_(record);
  }
  const Trace& trace() const { return trace_; }

  // Many short runs in a row (a sweep) record into one buffer: `reuse` takes an
  // emptied vector whose capacity the next run fills without growing it again, and
  // `release` hands the events back once the trace has been judged.
  void reuse(std::vector<Record>&& events) {
    events.clear();
    trace_.events = std::move(events);
  }
  std::vector<Record> release() { return std::move(trace_.events); }
  // Messages sent so far, by type (counted from the trace when it keeps every send).
  std::map<std::string, std::uint64_t, std::less<>> sent_by_type() const;

 private:
  void count_send(std::string_view type) {
    auto it = sent_by_type_.find(type);  // no string is built for a type already seen
    if (it == sent_by_type_.end()) it = sent_by_type_.emplace(std::string(type), 0).first;
    ++it->second;
  }

  static bool is_annotation(const Event& e) {
    switch (e.kind) {
      case EventKind::state:
      case EventKind::crash:
      case EventKind::recover: return true;
      case EventKind::drop: return e.label == "partition" || e.label == "loss";
      default: return false;
    }
  }

  Trace trace_;
  Listener listener_;
  Keep keep_;
  std::size_t seen_ = 0;
  std::map<std::string, std::uint64_t, std::less<>> sent_by_type_;  // Keep::annotations only
};

// Passes each event on to several sinks, in order.
class FanOut : public EventSink {
 public:
  void add(EventSink* sink) {
    if (sink != nullptr) sinks_.push_back(sink);
  }
  bool empty() const { return sinks_.empty(); }
  // Only the last sink may take a temporary note's data (Event::spare_data).
  void on_event(const Event& event) override {
    if (sinks_.empty()) return;
    if (event.spare_data != nullptr && sinks_.size() > 1) {
      Event shared = event;
      shared.spare_data = nullptr;
      for (std::size_t i = 0; i + 1 < sinks_.size(); ++i) sinks_[i]->on_event(shared);
    } else {
      for (std::size_t i = 0; i + 1 < sinks_.size(); ++i) sinks_[i]->on_event(event);
    }
    sinks_.back()->on_event(event);
  }

 private:
  std::vector<EventSink*> sinks_;
};

}  // namespace distlab::trace
