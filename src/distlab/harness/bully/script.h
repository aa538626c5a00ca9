// Bully election in scripts (harness/script.h): `elect ID` asks node ID to start an
// election; `nodes` takes heartbeat=, leader_timeout=, answer_timeout=,
// coordinator_timeout= and heartbeats=false; `status` prints each node's role and leader.
//
//   nodes 5 heartbeats=false
//   elect 2
//   deliver
#pragma once

#include <array>

#include "distlab/algo/bully/descriptor.h"
#include "distlab/harness/script.h"

namespace distlab::harness {

template <>
struct ScriptHooks<bully::Descriptor> {
  using Node = bully::BullyNode;
  static constexpr std::array<std::string_view, 1> kCommands{"elect"};

  void configure(ScriptOptions& o, std::span<const NodeId>) {
    options.heartbeat_ns = o.duration("heartbeat", options.heartbeat_ns);
    options.leader_timeout_ns = o.duration("leader_timeout", options.leader_timeout_ns);
    options.answer_timeout_ns = o.duration("answer_timeout", options.answer_timeout_ns);
    options.coordinator_timeout_ns = o.duration("coordinator_timeout", options.coordinator_timeout_ns);
    options.heartbeats = o.flag("heartbeats", options.heartbeats);
  }
  Node make(NodeId id) const { return Node(id, options); }

  // elect ID
  void command(ScriptEnv<ScriptHooks>& env, const ScriptCommand& c) {
    const NodeId id = c.only_node();
    env.act(id, [](Node& node, Context<bully::Message>& ctx) { node.start_election(ctx, "asked"); });
  }

  std::string state(const Node& node) const {
    std::string s = fmt::format("{}", role_name(node.role()));
    if (node.leader()) s += fmt::format(" leader={}", *node.leader());
    return s;
  }

  static std::string_view role_name(Node::Role role) {
    switch (role) {
      case Node::Role::follower: return "follower";
      case Node::Role::electing: return "electing";
      case Node::Role::waiting: return "waiting";
      case Node::Role::claiming: return "claiming";
      case Node::Role::leader: return "leader";
    }
    return "?";
  }

  bully::Options options;
};

}  // namespace distlab::harness
