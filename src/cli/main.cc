// distlab: classic distributed algorithms, simulated deterministically or run for real.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  using namespace distlab;
  cli::Invocation invocation;
  for (int i = 1; i < argc; ++i) invocation.args.emplace_back(argv[i]);

  CLI::App app{"distlab: Lamport and vector clocks, Chandy-Lamport snapshots, Bully election and\n"
               "heartbeat failure detection, in a deterministic simulator and as real processes.",
               "distlab"};
  app.require_subcommand(1);
  app.fallthrough(false);
  cli::Action run;
  cli::add_demo_command(app, run);
  cli::add_lamport_command(app, run, invocation);
  cli::add_check_command(app, run);

  // CLI11 would only say "a subcommand is required": name the unknown one.
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  if (argc > 1 && argv[1][0] != '-' && std::find(names.begin(), names.end(), argv[1]) == names.end()) {
    fmt::print(stderr, "distlab: unknown command '{}' (commands: {}; see distlab --help)\n", argv[1],
               fmt::join(names, ", "));
    return kExitUsage;
  }
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);  // --help
      fmt::print(stderr, "distlab: {} (see distlab --help)\n", e.what());
      return kExitUsage;
    }
    return run();
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "distlab: {}\n", e.what());
    return e.exit_code();
  }
}
