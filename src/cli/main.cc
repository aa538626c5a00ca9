// distlab: classic distributed algorithms, simulated deterministically or run for real.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
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
