// `distlab trace convert TRACE -o FILE`: a binary trace (--trace-format binary) as the
// JSONL trace it stands for, byte for byte what --trace-format jsonl writes.
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/error.h"
#include "distlab/trace/binary_trace.h"

namespace distlab::cli {
namespace {

struct ConvertOptions {
  std::string input;
  std::string output;
};

int run_convert(const ConvertOptions& o) {
  std::ifstream in(o.input, std::ios::binary);
  if (!in) throw InputError(fmt::format("cannot open trace '{}': {}", o.input, std::strerror(errno)));
  if (!trace::starts_binary_trace(in)) {
    throw InputError(fmt::format("'{}' is not a binary trace: a JSONL trace needs no converting", o.input));
  }
  ProgressLine progress("trace convert");
  const std::uint64_t events = trace::convert_binary_trace(in, o.input, o.output, [&](std::uint64_t so_far) {
    if (progress.due()) progress.show(fmt::format("{} events", compact_count(static_cast<double>(so_far))));
  });
  progress.clear();
  const bool to_stdout = o.output == "-";
  // On stdout the trace is the output: the summary goes to stderr.
  fmt::print(to_stdout ? stderr : stdout, "{}: JSONL trace of {} event{}, from {}\n",
             to_stdout ? "stdout" : o.output, events, events == 1 ? "" : "s", o.input);
  return kExitOk;
}

}  // namespace

void add_trace_command(CLI::App& app, Action& run) {
  CLI::App* cmd = app.add_subcommand("trace", "Work with trace files: convert a binary trace to JSONL");
  cmd->require_subcommand(1);
  auto options = std::make_shared<ConvertOptions>();
  CLI::App* convert = cmd->add_subcommand(
      "convert",
      "Write the JSONL trace (v1) a binary trace (--trace-format binary) stands for: byte for byte the trace "
      "--trace-format jsonl writes. Every command that reads traces reads binary ones as they are");
  convert->add_option("TRACE", options->input, "A binary trace")->required()->type_name("FILE");
  convert->add_option("-o,--output", options->output, "The JSONL trace to write; - for stdout")
      ->required()
      ->type_name("FILE");
  convert->callback([options, &run] { run = [options] { return run_convert(*options); }; });
}

}  // namespace distlab::cli
