#include "cli/real/launch_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/html_report.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "distlab/algo/registry.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/harness/faults.h"
#include "distlab/runtime/udp/seal.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/merge.h"

namespace distlab::cli {
namespace {

// The exit code of a launch stopped by SIGINT or SIGTERM, as a shell reports one.
constexpr int kExitInterrupted = 130;

// Tells the launch as it happens: the start, each fault, and the story events the
// processes trace (an election, a new leader, a suspicion, a snapshot started: what
// the diagram's overview marks), with a progress line on a terminal's stderr.
class Progress : public LaunchObserver {
 public:
  Progress(Lang lang, const std::string& algorithm)
      : pt_(lang == Lang::pt), line_("launch " + algorithm), hints_(algorithms::diagram_hints()) {}

  void launching(const LaunchSpec& spec, std::uint16_t first_port, std::uint16_t last_port) override {
    duration_ns_ = spec.duration_ns;
    if (spec.netns) {
      say(fmt::format(
          fmt::runtime(
              pt_ ? "Iniciando {} processos ({}, semente {}), cada um em seu namespace de rede, numa "
                    "ponte ({} a {}, porta {}+ID), por {}."
                  : "Launching {} processes ({}, seed {}), each in a network namespace of its own, on a "
                    "bridge ({} to {}, port {}+ID), for {}."),
          spec.ids.size(), spec.algorithm, spec.seed, NamespaceNetwork::address_of_index(0),
          NamespaceNetwork::address_of_index(spec.ids.size() - 1), first_port - spec.ids.front(),
          format_duration(spec.duration_ns)));
      return;
    }
    const std::string ports =
        spec.base_port == 0 ? (pt_ ? "portas livres" : "free ports")
                            : fmt::format(fmt::runtime(pt_ ? "portas {} a {}" : "ports {} to {}"), first_port, last_port);
    say(fmt::format(fmt::runtime(pt_ ? "Iniciando {} processos ({}, semente {}) em 127.0.0.1, {}, por {}."
                                     : "Launching {} processes ({}, seed {}) on 127.0.0.1, {}, for {}."),
                    spec.ids.size(), spec.algorithm, spec.seed, ports, format_duration(spec.duration_ns)));
  }
  void failed(Nanos t, const ProcessOutcome& process) override {
    say(fmt::format("{}: {}", format_duration_rounded(t), describe_exit(process, pt_ ? Lang::pt : Lang::en)));
  }
  void killed(Nanos t, NodeId node) override {
    say(fmt::format(fmt::runtime(pt_ ? "{}: nó {} morto (SIGKILL)." : "{}: node {} killed (SIGKILL)."),
                    format_duration_rounded(t), node));
  }
  void restarted(Nanos t, NodeId node) override {
    say(fmt::format(fmt::runtime(pt_ ? "{}: nó {} reiniciado." : "{}: node {} restarted."),
                    format_duration_rounded(t), node));
  }
  void paused(Nanos t, NodeId node) override {
    say(fmt::format(fmt::runtime(pt_ ? "{}: nó {} pausado (SIGSTOP)." : "{}: node {} paused (SIGSTOP)."),
                    format_duration_rounded(t), node));
  }
  void resumed(Nanos t, NodeId node) override {
    say(fmt::format(fmt::runtime(pt_ ? "{}: nó {} retomado (SIGCONT)." : "{}: node {} resumed (SIGCONT)."),
                    format_duration_rounded(t), node));
  }
  void partitioned(Nanos t, const sim::Partition& p, bool heals) override {
    const trace::NetworkFault f{.one_way = p.directed, .groups = p.groups};
    say(fmt::format(
        fmt::runtime(heals ? (pt_ ? "{}: partição {} desfeita." : "{}: partition {} healed.")
                           : (pt_ ? "{}: partição {} (nftables)." : "{}: partition {} (nftables).")),
        format_duration_rounded(t), trace::network_sides(f)));
  }
  void traced(const trace::Record& r) override {
    if (const std::optional<std::string> story = story_of(r)) {
      say(fmt::format("{}: {}", format_duration_rounded(r.t), *story));
    }
  }
  void advanced(Nanos t, std::size_t running, std::uint64_t events) override {
    if (!line_.due()) return;
    line_.show(fmt::format(fmt::runtime(pt_ ? "{} de {}, {} processos no ar, {} eventos"
                                            : "{} of {}, {} processes running, {} events"),
                           format_duration_rounded(t, 3), format_duration(duration_ns_), running,
                           thousands(events)));
  }

