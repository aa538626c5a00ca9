// Whether a mutual exclusion run went right, judged from its trace alone.
//
// From the {"mutex":"request"|"enter"|"exit"} annotations (algo/ricart/ricart.h) and
// the crash, recover and drop events, three properties:
//   - mutual_exclusion: no two nodes inside at once. A node is inside from its enter
//     to its exit, its crash, or the end of the trace. Always a violation.
//   - requests_granted: every request is followed by an enter of the same node (a
//     request cut short by its own node's crash is not owed one). A missing grant
//     fails on a reliable run; when nodes crashed or messages were dropped it is
//     skipped, since Ricart–Agrawala waits for every node and so blocks on a failed one.
//   - entry_order: the enters, in trace order, carry strictly increasing
//     (timestamp, node) pairs: requests are granted in timestamp order.
//
//   for (const trace::CheckResult& r : check_mutex(trace)) fmt::print("{}: {}\n", r.name, r.detail);
#pragma once

#include <vector>

#include "distlab/trace/causality.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::ricart {

// The three results above, in that order; none when the trace has no mutex notes.
std::vector<trace::CheckResult> check_mutex(const trace::Trace& trace);

// check_mutex as a trace::Checker (for a registry descriptor): appends its results.
void check(const trace::Trace& trace, const trace::CausalGraph& graph,
           std::vector<trace::CheckResult>& results);

}  // namespace distlab::ricart
