// Heartbeat failure detection as `distlab explore` checks it (harness/explore/explorer.h):
// the monitor (node 0, fixed-timeout detector) and its senders, which the budgets may
// crash and recover (never the monitor). At every state:
//
// - detector_accuracy: a node the monitor suspects is down, or came back so recently
//   that its first heartbeat may still be on its way;
// - detector_completeness: a node the monitor has heard from and that has been down
//   longer than the bound (its last heartbeat's latest arrival, the timeout, one check
//   period) is suspected.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <vector>

#include "distlab/algo/detect/heartbeat.h"
#include "distlab/algo/explore_model.h"

namespace distlab::detect {

struct ExploreModel {
  using Node = HeartbeatNode;
  std::vector<NodeId> ids;  // the monitor, then the senders
  MonitorOptions monitor;
  SenderOptions sender;
  Nanos latency_max_ns = 0;  // the exploration's

  Node make(NodeId id) const { return HeartbeatNode(id, monitor, sender); }
  bool may_crash(NodeId id) const { return id != sender.monitor; }
  // The monitor reads no field of a heartbeat (its count only numbers it).
  std::uint64_t message_key(const Heartbeat&) const { return 1; }
  // The longest a crashed node may go unsuspected.
  Nanos bound_ns() const { return latency_max_ns + monitor.fixed.timeout_ns + monitor.check_every_ns; }
  Nanos fault_memory_ns() const { return bound_ns() + 1; }

  template <class View>
  std::optional<explore::Violation> safety(const View& v) const {
    const Monitor* m = nullptr;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v.id(i) == sender.monitor) m = v.node(i).monitor();
    }
    if (m == nullptr) return std::nullopt;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const NodeId id = v.id(i);
      if (id == sender.monitor || !m->tracks(id)) continue;
      const auto changed = v.changed_at(i);
      if (v.up(i) && m->suspected(id) && (!changed || v.now() - *changed > latency_max_ns)) {
        return explore::Violation{"detector_accuracy",
                                  fmt::format("the monitor suspects node {}, which is up{}", id,
                                              changed ? fmt::format(" since {:g}s", *changed / 1e9) : "")};
      }
      if (!v.up(i) && changed && v.now() - *changed > bound_ns() && !m->suspected(id)) {
        return explore::Violation{
            "detector_completeness",
            fmt::format(
                "node {} crashed at {:g}s and the monitor does not suspect it {:g}s later (bound {:g}s)", id,
                *changed / 1e9, (v.now() - *changed) / 1e9, bound_ns() / 1e9)};
      }
    }
    return std::nullopt;
  }
  template <class View>
  std::optional<explore::Violation> quiescent(const View&) const {
    return std::nullopt;  // the monitor's check timer never stops
  }
};

}  // namespace distlab::detect
