// `distlab heartbeat`: failure detection and failover in simulation (the seed's
// question 4), and its table mode: detection latency against false suspicions.
#include "cli/heartbeat/command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/explore.h"
#include "cli/heartbeat/text.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/recording.h"
#include "cli/report.h"
#include "cli/sweep.h"
#include "distlab/algo/detect/checker.h"
#include "distlab/algo/detect/descriptor.h"
#include "distlab/algo/detect/explore.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/harness/heartbeat/scenario.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::cli {
namespace {

using json = nlohmann::ordered_json;
using trace::Record;


HeartbeatScenario scenario_of(const HeartbeatOptions& o) { return heartbeat_scenario(o, 0, o.nodes); }

}  // namespace

HeartbeatScenario heartbeat_scenario(const HeartbeatOptions& o, std::uint64_t seed, std::int64_t nodes) {
  require_at_least("--nodes", nodes, 1, "someone must send heartbeats");
  if (nodes > kMaxHeartbeatNodes) {
    throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxHeartbeatNodes, nodes));
  }
  if (o.detector != "fixed" && o.detector != "phi") {
    throw InputError(fmt::format("--detector must be fixed or phi, got '{}'", o.detector));
  }
  HeartbeatScenario s;
  s.seed = seed;
  s.nodes = static_cast<std::uint32_t>(nodes);
  s.sender.interval_ns = parse_duration_option("--interval", o.interval);
  s.sender.jitter_ns = parse_duration_option("--jitter", o.jitter);
  s.monitor.check_every_ns = parse_duration_option("--check-every", o.check_every);
  s.monitor.detector = o.detector == "phi" ? detect::DetectorKind::phi : detect::DetectorKind::fixed;
  s.monitor.fixed.timeout_ns = parse_duration_option("--timeout", o.timeout);
  s.monitor.phi.threshold = o.threshold;
  s.monitor.phi.window = phi_window(o.window);
  s.monitor.phi.min_stddev_ns = parse_duration_option("--min-stddev", o.min_stddev);
  s.monitor.phi.acceptable_pause_ns = parse_duration_option("--acceptable-pause", o.acceptable_pause);
  s.monitor.phi.first_interval_ns = s.sender.interval_ns;
  s.monitor.bug = algorithms::bug_named<detect::Bug>(detect::Descriptor::kBugs, o.bug);
  s.faults = o.faults;
  validate(s);
  return s;
}

