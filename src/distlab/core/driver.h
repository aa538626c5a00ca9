// Driver: one node of an algorithm, driven from outside. The embeddable core of the
// real runtime, and what a program of your own uses to run a distlab node over its
// own transport and timers (etcd raft's RawNode is the model).
//
// Feed it one input at a time with the time it happened: start, a delivered message,
// a fired timer, a recovery, or an outside action. It runs the node's handler and
// returns a Ready: the messages the node sent and the timer changes it asked for.
// Carry them out (send each message, set or cancel each timer), then call advance()
// before the next input. Trace events go to the sink given in the options, if any.
//
//   Driver<ricart::RicartNode> d(ricart::RicartNode(2, {}), {.self = 2, .nodes = {1, 2, 3}, .seed = 7});
//   auto ready = d.start(now_ns);
//   for (auto& out : ready.sends) transport.send(out.to, out.id, out.message);
//   for (const TimerOp& op : ready.timers) op.cancel ? timers.cancel(op.tag) : timers.set(op.tag, op.after_ns);
//   d.advance();
//   ...
//   ready = d.deliver(now_ns, from, id, message);  // and fire(now_ns, tag) when a timer goes off
//
// The same node, seed and inputs give the same outputs: the node's random stream is
// derived from the seed as in the simulator (kStreamNodeBase + self). The simulator
// itself keeps one Context for all its nodes instead (a Driver per node would cost a
// Context each, at a million nodes), and otherwise steps a node the same way.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/context.h"
#include "distlab/core/event.h"
#include "distlab/core/random.h"
#include "distlab/core/types.h"

namespace distlab {

template <class Algo>
class Driver {
 public:
  using Message = typename Algo::Message;
  using Outgoing = typename Context<Message>::Outgoing;

  struct Options {
    NodeId self = 0;
    std::vector<NodeId> nodes;    // every node of the run, sorted, self included
    std::uint64_t seed = 0;       // the run's seed: the node's random stream comes from it
    std::uint64_t first_seq = 0;  // message numbers start past this (a restarted process)
    EventSink* sink = nullptr;    // null: the node is not observed
  };

  // What the node asked for in one step; valid until advance().
  struct Ready {
    std::span<Outgoing> sends;
    std::span<const TimerOp> timers;
  };

  Driver(Algo node, Options options)
      : node_(std::move(node)),
        options_(std::move(options)),
        rng_(derive_seed(options_.seed, kStreamNodeBase + options_.self)),
        send_seq_(options_.first_seq) {
    DISTLAB_ASSERT(std::is_sorted(options_.nodes.begin(), options_.nodes.end()), "nodes are sorted");
  }

  // The node's first handler.
  Ready start(Nanos now_ns) {
    return step(now_ns, [](Algo& node, Context<Message>& ctx) { node.on_start(ctx); });
  }
  // A restart after a crash: traces the recovery, then on_recover. The caller keeps
  // (or reloads, restore()) the node's durable state; the rest is whatever it holds.
  Ready recover(Nanos now_ns) {
    if (options_.sink != nullptr) {
      Event e;
      e.t = now_ns;
      e.node = options_.self;
      e.kind = EventKind::recover;
      options_.sink->on_event(e);
    }
    return step(now_ns, [](Algo& node, Context<Message>& ctx) { node.on_recover(ctx); });
  }
  // Message `id` from `from` arrived.
  Ready deliver(Nanos now_ns, NodeId from, MsgId id, const Message& message) {
    return step(now_ns, [&](Algo& node, Context<Message>& ctx) {
      ctx.begin_receive(id, from, trace_type(message));
      node.on_message(ctx, from, message);
    });
  }
  // The timer with `tag` went off (the caller drops timers that were cancelled or set again).
  Ready fire(Nanos now_ns, TimerTag tag) {
    DISTLAB_ASSERT(tag < Algo::kTimerTags, "a timer tag the algorithm declared");
    return step(now_ns, [tag](Algo& node, Context<Message>& ctx) { node.on_timer(ctx, tag); });
  }
  // An outside stimulus of a scenario: action(node, ctx), as a handler.
  template <class Action>
  Ready act(Nanos now_ns, Action&& action) {
    return step(now_ns, std::forward<Action>(action));
  }

  // The last Ready has been carried out.
  void advance() {
    ctx_.outbox().clear();
    ctx_.timer_ops().clear();
    stepping_ = false;
  }

  Algo& node() { return node_; }
  const Algo& node() const { return node_; }

 private:
  template <class Handler>
  Ready step(Nanos now_ns, Handler&& handler) {
    DISTLAB_ASSERT(!stepping_, "advance() after carrying out the last Ready");
    stepping_ = true;
    ctx_.bind({.self = options_.self,
               .now = now_ns,
               .nodes = options_.nodes,
               .rng = &rng_,
               .send_seq = &send_seq_,
               .sink = options_.sink});
    std::forward<Handler>(handler)(node_, ctx_);
    ctx_.finish();
    return Ready{std::span<Outgoing>(ctx_.outbox()), std::span<const TimerOp>(ctx_.timer_ops())};
  }

  Algo node_;
  Options options_;
  Rng rng_;
  std::uint64_t send_seq_;
  Context<Message> ctx_;
  bool stepping_ = false;
};

}  // namespace distlab
