// Scheduled node faults of a simulated run: crash, recover and pause.
//
// A crashed node receives nothing (messages to it are dropped and traced as drops)
// and its timers are void; on recover it restarts through on_recover with fresh
// volatile state. A paused node keeps its state but handles nothing until the pause
// ends; what arrived meanwhile is handled then, in order.
//
//   FaultPlan plan;
//   plan.crash(5, 2 * kSecond);
//   plan.recover(5, 6 * kSecond);
//   plan.pause(3, 1 * kSecond, 500 * kMillisecond);
#pragma once

#include <string>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::sim {

struct Fault {
  enum class Kind { crash, recover, pause };
  Kind kind;
  NodeId node;
  Nanos at_ns;
  Nanos duration_ns = 0;  // pause only

  std::string to_string() const;
};

struct FaultPlan {
  std::vector<Fault> faults;  // applied in time order; equal times in insertion order

  void crash(NodeId node, Nanos at_ns) { faults.push_back({Fault::Kind::crash, node, at_ns}); }
  void recover(NodeId node, Nanos at_ns) { faults.push_back({Fault::Kind::recover, node, at_ns}); }
  void pause(NodeId node, Nanos at_ns, Nanos duration_ns) {
    faults.push_back({Fault::Kind::pause, node, at_ns, duration_ns});
  }
};

}  // namespace distlab::sim
