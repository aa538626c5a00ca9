// Bully election as `distlab explore` checks it (harness/explore/explorer.h): the
// nodes, and the properties every state must keep.
//
// - single_leader: no two live nodes hold leadership at once.
// - leader_agreement: no live node follows a lower id (it bullies a lower leader
//   instead); and where nothing is left to happen (quiescent: only without
//   heartbeats), every live node follows the highest live node.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <vector>

#include "distlab/algo/bully/bully.h"
#include "distlab/algo/explore_model.h"

namespace distlab::bully {

struct ExploreModel {
  using Node = BullyNode;
  std::vector<NodeId> ids;
  Options options;
  std::optional<NodeId> starter;  // starts an election at once; none: leader timeouts start one

  Node make(NodeId id) const { return BullyNode(id, options); }
  void begin(BullyNode& node, Context<Message>& ctx) const {
    if (starter && ctx.self() == *starter) node.start_election(ctx, "asked");
  }

  template <class View>
  std::optional<explore::Violation> safety(const View& v) const {
    std::optional<NodeId> leading;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v.up(i)) continue;
      const BullyNode& n = v.node(i);
      if (n.holds_leadership()) {
        if (leading) {
          return explore::Violation{"single_leader",
                                    fmt::format("nodes {} and {} both hold leadership", *leading, v.id(i))};
        }
        leading = v.id(i);
      }
      if (n.role() == BullyNode::Role::follower && n.leader() && *n.leader() < v.id(i)) {
        return explore::Violation{"leader_agreement",
                                  fmt::format("node {} follows node {}, a lower id", v.id(i), *n.leader())};
      }
    }
    return std::nullopt;
  }

  template <class View>
  std::optional<explore::Violation> quiescent(const View& v) const {
    std::optional<NodeId> highest;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v.up(i)) highest = v.id(i);
    }
    if (!highest) return std::nullopt;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!v.up(i)) continue;
      const auto leader = v.node(i).leader();
      if (leader != highest) {
        return explore::Violation{
            "leader_agreement",
            fmt::format(
                "nothing is left to happen and node {} follows {}, not node {}, the highest live node",
                v.id(i), leader ? fmt::format("node {}", *leader) : std::string("no one"), *highest)};
      }
    }
    return std::nullopt;
  }
};

}  // namespace distlab::bully
