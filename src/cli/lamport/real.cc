// `distlab run lamport` and `distlab launch lamport`: the lamport scenario as real
// processes (the algorithm's share of cli/real/run_command.h and launch_command.h).
#include <fmt/format.h>

#include <map>
#include <string>

#include "distlab/algo/lamport/descriptor.h"
#include "cli/lamport/command.h"
#include "distlab/harness/lamport/scenario.h"
#include "cli/real/launch_command.h"
#include "cli/real/run_command.h"
#include "distlab/core/error.h"

namespace distlab::lamport {

using namespace cli;

void Descriptor::add_run(const CommandSite& site) {
  add_run_algorithm<LamportOptions>(
      site.parent, site.action, "lamport", "One node of the Lamport clock scenario", add_lamport_options,
      [](const RunOptions& o, const LamportOptions& a) {
        Prepared p = prepare(o, "lamport", false);
        return run_real(lamport_plan(lamport_scenario(a, p.real.seed, p.nodes)), p.real);
      });
}

void Descriptor::add_launch(const CommandSite& site) {
  add_launch_algorithm<LamportOptions>(
      site.parent, site.action, "lamport",
      {.about = "The Lamport clock scenario, one process per node", .nodes = "Number of nodes (default 3)"},
      add_lamport_options,
      [](const LaunchOptions& o, const LamportOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = launch_node_count(o, LamportOptions{}.nodes, 2, "messages need two nodes");
        const LamportScenario scenario = lamport_scenario(a, seed, n);
        const LaunchScenario s{.algorithm = "lamport",
                               .ids = node_ids(static_cast<std::uint32_t>(n)),
                               .algo_args = lamport_args(a),
                               .default_duration_ns = lamport_plan(scenario).duration_ns};
        return launch_and_report(o, s, seed, [&](const trace::Trace& t, const ReportSettings& settings) {
          return report_lamport(t, a, settings);
        });
      });
}

}  // namespace distlab::lamport
