// The subcommands of `distlab`. Each registers its options on the app and, when
// chosen, sets `run` to the action main() calls after parsing. The algorithms'
// commands come from their descriptors (algo/registry.h): each adds its simulated
// command, and its subcommands of `run` and `launch`, at a CommandSite.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace distlab::cli {

// What main() runs once the command line is parsed; returns the exit code.
using Action = std::function<int()>;

// The arguments after the program name, for replay lines.
struct Invocation {
  std::vector<std::string> args;
};

// Where a descriptor adds a command: Descriptor::add_command(site) under the program,
// add_run(site) under `run`, add_launch(site) under `launch`.
struct CommandSite {
  CLI::App& parent;
  Action& action;
  const Invocation& invocation;
};

void add_lamport_command(CLI::App& app, Action& run, const Invocation& invocation);
void add_snapshot_command(CLI::App& app, Action& run, const Invocation& invocation);
void add_bully_command(CLI::App& app, Action& run, const Invocation& invocation);
void add_heartbeat_command(CLI::App& app, Action& run, const Invocation& invocation);
void add_monitor_command(CLI::App& app, Action& run);
void add_node_command(CLI::App& app, Action& run);
void add_bench_command(CLI::App& app, Action& run);
// `bench bully-failover`, under the bench command.
void add_failover_bench(CLI::App& bench, Action& run);
// `bench storm`: the simulator's speed.
void add_storm_bench(CLI::App& bench, Action& run);
void add_check_command(CLI::App& app, Action& run);
// `run` and `launch`, without their algorithms: the descriptors add those.
CLI::App* add_run_command(CLI::App& app);
void add_merge_command(CLI::App& app, Action& run);
void add_export_command(CLI::App& app, Action& run);
void add_trace_command(CLI::App& app, Action& run);
CLI::App* add_launch_command(CLI::App& app);
void add_render_command(CLI::App& app, Action& run);
void add_demo_command(CLI::App& app, Action& run);
// `distlab completion bash`: the shell completion script, from the whole of `app`.
void add_completion_command(CLI::App& app, Action& run);

}  // namespace distlab::cli
