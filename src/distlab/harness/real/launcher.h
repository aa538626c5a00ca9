// Starts one `distlab run` process per node on this host, kills and restarts them
// with real signals at planned times, and gathers what they traced: the engine of
// `distlab launch`.
//
// Every node listens on 127.0.0.1 (free ports, or --base-port + id); all share a
// time zero (the epoch) a moment after the launch, so they start together. The
// launcher records the crashes it causes, or sees (a process that exits early), as
// `crash` events; a restarted process traces its own `recover`. The processes die
// with the launcher, even when it is killed, and an interrupted launch (SIGINT,
// SIGTERM) stops them all before it returns what they had traced.
//
//   LaunchResult result = launch({.algorithm = "bully", .ids = {1, 2, 3}, ...});
//   Trace merged = merge_traces(header, result.parts);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/harness/real/netns.h"
#include "distlab/trace/trace.h"

namespace distlab::harness {

struct PlannedFault {
  // pause: SIGSTOP, as the simulator's --pause holds a node; resume: SIGCONT.
  enum class Kind { kill, restart, pause, resume } kind;
  NodeId node;
  Nanos at_ns;
};

struct LaunchSpec {
  std::string algorithm;               // a registered algorithm
  std::vector<NodeId> ids;             // sorted
  std::vector<std::string> algo_args;  // the scenario's options, the same for every process
  std::vector<PlannedFault> faults;    // validated (validate_faults), sorted by time
  Nanos duration_ns = 0;
  std::uint64_t seed = 0;
  int base_port = 0;  // 0: free ports chosen by the system (--netns: 5000); else node id + base
  // Each node in a network namespace of its own (netns.h), the network's faults
  // applied to its datagrams; false: every node on 127.0.0.1, and no network fault.
  bool netns = false;
  NamespaceFaults network;
  std::string keep_dir;  // keep the cluster file, traces and logs there; empty: a temporary directory
  std::vector<std::string> process_args;  // given to every process too (its language)
  class LaunchObserver* observer = nullptr;  // told of the launch and each fault; null: none
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

// What a launch tells as it happens (`distlab launch` prints it). On the launcher's thread.
class LaunchObserver {
 public:
  virtual ~LaunchObserver() = default;
  // Before the processes start; the ports are the first and last node's.
  virtual void launching(const LaunchSpec& spec, std::uint16_t first_port, std::uint16_t last_port) = 0;
  // A process ended early or badly (not a planned kill), `t` after time zero.
  virtual void failed(Nanos t, const ProcessOutcome& process) = 0;
  virtual void killed(Nanos t, NodeId node) = 0;
  virtual void restarted(Nanos t, NodeId node) = 0;
  virtual void paused(Nanos /*t*/, NodeId /*node*/) {}
  virtual void resumed(Nanos /*t*/, NodeId /*node*/) {}
  // --netns: a partition's rules were put in place, or taken away (`heals`).
  virtual void partitioned(Nanos /*t*/, const sim::Partition& /*partition*/, bool /*heals*/) {}
  // Events the processes traced, as they write them (read every 50 ms, in time order
  // within a read), and after each read the time, the processes running and the
  // events read so far.
  virtual void traced(const trace::Record& /*event*/) {}
  virtual void advanced(Nanos /*t*/, std::size_t /*running*/, std::uint64_t /*events*/) {}
};

struct LaunchResult {
  std::vector<trace::Trace> parts;  // every life's trace, then the launcher's crash events
  std::vector<ProcessOutcome> processes;
  bool interrupted = false;  // by SIGINT or SIGTERM: `parts` hold what was traced until then
  Nanos interrupted_at = 0;
  std::string dir;  // where the files are (removed after the launch unless kept)
  std::optional<NamespaceDrops> dropped;  // --netns: the datagrams the network's rules dropped
};

// The kills, restarts and pauses of --kill, --restart and --pause (ID@TIME+DURATION,
// as the simulated commands take it), checked against the nodes and the run: a node
// is killed or paused only while it runs, restarted only after a kill, and a pause
// ends before the run does and sees no kill; `unkillable` nodes (the heartbeat
// monitor) are refused with `why`, and `unpausable` ones with `unpausable_why`. A pause
// becomes a pause and a resume. Throws InputError.
struct FaultRules {
  std::vector<NodeId> unkillable;
  std::string unkillable_why;
  std::vector<NodeId> unpausable;
  std::string unpausable_why;
};
std::vector<PlannedFault> validate_faults(const std::vector<std::string>& kills,
                                          const std::vector<std::string>& restarts, const std::vector<NodeId>& ids,
                                          Nanos duration_ns, const std::vector<NodeId>& unkillable,
                                          const std::string& why);
std::vector<PlannedFault> validate_faults(const std::vector<std::string>& kills,
                                          const std::vector<std::string>& restarts,
                                          const std::vector<std::string>& pauses,
                                          const std::vector<NodeId>& ids, Nanos duration_ns,
                                          const FaultRules& rules);

// Throws RuntimeFailure when processes cannot be started, InputError for a bad
// --base-port or --keep directory.
LaunchResult launch(const LaunchSpec& spec);

}  // namespace distlab::harness
