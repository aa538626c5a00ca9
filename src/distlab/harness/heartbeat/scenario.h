// The heartbeat scenarios as a function: options in, one simulated run out.
//
// Node 0 is the monitor; nodes 1..N send heartbeats to it. Without any crash,
// recovery or --faults option the run follows a script in the spirit of the seed's
// demonstration: servers stop one after another (one comes back) until none is left
// and the monitor raises its critical alert.
//
//   trace::Recorder recorder(header);
//   run_heartbeat_scenario({.seed = 7}, &recorder);
#pragma once

#include <cstdint>
#include <span>

#include "distlab/algo/detect/heartbeat.h"
#include "distlab/harness/faults.h"
#include "distlab/harness/plan.h"
#include "distlab/core/event.h"
#include "distlab/runtime/sim/simulator.h"

namespace distlab::harness {

struct HeartbeatScenario {
  std::uint64_t seed = 0;
  std::uint32_t nodes = 4;  // senders 1..nodes; the monitor is node 0
  detect::MonitorOptions monitor;
  detect::SenderOptions sender;
  FaultOptions faults;
};

inline constexpr std::uint32_t kMaxHeartbeatNodes = 100'000;

// The scripted crashes and recoveries of the default run (4 senders or more), and
// when it ends.
struct ScriptedFault {
  bool crash;
  NodeId node;
  Nanos at_ns;
};
std::span<const ScriptedFault> heartbeat_script();
inline constexpr Nanos kHeartbeatScriptEnd = 140 * kSecond;

// True when the scenario plays the scripted crashes (no fault option given).
bool plays_heartbeat_script(const HeartbeatScenario& scenario);
// When a run ends without --until.
Nanos heartbeat_end(const HeartbeatScenario& scenario);
// About how many events a run of `span` simulated time takes (validate bounds it).
double heartbeat_events(const HeartbeatScenario& scenario, Nanos span);

// Throws InputError (one line).
void validate(const HeartbeatScenario& scenario);

// The monitor's settings, for `distlab heartbeat` and `distlab monitor` alike.
void validate(const detect::MonitorOptions& monitor);

// --window, checked before it is narrowed to 32 bits.
inline constexpr std::int64_t kMaxPhiWindow = 1'000'000;
std::uint32_t phi_window(std::int64_t window);

// `sink` may be null. Returns the simulator's counts.
sim::SimStats run_heartbeat_scenario(const HeartbeatScenario& scenario, EventSink* sink);

// The monitor (node 0) and the senders, for either runtime.
Plan<detect::HeartbeatNode> heartbeat_plan(const HeartbeatScenario& scenario);

}  // namespace distlab::harness
