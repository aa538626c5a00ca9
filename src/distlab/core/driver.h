// Driver: one node of an algorithm, driven from outside. The embeddable core of the
// real runtime and of scripted tests, and what a program of your own uses to run a
// distlab node over its own transport and timers (etcd raft's RawNode is the model).
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
// The same node, seed and inputs give the same outputs as in the simulator: both
// runtimes step nodes through Stepper (core/stepper.h), which holds the node, its
// random stream (kStreamNodeBase + self) and its send counter. A Driver is a Stepper
// with its own Context and node list; the simulator keeps one Stepper per node and a
// single Context for all of them (a Context and node list per node would not fit a
// million nodes).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/context.h"
#include "distlab/core/event.h"
#include "distlab/core/stepper.h"
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
      : options_(std::move(options)),
        stepper_(std::move(node), options_.self, options_.seed, options_.first_seq) {
    DISTLAB_ASSERT(std::is_sorted(options_.nodes.begin(), options_.nodes.end()), "nodes are sorted");
  }

  // The node's first handler.
  Ready start(Nanos now_ns) {
    return step([&] { stepper_.start(ctx_, at(now_ns)); });
  }
  // A restart after a crash: traces the recovery, then on_recover. The caller keeps
  // (or reloads, restore()) the node's durable state; the rest is whatever it holds
  // (restart() puts in a fresh node that keeps the durable part).
  Ready recover(Nanos now_ns) {
    return step([&] { stepper_.recover(ctx_, at(now_ns)); });
  }
  // Message `id` from `from` arrived.
  Ready deliver(Nanos now_ns, NodeId from, MsgId id, const Message& message) {
    return step([&] { stepper_.deliver(ctx_, at(now_ns), from, id, message); });
  }
  // The timer with `tag` went off (the caller drops timers that were cancelled or set again).
  Ready fire(Nanos now_ns, TimerTag tag) {
    return step([&] { stepper_.fire(ctx_, at(now_ns), tag); });
  }
  // An outside stimulus of a scenario: action(node, ctx), as a handler.
  template <class Action>
  Ready act(Nanos now_ns, Action&& action) {
    return step([&] { stepper_.act(ctx_, at(now_ns), std::forward<Action>(action)); });
  }

  // The last Ready has been carried out.
  void advance() {
    ctx_.outbox().clear();
    ctx_.timer_ops().clear();
    stepping_ = false;
  }

  // After a crash: `fresh` replaces the node, keeping its durable part (core/durable.h);
  // then recover().
  void restart(Algo fresh) { stepper_.restart(std::move(fresh)); }

  Algo& node() { return stepper_.node(); }
  const Algo& node() const { return stepper_.node(); }

 private:
  template <class Run>
  Ready step(Run&& run) {
    DISTLAB_ASSERT(!stepping_, "advance() after carrying out the last Ready");
    stepping_ = true;
    run();
    return Ready{std::span<Outgoing>(ctx_.outbox()), std::span<const TimerOp>(ctx_.timer_ops())};
  }
  StepFrame at(Nanos now_ns) const {
    return {.self = options_.self, .now = now_ns, .nodes = options_.nodes, .sink = options_.sink};
  }

  Options options_;
  Stepper<Algo> stepper_;
  Context<Message> ctx_;
  bool stepping_ = false;
};

}  // namespace distlab