namespace {

trace::Header header_of(const HeartbeatScenario& s) {
  std::vector<NodeId> ids;
  for (NodeId id = 0; id <= s.nodes; ++id) ids.push_back(id);
  return harness::sim_header("heartbeat", s.seed, std::move(ids), s.faults);
}

std::string latency_text(const detect::Detection& d, Lang lang) {
  const bool pt = lang == Lang::pt;
  if (d.detected_ns) {
    return fmt::format(fmt::runtime(pt ? "Nó {} caiu em {}; suspeito em {} ({} depois)." : "Node {} crashed at {}; suspected at {} ({} later)."),
                       d.node, format_duration_rounded(d.crashed_ns), format_duration_rounded(*d.detected_ns),
                       format_duration_rounded(*d.detected_ns - d.crashed_ns));
  }
  if (d.recovered_ns) {
    return fmt::format(fmt::runtime(pt ? "Nó {} caiu em {} e voltou em {}, antes de ser suspeito."
                          : "Node {} crashed at {} and came back at {}, before it was suspected."),
                       d.node, format_duration_rounded(d.crashed_ns), format_duration_rounded(*d.recovered_ns));
  }
  return fmt::format(fmt::runtime(pt ? "Nó {} caiu em {} e não foi suspeito antes do fim." : "Node {} crashed at {} and was not suspected before the end."),
                     d.node, format_duration_rounded(d.crashed_ns));
}

int run_single(const HeartbeatOptions& o, std::span<const std::string> args) {
  HeartbeatScenario s = scenario_of(o);
  s.seed = resolve_seed(o.common);
  const trace::Header header = header_of(s);
  SimRecording recording(header, o.common);
  run_heartbeat_scenario(s, &recording.sink());
  recording.commit();
  ReportSettings settings = report_settings(o.common, s.seed, replay_command(args, s.seed));
  settings.bug = bug_description(detect::Descriptor::kBugs, o.bug);
  return report_heartbeat(recording.recorder().trace(), o, settings);
}

// Quantile of sorted values, nearest rank.
Nanos quantile(const std::vector<Nanos>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

int run_table(const HeartbeatOptions& o) {
  HeartbeatScenario base = scenario_of(o);
  const std::uint64_t seed = resolve_seed(o.common);
  require_at_least("--runs", o.runs, 1);
  if (o.runs > 10'000) throw InputError(fmt::format("--runs is at most 10000, got {}", o.runs));
  const Nanos duration = parse_duration_option("--duration", o.duration);
  if (duration <= 0) throw InputError("--duration must be longer than 0");
  if (!o.faults.crash.empty() || !o.faults.recover.empty() || o.faults.faults != 0) {
    throw InputError("--table draws its own crashes (one per node and run): drop --crash, --recover and --faults");
  }
  if (!o.faults.until.empty()) throw InputError("--table runs for --duration each time: drop --until");

  const bool phi = base.monitor.detector == detect::DetectorKind::phi;
  std::vector<std::string> values = o.values;
  if (values.empty()) {
    if (phi) {
      values = {"1", "2", "4", "8", "12", "16"};
    } else {
      for (double k : {1.0, 1.2, 1.4, 1.6, 2.0, 3.0}) {
        values.push_back(format_duration(static_cast<Nanos>(static_cast<double>(base.sender.interval_ns) * k)));
      }
    }
  }
  // Every value checked before anything runs.
  std::vector<HeartbeatScenario> scenarios;
  for (const std::string& v : values) {
    HeartbeatScenario s = base;
    if (phi) {
      try {
        std::size_t used = 0;
        s.monitor.phi.threshold = std::stod(v, &used);
        if (used != v.size() || !std::isfinite(s.monitor.phi.threshold) || !(s.monitor.phi.threshold > 0)) {
          throw std::invalid_argument(v);
        }
      } catch (const std::exception&) {
        throw InputError(fmt::format("--values: '{}' is not a phi threshold (a positive number)", v));
      }
    } else {
      s.monitor.fixed.timeout_ns = parse_duration_option("--values", v);
      if (s.monitor.fixed.timeout_ns <= 0) throw InputError("--values: timeouts must be longer than 0");
    }
    s.faults.faults = s.nodes;  // one crash and recovery per node, on average, per run
    s.faults.until = format_duration(duration);
    validate(s);
    scenarios.push_back(std::move(s));
  }
  double events = 0;
  for (const HeartbeatScenario& s : scenarios) events += static_cast<double>(o.runs) * heartbeat_events(s, duration);
  require_event_bound(fmt::format("--table: {} runs of {} for each of {} values", o.runs, format_duration(duration),
                                  scenarios.size()),
                      events);
  if (!o.common.trace_path.empty()) throw InputError("--table makes many runs: --trace records a single one");
  if (!o.common.html_path.empty()) throw InputError("--table makes many runs: --html draws a single one");

  struct Row {
    std::string value;
    std::size_t crashes = 0;
    std::size_t detected = 0;
    std::vector<Nanos> latencies;
    std::size_t false_suspicions = 0;
    std::size_t suspicions = 0;
  };
  std::vector<Row> rows;
  const double node_hours = static_cast<double>(o.runs) * base.nodes * static_cast<double>(duration) / (3600.0 * kSecond);
  const std::string what = phi ? "threshold" : "timeout";
  ProgressLine progress("heartbeat --table");
  const harness::WatchSimulations one_line(nullptr);  // runs counted, not each run's events
  const std::int64_t total = o.runs * static_cast<std::int64_t>(scenarios.size());
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    HeartbeatScenario& s = scenarios[i];
    Row row{.value = values[i]};
    for (std::int64_t run = 0; run < o.runs; ++run) {
      if (progress.due()) {
        const std::int64_t done = static_cast<std::int64_t>(i) * o.runs + run;
        progress.show(fmt::format("{} of {} runs ({} {}), {:.1f} runs/s", done, total, what, values[i],
                                  static_cast<double>(done) / progress.elapsed_seconds()));
      }
      s.seed = derive_seed(seed, static_cast<std::uint64_t>(run));
      trace::Recorder recorder(header_of(s));
      run_heartbeat_scenario(s, &recorder);
      const detect::DetectionAnalysis a = detect::analyze_detection(recorder.trace());
      for (const auto& d : a.detections) {
        ++row.crashes;
        if (d.detected_ns) {
          ++row.detected;
          row.latencies.push_back(*d.detected_ns - d.crashed_ns);
        }
      }
      row.false_suspicions += a.false_suspicions.size();
      row.suspicions += a.suspicions;
    }
    std::sort(row.latencies.begin(), row.latencies.end());
    rows.push_back(std::move(row));
  }
  progress.clear();

  if (o.common.json) {
    json out;
    out["algorithm"] = "heartbeat";
    out["seed"] = seed;
    out["nodes"] = base.nodes;
    out["detector"] = o.detector;
    out["runs"] = o.runs;
    out["duration_ns"] = duration;
    auto& list = out["table"] = json::array();
    for (const Row& r : rows) {
      json e{{what, r.value}, {"crashes", r.crashes}, {"detected", r.detected}};
      e["latency_p50_ns"] = r.latencies.empty() ? json(nullptr) : json(quantile(r.latencies, 0.5));
      e["latency_p99_ns"] = r.latencies.empty() ? json(nullptr) : json(quantile(r.latencies, 0.99));
      e["false_suspicions"] = r.false_suspicions;
      e["false_suspicions_per_node_hour"] = static_cast<double>(r.false_suspicions) / node_hours;
      list.push_back(e);
    }
    out["checks"] = json::object();
    fmt::print("{}\n", out.dump());
    return kExitOk;
  }
  fmt::print("{} detector, heartbeat every {} +- {}, loss {}, {} runs of {} with {} nodes (seed {}):\n\n",
             phi ? "Phi accrual" : "Fixed-timeout", format_duration(base.sender.interval_ns),
             format_duration(base.sender.jitter_ns), o.faults.loss, o.runs, format_duration(duration), base.nodes, seed);
  fmt::print("{:>10}  {:>9}  {:>12}  {:>12}  {:>16}  {:>22}\n", what, "detected", "latency p50", "latency p99",
             "false suspicions", "per node-hour");
  for (const Row& r : rows) {
    fmt::print("{:>10}  {:>8.1f}%  {:>12}  {:>12}  {:>16}  {:>22.3f}\n", r.value,
               r.crashes == 0 ? 0.0 : 100.0 * static_cast<double>(r.detected) / static_cast<double>(r.crashes),
               r.latencies.empty() ? "-" : format_duration_rounded(quantile(r.latencies, 0.5), 3),
               r.latencies.empty() ? "-" : format_duration_rounded(quantile(r.latencies, 0.99), 3),
               r.false_suspicions, static_cast<double>(r.false_suspicions) / node_hours);
  }
  fmt::print("\nLatency is from the crash to the suspicion; crashes that recovered before being suspected count as "
             "not detected.\nShorter {}s detect sooner and suspect live nodes more often: choose where the table "
             "crosses your needs.\n",
             what);
  return kExitOk;
}

}  // namespace


int report_heartbeat(const trace::Trace& tr, const HeartbeatOptions& o, const ReportSettings& settings) {
  const Lang lang = settings.lang;
  if (!settings.json && !settings.quiet) {  // --quiet: the summary only, as every command
    MonitorNarrator narrator(lang, /*per_heartbeat=*/true, /*show_faults=*/true, settings.timestamps,
                             /*real=*/tr.header.mode == "real");
    NetworkNarrator network(tr, lang, settings.timestamps);
    for (const Record& r : tr.events) {
      network.before(r.t);
      narrator.narrate(r);
    }
    network.finish();
  }
  const auto checks = run_checks(tr, settings);
  const detect::DetectionAnalysis a = detect::analyze_detection(tr);
  if (settings.json) {
    std::uint64_t heartbeats = 0;
    for (const Record& r : tr.events) heartbeats += r.kind == EventKind::send && r.type == "heartbeat" ? 1 : 0;
    json out;
    out["algorithm"] = "heartbeat";
    out["seed"] = settings.seed;
    out["nodes"] = tr.header.nodes.size() - 1;  // the senders; node 0 monitors them
    out["detector"] = o.detector;
    auto& detections = out["detections"] = json::array();
    for (const auto& d : a.detections) {
      json e{{"node", d.node}, {"crashed_at_ns", d.crashed_ns}};
      e["detected_at_ns"] = d.detected_ns ? json(*d.detected_ns) : json(nullptr);
      e["latency_ns"] = d.detected_ns ? json(*d.detected_ns - d.crashed_ns) : json(nullptr);
      e["recovered_at_ns"] = d.recovered_ns ? json(*d.recovered_ns) : json(nullptr);
      detections.push_back(e);
    }
    out["false_suspicions"] = a.false_suspicions.size();
    out["suspicions"] = a.suspicions;
    out["heartbeats"] = heartbeats;
    add_checks_json(out, checks);
    fmt::print("{}\n", out.dump());
    return trace::all_passed(checks) ? kExitOk : kExitViolation;
  }
  if (!settings.quiet) fmt::print("\n");
  for (const auto& d : a.detections) fmt::print("{}\n", latency_text(d, lang));
  fmt::print(
      fmt::runtime(lang == Lang::pt ? "Falsas suspeitas: {} (de {}).\n" : "False suspicions: {} (of {}).\n"),
      a.false_suspicions.size(),
      lang == Lang::pt ? counted(a.suspicions, "suspeita", "suspeitas")
                       : trace::quantity(a.suspicions, "suspicion"));
  print_checks(checks, lang);
  print_replay_line(settings);
  return trace::all_passed(checks) ? kExitOk : kExitViolation;
}

void add_heartbeat_timing_options(CLI::App& cmd, HeartbeatOptions& o) {
  cmd.add_option("--interval", o.interval, "Heartbeat interval (default 5s, the seed's)")
      ->type_name("DURATION");
  cmd.add_option("--jitter", o.jitter, "Each interval varies by up to +-this (default 1s)")
      ->type_name("DURATION");
  cmd.add_option("--timeout", o.timeout, "Fixed detector: silence before suspecting (default 10s)")
      ->type_name("DURATION");
  cmd.add_option("--check-every", o.check_every, "How often the monitor checks (default 1s)")
      ->type_name("DURATION");
}

void add_heartbeat_options(CLI::App& cmd, HeartbeatOptions& o) {
  add_heartbeat_timing_options(cmd, o);
  cmd.add_option("--detector", o.detector, "fixed (default, the seed's timeout) or phi (accrual)")
      ->type_name("fixed|phi");
  const std::string phi = "Phi accrual";
  cmd.add_option("--threshold", o.threshold, "Suspect when phi exceeds this (default 8)")->group(phi);
  cmd.add_option("--window", o.window, "Inter-arrival times kept (default 1000)")->group(phi);
  cmd.add_option("--min-stddev", o.min_stddev, "Lower bound on the spread (default 500ms)")
      ->type_name("DURATION")
      ->group(phi);
  cmd.add_option("--acceptable-pause", o.acceptable_pause, "Silence forgiven on top (default 0s)")
      ->type_name("DURATION")
      ->group(phi);
}

std::vector<std::string> heartbeat_args(const HeartbeatOptions& o) {
  return {"--interval", o.interval, "--jitter", o.jitter, "--timeout", o.timeout, "--check-every", o.check_every,
          "--detector", o.detector, "--threshold", fmt::format("{}", o.threshold), "--window",
          std::to_string(o.window), "--min-stddev", o.min_stddev, "--acceptable-pause", o.acceptable_pause};
}

namespace {

// The flags of a simulated run before the common ones: the command's, and a sweep's.
void add_heartbeat_run_flags(CLI::App& cmd, HeartbeatOptions& o) {
  cmd.add_option("--nodes", o.nodes, "Nodes sending heartbeats to the monitor (node 0); default 4")->type_name("N");
  add_heartbeat_options(cmd, o);
  add_bug_option(cmd, o.bug, detect::Descriptor::kBugs);
}

// ---- distlab sweep heartbeat ----

SweepTrial heartbeat_trial(const HeartbeatOptions& o, std::uint64_t seed, EventSink* tap) {
  const HeartbeatScenario s = heartbeat_scenario(o, seed, o.nodes);
  return judge_in_memory(header_of(s), tap, [&](EventSink* sink) { run_heartbeat_scenario(s, sink); });
}

// Intervals of 100ms to 1s, a timeout of two to four of them (a detector that is
// complete, and accurate but for late or lost heartbeats, which the checker
// explains); at least one sender crashes (no crash would play the seed's script),
// after four intervals free of partitions (a node never heard from cannot be
// suspected); faults are over by 10 to 20 intervals, partitions in the first half,
// then a quiet phase of three detection times. Latency up to a quarter interval,
// unbounded distributions too: the checker counts silence from the arrival of a
// heartbeat still in flight at the crash, and explains late ones.
void draw_heartbeat(SweepDraw& d) {
  const std::int64_t nodes = d.integer("--nodes", 1, 6);
  const Nanos interval = d.duration("--interval", 100 * kMillisecond, 1 * kSecond);
  d.duration("--jitter", 0, interval / 4);
  const Nanos timeout = d.duration("--timeout", 2 * interval, 4 * interval);
  const Nanos check_every = d.duration("--check-every", 10 * kMillisecond, interval / 2);
  const Nanos fault_end = interval * d.rng().between(10, 20);
  std::vector<NodeId> ids = node_ids(static_cast<std::uint32_t>(std::max<std::int64_t>(nodes, 1) + 1));
  for (NodeId& id : ids) --id;  // the monitor is node 0
  FaultProfile profile{.ids = ids,
                       .faulty = std::vector<NodeId>(ids.begin() + 1, ids.end()),
                       .fault_end_ns = fault_end,
                       .disruptions_end_ns = fault_end / 2,
                       .crashes_from_ns = fault_end / 2 + 4 * interval,
                       .min_crashes = 1,
                       .loss = true,
                       .dup = true,
                       .reorder = true,
                       .unbounded_latency = true,
                       .latency_max_ns = interval / 4};
  d.faults(profile);
  d.set("--until", fmt::format("{}ms", (fault_end + 3 * (timeout + interval + check_every)) / kMillisecond));
}

}  // namespace

void add_heartbeat_command(CLI::App& app, Action& run, const Invocation& invocation) {
  auto options = std::make_shared<HeartbeatOptions>();
  CLI::App* cmd = app.add_subcommand("heartbeat", "Heartbeat failure detection and failover: the seed's question 4");
  add_heartbeat_run_flags(*cmd, *options);
  const std::string table = "Table mode";
  cmd->add_flag("--table", options->table,
                "Sweep the timeout (or threshold): detection latency against false suspicions")
      ->group(table);
  cmd->add_option("--values", options->values, "Timeouts or thresholds to try (comma separated)")
      ->delimiter(',')->type_name("LIST")->group(table);
  cmd->add_option("--runs", options->runs, "Runs per value, each with its own seed (default 20)")->group(table);
  cmd->add_option("--duration", options->duration, "Simulated time of each run (default 10m)")
      ->type_name("DURATION")->group(table);
  add_common_options(*cmd, options->common);
  add_trace_format_option(*cmd, options->common.trace_format);
  add_html_option(*cmd, options->common.html_path);
  add_fault_options(*cmd, options->faults);
  cmd->callback([options, &run, &invocation] {
    run = [options, &invocation] {
      return options->table ? run_table(*options) : run_single(*options, invocation.args);
    };
  });
}

}  // namespace distlab::cli

