#include "cli/html_report.h"

#include <fmt/format.h>

#include "distlab/algo/registry.h"
#include "distlab/core/atomic_file.h"

namespace distlab::cli {

std::string run_heading(const trace::Header& header, std::string_view source) {
  std::string heading = fmt::format("{}, {}, seed {}", header.algorithm, header.mode == "real" ? "real" : "simulated",
                                    header.seed);
  if (!source.empty()) heading += fmt::format(" ({})", source);
  return heading;
}

std::optional<OutputFile> stage_run_html(const std::string& path, const trace::Trace& trace) {
  if (path.empty()) return std::nullopt;
  trace::DiagramPage page(fmt::format("distlab {}: seed {}", trace.header.algorithm, trace.header.seed), algorithms::diagram_hints());
  const std::vector<trace::CheckResult> checks = algorithms::check_trace(trace);
  page.add(trace, run_heading(trace.header), {.checks = checks});
  return stage_file(path, page.html());
}

DiagramRecording::DiagramRecording(std::string path, const trace::Header& header) : path_(std::move(path)) {
  if (path_.empty()) return;
  check_creatable(path_);
  recorder_.emplace(header);
}

std::optional<OutputFile> DiagramRecording::stage(const std::optional<trace::Header>& header) const {
  if (!recorder_) return std::nullopt;
  if (!header) return stage_run_html(path_, recorder_->trace());
  trace::Trace drawn = recorder_->trace();
  drawn.header = *header;
  return stage_run_html(path_, drawn);
}

void print_diagram_line(std::string_view output, std::string_view input, const trace::DiagramSummary& summary) {
  fmt::print("{}: {} drawn, {} events ({} in detail{}), {} messages, {} lanes\n", output, input, summary.events,
             summary.drawn, summary.thinned ? ", the rest as counts" : "", summary.arrows, summary.lanes);
}

}  // namespace distlab::cli
