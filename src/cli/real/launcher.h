// Starts one `distlab run` process per node on this host, kills and restarts them
// with real signals at planned times, and gathers what they traced: the engine of
// `distlab launch`.
//
// Every node listens on 127.0.0.1 (free ports, or --base-port + id); all share a
// time zero (the epoch) a moment after the launch, so they start together. The
// launcher records the crashes it causes, or sees (a process that exits early), as
// `crash` events; a restarted process traces its own `recover`. The processes die
// with the launcher, even when it is killed, and an interrupted launch (SIGINT,
// SIGTERM) stops them all before it returns.
//
//   LaunchResult result = launch({.algorithm = "bully", .ids = {1, 2, 3}, ...});
//   Trace merged = merge_traces(header, result.parts);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.h"
#include "distlab/core/types.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

struct PlannedFault {
  enum class Kind { kill, restart } kind;
  NodeId node;
  Nanos at_ns;
};

struct LaunchSpec {
  std::string algorithm;               // lamport | snapshot | bully | heartbeat
  std::vector<NodeId> ids;             // sorted
  std::vector<std::string> algo_args;  // the scenario's options, the same for every process
  std::vector<PlannedFault> faults;    // validated (validate_faults), sorted by time
  Nanos duration_ns = 0;
  std::uint64_t seed = 0;
  int base_port = 0;     // 0: free ports chosen by the system; else node id + base
  std::string keep_dir;  // keep the cluster file, traces and logs there; empty: a temporary directory
  Lang lang = Lang::en;
  bool progress = true;  // print the launch and each fault as it happens
};

struct ProcessOutcome {
  NodeId node = 0;
  std::uint64_t incarnation = 0;
  int exit_code = -1;         // when it exited
  int signal = 0;             // when a signal ended it
  bool killed_as_planned = false;
  bool stopped_late = false;  // still running well after the end: the launcher killed it
  std::string error;          // the last line it wrote to stderr, for a failure
  bool ok() const { return killed_as_planned || (exit_code == 0 && !stopped_late); }
};

struct LaunchResult {
  std::vector<trace::Trace> parts;  // every life's trace, then the launcher's crash events
  std::vector<ProcessOutcome> processes;
  bool interrupted = false;
  std::string dir;  // where the files are (removed after the launch unless kept)
};

// The kills and restarts of --kill and --restart, checked against the nodes and the
// run: a node is killed only while it runs and restarted only after a kill, before
// the end; `unkillable` nodes (the heartbeat monitor) are refused with `why`.
// Throws InputError.
std::vector<PlannedFault> validate_faults(const std::vector<std::string>& kills,
                                          const std::vector<std::string>& restarts, const std::vector<NodeId>& ids,
                                          Nanos duration_ns, const std::vector<NodeId>& unkillable,
                                          const std::string& why);

// Throws RuntimeFailure when processes cannot be started, InputError for a bad
// --base-port or --keep directory.
LaunchResult launch(const LaunchSpec& spec);

inline constexpr trace::CheckName kProcessesCheck{"processes", "processes", "processos"};

// "processes": pass when every process ran to the end or was killed as planned;
// fail naming each that did not (a busy port, a crash), with its error.
trace::CheckResult processes_check(const LaunchResult& result);

}  // namespace distlab::cli
