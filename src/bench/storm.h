// The storm workload of `distlab bench storm`, the simulator's speed test: K tokens
// circulate among N nodes until M deliveries have happened. Each delivery is a
// Lamport receive, then the token goes on, stamped, to a uniformly random other
// node. SimGrid runs the very same workload (bench/peers/simgrid_storm.cpp).
//
//   Budget budget{.sends_left = M};
//   Simulator<StormNode> sim(config, [&](NodeId id) { return StormNode(id, shape, budget); });
#pragma once

#include <cstdint>
#include <string_view>

#include "distlab/clock/lamport_clock.h"
#include "distlab/core/context.h"
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

class StormNode {
 public:
  using Message = Token;
  enum : TimerTag { kNone };
  static constexpr std::size_t kTimerTags = 1;  // it sets none
  static std::string_view timer_name(TimerTag) { return "none"; }

  // `shape` and `budget` must outlive the node.
  StormNode(NodeId self, const Shape& shape, Budget& budget) : self_(self), shape_(&shape), budget_(&budget) {}

  void on_start(Context<Message>& ctx) {
    const std::uint64_t index = self_ - shape_->first;
    if (index >= shape_->tokens) return;
    // Tokens index, index + N, index + 2N, ... start here.
    const std::uint64_t mine = (shape_->tokens - index + shape_->nodes - 1) / shape_->nodes;
    for (std::uint64_t i = 0; i < mine; ++i) forward(ctx);
  }
  void on_message(Context<Message>& ctx, NodeId, const Message& m) {
    clock_.receive(m.lamport);
    ++budget_->delivered;
    forward(ctx);
  }
  void on_timer(Context<Message>&, TimerTag) {}
  void on_recover(Context<Message>&) {}

  LamportClock::Time time() const { return clock_.time(); }

 private:
  void forward(Context<Message>& ctx) {
    if (budget_->sends_left == 0) return;
    --budget_->sends_left;
    auto to = static_cast<NodeId>(shape_->first + ctx.random().uniform(shape_->nodes - 1));
    if (to >= self_) ++to;  // never itself
    const auto stamp = clock_.send();
    ctx.send(to, Token{stamp}, {.lamport = static_cast<std::int64_t>(stamp)});
  }

  NodeId self_;
  const Shape* shape_;
  Budget* budget_;
  LamportClock clock_;
};

}  // namespace distlab::storm
