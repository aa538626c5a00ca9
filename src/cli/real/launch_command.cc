// `distlab launch ALGO --nodes N`: one real process per node on this host, faults
// applied with real signals, then one merged trace, its checks and the same report
// as the simulator's.
#include <fmt/format.h>

#include <memory>

#include "cli/bully/command.h"
#include "cli/bully/scenario.h"
#include "cli/commands.h"
#include "cli/html_report.h"
#include "core/atomic_file.h"
#include "cli/heartbeat/command.h"
#include "cli/heartbeat/scenario.h"
#include "cli/lamport/command.h"
#include "cli/lamport/scenario.h"
#include "cli/real/launcher.h"
#include "cli/snapshot/command.h"
#include "cli/snapshot/scenario.h"
#include "core/duration.h"
#include "core/error.h"
#include "trace/jsonl_writer.h"
#include "trace/merge.h"

namespace distlab::cli {
namespace {

// The exit code of a launch stopped by SIGINT or SIGTERM, as a shell reports one.
constexpr int kExitInterrupted = 130;

struct LaunchOptions {
  std::optional<std::int64_t> nodes;  // unset: the algorithm's default
  std::vector<std::string> kill;
  std::vector<std::string> restart;
  bool no_faults = false;
  std::string duration;
  int base_port = 0;
  std::string keep;
  CommonOptions common;
};

void add_launch_options(CLI::App& cmd, LaunchOptions& o, const std::string& nodes_help) {
  cmd.add_option("--nodes", o.nodes, nodes_help)->type_name("N");
  const std::string faults = "Faults (real signals)";
  cmd.add_option("--kill", o.kill, "SIGKILL node ID at TIME after the start (repeatable)")
      ->type_name("ID@TIME")
      ->group(faults);
  cmd.add_option("--restart", o.restart, "Start killed node ID again at TIME; it recovers (repeatable)")
      ->type_name("ID@TIME")
      ->group(faults);
  cmd.add_flag("--no-faults", o.no_faults,
               "No default faults (bully: kill the leader N at 1s, restart it at 3s; heartbeat with 4 senders or "
               "more: the seed's script of kills and restarts)")
      ->group(faults);
  cmd.add_option("--duration", o.duration, "How long the processes run (default: the scenario's)")
      ->type_name("DURATION");
  cmd.add_option("--base-port", o.base_port,
                 "Node ID listens on 127.0.0.1 port P+ID (default: free ports chosen by the system)")
      ->type_name("P");
  cmd.add_option("--keep", o.keep, "Keep the cluster file, per-process traces and logs in DIR")->type_name("DIR");
  add_common_options(cmd, o.common);
  add_html_option(cmd, o.common.html_path);
  cmd.get_option("--seed")->description(
      "The scenario's seed, the same in every process (default: drawn and printed); real timing is not replayed");
}

// What differs between the algorithms' launches.
struct Scenario {
  std::string algorithm;
  std::vector<NodeId> ids;
  std::vector<std::string> algo_args;
  Nanos default_duration_ns = 0;
  // When no --kill, --restart or --no-faults: those before the end of the run.
  std::vector<PlannedFault> default_faults;
  std::vector<NodeId> unkillable;
  std::string unkillable_why;
};

std::int64_t node_count(const LaunchOptions& o, std::int64_t fallback, std::int64_t min, std::string_view why) {
  const std::int64_t n = o.nodes.value_or(fallback);
  require_at_least("--nodes", n, min, why);
  constexpr std::int64_t kMaxProcesses = 1000;  // one process each, on one host
  if (n > kMaxProcesses) {
    throw InputError(fmt::format("--nodes is at most {} for a launch (one process per node), got {}",
                                 kMaxProcesses, n));
  }
  return n;
}

// Runs the launch and reports it with `report(merged trace, settings)`.
template <class Report>
int launch_and_report(const LaunchOptions& o, const Scenario& s, std::uint64_t seed, Report report) {
  LaunchSpec spec;
  spec.algorithm = s.algorithm;
  spec.ids = s.ids;
  spec.algo_args = s.algo_args;
  spec.duration_ns = s.default_duration_ns;
  if (!o.duration.empty()) {
    spec.duration_ns = parse_duration_option("--duration", o.duration);
    if (spec.duration_ns <= 0) throw InputError("--duration must be longer than 0");
  }
  const bool defaults = o.kill.empty() && o.restart.empty() && !o.no_faults;
  if (defaults) {
    for (const PlannedFault& f : s.default_faults) {
      if (f.at_ns < spec.duration_ns) spec.faults.push_back(f);
    }
  } else {
    spec.faults = validate_faults(o.kill, o.restart, s.ids, spec.duration_ns, s.unkillable, s.unkillable_why);
  }
  spec.seed = seed;
  spec.base_port = o.base_port;
  if (o.base_port < 0) throw InputError(fmt::format("--base-port must be a port number, got {}", o.base_port));
  spec.keep_dir = o.keep;
  spec.lang = o.common.lang;
  spec.progress = !o.common.json && !o.common.quiet;

  std::optional<trace::JsonlWriter> writer;  // opened first: a bad path fails before any process starts
  const trace::Header header{.algorithm = s.algorithm, .mode = "real", .seed = seed, .nodes = s.ids};
  if (!o.common.trace_path.empty()) writer.emplace(o.common.trace_path, header);
  if (!o.common.html_path.empty()) check_creatable(o.common.html_path);

  const LaunchResult result = launch(spec);
  if (result.interrupted) {
    fmt::print(stderr, "distlab: {}\n",
               o.common.lang == Lang::pt ? "interrompido; todos os processos foram parados"
                                         : "interrupted; every process was stopped");
    return kExitInterrupted;
  }
  const trace::Trace merged = trace::merge_traces(header, result.parts);
  if (writer) {
    for (const trace::Record& r : merged.events) writer->write(r);
    writer->commit();
  }
  write_run_html(o.common.html_path, merged);
  if (spec.progress && !o.keep.empty()) {
    fmt::print(fmt::runtime(o.common.lang == Lang::pt ? "Arquivos dos processos em {}.\n"
                                                      : "The processes' files are in {}.\n"),
               o.keep);
  }
  ReportSettings settings = report_settings(o.common, seed, "");
  settings.extra_checks.push_back(processes_check(result));
  return report(merged, settings);
}

template <class Options, class Body>
void add_algorithm(CLI::App& launch_cmd, Action& run, const std::string& name, const std::string& help,
                   const std::string& nodes_help, void (*add)(CLI::App&, Options&), Body body) {
  auto* cmd = launch_cmd.add_subcommand(name, help);
  auto options = std::make_shared<LaunchOptions>();
  auto algo = std::make_shared<Options>();
  add_launch_options(*cmd, *options, nodes_help);
  add(*cmd, *algo);
  cmd->callback([=, &run] { run = [=] { return body(*options, *algo); }; });
}

}  // namespace

void add_launch_command(CLI::App& app, Action& run) {
  auto* cmd = app.add_subcommand(
      "launch", "Run an algorithm as real processes on this host, one per node, with real kills; then check it");
  cmd->require_subcommand(1);

  add_algorithm<LamportOptions>(
      *cmd, run, "lamport", "The Lamport clock scenario, one process per node", "Number of nodes (default 3)",
      add_lamport_options, [](const LaunchOptions& o, const LamportOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = node_count(o, LamportOptions{}.nodes, 2, "messages need two nodes");
        const LamportScenario scenario = lamport_scenario(a, seed, n);
        const Scenario s{.algorithm = "lamport",
                         .ids = node_ids(static_cast<std::uint32_t>(n)),
                         .algo_args = lamport_args(a),
                         .default_duration_ns = lamport_plan(scenario).duration_ns};
        return launch_and_report(o, s, seed, [&](const trace::Trace& t, const ReportSettings& settings) {
          return report_lamport(t, a, settings);
        });
      });

  add_algorithm<SnapshotOptions>(
      *cmd, run, "snapshot", "Chandy-Lamport snapshots, one process per node", "Number of nodes (default 3)",
      add_snapshot_options, [](const LaunchOptions& o, const SnapshotOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = node_count(o, SnapshotOptions{}.nodes, 2, "a snapshot needs channels");
        const SnapshotScenario scenario = snapshot_scenario(a, seed, n);
        const Nanos duration =
            with_snapshot_plan(scenario, [](const auto& plan) { return plan.duration_ns; });
        const std::vector<NodeId> ids = node_ids(static_cast<std::uint32_t>(n));
        const Scenario s{.algorithm = "snapshot",
                         .ids = ids,
                         .algo_args = snapshot_args(a),
                         .default_duration_ns = duration,
                         .unkillable = ids,
                         .unkillable_why = "a killed process takes its part of the snapshot with it; snapshot "
                                           "launches take no --kill"};
        return launch_and_report(o, s, seed, [&](const trace::Trace& t, const ReportSettings& settings) {
          return report_snapshot(t, scenario, a.rule, settings);
        });
      });

  add_algorithm<BullyOptions>(
      *cmd, run, "bully", "Bully election, one process per node", "Number of nodes (default 5)", add_bully_options,
      [](const LaunchOptions& o, const BullyOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = node_count(o, BullyOptions{}.nodes, 2, "an election needs someone to elect");
        const BullyScenario scenario = bully_scenario(a, seed, n);
        Scenario s{.algorithm = "bully",
                   .ids = node_ids(static_cast<std::uint32_t>(n)),
                   .algo_args = bully_args(a),
                   .default_duration_ns = bully_plan(scenario).duration_ns};
        if (!a.no_heartbeat) {  // the simulator's default: the leader (the highest id) fails at 1 s, back at 3 s
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

  add_algorithm<HeartbeatOptions>(
      *cmd, run, "heartbeat", "The monitor (node 0) and N heartbeat senders, one process each",
      "Number of senders (default 4)", add_heartbeat_options, [](const LaunchOptions& o, const HeartbeatOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = node_count(o, HeartbeatOptions{}.nodes, 1, "the monitor needs a sender");
        const HeartbeatScenario scenario = heartbeat_scenario(a, seed, n);
        std::vector<NodeId> ids{0};
        for (NodeId id : node_ids(static_cast<std::uint32_t>(n))) ids.push_back(id);
        Scenario s{.algorithm = "heartbeat",
                   .ids = ids,
                   .algo_args = heartbeat_args(a),
                   .default_duration_ns = heartbeat_plan(scenario).duration_ns,
                   .unkillable = {0},
                   .unkillable_why = "node 0 is the monitor; kill a sender (1..N)"};
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

}  // namespace distlab::cli
