// Traces as a ShiViz log (DistributedClocks/shiviz), to look at runs as
// space-time diagrams in a browser and compare several of them side by side.
//
// The file sets ShiViz's two options itself: its first line is the log parsing
// regular expression (named groups host, clock, event), its second the delimiter
// between executions (named group trace), as ShiViz reads an uploaded file. Each run
// then opens with a delimiter line naming it, and has one line per event:
//
//   n2 {"n1":3,"n2":2} recv ping 1.2 from n1 [t=2ms lamport=4]
//
// The vector clocks are computed from the trace's happens-before (CausalGraph), with
// every event counted, so they follow ShiViz's rules: a host's own entry starts at 1
// and grows by exactly 1 per event, and only hosts with events in the run appear.
//
//   std::ofstream out("runs.log");
//   ShivizStats s = write_shiviz(out, {{"sim.jsonl", &sim}, {"real.jsonl", &real}});
#pragma once

#include <cstddef>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "distlab/trace/trace.h"

namespace distlab::trace {

// The log parsing regular expression, in ShiViz's syntax (JavaScript with named
// groups). The clock stops at its first '}' so an event text may hold JSON.
inline constexpr std::string_view kShivizParser = R"((?<host>\S+) (?<clock>\{[^}]*\}) (?<event>.*))";
// The multiple-executions delimiter, as in ShiViz's own multi-execution examples.
inline constexpr std::string_view kShivizDelimiter = R"(^=== (?<trace>.*) ===$)";

struct ShivizRun {
  std::string name;  // names the run in its delimiter line, with algorithm, mode and seed
  const Trace* trace = nullptr;
};

struct ShivizStats {
  std::size_t runs = 0;
  std::size_t hosts = 0;   // distinct host names over all runs
  std::size_t events = 0;  // over all runs
};

// "n3": the ShiViz host of a node.
std::string shiviz_host(NodeId node);

// One event's text, on one line: "send prepare 2.1 to n3 [t=12ms lamport=4]".
std::string shiviz_event_text(const Record& record);

// Writes the whole log. Throws InputError when a run cannot be shown: it has no
// events, its happens-before has a cycle, a simulated trace receives a message it
// never sends, or it is too large to compute vector time for.
ShivizStats write_shiviz(std::ostream& out, std::span<const ShivizRun> runs);

}  // namespace distlab::trace
