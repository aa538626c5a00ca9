// What a trace says about failure detection and failover, and whether it was right.
//
// The monitor's annotations ({"monitor":...}, {"suspect":N}, {"trust":N},
// {"redirect_to":N}) are set against the ground truth of the trace: when each node
// really crashed and recovered, and which heartbeats reached the monitor.
//   - completeness: every crash that lasts long enough is suspected, within the
//     bound (fixed timeout: timeout + check interval; phi: the acceptable pause plus
//     ten mean intervals plus a check interval), counted from the crash, or from the
//     arrival of the last heartbeat sent before it when that was still in flight;
//   - accuracy: a suspicion of a node that was up is a false suspicion; for the fixed
//     timeout each one must be explained by silence: no heartbeat from that node had
//     reached the monitor within the timeout (lost or late ones), or it is a bug;
//   - failover: every redirect names the lowest-id trusted node, or nobody when none
//     is left.
//
//   const DetectionAnalysis a = analyze_detection(trace);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::detect {

struct Detection {
  NodeId node = 0;
  Nanos crashed_ns = 0;
  std::size_t crash_event = 0;  // an index into the trace's events
  std::optional<std::size_t> detected_event;
  std::optional<Nanos> detected_ns;
  std::optional<Nanos> recovered_ns;  // came back (before being detected, or after)
  // The last heartbeat it sent before crashing, when that arrived after the crash
  // (in flight): silence, and so the bound, starts there.
  std::optional<Nanos> heard_after_ns;
};

struct FalseSuspicion {
  NodeId node = 0;
  Nanos at_ns = 0;
  std::size_t event = 0;           // the suspect annotation
  std::optional<Nanos> heard_ns;   // the last heartbeat the monitor had from it
  bool explained = true;           // silent for longer than the timeout
};

struct DetectionAnalysis {
  bool applies = false;
  NodeId monitor = 0;
  std::string detector;            // "fixed" or "phi"
  Nanos timeout_ns = 0;            // fixed
  Nanos check_every_ns = 0;
  Nanos acceptable_pause_ns = 0;   // phi
  Nanos end_ns = 0;
  std::uint64_t suspicions = 0;
  std::uint64_t trusts = 0;
  std::vector<Detection> detections;
  std::vector<FalseSuspicion> false_suspicions;
  // A finding against the detector: what went wrong, and the events it names
  // (indices into the trace's events).
  struct Finding {
    std::string text;
    std::vector<std::size_t> events;
  };
  std::vector<Finding> failover_errors;  // each names the annotation by line
  std::vector<Finding> missed;           // crashes not detected within the bound
  // Crashes never detected that were down for less than their bound (they recovered,
  // or the run ended, first): completeness asks nothing of them.
  std::size_t too_short = 0;
  std::optional<Nanos> too_short_bound_ns;  // their bound, when all share one
};

DetectionAnalysis analyze_detection(const trace::Trace& trace);

// The properties this algorithm's runs must have, judged on `trace` (a
// trace::Checker, run by `distlab check` and every run's summary).
void check(const trace::Trace& trace, const trace::CausalGraph& graph, std::vector<trace::CheckResult>& results);

}  // namespace distlab::detect
