// Chandy-Lamport snapshots in scripts (harness/script.h), over the seed's game:
// `move FROM TO attack|defend|potion|low_life` sends a move, `snapshot ID` makes ID
// start its next snapshot. `nodes` takes topology=complete|ring; `status` prints each
// player's state and the snapshots it has completed.
//
//   nodes 3
//   move 1 2 attack
//   snapshot 2
//   deliver
#pragma once

#include <array>
#include <memory>
#include <map>
#include <optional>
#include <vector>

#include "distlab/algo/snapshot/descriptor.h"
#include "distlab/harness/script.h"

namespace distlab::harness {

template <>
struct ScriptHooks<snapshot::Descriptor> {
  using Node = snapshot::Snapshotting<snapshot::GameNode>;
  static constexpr std::array<std::string_view, 2> kCommands{"move", "snapshot"};

  void configure(ScriptOptions& o, std::span<const NodeId> ids) {
    const std::string shape = o.word("topology", "complete");
    if (shape == "complete") {
      topology = std::make_shared<const snapshot::Topology>(snapshot::Topology::complete(ids));
    } else if (shape == "ring") {
      topology = std::make_shared<const snapshot::Topology>(snapshot::Topology::ring(ids));
    } else {
      o.fail(fmt::format("topology is complete or ring, not '{}'", shape));
    }
  }
  // Players move only when told (moves = 0).
  Node make(NodeId id) const {
    return Node(id, snapshot::GameNode(id, {.topology = topology, .moves = 0}), topology,
                snapshot::RecordingRule::chandy_lamport);
  }

  void command(ScriptEnv<ScriptHooks>& env, const ScriptCommand& c) {
    if (c.name == "snapshot") {
      const NodeId id = c.only_node();
      env.node(id);  // refuses a crashed node before an id is used up
      const snapshot::SnapshotId sid{id, ++started[id]};
      taken.push_back(sid);
      env.act(id, [sid](Node& node, Context<Node::Message>& ctx) { node.initiate(ctx, sid); });
      return;
    }
    c.allow({}, 3);
    if (c.args.size() != 3) c.fail("move FROM TO attack|defend|potion|low_life");
    const NodeId from = c.node_arg(0);
    const NodeId to = c.node_arg(1);
    const auto move = snapshot::parse_move(c.args[2]);
    if (!move) c.fail(fmt::format("'{}' is not a move", c.args[2]));
    if (!topology->has_channel(from, to)) c.fail(fmt::format("no channel {} -> {}", from, to));
    env.act(from, [to, m = *move](Node& node, Context<Node::Message>& ctx) {
      node.act(ctx, [&](snapshot::GameNode& app, auto& app_ctx) { app.play(app_ctx, to, m); });
    });
  }

  std::string state(const Node& node) const {
    std::string s = node.app().snapshot_state().dump();
    for (const snapshot::SnapshotId& id : taken) {
      if (node.completed(id)) s += " done=" + snapshot::to_string(id);
    }
    return s;
  }

  std::shared_ptr<const snapshot::Topology> topology;
  std::map<NodeId, std::uint32_t> started;     // snapshots each node has initiated
  std::vector<snapshot::SnapshotId> taken;     // in the order started
};

}  // namespace distlab::harness
