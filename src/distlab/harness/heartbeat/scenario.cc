#include "distlab/harness/heartbeat/scenario.h"

#include <fmt/format.h>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"

#include <cmath>

namespace distlab::harness {
namespace {

// The script: node 3 stops; node 1 stops and the orders move to 2; node 1 comes back
// and gets them back; 2 and 4 stop; then 1 again, and nobody is left.
constexpr ScriptedFault kScript[] = {{true, 3, 20 * kSecond},  {true, 1, 40 * kSecond}, {false, 1, 60 * kSecond},
                                     {true, 2, 80 * kSecond},  {true, 4, 100 * kSecond}, {true, 1, 120 * kSecond}};

}  // namespace

std::span<const ScriptedFault> heartbeat_script() { return kScript; }

bool plays_heartbeat_script(const HeartbeatScenario& s) {
  return s.faults.crash.empty() && s.faults.recover.empty() && s.faults.faults == 0 && s.nodes >= 4;
}

std::uint32_t phi_window(std::int64_t window) {
  if (window < 2 || window > kMaxPhiWindow) {
    throw InputError(fmt::format("--window must be between 2 and {}, got {}", kMaxPhiWindow, window));
  }
  return static_cast<std::uint32_t>(window);
}

void validate(const detect::MonitorOptions& m) {
  const auto positive = [](std::string_view option, Nanos value) {
    if (value <= 0) throw InputError(fmt::format("{} must be longer than 0, got {}", option, format_duration(value)));
  };
  positive("--check-every", m.check_every_ns);
  require_timer_period("--check-every", m.check_every_ns);
  positive("--timeout", m.fixed.timeout_ns);
  positive("--first-interval", m.phi.first_interval_ns);
  if (!std::isfinite(m.phi.threshold) || !(m.phi.threshold > 0)) {
    throw InputError(fmt::format("--threshold must be a positive number, got {}", m.phi.threshold));
  }
  if (m.phi.window < 2) throw InputError("--window must be at least 2");
}

void validate(const HeartbeatScenario& s) {
  if (s.nodes < 1) throw InputError(fmt::format("--nodes must be at least 1, got {}", s.nodes));
  if (s.nodes > kMaxHeartbeatNodes) {
    throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxHeartbeatNodes, s.nodes));
  }
  const auto positive = [](std::string_view option, Nanos value) {
    if (value <= 0) throw InputError(fmt::format("{} must be longer than 0, got {}", option, format_duration(value)));
  };
  positive("--interval", s.sender.interval_ns);
  require_timer_period("--interval", s.sender.interval_ns);
  validate(s.monitor);
  if (s.sender.jitter_ns < 0 || s.sender.jitter_ns >= s.sender.interval_ns) {
    throw InputError(fmt::format("--jitter must be at least 0 and below --interval ({}), got {}",
                                 format_duration(s.sender.interval_ns), format_duration(s.sender.jitter_ns)));
  }
  const Nanos end = run_end(s.faults, heartbeat_end(s));
  require_event_bound(fmt::format("{} of simulated time, --nodes {}", format_duration(end), s.nodes),
                      heartbeat_events(s, end));
}

Nanos heartbeat_end(const HeartbeatScenario& s) {
  return plays_heartbeat_script(s) ? kHeartbeatScriptEnd : 60 * kSecond;
}

double heartbeat_events(const HeartbeatScenario& s, Nanos span) {
  // Each sender's timer, heartbeat and its receipt per interval; the monitor's checks.
  return events_over(span, 3.0 * s.nodes, s.sender.interval_ns) + events_over(span, 1, s.monitor.check_every_ns);
}

sim::SimStats run_heartbeat_scenario(const HeartbeatScenario& s, EventSink* sink) {
  validate(s);
  std::vector<NodeId> ids;  // 0 (the monitor), then the senders
  for (NodeId id = 0; id <= s.nodes; ++id) ids.push_back(id);
  const bool scripted = plays_heartbeat_script(s);
  const Nanos end = heartbeat_end(s);
  SimDefaults defaults{.latency = sim::Latency::uniform(1 * kMillisecond, 5 * kMillisecond),
                       .horizon_ns = end,
                       .until_ns = end,
                       .crashable = std::vector<NodeId>(ids.begin() + 1, ids.end())};  // not the monitor
  FaultOptions faults = s.faults;
  if (scripted) {
    const Nanos until = run_end(s.faults, end);
    for (const ScriptedFault& f : kScript) {
      if (f.at_ns > until) continue;  // a shorter --until ends the run before it
      (f.crash ? faults.crash : faults.recover).push_back(fmt::format("{}@{}", f.node, format_duration(f.at_ns)));
    }
  }
  const SimSetup setup = build_sim_setup(faults, ids, s.seed, defaults);
  return simulate(heartbeat_plan(s), setup, s.seed, sink);
}

Plan<detect::HeartbeatNode> heartbeat_plan(const HeartbeatScenario& s) {
  validate(s);
  struct Shared {
    detect::MonitorOptions monitor;
    detect::SenderOptions sender;
  };
  auto shared = std::make_shared<Shared>(Shared{s.monitor, s.sender});
  shared->sender.monitor = 0;
  Plan<detect::HeartbeatNode> plan;
  for (NodeId id = 0; id <= s.nodes; ++id) plan.ids.push_back(id);
  plan.make = [shared](NodeId id) { return detect::HeartbeatNode(id, shared->monitor, shared->sender); };
  plan.duration_ns = 60 * kSecond;
  return plan;
}

}  // namespace distlab::harness
