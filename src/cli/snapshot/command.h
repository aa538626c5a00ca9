// `distlab snapshot`: Chandy-Lamport global snapshots (the seed's question 2): its
// options, shared with `distlab run` and `distlab launch`, and its report.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cli/options.h"
#include "cli/report.h"
#include "distlab/harness/snapshot/scenario.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

struct SnapshotOptions {
  std::int64_t nodes = 3;
  std::string scenario = "game";
  std::int64_t initiator = 2;
  std::string topology = "complete";
  std::int64_t snapshots = 1;
  std::int64_t messages = 0;
  std::string rule = "chandy-lamport";
  std::string bug;  // --bug NAME (Descriptor::kBugs); empty: none
  CommonOptions common;
  FaultOptions faults;
};

// The scenario options (not --nodes).
void add_snapshot_options(CLI::App& cmd, SnapshotOptions& options);
std::vector<std::string> snapshot_args(const SnapshotOptions& options);
// Validated; throws InputError.
SnapshotScenario snapshot_scenario(const SnapshotOptions& options, std::uint64_t seed, std::int64_t nodes);

// The narrative, every snapshot's global state and verdict, and the checks.
int report_snapshot(const trace::Trace& trace, const SnapshotScenario& scenario, const std::string& rule,
                    const ReportSettings& settings);

}  // namespace distlab::cli
