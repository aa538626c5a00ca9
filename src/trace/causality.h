// Happens-before over a trace, computed from its structure alone.
//
// a -> b when a precedes b at the same node, or a is the send of a message b
// receives, or by transitivity. The checkers compare the clocks an algorithm stamped
// against this ground truth, so a wrong clock cannot vouch for itself.
//
//   CausalGraph graph(trace);          // InputError if a recv has no send
//   if (auto cycle = graph.cycle()) ... // an impossible trace
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "trace/trace.h"

namespace distlab::trace {

class CausalGraph {
 public:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // Throws InputError for a recv or drop of a message that was never sent, a message
  // id sent twice, or a recv whose sender or receiver disagree with the send.
  explicit CausalGraph(const Trace& trace);

  std::size_t size() const { return prev_.size(); }
  // The previous event at the same node, or kNone.
  std::size_t prev_on_node(std::size_t i) const { return prev_[i]; }
  // For a recv, its send; otherwise kNone.
  std::size_t send_of(std::size_t i) const { return send_[i]; }
  // 1-based position of the event among its node's events.
  std::uint32_t position(std::size_t i) const { return position_[i]; }
  // Dense index of the event's node in the header's node list.
  std::uint32_t node_index(std::size_t i) const { return node_index_[i]; }
  std::size_t node_count() const { return node_count_; }
  std::size_t message_count() const { return messages_; }

  // Events in an order where every event comes after its predecessors; empty when
  // the trace has a cycle (then `cycle()` names an event on it).
  const std::vector<std::size_t>& topological_order() const { return order_; }
  std::optional<std::size_t> cycle() const { return cycle_; }

 private:
  std::vector<std::size_t> prev_;
  std::vector<std::size_t> send_;
  std::vector<std::uint32_t> position_;
  std::vector<std::uint32_t> node_index_;
  std::size_t node_count_ = 0;
  std::size_t messages_ = 0;
  std::vector<std::size_t> order_;
  std::optional<std::size_t> cycle_;
};

// Exact happens-before for any pair, from true vector timestamps (one counter per
// node per event). Bounded: see kMaxTimestampCells.
class HappensBefore {
 public:
  // Refuses (returns nullopt) when events x nodes exceeds kMaxTimestampCells.
  static std::optional<HappensBefore> build(const CausalGraph& graph);

  bool before(std::size_t a, std::size_t b) const {
    return a != b && stamps_[b * nodes_ + graph_->node_index(a)] >= graph_->position(a);
  }

  static constexpr std::size_t kMaxTimestampCells = std::size_t{64} << 20;

 private:
  const CausalGraph* graph_ = nullptr;
  std::size_t nodes_ = 0;
  std::vector<std::uint32_t> stamps_;
};

}  // namespace distlab::trace
