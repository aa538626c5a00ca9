// What a trace says about Chandy-Lamport snapshots, and whether each one is right.
//
// `collect_snapshots` gathers the snapshot annotations of a trace (recorded states,
// recorded channels, the channels each node has, the bank's initial balances).
// `verify_snapshot` then judges one snapshot against the trace's ground truth:
//   - complete: every node recorded its state and closed every incoming channel;
//   - channels exact: each recorded channel c->n holds exactly the messages sent by
//     c before c recorded and received by n after n recorded, in receive order;
//   - consistent: no message is received inside the cut but sent outside it;
//   - for the bank, money conserved: recorded balances plus the amounts in recorded
//     channels equal the initial total.
//
//   const SnapshotRun run = collect_snapshots(trace);
//   for (const auto& s : run.snapshots) verify_snapshot(trace, graph, run, s);
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::snapshot {

struct SnapshotChannel {
  NodeId from = 0;
  NodeId to = 0;
  std::vector<std::string> messages;  // recorded message ids, in recorded order
  bool incomplete = false;            // still open when the run ended
  std::size_t event = 0;              // the annotation's index in trace.events
};

struct SnapshotNodeState {
  nlohmann::ordered_json state;
  std::size_t event = 0;  // the "recorded" annotation's index in trace.events
};

struct SnapshotView {
  std::string id;
  NodeId initiator = 0;  // 0 when no node annotated that it initiated
  std::map<NodeId, SnapshotNodeState> states;
  std::vector<SnapshotChannel> channels;  // sorted by (to, from)
};

struct SnapshotRun {
  std::vector<SnapshotView> snapshots;                // in order of first appearance
  std::map<NodeId, std::vector<NodeId>> in_channels;  // from the {"channels":...} annotations
  std::optional<std::int64_t> initial_money;          // bank: the sum of initial balances
  std::size_t markers = 0;                            // marker messages sent
  // Message id -> its send's index; left empty when the trace has no snapshot (what
  // keeps this checker cheap on other algorithms' traces).
  std::map<std::string, std::size_t> sends;
};

// Throws InputError naming the line when an annotation is malformed.
SnapshotRun collect_snapshots(const trace::Trace& trace);

struct SnapshotVerdict {
  bool complete = true;
  bool channels_exact = true;
  bool consistent = true;
  std::optional<bool> money_conserved;  // bank only
  std::int64_t recorded_balances = 0;
  std::int64_t in_channels = 0;
  struct Problem {
    std::string_view check;           // the property it breaks: "snapshot_channels"
    std::string text;                 // one line, naming events by line
    std::vector<std::size_t> events;  // the events it names (indices into trace.events)
  };
  std::vector<Problem> problems;
};

SnapshotVerdict verify_snapshot(const trace::Trace& trace, const trace::CausalGraph& graph, const SnapshotRun& run,
                                const SnapshotView& snapshot);

// The properties this algorithm's runs must have, judged on `trace` (a
// trace::Checker, run by `distlab check` and every run's summary).
void check(const trace::Trace& trace, const trace::CausalGraph& graph, std::vector<trace::CheckResult>& results);

}  // namespace distlab::snapshot
