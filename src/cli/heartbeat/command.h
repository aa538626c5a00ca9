// `distlab heartbeat`: failure detection and failover (the seed's question 4): its
// options, shared with `distlab run` and `distlab launch`, and its report.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "distlab/harness/heartbeat/scenario.h"
#include "cli/options.h"
#include "cli/report.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

struct HeartbeatOptions {
  std::int64_t nodes = 4;
  std::string interval = "5s";
  std::string jitter = "1s";
  std::string timeout = "10s";
  std::string check_every = "1s";
  std::string detector = "fixed";
  double threshold = 8.0;
  std::int64_t window = 1000;
  std::string min_stddev = "500ms";
  std::string acceptable_pause = "0s";
  bool table = false;
  std::vector<std::string> values;
  std::int64_t runs = 20;
  std::string duration = "10m";
  std::string bug;  // --bug NAME (Descriptor::kBugs); empty: none
  CommonOptions common;
  FaultOptions faults;
};

// The detector and heartbeat options shared by heartbeat, run and launch.
void add_heartbeat_options(CLI::App& cmd, HeartbeatOptions& options);
// Its first part: --interval, --jitter, --timeout (the fixed detector's) and --check-every.
void add_heartbeat_timing_options(CLI::App& cmd, HeartbeatOptions& options);
std::vector<std::string> heartbeat_args(const HeartbeatOptions& options);
// Validated; throws InputError. `nodes` senders, plus the monitor (node 0).
HeartbeatScenario heartbeat_scenario(const HeartbeatOptions& options, std::uint64_t seed, std::int64_t nodes);

// The monitor's story, each crash's detection latency, false suspicions, the checks.
int report_heartbeat(const trace::Trace& trace, const HeartbeatOptions& options, const ReportSettings& settings);

}  // namespace distlab::cli
