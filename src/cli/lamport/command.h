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

#include "cli/lamport/scenario.h"
#include "cli/options.h"

namespace distlab::cli {

struct LamportOptions {
  std::int64_t nodes = 3;
  std::int64_t rounds = 5;
  std::string mode = "rounds";  // rounds | random
  bool vector = false;
  std::string pace;  // wall-clock wait between rounds, e.g. "1s"; empty: none
  CommonOptions common;
  FaultOptions faults;
};

// Runs the command; `args` are the arguments after "distlab" (for the replay line).
int run_lamport(const LamportOptions& options, std::span<const std::string> args);

}  // namespace distlab::cli
