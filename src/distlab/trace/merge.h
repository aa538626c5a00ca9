// One trace from the traces of the processes of a real run.
//
// Each process traces its own node (a restarted node leaves one file per life, and
// the launcher adds the crashes it caused). The merged trace holds every event once,
// in an order where each event follows its node's earlier events and every receive
// follows its send: happens-before decides the order, not the hosts' clocks. Among
// the events that may come next, the earliest time goes first (on one host all
// processes share one clock), then the lower node id, so merging is deterministic.
//
// A real runtime cannot see the network lose a message; the merge can. A send that
// was never received, while its receiver went on for a second or more after it
// without crashing, gets a `drop` (reason `loss`) right after it, so the checkers
// see a lossy network (a partition) as they do in a simulation.
//
//   Trace merged = merge_traces(header, {read_trace_file("node-1.jsonl"), ...});
#pragma once

#include <vector>

#include "distlab/trace/trace.h"

namespace distlab::trace {

// Events of the parts must belong to nodes of `header`; line numbers are renumbered.
Trace merge_traces(const Header& header, const std::vector<Trace>& parts);

// The header of the parts' merge: they must come from one run (same algorithm and
// seed); its nodes are all the parts name. Throws InputError naming the odd part.
Header merged_header(const std::vector<Trace>& parts);

}  // namespace distlab::trace
