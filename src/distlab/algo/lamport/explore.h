// Lamport and vector clocks as `distlab explore` checks them (harness/explore/explorer.h):
// each node takes `options.actions` actions (a local event or a send to a peer, as its
// random stream decides) at any moment (its timer is free), and every delivery is judged
// once the receiver has handled it:
//
// - clock_condition: the receiver's Lamport clock is above the message's stamp;
// - vector_clocks: the receiver's vector clock covers the message's, entry by entry.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <vector>

#include "distlab/algo/explore_model.h"
#include "distlab/algo/lamport/lamport.h"

namespace distlab::lamport {

struct ExploreModel {
  using Node = LamportNode;
  std::vector<NodeId> ids;
  Options options{.random_mode = true};

  Node make(NodeId id) const { return LamportNode(id, options); }
  bool free_timer(TimerTag) const { return true; }

  template <class View>
  std::optional<explore::Violation> safety(const View&) const {
    return std::nullopt;  // judged at each delivery
  }
  template <class View>
  std::optional<explore::Violation> quiescent(const View&) const {
    return std::nullopt;
  }

  template <class View>
  std::optional<explore::Violation> delivered(const View& v, std::size_t to, NodeId from,
                                              const AppMessage& m) const {
    const LamportNode& n = v.node(to);
    if (n.lamport().time() <= m.lamport) {
      return explore::Violation{
          "clock_condition",
          fmt::format("node {} received a message stamped {} from node {}, and its clock then "
                      "read {}, not above it",
                      v.id(to), m.lamport, from, n.lamport().time())};
    }
    if (m.vc) {
      for (const auto& [node, counter] : m.vc->entries()) {
        if (n.vc().get(node) < counter) {
          return explore::Violation{
              "vector_clocks",
              fmt::format(
                  "node {} received a message from node {} whose vector clock has {} for node {}, and its "
                  "own then had {}",
                  v.id(to), from, counter, node, n.vc().get(node))};
        }
      }
    }
    return std::nullopt;
  }
};

}  // namespace distlab::lamport