void distlab::detect::Descriptor::add_explore(const cli::CommandSite& site) {
  using namespace distlab::cli;
  ExploreOptions defaults;
  defaults.nodes = 2;
  defaults.crashes = 1;
  // Senders beat on periods of their own and the monitor checks on another: their phases
  // would take hours of simulated time to come round. Within a horizon, every order is seen.
  defaults.until = "30s";
  add_explore_algorithm<HeartbeatOptions>(
      site, "heartbeat",
      "Heartbeat failure detection: every order of heartbeats and the monitor's checks, with senders "
      "crashing and "
      "recovering within the budgets (default --crashes 1); checks at every state that the monitor suspects "
      "no live "
      "node (accuracy) and suspects every node down longer than its bound (completeness)",
      std::move(defaults), "Number of senders, 1 to 4, besides the monitor, node 0 (default 2)",
      [](CLI::App& cmd, HeartbeatOptions& h) {
        add_heartbeat_timing_options(cmd, h);  // the fixed detector's: explore models no other
        add_bug_option(cmd, h.bug, kBugs);
      },
      [](const ExploreOptions& e, const HeartbeatOptions& h, const Invocation& invocation) {
        if (e.nodes < 1 || e.nodes > 4) {
          throw InputError(fmt::format("--nodes must be from 1 to 4 for explore, got {}", e.nodes));
        }
        const HeartbeatScenario s = heartbeat_scenario(h, 0, e.nodes);
        ExploreModel model{.monitor = s.monitor, .sender = s.sender};
        for (NodeId id = 0; id <= s.nodes; ++id) model.ids.push_back(id);
        model.latency_max_ns = explore_settings(e).latency_max_ns;
        return run_explore("heartbeat", invocation, e, std::move(model));
      });
}

void distlab::detect::Descriptor::add_command(const cli::CommandSite& site) {
  cli::add_heartbeat_command(site.parent, site.action, site.invocation);
  cli::add_monitor_command(site.parent, site.action);
  cli::add_node_command(site.parent, site.action);
}

distlab::cli::SweepSubject distlab::detect::Descriptor::sweep_subject() {
  return {.draw = cli::draw_heartbeat, .run = cli::sweep_runner(&cli::add_heartbeat_run_flags, &cli::heartbeat_trial)};
}
