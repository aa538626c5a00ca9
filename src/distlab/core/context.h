// Context: everything an algorithm may do to the world, and nothing more.
//
// Algorithms are sans-I/O: a runtime (the simulator or the UDP loop) calls their
// handlers with a Context, and the Context is their only way to read the time, draw
// random numbers, send, set timers and annotate the trace. Sends and timer changes are
// queued here and carried out by the runtime after the handler returns, never inline,
// so a handler always runs to completion before any of its effects are seen.
//
//   void on_message(Context<Msg>& ctx, NodeId from, const Msg& m) {
//     clock_.receive(m.lamport);
//     ctx.stamp_receive({.lamport = int64(clock_.time())});
//     ctx.send(from, Msg{clock_.send()});
//     ctx.set_timer(100 * kMillisecond, kRetry);
//   }
//
// A message type tells the trace how to name it with a free function found by ADL,
// `std::string_view trace_type(const Msg&)`, and may add a JSON body with
// `nlohmann::ordered_json trace_body(const Msg&)` (keys keep the order they are written in).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/event.h"
#include "distlab/core/random.h"
#include "distlab/core/types.h"

namespace distlab {

template <class Message>
concept TraceableMessage = requires(const Message& m) {
  { trace_type(m) } -> std::convertible_to<std::string_view>;
};

template <class Message>
concept HasTraceBody = requires(const Message& m) {
  { trace_body(m) } -> std::convertible_to<nlohmann::ordered_json>;
};

// A timer change an algorithm asked for, carried out by the runtime.
struct TimerOp {
  TimerTag tag;
  Nanos after_ns;  // ignored when cancel is true
  bool cancel;
};

// What the runtime tells a Context before each handler call.
struct ContextBinding {
  NodeId self = 0;
  Nanos now = 0;
  std::span<const NodeId> nodes;
  Rng* rng = nullptr;
  std::uint64_t* send_seq = nullptr;  // the node's send counter, kept across crashes
  EventSink* sink = nullptr;          // null: the run is not observed
};

template <TraceableMessage Message>
class Context {
 public:
  struct Outgoing {
    NodeId to;
    MsgId id;
    Message message;
  };

  using Binding = ContextBinding;

  // ---- for algorithms ----

  NodeId self() const { return b_.self; }
  Nanos now() const { return b_.now; }
  // Every node of the run, sorted, self included.
  std::span<const NodeId> nodes() const { return b_.nodes; }
  // This node's own random stream.
  Rng& random() {
    drew_ = true;
    return *b_.rng;
  }

  // Queue a message; the runtime sends it after the handler returns.
  void send(NodeId to, Message message, Stamp stamp = {}) {
    DISTLAB_ASSERT(to != b_.self, "a node does not message itself");
    const MsgId id{b_.self, ++*b_.send_seq};
    if (b_.sink != nullptr) record_send(to, id, message, stamp);
    outbox_.push_back(Outgoing{to, id, std::move(message)});
  }

  // Fire on_timer(tag) after `after_ns`; replaces a pending timer with the same tag.
  void set_timer(Nanos after_ns, TimerTag tag) {
    DISTLAB_ASSERT(after_ns >= 0);
    timer_ops_.push_back(TimerOp{tag, after_ns, false});
  }
  void cancel_timer(TimerTag tag) { timer_ops_.push_back(TimerOp{tag, 0, true}); }

  // Record an internal event, optionally with the clocks it carries.
  void local(std::string_view label = {}, Stamp stamp = {}) {
    if (b_.sink == nullptr) return;
    flush_receive();
    Event e = base(EventKind::local);
    e.label = label;
    e.stamp = stamp;
    b_.sink->on_event(e);
  }

  // Attach clocks to the delivery being handled (call after merging the stamp).
  void stamp_receive(Stamp stamp) {
    if (!pending_recv_) return;
    pending_recv_->stamp = stamp;
    flush_receive();
  }

  // The id of the message being handled by on_message.
  MsgId received_id() const { return receiving_; }

