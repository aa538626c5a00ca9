// `distlab render TRACE... -o FILE.html`: space-time diagrams of traces, in one
// self-contained page.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "distlab/algo/registry.h"
#include "cli/html_report.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/trace/diagram.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::cli {
namespace {

struct RenderOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string title;
  std::string from;
  std::string to;
  std::size_t max_events = trace::kDiagramMaxEvents;
  bool compare = false;
};

// Runs compared are drawn on one time line, one under the other: a handful at most.
constexpr std::size_t kCompareMax = 4;

// Without -o: beside the first trace, its name with .html for .jsonl ("run.jsonl":
// "run.html").
std::string default_output(std::string_view trace) {
  std::string out(trace);
  if (out.ends_with(".jsonl")) out.resize(out.size() - std::string_view(".jsonl").size());
  return out + ".html";
}

int run_render(RenderOptions o) {
  if (o.output.empty()) o.output = default_output(o.inputs.front());
  trace::DiagramOptions options;
  options.max_events = o.max_events;
  if (!o.from.empty()) options.from_ns = parse_duration(o.from);
  if (!o.to.empty()) options.to_ns = parse_duration(o.to);
  if (options.to_ns < options.from_ns) {
    throw InputError(fmt::format("--to {} is before --from {}", o.to, o.from));
  }
  if (o.compare && (o.inputs.size() < 2 || o.inputs.size() > kCompareMax)) {
    throw InputError(
        fmt::format("--compare draws 2 to {} traces together; got {}", kCompareMax, o.inputs.size()));
  }
  check_creatable(o.output);  // before reading anything
  // Every trace is read (and so validated) before anything is written.
  std::vector<trace::Trace> traces;
  for (const std::string& path : o.inputs) {
    traces.push_back(trace::read_trace_file(path));
    algorithms::validate_annotations(traces.back());
  }
  trace::DiagramPage page(o.title.empty() ? fmt::format("distlab: {}", fmt::join(o.inputs, ", ")) : o.title, algorithms::diagram_hints());
  for (std::size_t i = 1; o.compare && i < traces.size(); ++i) {
    if (traces[i].header.algorithm == traces[0].header.algorithm) continue;
    throw InputError(fmt::format("--compare draws runs of one algorithm: {} is {}, {} is {}", o.inputs[0],
                                 traces[0].header.algorithm, o.inputs[i], traces[i].header.algorithm));
  }
  // The checkers' verdicts head each diagram, their failures marked in it.
  std::vector<std::vector<trace::CheckResult>> checks;
  std::vector<std::string> headings;
  std::vector<trace::ComparedRun> runs;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    checks.push_back(algorithms::check_trace(traces[i]));
    headings.push_back(run_heading(traces[i].header, o.inputs[i]));
  }
  for (std::size_t i = 0; i < traces.size(); ++i) {
    runs.push_back({traces[i], headings[i], options});
    runs.back().options.checks = checks[i];
  }
  std::vector<trace::DiagramSummary> summaries;
  if (o.compare) {
    summaries =
        page.compare(runs, fmt::format("{} runs of {} compared", traces.size(), traces[0].header.algorithm));
  } else {
    for (const trace::ComparedRun& run : runs)
      summaries.push_back(page.add(run.trace, run.heading, run.options));
  }
  write_file_atomically(o.output, page.html());
  if (o.output != "-") {
    for (std::size_t i = 0; i < traces.size(); ++i) print_diagram_line(o.output, o.inputs[i], summaries[i]);
  }
  return kExitOk;
}

}  // namespace

void add_render_command(CLI::App& app, Action& run) {
  auto o = std::make_shared<RenderOptions>();
  CLI::App* cmd = app.add_subcommand(
      "render", "Draw traces as space-time diagrams in one self-contained HTML page (no network needed to view it)");
  cmd->footer(trace_bounds_help());
  cmd->add_option("TRACE", o->inputs, "Traces to draw (JSONL, v1), one diagram each")->required();
  cmd->add_flag(
      "--compare", o->compare,
      fmt::format("Compare 2 to {} runs of one algorithm (say, simulated and real): drawn one under the "
                  "other on the same lanes and one time line, panned and zoomed together",
                  kCompareMax));
  cmd->add_option(
         "-o,--output", o->output,
         "The HTML page to write, - for standard output (default: beside the first trace, with .html for "
         ".jsonl)")
      ->type_name("FILE.html");
  cmd->add_option("--title", o->title, "The page's title")->type_name("TEXT");
  cmd->add_option("--from", o->from, "Draw only events from this time on, e.g. 1.5s")->type_name("TIME");
  cmd->add_option("--to", o->to, "Draw only events up to this time")->type_name("TIME");
  cmd->add_option("--max-events", o->max_events,
                  fmt::format("Events drawn in detail; the rest are shown as counts per lane (default {})",
                              trace::kDiagramMaxEvents))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}))
      ->type_name("N");
  cmd->callback([o, &run] { run = [o] { return run_render(*o); }; });
}

}  // namespace distlab::cli