 private:
  // "n4 starts an election", "n1 suspects n2": the overview's words, with the node first.
  std::optional<std::string> story_of(const trace::Record& r) const {
    if (r.kind != EventKind::state) return std::nullopt;  // crashes and restarts are the launcher's lines
    const std::string story = trace::mark_of(r, hints_).story;
    if (story.empty()) return std::nullopt;
    const std::string node = trace::draw::node_name(r.node);
    return story.starts_with(node + " ") ? story : node + " " + story;
  }
  void say(const std::string& line) { line_.print(line); }

  bool pt_;
  ProgressLine line_;
  trace::DiagramHints hints_;
  Nanos duration_ns_ = 0;
};

}  // namespace

std::string describe_exit(const ProcessOutcome& p, Lang lang) {
  const bool pt = lang == Lang::pt;
  std::string how = p.signal != 0 ? fmt::format(fmt::runtime(pt ? "terminou pelo sinal {}" : "ended by signal {}"), p.signal)
                                  : fmt::format(fmt::runtime(pt ? "saiu com código {}" : "exited with code {}"), p.exit_code);
  if (p.stopped_late) how = pt ? "não parou ao fim da execução e foi morto" : "did not stop at the end and was killed";
  std::string life = p.incarnation > 0 ? fmt::format(fmt::runtime(pt ? " (reinício {})" : " (restart {})"), p.incarnation) : "";
  return fmt::format(fmt::runtime(pt ? "nó {}{} {}{}" : "node {}{} {}{}"), p.node, life, how, p.error.empty() ? "" : ": " + p.error);
}

trace::CheckResult processes_check(const LaunchResult& result) {
  std::vector<std::string> failures;
  std::size_t killed = 0;
  for (const ProcessOutcome& p : result.processes) {
    if (!p.ok()) failures.push_back(describe_exit(p, Lang::en));
    killed += p.killed_as_planned ? 1 : 0;
  }
  if (!failures.empty()) {
    return {std::string(kProcessesCheck.id), trace::CheckStatus::fail, fmt::format("{}", fmt::join(failures, "; "))};
  }
  return {std::string(kProcessesCheck.id), trace::CheckStatus::pass,
          fmt::format("{} processes ran to the end{}", result.processes.size() - killed,
                      killed > 0 ? fmt::format(", {} killed as planned", killed) : "")};
}


void add_launch_options(CLI::App& cmd, LaunchOptions& o, const LaunchHelp& help) {
  cmd.add_option("--nodes", o.nodes, help.nodes)->type_name("N");
  const std::string faults = "Faults (real signals)";
  cmd.add_option("--kill", o.kill, "SIGKILL node ID at TIME after the start (repeatable)")
      ->type_name("ID@TIME")
      ->group(faults);
  cmd.add_option("--restart", o.restart, "Start killed node ID again at TIME; it recovers (repeatable)")
      ->type_name("ID@TIME")
      ->group(faults);
  cmd.add_option("--pause", o.pause,
                 "Stop node ID with SIGSTOP at TIME, and let it go on with SIGCONT after DURATION, as the "
                 "simulator's "
                 "--pause holds a node (repeatable)")
      ->type_name("ID@TIME+DURATION")
      ->group(faults);
  const std::string network = "Network faults (--netns, root)";
  cmd.add_flag("--netns", o.netns,
               "Run each node in a network namespace of its own, on a bridge, so that --loss and --partition "
               "act on its datagrams (needs root; nothing is left behind)")
      ->group(network);
  cmd.add_option("--loss", o.loss,
                 "Drop each datagram between nodes with probability P, as the simulator's --loss")
      ->type_name("P")
      ->group(network);
  cmd.add_option("--dup", o.dup,
                 "Deliver each datagram between nodes twice with probability P, as the simulator's --dup")
      ->type_name("P")
      ->group(network);
  cmd.add_option(
         "--partition", o.partition,
         "Cut the network at the given times, as the simulator's --partition: 1,2/3@1s..2s (two-way), "
         "1>2@1s.. (one-way) (repeatable)")
      ->type_name("SPEC")
      ->group(network);
  cmd.add_flag("--no-faults", o.no_faults,
               help.default_faults.empty() ? "No default faults (this scenario has none)"
                                           : "No default faults (" + help.default_faults + ")")
      ->group(faults);
  cmd.add_option("--duration", o.duration, "How long the processes run (default: the scenario's)")
      ->type_name("DURATION");
  cmd.add_option("--base-port", o.base_port,
                 "Node ID listens on 127.0.0.1 port P+ID (default: free ports chosen by the system)")
      ->type_name("P");
  cmd.add_option("--keep", o.keep, "Keep the cluster file, per-process traces and logs in DIR")->type_name("DIR");
  add_common_options(cmd, o.common);
  add_html_option(cmd, o.common.html_path);
  add_key_options(cmd, o.keys, {.epoch = false, .allow_text = false});
  cmd.get_option("--seed")->description(
      "The scenario's seed, the same in every process (default: drawn and printed); real timing is not replayed");
}

std::int64_t launch_node_count(const LaunchOptions& o, std::int64_t fallback, std::int64_t min, std::string_view why) {
  const std::int64_t n = o.nodes.value_or(fallback);
  require_at_least("--nodes", n, min, why);
  constexpr std::int64_t kMaxProcesses = 1000;  // one process each, on one host
  if (n > kMaxProcesses) {
    throw InputError(fmt::format("--nodes is at most {} for a launch (one process per node), got {}",
                                 kMaxProcesses, n));
  }
  return n;
}

int launch_and_report(const LaunchOptions& o, const LaunchScenario& s, std::uint64_t seed, const LaunchReport& report) {
  LaunchSpec spec;
  spec.algorithm = s.algorithm;
  spec.ids = s.ids;
  spec.algo_args = s.algo_args;
  spec.duration_ns = s.default_duration_ns;
  if (!o.duration.empty()) {
    spec.duration_ns = parse_duration_option("--duration", o.duration);
    if (spec.duration_ns <= 0) throw InputError("--duration must be longer than 0");
  }
  const bool defaults = o.kill.empty() && o.restart.empty() && o.pause.empty() && !o.no_faults;
  if (defaults) {
    for (const PlannedFault& f : s.default_faults) {
      if (f.at_ns < spec.duration_ns) spec.faults.push_back(f);
    }
  } else {
    spec.faults = validate_faults(o.kill, o.restart, o.pause, s.ids, spec.duration_ns,
                                  {.unkillable = s.unkillable,
                                   .unkillable_why = s.unkillable_why,
                                   .unpausable = s.unpausable,
                                   .unpausable_why = s.unpausable_why});
  }
  if (!o.netns && (o.loss != 0.0 || o.dup != 0.0 || !o.partition.empty())) {
    throw InputError(
        fmt::format("{} needs --netns: the network's faults act on namespaces' links (and need root)",
                    o.loss != 0.0  ? "--loss"
                    : o.dup != 0.0 ? "--dup"
                                   : "--partition"));
  }
  FaultOptions network_options;
  network_options.loss = o.loss;
  network_options.dup = o.dup;
  network_options.partition = o.partition;
  const SimSetup network =
      build_sim_setup(network_options, s.ids, seed, {});  // the simulator's syntax and bounds
  if (o.netns) {                                          // before any file or process
    if (const std::string why = NamespaceNetwork::needs_root(); !why.empty()) throw InputError(why);
    if (const std::string why = NamespaceNetwork::missing_program(); !why.empty()) throw RuntimeFailure(why);
  }
  spec.netns = o.netns;
  spec.network = {.loss = network.network.defaults.loss,
                  .dup = network.network.defaults.dup,
                  .partitions = network.network.partitions};
  spec.seed = seed;
  spec.base_port = o.base_port;
  if (o.base_port < 0) throw InputError(fmt::format("--base-port must be a port number, got {}", o.base_port));
  spec.keep_dir = o.keep;
  spec.process_args = {"--lang", o.common.lang == Lang::pt ? "pt" : "en"};
  if (!o.keys.key_file.empty()) {
    udp::Keyring::read_file(o.keys.key_file);  // a bad key fails before any process starts
    spec.process_args.push_back("--key-file");
    spec.process_args.push_back(std::filesystem::absolute(o.keys.key_file).string());
  }
  const bool progress = !o.common.json && !o.common.quiet;
  Progress printer(o.common.lang, s.algorithm);
  if (progress) spec.observer = &printer;

  std::optional<trace::JsonlWriter> writer;  // opened first: a bad path fails before any process starts
  trace::Header header = sim_header(s.algorithm, seed, s.ids, network_options);  // with its partitions
  header.mode = "real";
  if (!o.common.trace_path.empty()) writer.emplace(o.common.trace_path, header);
  if (!o.common.html_path.empty()) check_creatable(o.common.html_path);

  const LaunchResult result = launch(spec);
  if (result.interrupted) {
    // Ctrl+C keeps what was traced: the trace, the diagram and the report of the run so far.
    print_error(
        fmt::format(fmt::runtime(o.common.lang == Lang::pt
                                     ? "interrompido em {} de {}; todos os processos foram parados; "
                                       "o que traçaram até aí segue"
                                     : "interrupted at {} of {}; every process was stopped; what they "
                                       "traced until then follows"),
                    format_duration_rounded(result.interrupted_at, 3), format_duration(spec.duration_ns)));
  }
  const trace::Trace merged = trace::merge_traces(header, result.parts);
  // Both written before either is in place: a full disk leaves neither.
  std::optional<OutputFile> page = stage_run_html(o.common.html_path, merged);
  if (writer) {
    for (const trace::Record& r : merged.events) writer->write(r);
    writer->commit();
  }
  if (page) page->publish();
  if (progress && !o.keep.empty()) {
    fmt::print(fmt::runtime(o.common.lang == Lang::pt ? "Arquivos dos processos em {}.\n"
                                                      : "The processes' files are in {}.\n"),
               o.keep);
  }
  if (progress && result.dropped) {
    fmt::print(fmt::runtime(
                   o.common.lang == Lang::pt
                       ? "A rede descartou {} datagramas por perda e {} por partição (regras nftables).\n"
                       : "The network dropped {} datagrams by loss and {} by partition (nftables rules).\n"),
               thousands(result.dropped->loss), thousands(result.dropped->partition));
    if (o.dup > 0) {
      fmt::print(fmt::runtime(o.common.lang == Lang::pt ? "E entregou {} datagramas duas vezes.\n"
                                                        : "It delivered {} datagrams twice.\n"),
                 thousands(result.dropped->duplicated));
    }
  }
  if (progress) {
    fmt::print(fmt::runtime(o.common.lang == Lang::pt
                                ? "\nA execução inteira, do traço combinado dos processos:\n"
                                : "\nThe whole run, from the processes' merged trace:\n"));
  }
  ReportSettings settings = report_settings(o.common, seed, "");
  if (!result.interrupted) settings.extra_checks.push_back(processes_check(result));
  const int code = report(merged, settings);
  return result.interrupted ? kExitInterrupted : code;
}

CLI::App* add_launch_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "launch", "Run an algorithm as real processes on this host, one per node, with real kills; then check it");
  cmd->require_subcommand(1);
  return cmd;
}

}  // namespace distlab::cli
