// `distlab bully`: Bully leader election (the seed's question 3): its options,
// shared with `distlab run` and `distlab launch`, and its report.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "distlab/harness/bully/scenario.h"
#include "cli/options.h"
#include "cli/report.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

struct BullyOptions {
  std::int64_t nodes = 5;
  std::optional<std::int64_t> starter;  // unset: drawn from the seed
  std::string fail_leader;              // empty: 1s, or off with --no-heartbeat
  std::vector<std::string> recover;     // TIME | off | ID@TIME
  std::string heartbeat = "100ms";
  std::string leader_timeout = "350ms";
  std::string answer_timeout = "50ms";
  std::string coordinator_timeout = "200ms";
  bool no_heartbeat = false;
  std::string bug;  // --bug NAME (Descriptor::kBugs); empty: none
  CommonOptions common;
  FaultOptions faults;
};

// The scenario options shared by bully, run and launch (not --nodes, --fail-leader
// or --recover, which only a simulation decides).
void add_bully_options(CLI::App& cmd, BullyOptions& options);
std::vector<std::string> bully_args(const BullyOptions& options);
// Validated; throws InputError.
BullyScenario bully_scenario(const BullyOptions& options, std::uint64_t seed, std::int64_t nodes);

// The narrative, elections, messages by type, failovers, the final leader and the
// checks. `by_type` counts the messages sent (a large run does not keep them all).
int report_bully(const trace::Trace& trace, const std::map<std::string, std::uint64_t, std::less<>>& by_type,
                 NodeId starter, const ReportSettings& settings);

}  // namespace distlab::cli
