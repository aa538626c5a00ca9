// Heartbeat failure detection in scripts (harness/script.h): the lowest node id
// monitors, the others send heartbeats. `nodes` takes interval=, jitter=, timeout=
// (the fixed detector's) and check= (how often the monitor checks); `status` prints
// what the monitor trusts and where orders go. Crash and recover are the stimuli.
//
//   nodes 0 1 2 interval=1s jitter=0s timeout=3s check=1s
//   crash 2
//   tick 5s
#pragma once


#include "distlab/algo/detect/descriptor.h"
#include "distlab/harness/script.h"

namespace distlab::harness {

template <>
struct ScriptHooks<detect::Descriptor> {
  using Node = detect::HeartbeatNode;

  void configure(ScriptOptions& o, std::span<const NodeId> ids) {
    sender.monitor = ids.front();
    sender.interval_ns = o.duration("interval", sender.interval_ns);
    sender.jitter_ns = o.duration("jitter", sender.jitter_ns);
    monitor.fixed.timeout_ns = o.duration("timeout", monitor.fixed.timeout_ns);
    monitor.check_every_ns = o.duration("check", monitor.check_every_ns);
    others.assign(ids.begin() + 1, ids.end());
  }
  Node make(NodeId id) const { return Node(id, monitor, sender); }

  std::string state(const Node& node) const {
    const detect::Monitor* m = node.monitor();
    if (m == nullptr) return "sender";
    std::string s = "monitor";
    for (NodeId id : others) s += fmt::format(" {}={}", id, m->suspected(id) ? "suspect" : "trust");
    if (m->target()) return s + fmt::format(" orders->{}", *m->target());
    return s + " orders->none";
  }

  detect::MonitorOptions monitor;
  detect::SenderOptions sender;
  std::vector<NodeId> others;  // the senders
};

}  // namespace distlab::harness
