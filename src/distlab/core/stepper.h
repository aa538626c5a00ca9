// Stepper: the one way a node is stepped, by every runtime. It holds what a node
// carries between its steps (the node, its random stream, its send counter) and runs
// one handler per input on a Context the caller owns.
//
// The simulator keeps one Stepper per node and a single Context for all of them (a
// million nodes cost a million Steppers, nothing more); Driver (core/driver.h) is a
// Stepper with a Context and a node list of its own, for the real runtime and for
// programs that embed a node.
//
//   Stepper<LamportNode> s(LamportNode(2, options), 2, seed);
//   const StepFrame at{.self = 2, .now = now_ns, .nodes = ids, .sink = nullptr};
//   s.deliver(ctx, at, from, id, message);
//   for (auto& out : ctx.outbox()) ...;     // carry out the sends,
//   for (const TimerOp& op : ctx.timer_ops()) ...;  // then the timer changes,
//   ctx.outbox().clear();                   // and empty both queues before the next step
//   ctx.timer_ops().clear();
//
// The node's random stream is derived from the run's seed and the node's id
// (kStreamNodeBase + self), so a node draws the same numbers in every runtime.
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "distlab/core/assert.h"
#include "distlab/core/context.h"
#include "distlab/core/durable.h"
#include "distlab/core/event.h"
#include "distlab/core/random.h"
#include "distlab/core/types.h"

namespace distlab {

// What a step needs besides its input and the node: who the node is, the time,
// every node of the run (sorted, self included) and who watches (null: nobody).
struct StepFrame {
  NodeId self = 0;
  Nanos now = 0;
  std::span<const NodeId> nodes;
  EventSink* sink = nullptr;
};

template <class Algo>
class Stepper {
 public:
  using Message = typename Algo::Message;

  // `first_seq`: message numbers start past it (a restarted process).
  Stepper(Algo node, NodeId self, std::uint64_t seed, std::uint64_t first_seq = 0)
      : node_(std::move(node)), rng_(derive_seed(seed, kStreamNodeBase + self)), send_seq_(first_seq) {}

  // Each runs one handler with `ctx` bound to this node and finishes it; what the
  // node asked for is then in ctx.outbox() and ctx.timer_ops(), for the caller to
  // carry out and clear.

  // The node's first handler.
  void start(Context<Message>& ctx, const StepFrame& at) {
    step(ctx, at, [](Algo& node, Context<Message>& c) { node.on_start(c); });
  }
  // A restart after a crash: traces the recovery, then on_recover. The node is
  // whatever it holds now (see restart()).
  void recover(Context<Message>& ctx, const StepFrame& at) {
    if (at.sink != nullptr) {
      Event e;
      e.t = at.now;
      e.node = at.self;
      e.kind = EventKind::recover;
      at.sink->on_event(e);
    }
    step(ctx, at, [](Algo& node, Context<Message>& c) { node.on_recover(c); });
  }
  // Message `id` from `from` arrived.
  void deliver(Context<Message>& ctx, const StepFrame& at, NodeId from, MsgId id, const Message& message) {
    step(ctx, at, [&](Algo& node, Context<Message>& c) {
      c.begin_receive(id, from, trace_type(message));
      node.on_message(c, from, message);
    });
  }
  // The timer with `tag` went off.
  void fire(Context<Message>& ctx, const StepFrame& at, TimerTag tag) {
    DISTLAB_ASSERT(tag < Algo::kTimerTags, "a timer tag the algorithm declared");
    step(ctx, at, [tag](Algo& node, Context<Message>& c) { node.on_timer(c, tag); });
  }
  // An outside stimulus: action(node, ctx), as a handler.
  template <class Action>
  void act(Context<Message>& ctx, const StepFrame& at, Action&& action) {
    step(ctx, at, std::forward<Action>(action));
  }

  // The node comes back from a crash as `fresh` (new volatile state) with the
  // durable part of the node it was (core/durable.h) restored into it; the random
  // stream and the send counter go on. Then call recover().
  void restart(Algo fresh) {
    if constexpr (HasDurableState<Algo>) fresh.restore(node_.durable());
    node_ = std::move(fresh);
  }

  // The explorer (harness/explore) gives each step a random stream of its own, drawn
  // from the state and the input, so that a state's future depends on nothing else.
  void reseed(std::uint64_t seed) { rng_ = Rng(seed); }
  // The explorer keeps a node and its send counter without the stream, and puts them back.
  std::uint64_t sends() const { return send_seq_; }
  void load(const Algo& node, std::uint64_t sends) {
    node_ = node;
    send_seq_ = sends;
  }

  Algo& node() { return node_; }
  const Algo& node() const { return node_; }

 private:
  template <class Handler>
  void step(Context<Message>& ctx, const StepFrame& at, Handler&& handler) {
    ctx.bind({.self = at.self,
              .now = at.now,
              .nodes = at.nodes,
              .rng = &rng_,
              .send_seq = &send_seq_,
              .sink = at.sink});
    std::forward<Handler>(handler)(node_, ctx);
    ctx.finish();
  }

  Algo node_;
  Rng rng_;
  std::uint64_t send_seq_;
};

}  // namespace distlab
