// `distlab check TRACE`: run every checker that applies; exit 1 on a violation.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "distlab/algo/registry.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::cli {
namespace {

struct CheckOptions {
  std::string path;
  bool json = false;
};

int run_check(const CheckOptions& o) {
  const trace::Trace trace = trace::read_trace_file(o.path);
  const auto checks = algorithms::check_trace(trace);
  const bool ok = trace::all_passed(checks);
  if (o.json) {
    nlohmann::ordered_json out;
    out["trace"] = o.path;
    out["algorithm"] = trace.header.algorithm;
    out["mode"] = trace.header.mode;
    out["seed"] = trace.header.seed;
    out["nodes"] = trace.header.nodes.size();
    out["events"] = trace.events.size();
    out["checks"] = checks_json(checks);
    auto& details = out["details"] = nlohmann::ordered_json::object();
    for (const auto& c : checks) details[c.name] = c.detail;
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("{}: {} trace ({}, seed {}), {} nodes, {} events\n", o.path, trace.header.algorithm,
               trace.header.mode, trace.header.seed, trace.header.nodes.size(), trace.events.size());
    print_checks(checks, Lang::en);
  }
  return ok ? kExitOk : kExitViolation;
}

}  // namespace

void add_check_command(CLI::App& app, Action& run) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("check", "Check a trace with every checker that applies; exit 1 on a violation");
  std::vector<std::string_view> names;
  for (const trace::CheckName* n : algorithms::check_names()) names.push_back(n->en);
  cmd->footer(wrapped(fmt::format("Checks (each judges the traces it applies to): {}.", fmt::join(names, ", "))) +
              "\n" + trace_bounds_help());
  cmd->add_option("TRACE", options->path, "A distlab JSONL trace (v1)")->required();
  cmd->add_flag("--json", options->json, "Print the results as one JSON object");
  cmd->callback([options, &run] { run = [options] { return run_check(*options); }; });
}

}  // namespace distlab::cli
