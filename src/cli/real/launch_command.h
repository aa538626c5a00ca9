// `distlab launch ALGO --nodes N`: one real process per node on this host, faults
// applied with real signals, then one merged trace, its checks and the same report
// as the simulator's. This is the part every algorithm shares; each algorithm's
// descriptor adds its subcommand (Descriptor::add_launch) saying what differs.
//
//   add_launch_algorithm<BullyOptions>(launch, action, "bully",
//       {.about = "Bully election, one process per node", .nodes = "Number of nodes (default 5)"},
//       add_bully_options, body);
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/real/keys.h"
#include "distlab/harness/real/launcher.h"
#include "distlab/trace/checks.h"
#include "cli/report.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

inline constexpr trace::CheckName kProcessesCheck{"processes", "processes", "processos"};

// "processes": pass when every process ran to the end or was killed as planned;
// fail naming each that did not (a busy port, a crash), with its error.
trace::CheckResult processes_check(const LaunchResult& result);

// "node 3 (restart 1) exited with code 3: cannot listen on 127.0.0.1:5003: ...".
std::string describe_exit(const ProcessOutcome& p, Lang lang);

struct LaunchOptions {
  std::optional<std::int64_t> nodes;  // unset: the algorithm's default
  std::vector<std::string> kill;
  std::vector<std::string> restart;
  std::vector<std::string> pause;
  bool no_faults = false;
  bool netns = false;  // each node in a network namespace of its own; needs root
  double loss = 0.0;   // --netns only, as the simulator's --loss, --dup and --partition
  double dup = 0.0;
  std::vector<std::string> partition;
  std::string duration;
  int base_port = 0;
  std::string keep;
  CommonOptions common;
  KeyOptions keys;  // --key-file only: each node keeps its epoch in the launch's folder
};

// What differs between the algorithms' launches.
struct LaunchScenario {
  std::string algorithm;
  std::vector<NodeId> ids;
  std::vector<std::string> algo_args;
  Nanos default_duration_ns = 0;
  // When no --kill, --restart or --no-faults: those before the end of the run.
  std::vector<PlannedFault> default_faults;
  std::vector<NodeId> unkillable;
  std::string unkillable_why;
  std::vector<NodeId> unpausable;  // --pause refuses them with unpausable_why
  std::string unpausable_why;
};

// An algorithm's words in `launch NAME --help`.
struct LaunchHelp {
  std::string about;           // the subcommand's line
  std::string nodes;           // --nodes
  std::string default_faults;  // what --no-faults turns off; empty: the scenario has none
};

void add_launch_options(CLI::App& cmd, LaunchOptions& o, const LaunchHelp& help);

// --nodes, or `fallback`: at least `min` (`why` says why) and at most the processes
// one host is given. Throws InputError.
std::int64_t launch_node_count(const LaunchOptions& o, std::int64_t fallback, std::int64_t min,
                               std::string_view why);

// How an algorithm reports a launch: the merged trace of its processes, with the
// launch's own check (every process ran as planned) in `settings`.
using LaunchReport = std::function<int(const trace::Trace& merged, const ReportSettings& settings)>;

// Runs the launch and reports it; the exit code.
int launch_and_report(const LaunchOptions& o, const LaunchScenario& s, std::uint64_t seed,
                      const LaunchReport& report);

// Adds `launch NAME`: the launch options, the algorithm's own (`add`), and, when it
// is chosen, `body(launch options, algorithm options)` as the action.
template <class Options, class Body>
void add_launch_algorithm(CLI::App& launch_cmd, Action& run, const std::string& name, const LaunchHelp& help,
                          void (*add)(CLI::App&, Options&), Body body) {
  auto* cmd = launch_cmd.add_subcommand(name, help.about);
  auto options = std::make_shared<LaunchOptions>();
  auto algo = std::make_shared<Options>();
  add_launch_options(*cmd, *options, help);
  add(*cmd, *algo);
  cmd->callback([=, &run] { run = [=] { return body(*options, *algo); }; });
}

}  // namespace distlab::cli
