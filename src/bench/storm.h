// The storm workload of `distlab bench storm`, the simulator's speed test: K tokens
// circulate among N nodes until M deliveries have happened. Each delivery is a
// Lamport receive, then the token goes on, stamped, to a uniformly random other
// node. SimGrid runs the very same workload (bench/peers/simgrid_storm.cpp).
//
//   Run run{.shape = shape, .budget = {.sends_left = M}};
//   Simulator<StormNode> sim(config, [&](NodeId id) { return StormNode(id, run); });
#pragma once

#include <cstdint>
#include <string_view>

#include "distlab/clock/lamport_clock.h"
#include "distlab/core/context.h"
#include "distlab/core/stepper.h"
#include "distlab/core/types.h"

namespace distlab::storm {

struct Token {
  LamportClock::Time lamport = 0;
};
inline std::string_view trace_type(const Token&) { return "token"; }

// Nodes are first .. first + nodes - 1; token i starts at node first + i % nodes.
struct Shape {
  NodeId first = 1;
  std::uint32_t nodes = 2;
  std::uint64_t tokens = 1;
};

// Shared by every node of one run: sends are counted down so that exactly M
// deliveries happen (M sends, and every message is delivered).
struct Budget {
  std::uint64_t sends_left = 0;
  std::uint64_t delivered = 0;
};

// What every node of a run shares.
struct Run {
  Shape shape;
  Budget budget;
};

class StormNode {
 public:
  using Message = Token;
  enum : TimerTag { kNone };
  static constexpr std::size_t kTimerTags = 1;  // it sets none
  static std::string_view timer_name(TimerTag) { return "none"; }

  // `run` must outlive the node. One pointer to it, not one to its shape and one to its
  // budget: the node is 24 bytes, so with its random stream and send counter
  // (Stepper) it fills one cache line (64 bytes, asserted below), not parts of two. At 1,000,000 nodes
  // nearly every delivery waits on memory for its receiver (docs/performance.md).
  StormNode(NodeId self, Run& run) : self_(self), run_(&run) {}

  void on_start(Context<Message>& ctx) {
    const Shape& shape = run_->shape;
    const std::uint64_t index = self_ - shape.first;
    if (index >= shape.tokens) return;
    // Tokens index, index + N, index + 2N, ... start here.
    const std::uint64_t mine = (shape.tokens - index + shape.nodes - 1) / shape.nodes;
    for (std::uint64_t i = 0; i < mine; ++i) forward(ctx);
  }
  void on_message(Context<Message>& ctx, NodeId, const Message& m) {
    clock_.receive(m.lamport);
    ++run_->budget.delivered;
    forward(ctx);
  }
  void on_timer(Context<Message>&, TimerTag) {}
  void on_recover(Context<Message>&) {}

  LamportClock::Time time() const { return clock_.time(); }

 private:
  void forward(Context<Message>& ctx) {
    if (run_->budget.sends_left == 0) return;
    --run_->budget.sends_left;
    auto to = static_cast<NodeId>(run_->shape.first + ctx.random().uniform(run_->shape.nodes - 1));
    if (to >= self_) ++to;  // never itself
    const auto stamp = clock_.send();
    ctx.send(to, Token{stamp}, {.lamport = static_cast<std::int64_t>(stamp)});
  }

  NodeId self_;
  Run* run_;
  LamportClock clock_;
};
static_assert(sizeof(Stepper<StormNode>) == 64,
              "a storm node with its random stream and send counter: one cache line");

}  // namespace distlab::storm
