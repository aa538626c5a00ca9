// `distlab lamport`: the seed's Lamport clock simulation (question 1), and more.
//
// Rounds mode replays the seed: each round a random sender runs a local event and
// sends to a random receiver. Random mode lets every node act on its own timer while
// messages are in flight, so real concurrency occurs. The run ends with the events in
// the Lamport total order and the checks of its trace.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "distlab/harness/lamport/scenario.h"
#include "cli/options.h"
#include "cli/report.h"
#include "distlab/trace/trace.h"

#include <CLI/CLI.hpp>
#include <vector>

namespace distlab::cli {

struct LamportOptions {
  std::int64_t nodes = 3;
  std::int64_t rounds = 5;
  std::string mode = "rounds";  // rounds | random
  bool vector = false;
  std::string pace;  // wall-clock wait between rounds, e.g. "1s"; empty: none
  std::string bug;   // --bug NAME (Descriptor::kBugs); empty: none
  CommonOptions common;
  FaultOptions faults;
};

// Runs the command; `args` are the arguments after "distlab" (for the replay line).
int run_lamport(const LamportOptions& options, std::span<const std::string> args);

// The scenario options (not --nodes, which a cluster or a launch decides), for the
// lamport, run and launch commands alike.
void add_lamport_options(CLI::App& cmd, LamportOptions& options);
// Those options as arguments again, for the processes a launch starts.
std::vector<std::string> lamport_args(const LamportOptions& options);
// Validated; throws InputError.
LamportScenario lamport_scenario(const LamportOptions& options, std::uint64_t seed, std::int64_t nodes);

// The narrative, the Lamport order, the counts and the checks of a run's trace.
int report_lamport(const trace::Trace& trace, const LamportOptions& options, const ReportSettings& settings);

}  // namespace distlab::cli
