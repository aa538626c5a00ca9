// Lamport clocks in scripts (harness/script.h): `send FROM TO` is one round of the
// seed's program (a local event at FROM, then a message to TO); `nodes` takes
// vector=true for vector clocks too; `status` prints each node's clocks.
//
//   nodes 3
//   send 1 2
//   deliver
#pragma once

#include <array>

#include "distlab/algo/lamport/descriptor.h"
#include "distlab/harness/script.h"

namespace distlab::harness {

template <>
struct ScriptHooks<lamport::Descriptor> {
  using Node = lamport::LamportNode;
  static constexpr std::array<std::string_view, 1> kCommands{"send"};

  void configure(ScriptOptions& o, std::span<const NodeId>) { options.vector = o.flag("vector", false); }
  Node make(NodeId id) const { return Node(id, options); }

  // send FROM TO
  void command(ScriptEnv<ScriptHooks>& env, const ScriptCommand& c) {
    c.allow({}, 2);
    const NodeId from = c.node_arg(0);
    const NodeId to = c.node_arg(1);
    const auto ids = env.ids();
    if (from == to || !std::binary_search(ids.begin(), ids.end(), to)) c.fail("send FROM TO, two nodes of the run");
    env.act(from, [to](Node& node, Context<lamport::AppMessage>& ctx) { node.local_then_send(ctx, to); });
  }

  std::string state(const Node& node) const {
    std::string s = fmt::format("lamport={}", node.lamport().time());
    if (options.vector) s += " vc=" + trace::to_json(node.vc()).dump();
    return s;
  }

  lamport::Options options;
};

}  // namespace distlab::harness
