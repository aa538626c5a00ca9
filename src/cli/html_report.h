// Space-time diagrams from the commands: `render`, `--html FILE` on the run commands,
// and the demo's report page all go through these.
//
//   write_run_html(o.common.html_path, recorder.trace());
#pragma once

#include <string>
#include <string_view>

#include "trace/diagram.h"
#include "trace/trace.h"

namespace distlab::cli {

// "bully, simulated, seed 214": a diagram's heading. `source` (a file) is added when set.
std::string run_heading(const trace::Header& header, std::string_view source = {});

// One page with the run's diagram, written whole or not at all. No-op for an empty path.
void write_run_html(const std::string& path, const trace::Trace& trace);

// "run.html: l.jsonl drawn, 15 events (15 in detail), 5 messages, 3 lanes".
void print_diagram_line(std::string_view output, std::string_view input, const trace::DiagramSummary& summary);

}  // namespace distlab::cli
