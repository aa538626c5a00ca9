// `distlab run snapshot` and `distlab launch snapshot`: the snapshot scenario as real
// processes (the algorithm's share of cli/real/run_command.h and launch_command.h).
#include <fmt/format.h>

#include <map>
#include <string>

#include "cli/real/launch_command.h"
#include "cli/real/run_command.h"
#include "cli/snapshot/command.h"
#include "distlab/algo/snapshot/descriptor.h"
#include "distlab/core/error.h"
#include "distlab/harness/lamport/scenario.h"
#include "distlab/harness/snapshot/scenario.h"
#include "distlab/runtime/udp/udp_node.h"

namespace distlab::snapshot {

using namespace cli;

void Descriptor::add_run(const CommandSite& site) {
  add_run_algorithm<SnapshotOptions>(
      site.parent, site.action, "snapshot", "One node of the Chandy-Lamport snapshot scenario",
      add_snapshot_options, [](const RunOptions& o, const SnapshotOptions& a) {
        Prepared p = prepare(o, "snapshot", false);
        return with_snapshot_plan(snapshot_scenario(a, p.real.seed, p.nodes),
                                  [&](const auto& plan) { return run_real(plan, p.real); });
      });
}

void Descriptor::add_launch(const CommandSite& site) {
  add_launch_algorithm<SnapshotOptions>(
      site.parent, site.action, "snapshot",
      {.about = "Chandy-Lamport snapshots, one process per node", .nodes = "Number of nodes (default 3)"},
      add_snapshot_options,
      [](const LaunchOptions& o, const SnapshotOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = launch_node_count(o, SnapshotOptions{}.nodes, 2, "a snapshot needs channels");
        const SnapshotScenario scenario = snapshot_scenario(a, seed, n);
        const Nanos duration =
            with_snapshot_plan(scenario, [](const auto& plan) { return plan.duration_ns; });
        const std::vector<NodeId> ids = node_ids(static_cast<std::uint32_t>(n));
        const LaunchScenario s{.algorithm = "snapshot",
                               .ids = ids,
                               .algo_args = snapshot_args(a),
                               // the reliable layer's retransmissions get time to end
                               .default_duration_ns = duration + udp::kReliableDrainNs,
                               .unkillable = ids,
                               .unkillable_why =
                                   "a killed process takes its part of the snapshot with it; snapshot "
                                   "launches take no --kill"};
        return launch_and_report(o, s, seed, [&](const trace::Trace& t, const ReportSettings& settings) {
          return report_snapshot(t, scenario, a.rule, settings);
        });
      });
}

}  // namespace distlab::snapshot