  // True when someone watches the run: build annotations only then.
  bool observed() const { return b_.sink != nullptr; }

  // Put an algorithm annotation (a `state` event) into the trace.
  void note(const nlohmann::ordered_json& data) {
    if (b_.sink == nullptr) return;
    flush_receive();
    Event e = base(EventKind::state);
    e.data = &data;
    b_.sink->on_event(e);
  }
  // The same for a note built for this call: a recorder keeps it without a copy.
  void note(nlohmann::ordered_json&& data) {
    if (b_.sink == nullptr) return;
    flush_receive();
    Event e = base(EventKind::state);
    e.data = &data;
    e.spare_data = &data;
    b_.sink->on_event(e);
  }

  // ---- for runtimes ----

  void bind(const Binding& binding) {
    DISTLAB_ASSERT(outbox_.empty() && timer_ops_.empty() && !pending_recv_);
    b_ = binding;
    drew_ = false;
  }

  // The handler about to run delivers message `id` from `from`: its recv event is
  // emitted with the first clocks stamped, or before any other event, or at finish().
  void begin_receive(MsgId id, NodeId from, std::string_view type) {
    receiving_ = id;
    if (b_.sink == nullptr) return;
    // Made in place: an Event made aside and copied in was read back, in 16-byte
    // pieces, before its narrower stores had landed, a stall on every traced delivery.
    Event& e = pending_recv_.emplace();
    e.t = b_.now;
    e.node = b_.self;
    e.kind = EventKind::recv;
    e.msg = id;
    e.peer = from;
    e.type = type;
  }

  // Call after the handler returns, before draining the queues.
  void finish() { flush_receive(); }

  // The handler since bind() drew from the node's random stream (the explorer then
  // tries the step with other streams too).
  bool drew() const { return drew_; }

  std::vector<Outgoing>& outbox() { return outbox_; }
  std::vector<TimerOp>& timer_ops() { return timer_ops_; }

  // Run `handler` on `inner`, a Context for a protocol layered inside this one (say
  // an application under a snapshot layer): it shares this binding and takes over a
  // pending receive; afterwards its sends (converted to Message) and timer changes
  // join this Context's queues, and its random draws count as this one's (drew()).
  template <class Inner, class Handler>
  void nest(Context<Inner>& inner, Handler&& handler) {
    inner.bind(b_);
    inner.receiving_ = receiving_;
    inner.pending_recv_ = std::move(pending_recv_);
    pending_recv_.reset();
    std::forward<Handler>(handler)(inner);
    inner.finish();
    drew_ = drew_ || inner.drew_;
    for (auto& out : inner.outbox_) outbox_.push_back(Outgoing{out.to, out.id, Message(std::move(out.message))});
    timer_ops_.insert(timer_ops_.end(), inner.timer_ops_.begin(), inner.timer_ops_.end());
    inner.outbox_.clear();
    inner.timer_ops_.clear();
  }

 private:
  template <TraceableMessage>
  friend class Context;

  Event base(EventKind kind) const {
    Event e;
    e.t = b_.now;
    e.node = b_.self;
    e.kind = kind;
    return e;
  }

  void flush_receive() {
    if (!pending_recv_) return;
    b_.sink->on_event(*pending_recv_);
    pending_recv_.reset();
  }

  void record_send(NodeId to, MsgId id, const Message& message, Stamp stamp) {
    flush_receive();
    Event e = base(EventKind::send);
    e.msg = id;
    e.peer = to;
    e.type = trace_type(message);
    e.stamp = stamp;
    if constexpr (HasTraceBody<Message>) {
      const nlohmann::ordered_json body = trace_body(message);
      if (!body.is_null()) e.data = &body;
      b_.sink->on_event(e);
    } else {
      b_.sink->on_event(e);
    }
  }

  Binding b_;
  MsgId receiving_{};
  std::optional<Event> pending_recv_;
  std::vector<Outgoing> outbox_;
  std::vector<TimerOp> timer_ops_;
  bool drew_ = false;
};

}  // namespace distlab
