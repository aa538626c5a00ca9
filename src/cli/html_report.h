// Space-time diagrams from the commands: `render`, `--html FILE` on the run commands,
// and the demo's report page all go through these.
//
//   if (auto page = stage_run_html(o.common.html_path, recorder.trace())) page->publish();
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "distlab/core/atomic_file.h"
#include "distlab/trace/diagram.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

// "bully, simulated, seed 214": a diagram's heading. `source` (a file) is added when set.
std::string run_heading(const trace::Header& header, std::string_view source = {});

// One page with the run's diagram, written whole but not yet in place (none for an
// empty path): a command publishes it after its trace, so a full disk leaves neither.
std::optional<OutputFile> stage_run_html(const std::string& path, const trace::Trace& trace);

// --html on a real process: its events kept in memory and drawn when it ends. A bad
// path fails here, before the process starts.
//
//   DiagramRecording diagram(o.common.html_path, header);
//   sinks.add(diagram.sink());  // null without --html
//   ... run ...
//   std::optional<OutputFile> page = diagram.stage();
//   trace_writer.commit();
//   if (page) page->publish();
class DiagramRecording {
 public:
  DiagramRecording(std::string path, const trace::Header& header);
  trace::Recorder* sink() { return recorder_ ? &*recorder_ : nullptr; }
  // Draws the run into a page written but not yet in place (stage_run_html; none
  // without --html). `header` replaces the one given at the start, for a monitor that
  // learns its nodes as they send.
  std::optional<OutputFile> stage(const std::optional<trace::Header>& header = std::nullopt) const;

 private:
  std::string path_;
  std::optional<trace::Recorder> recorder_;
};

// "run.html: l.jsonl drawn, 15 events (15 in detail), 5 messages, 3 lanes".
void print_diagram_line(std::string_view output, std::string_view input, const trace::DiagramSummary& summary);

}  // namespace distlab::cli
