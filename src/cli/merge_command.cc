// `distlab merge TRACE... -o OUT`: one trace from the per-process traces of a real run.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "distlab/algo/registry.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/merge.h"

namespace distlab::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string output;
};

int run_merge(const MergeOptions& o) {
  check_creatable(o.output);  // before reading anything
  std::vector<trace::Trace> parts;
  parts.reserve(o.inputs.size());
  for (const std::string& path : o.inputs) {
    parts.push_back(trace::read_trace_file(path));
    algorithms::validate_annotations(parts.back());
  }
  const trace::Header header = trace::merged_header(parts);
  const trace::Trace merged = trace::merge_traces(header, parts);
  trace::validate_trace(merged);  // what the reader would refuse is not written
  trace::JsonlWriter writer(o.output, merged.header);
  std::size_t sends = 0;
  std::size_t receives = 0;
  for (const trace::Record& r : merged.events) {
    writer.write(r);
    sends += r.kind == EventKind::send ? 1 : 0;
    receives += r.kind == EventKind::recv ? 1 : 0;
  }
  writer.commit();
  fmt::print("{}: {} trace of {} nodes from {} files, {} events ({} sends, {} receives)\n", o.output,
             header.algorithm, header.nodes.size(), parts.size(), merged.events.size(), sends, receives);
  return kExitOk;
}

}  // namespace

void add_merge_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Merge the per-process traces of a real run into one trace, in happens-before order");
  cmd->footer(trace_bounds_help());
  cmd->add_option("TRACE", options->inputs, "The traces of the run's processes (JSONL, v1)")->required();
  cmd->add_option("-o,--output", options->output, "The merged trace")->required()->type_name("FILE");
  cmd->callback([options, &run] { run = [options] { return run_merge(*options); }; });
}

}  // namespace distlab::cli
