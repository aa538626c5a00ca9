// `distlab export --shiviz TRACE... -o FILE`: traces as one ShiViz log.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "distlab/algo/registry.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/shiviz.h"

namespace distlab::cli {
namespace {

struct ExportOptions {
  std::vector<std::string> inputs;
  std::string output;
  bool shiviz = false;
};

int run_export(const ExportOptions& o) {
  check_creatable(o.output);  // before reading anything
  // Every trace is read and checked before anything is written.
  std::vector<trace::Trace> traces;
  traces.reserve(o.inputs.size());
  for (const std::string& path : o.inputs) {
    traces.push_back(trace::read_trace_file(path));
    algorithms::validate_annotations(traces.back());
  }
  std::vector<trace::ShivizRun> runs;
  runs.reserve(traces.size());
  for (std::size_t i = 0; i < traces.size(); ++i) {
    runs.push_back({std::filesystem::path(o.inputs[i]).filename().string(), &traces[i]});
  }

  // The whole log is made first, so a failure part way leaves no file (and nothing
  // on stdout) behind.
  std::ostringstream log;
  const trace::ShivizStats stats = trace::write_shiviz(log, runs);
  write_file_atomically(o.output, log.str());
  const bool to_stdout = o.output == "-";
  // On stdout the log is the output: the summary goes to stderr.
  fmt::print(to_stdout ? stderr : stdout, "{}: ShiViz log of {} run{}, {} host{}, {} events\n",
             to_stdout ? "stdout" : o.output, stats.runs, stats.runs == 1 ? "" : "s", stats.hosts,
             stats.hosts == 1 ? "" : "s", stats.events);
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Export traces for other tools: a ShiViz log, to see runs as space-time diagrams and compare them");
  cmd->footer(trace_bounds_help());
  cmd->add_option("TRACE", options->inputs,
                  "distlab JSONL traces (v1); several runs (say, simulated and real) go side by side")
      ->required();
  cmd->add_flag(
         "--shiviz", options->shiviz,
         "Write a ShiViz log (the only format today; required). Load it in ShiViz with 'Select a file': "
         "its first two lines set the parser and the delimiter")
      ->required();
  cmd->add_option("-o,--output", options->output, "The log to write; - for stdout")
      ->required()
      ->type_name("FILE");
  cmd->callback([options, &run] { run = [options] { return run_export(*options); }; });
}

}  // namespace distlab::cli
