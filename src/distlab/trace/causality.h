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

#include "distlab/trace/trace.h"

namespace distlab::trace {

// How a trace's receives match its sends. Every command that reads a trace checks
// this (trace/jsonl_reader), and so does every causal graph.
struct MessageMatch {
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> send_of;  // for a recv, its send; otherwise kNone
  std::size_t messages = 0;          // sends
  std::size_t external = 0;          // real traces only: receives and drops whose send is not in the trace
};

// Throws InputError naming the line for a recv or drop of a message that was never
// sent (in a simulated trace; a real process's trace may receive from outside
// itself), a message id sent twice, or a recv whose sender or receiver disagree with
// the send.
MessageMatch match_messages(const Trace& trace);
// The same into `match`, reusing its storage.
void match_messages(const Trace& trace, MessageMatch& match);

class CausalGraph {
 public:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // Throws InputError as match_messages does.
  explicit CausalGraph(const Trace& trace);
  // An empty graph, to be rebuilt.
  CausalGraph() = default;
  // The graph of `trace`, in this graph's storage (many traces in a row, as a sweep
  // checks them, allocate nothing once it has grown). Throws as the constructor does.
  void rebuild(const Trace& trace);

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
  // Real traces only: received messages whose send is not in the trace.
  std::size_t external_count() const { return external_; }

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
  std::size_t external_ = 0;
  std::vector<std::size_t> order_;
  std::optional<std::size_t> cycle_;
};

// Vector time computed from the trace's structure: for each event, how many "counted"
// events of each node lie in its causal past (itself included). With every event
// counted this is exact happens-before; counting only the events that carry vector
// clocks gives the canonical vector timestamps an algorithm's clocks should equal.
// Dense (events x nodes counters) and bounded by kMaxCells.
class VectorTime {
 public:
  static constexpr std::size_t kMaxCells = std::size_t{64} << 20;

  // nullopt when the trace has a cycle or events x nodes exceeds kMaxCells.
  // `counted` has one flag per event; empty means every event counts.
  static std::optional<VectorTime> build(const CausalGraph& graph, const std::vector<bool>& counted = {});

  // For a counted event a: did a happen before b?
  bool before(std::size_t a, std::size_t b) const {
    const std::size_t k = graph_->node_index(a);
    return a != b && at(b, k) >= at(a, k);
  }
  std::uint32_t at(std::size_t event, std::size_t node_index) const { return stamps_[event * nodes_ + node_index]; }
  std::size_t node_count() const { return nodes_; }

 private:
  const CausalGraph* graph_ = nullptr;
  std::size_t nodes_ = 0;
  std::vector<std::uint32_t> stamps_;
};

}  // namespace distlab::trace
