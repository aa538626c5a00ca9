// `distlab run bully` and `distlab launch bully`: the bully scenario as real
// processes (the algorithm's share of cli/real/run_command.h and launch_command.h).
#include <fmt/format.h>

#include <map>
#include <string>

#include "distlab/algo/bully/descriptor.h"
#include "cli/bully/command.h"
#include "distlab/harness/bully/scenario.h"
#include "distlab/harness/lamport/scenario.h"
#include "cli/real/launch_command.h"
#include "cli/real/run_command.h"
#include "distlab/core/error.h"

namespace distlab::bully {

using namespace cli;

void Descriptor::add_run(const CommandSite& site) {
  add_run_algorithm<BullyOptions>(site.parent, site.action, "bully", "One node of the Bully election",
                                  add_bully_options, [](const RunOptions& o, const BullyOptions& a) {
                                    Prepared p = prepare(o, "bully", false);
                                    return run_real(bully_plan(bully_scenario(a, p.real.seed, p.nodes)),
                                                    p.real);
                                  });
}

void Descriptor::add_launch(const CommandSite& site) {
  add_launch_algorithm<BullyOptions>(
      site.parent, site.action, "bully",
      {.about = "Bully election, one process per node",
       .nodes = "Number of nodes (default 5)",
       .default_faults = "kill the leader N at 1s, restart it at 3s"},
      add_bully_options, [](const LaunchOptions& o, const BullyOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n =
            launch_node_count(o, BullyOptions{}.nodes, 2, "an election needs someone to elect");
        const BullyScenario scenario = bully_scenario(a, seed, n);
        LaunchScenario s{.algorithm = "bully",
                         .ids = node_ids(static_cast<std::uint32_t>(n)),
                         .algo_args = bully_args(a),
                         .default_duration_ns = bully_plan(scenario).duration_ns};
        if (!a.no_heartbeat) {  // the simulator's default: the leader (the highest id) fails at 1 s, back at
                                // 3 s
          const auto leader = static_cast<NodeId>(n);
          s.default_faults = {{PlannedFault::Kind::kill, leader, 1 * kSecond},
                              {PlannedFault::Kind::restart, leader, 3 * kSecond}};
        }
        return launch_and_report(o, s, seed, [&](const trace::Trace& t, const ReportSettings& settings) {
          std::map<std::string, std::uint64_t, std::less<>> by_type;
          for (const trace::Record& r : t.events) {
            if (r.kind == EventKind::send) ++by_type[r.type];
          }
          return report_bully(t, by_type, bully_starter(scenario), settings);
        });
      });
}

}  // namespace distlab::bully
