// `distlab run heartbeat` and `distlab launch heartbeat`: the heartbeat scenario as real
// processes (the algorithm's share of cli/real/run_command.h and launch_command.h).
#include <fmt/format.h>

#include <map>
#include <string>

#include "distlab/algo/detect/descriptor.h"
#include "cli/heartbeat/command.h"
#include "distlab/harness/heartbeat/scenario.h"
#include "distlab/harness/lamport/scenario.h"
#include "cli/real/launch_command.h"
#include "cli/real/run_command.h"
#include "distlab/core/error.h"

namespace distlab::detect {

using namespace cli;

void Descriptor::add_run(const CommandSite& site) {
  add_run_algorithm<HeartbeatOptions>(
      site.parent, site.action, "heartbeat", "The monitor (id 0) or one heartbeat sender",
      add_heartbeat_options, [](const RunOptions& o, const HeartbeatOptions& a) {
        Prepared p = prepare(o, "heartbeat", true);
        HeartbeatScenario scenario = heartbeat_scenario(a, p.real.seed, p.nodes);
        const udp::ClusterNode& me = *p.real.cluster.find(p.real.self);
        if (me.interval_ns) scenario.sender.interval_ns = *me.interval_ns;  // the cluster file's own settings
        if (me.jitter_ns) scenario.sender.jitter_ns = *me.jitter_ns;
        return run_real(heartbeat_plan(scenario), p.real);
      });
}

void Descriptor::add_launch(const CommandSite& site) {
  add_launch_algorithm<HeartbeatOptions>(
      site.parent, site.action, "heartbeat",
      {.about = "The monitor (node 0) and N heartbeat senders, one process each",
       .nodes = "Number of senders (default 4)",
       .default_faults = "with 4 senders or more: the seed's script of kills and restarts"},
      add_heartbeat_options,
      [](const LaunchOptions& o, const HeartbeatOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n =
            launch_node_count(o, HeartbeatOptions{}.nodes, 1, "the monitor needs a sender");
        const HeartbeatScenario scenario = heartbeat_scenario(a, seed, n);
        std::vector<NodeId> ids{0};
        for (NodeId id : node_ids(static_cast<std::uint32_t>(n))) ids.push_back(id);
        LaunchScenario s{.algorithm = "heartbeat",
                         .ids = ids,
                         .algo_args = heartbeat_args(a),
                         .default_duration_ns = heartbeat_plan(scenario).duration_ns,
                         .unkillable = {0},
                         .unkillable_why = "node 0 is the monitor; kill a sender (1..N)",
                         .unpausable = {0},
                         .unpausable_why = "node 0 is the monitor; pause a sender (1..N)"};
        if (n >= 4) {  // the seed's script, as in the simulator
          s.default_duration_ns = kHeartbeatScriptEnd;
          for (const ScriptedFault& f : heartbeat_script()) {
            s.default_faults.push_back(
                {f.crash ? PlannedFault::Kind::kill : PlannedFault::Kind::restart, f.node, f.at_ns});
          }
        }
        return launch_and_report(o, s, seed, [&](const trace::Trace& t, const ReportSettings& settings) {
          return report_heartbeat(t, a, settings);
        });
      });
}

}  // namespace distlab::detect
