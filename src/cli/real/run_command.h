// `distlab run ALGO --id N --cluster FILE`: one node of any registered algorithm as
// a real process over UDP, running the simulator's algorithm code. This is the part
// every algorithm shares; each algorithm's descriptor adds its subcommand
// (Descriptor::add_run), which makes the node's plan and hands it to run_real.
//
//   add_run_algorithm<BullyOptions>(run, action, "bully", "One node of the Bully election",
//   add_bully_options,
//       [](const RunOptions& o, const BullyOptions& a) { Prepared p = prepare(o, "bully", false); ... });
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/real/keys.h"
#include "cli/real/runner.h"

namespace distlab::cli {

struct RunOptions {
  std::int64_t id = 0;
  std::string cluster;
  std::optional<std::uint64_t> seed;
  std::int64_t start_at_ms = 0;  // Unix time; 0: now
  bool wait_start = false;       // time zero from standard input, once listening
  std::int64_t incarnation = 0;
  std::string duration;
  std::string trace;
  bool live_trace = false;
  std::string html;
  std::string state;
  int parent = 0;
  Lang lang = Lang::en;
  bool quiet = false;
  KeyOptions keys;
};

struct Prepared {
  RealRun real;
  std::int64_t nodes = 0;  // how many the algorithm's scenario is for
};

void add_run_options(CLI::App& cmd, RunOptions& o);

// The cluster read and the options checked; `monitor` when node 0 is a monitor and
// the others its senders (heartbeat). Throws InputError.
Prepared prepare(const RunOptions& o, const std::string& algorithm, bool monitor);

// Adds `run NAME`: the run options, the algorithm's own (`add`), and, when it is
// chosen, `body(run options, algorithm options)` as the action.
template <class Options, class Add, class Run>
void add_run_algorithm(CLI::App& run_cmd, Action& run, const std::string& name, const std::string& help,
                       Add add, Run body) {
  auto* cmd = run_cmd.add_subcommand(name, help);
  auto options = std::make_shared<RunOptions>();
  auto algo = std::make_shared<Options>();
  add_run_options(*cmd, *options);
  add(*cmd, *algo);
  cmd->callback([=, &run] { run = [=] { return body(*options, *algo); }; });
}

}  // namespace distlab::cli
