// Ricart-Agrawala in scripts (harness/script.h): `request ID` makes node ID ask for
// the critical section now (its think time ends); `nodes` takes requests=, hold= and
// think= (the mean think time: scripts use a long one and ask with `request`);
// `status` prints each node's state, clock, request, entries and deferred replies.
//
//   nodes 3 think=1h
//   request 2
//   deliver
#pragma once

#include <array>

#include "distlab/algo/ricart/descriptor.h"
#include "distlab/harness/script.h"

namespace distlab::harness {

template <>
struct ScriptHooks<ricart::Descriptor> {
  using Node = ricart::RicartNode;
  static constexpr std::array<std::string_view, 1> kCommands{"request"};

  void configure(ScriptOptions& o, std::span<const NodeId>) {
    options.requests = static_cast<std::uint32_t>(o.number("requests", options.requests));
    options.hold_ns = o.duration("hold", options.hold_ns);
    options.think_mean_ns = o.duration("think", options.think_mean_ns);
  }
  Node make(NodeId id) const { return Node(id, options); }

  // request ID: the think timer goes off now, as if the think time were over.
  void command(ScriptEnv<ScriptHooks>& env, const ScriptCommand& c) {
    const NodeId id = c.only_node();
    const Node& node = env.node(id);
    if (node.state() != Node::State::idle) {
      throw ScriptRefused(fmt::format("node {} is {}, not idle", id, ricart::to_string(node.state())));
    }
    if (node.entries() >= options.requests) {
      throw ScriptRefused(fmt::format("node {} has had its {} critical section(s)", id, options.requests));
    }
    env.forget_timer(id, Node::kThink);
    env.act(id, [](Node& n, Context<ricart::Message>& ctx) { n.on_timer(ctx, Node::kThink); });
  }

  std::string state(const Node& node) const {
    return fmt::format("{} lamport={} request_ts={} entries={} deferred={}", ricart::to_string(node.state()),
                       node.clock().time(), node.request_ts(), node.entries(), node.deferred());
  }

  ricart::Options options;
};

}  // namespace distlab::harness
