// What a trace says about leader election, and whether it went right.
//
// From the {"leader":L} annotations and the crash/recover events, `analyze_election`
// rebuilds who believed whom over time and who held leadership when (a node holds
// it from its note {"leader": itself} until it notes another leader or crashes).
// It finds:
//   - agreement: the moments when every live node follows the highest live id, and
//     that node holds leadership; whether that holds at the end, and how soon after
//     the last fault it came compared with the bound derived from the timeouts;
//   - overlaps: two nodes holding leadership at the same time. On a connected,
//     reliable network that is a violation; under a partition or message loss it is
//     Bully's known weakness (split brain), reported as such;
//   - failovers: for each crash of a leader (or recovery of a higher node), how long
//     until agreement again.
//
//   const ElectionAnalysis a = analyze_election(trace);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::bully {

struct LeadershipInterval {
  NodeId node = 0;
  Nanos from_ns = 0;
  Nanos to_ns = 0;  // the end of the run when still held
  std::size_t from_event = 0;  // the note that began it (an index into the trace's events)
};

struct Overlap {
  LeadershipInterval a;
  LeadershipInterval b;
  Nanos from_ns = 0;
  Nanos to_ns = 0;
};

struct Failover {
  std::string cause;  // "crash" of the leader, or "recover" of a node above it
  NodeId node = 0;
  Nanos at_ns = 0;
  std::optional<Nanos> agreed_ns;  // when every live node followed one leader again
  NodeId leader = 0;               // that leader
};

struct ElectionAnalysis {
  bool applies = false;            // the trace has election annotations
  std::optional<Nanos> bound_ns;   // stabilization bound, from the {"bully":...} notes
  std::optional<Nanos> last_fault_ns;  // last crash or recover
  std::optional<std::size_t> last_fault_event;
  std::optional<Nanos> last_loss_ns;   // last message lost to a partition or to loss
  Nanos end_ns = 0;
  bool network_faulty = false;     // messages were lost to a partition or to loss
  std::uint64_t elections_started = 0;
  std::vector<LeadershipInterval> intervals;
  std::vector<Overlap> overlaps;
  std::vector<Failover> failovers;
  std::optional<NodeId> highest_live;      // at the end
  std::vector<NodeId> leaders_at_end;      // live nodes holding leadership at the end
  std::optional<NodeId> agreed_leader;     // at the end, if every live node agrees
  std::optional<Nanos> agreed_since_ns;    // since when that agreement holds
  std::optional<std::size_t> agreed_event;                // the event that completed it
  std::map<NodeId, std::optional<NodeId>> final_beliefs;  // live nodes at the end
  std::map<NodeId, std::size_t> final_belief_events;      // the event that set each (a note,
                                                          // or the node's recovery)
};

ElectionAnalysis analyze_election(const trace::Trace& trace);

// The bound within which a Bully run settles after its last fault, from its timeouts:
// the longest leader timeout to notice, then twice (answer + coordinator + ack
// timeouts) for an election and one retry. It assumes, as Bully does, that messages
// arrive within the answer timeout.
Nanos stabilization_bound(Nanos leader_timeout_ns, Nanos answer_timeout_ns, Nanos coordinator_timeout_ns,
                          Nanos ack_timeout_ns);

// The properties this algorithm's runs must have, judged on `trace` (a
// trace::Checker, run by `distlab check` and every run's summary).
void check(const trace::Trace& trace, const trace::CausalGraph& graph, std::vector<trace::CheckResult>& results);

}  // namespace distlab::bully
