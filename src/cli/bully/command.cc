// `distlab bully`: Bully leader election (the seed's question 3).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/bully/command.h"
#include "distlab/harness/bully/scenario.h"
#include "cli/report.h"
#include "distlab/algo/bully/descriptor.h"
#include "cli/commands.h"
#include "cli/explore.h"
#include "distlab/algo/bully/explore.h"
#include "cli/recording.h"
#include "cli/sweep.h"
#include "distlab/harness/lamport/scenario.h"
#include "cli/output.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/algo/bully/checker.h"
#include "distlab/algo/bully/notes.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::cli {
namespace {

using json = nlohmann::ordered_json;
using trace::Record;

// Beyond this many nodes the run keeps only annotations in memory (not every
// message) and the narrative shows only elections, leaders and faults.
constexpr std::uint32_t kKeepMessagesUpTo = 200;


struct Text {
  std::string_view started;       // {0} node
  std::string_view noticed;       // {0} node, {1} leader
  std::string_view asks;          // {0} node, {1} to
  std::string_view answers;       // {0} node, {1} to
  std::string_view announces;     // {0} node, {1} to
  std::string_view acks;          // {0} node, {1} to
  std::string_view won;           // {0} node
  std::string_view recognises;    // {0} node, {1} leader
  std::string_view crashed;       // {0} node
  std::string_view recovered;     // {0} node
  std::string_view elections;     // {0} count
  std::string_view messages;      // {0} list
  std::string_view after_crash;   // {0} node, {1} at, {2} leader, {3} agreed at, {4} took
  std::string_view after_recover; // same
  std::string_view crash_never;   // {0} node, {1} at
  std::string_view recover_never; // {0} node, {1} at
  std::string_view final_leader;  // {0} leader
  std::string_view no_leader;
  std::string_view two_leaders;   // {0} leaders
  std::string_view split;         // {0} a, {1} b, {2} from, {3} to
};

constexpr Text kEnglish{
    .started = "Node {0} started an election.",
    .noticed = "Node {0} stopped hearing from leader {1}.",
    .asks = "Node {0} -> Node {1}: do you have a higher id?",
    .answers = "Node {0} -> Node {1}: yes (OK), I take it from here.",
    .announces = "Node {0} -> Node {1}: I am the leader (COORDINATOR).",
    .acks = "Node {0} -> Node {1}: understood (ACK).",
    .won = "\nNode {0} became the new leader!\n",
    .recognises = "Node {0} recognises {1} as leader.",
    .crashed = "\nNode {0} failed!\n",
    .recovered = "\nNode {0} is back up.\n",
    .elections = "Elections started: {0}.",
    .messages = "Messages: {0}.",
    .after_crash = "Leader {0} crashed at {1}; every live node followed {2} at {3} ({4} later).",
    .after_recover = "Node {0} recovered at {1}; every live node followed {2} at {3} ({4} later).",
    .crash_never =
        "Leader {0} crashed at {1}; the live nodes never agreed on a leader again before the run ended.",
    .recover_never =
        "Node {0} recovered at {1}; the live nodes never agreed on a leader again before the run ended.",
    .final_leader = "Final leader: {0}.",
    .no_leader = "No leader at the end.",
    .two_leaders = "Leaders at the end: {0} (split brain).",
    .split =
        "WARNING: split brain: nodes {0} and {1} both held leadership from {2} to {3} while messages were "
        "lost. Bully's known weakness: it cannot tell a cut network from a crashed leader.",
};

constexpr Text kPortuguese{
    .started = "Nó {0} iniciou uma eleição.",
    .noticed = "Nó {0} detectou a falha de {1} e vai iniciar a nova eleição.",
    .asks = "Nó {0} -> Nó {1}: Você tem um ID maior?",
    .answers = "Nó {0} -> Nó {1}: Sim (OK), eu assumo.",
    .announces = "Nó {0} -> Nó {1}: Eu sou o líder (COORDINATOR).",
    .acks = "Nó {0} -> Nó {1}: Entendido (ACK).",
    .won = "\nNó {0} tornou-se o novo líder!\n",
    .recognises = "Nó {0} reconhece o {1} como líder.",
    .crashed = "\nNó {0} falhou!\n",
    .recovered = "\nNó {0} voltou a funcionar.\n",
    .elections = "Eleições iniciadas: {0}.",
    .messages = "Mensagens: {0}.",
    .after_crash = "O líder {0} falhou em {1}; todos os nós vivos seguiram {2} em {3} ({4} depois).",
    .after_recover = "O nó {0} voltou em {1}; todos os nós vivos seguiram {2} em {3} ({4} depois).",
    .crash_never =
        "O líder {0} falhou em {1}; os nós vivos não voltaram a concordar sobre um líder antes do fim.",
    .recover_never =
        "O nó {0} voltou em {1}; os nós vivos não voltaram a concordar sobre um líder antes do fim.",
    .final_leader = "Líder final: {0}.",
    .no_leader = "Nenhum líder no fim.",
    .two_leaders = "Líderes no fim: {0} (cérebro dividido).",
    .split =
        "ATENÇÃO: cérebro dividido: os nós {0} e {1} lideraram ao mesmo tempo de {2} a {3}, enquanto "
        "mensagens "
        "se perdiam. Fraqueza conhecida do Bully: não distingue uma rede cortada de um líder que falhou.",
};

class Narrator {
 public:
  Narrator(const Text& text, bool timestamps) : text_(text), timestamps_(timestamps) {}

  void narrate(const Record& r) {
    t_ = r.t;
    switch (r.kind) {
      case EventKind::send:
        if (r.type == "election") say(text_.asks, r.node, r.peer);
        if (r.type == "answer") say(text_.answers, r.node, r.peer);
        if (r.type == "coordinator") say(text_.announces, r.node, r.peer);
        if (r.type == "ack") say(text_.acks, r.node, r.peer);
        return;
      case EventKind::crash: return say(text_.crashed, r.node);
      case EventKind::recover: return say(text_.recovered, r.node);
      case EventKind::state: break;
      default: return;
    }
    const json& d = r.data;
    if (const auto election = bully::ElectionNote::from_json(d)) {
      if (election->kind == bully::ElectionNote::Kind::won) return say(text_.won, r.node);
      if (election->reason == "leader_timeout" && beliefs_.contains(r.node)) {
        say(text_.noticed, r.node, beliefs_[r.node]);
      }
      return say(text_.started, r.node);
    }
    const auto note = bully::LeaderNote::from_json(d);
    if (note && note->leader) {
      const NodeId leader = *note->leader;
      beliefs_[r.node] = leader;
      if (leader != r.node) say(text_.recognises, r.node, leader);
    }
  }

 private:
  template <class... Args>
  void say(std::string_view form, Args&&... args) {
    print_narrative(fmt::format(fmt::runtime(form), std::forward<Args>(args)...) + "\n",
                    timestamps_ ? std::optional<Nanos>(t_) : std::nullopt);
  }
  const Text& text_;
  bool timestamps_;
  Nanos t_ = 0;  // of the record being told
  std::map<NodeId, NodeId> beliefs_;
};

std::optional<Nanos> time_or_off(std::string_view option, const std::string& value) {
  if (value == "off") return std::nullopt;
  return parse_duration_option(option, value);
}

}  // namespace

BullyScenario bully_scenario(const BullyOptions& o, std::uint64_t seed, std::int64_t nodes) {
  require_at_least("--nodes", nodes, 2, "an election needs someone to elect");
  if (nodes > kMaxBullyNodes) throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxBullyNodes, nodes));
  if (o.starter && (*o.starter < 1 || *o.starter > nodes)) {
    throw InputError(fmt::format("--starter {} is not a node (nodes are 1..{})", *o.starter, nodes));
  }
  if (o.no_heartbeat && !o.fail_leader.empty() && o.fail_leader != "off") {
    throw InputError("--fail-leader needs heartbeats: with --no-heartbeat nobody would notice the crash");
  }
  BullyScenario s;
  s.seed = seed;
  s.nodes = static_cast<std::uint32_t>(nodes);
  if (o.starter) s.starter = static_cast<NodeId>(*o.starter);
  const std::string fail_leader = !o.fail_leader.empty() ? o.fail_leader : o.no_heartbeat ? "off" : "1s";
  s.fail_leader_ns = time_or_off("--fail-leader", fail_leader);
  s.faults = o.faults;
  for (const std::string& r : o.recover) {
    if (r.find('@') != std::string::npos) {
      s.faults.recover.push_back(r);  // the general fault option: ID@TIME
    } else {
      s.recover_ns = time_or_off("--recover", r);
    }
  }
  if (!s.fail_leader_ns) s.recover_ns.reset();  // nothing to recover
  s.options.heartbeat_ns = parse_duration_option("--heartbeat", o.heartbeat);
  s.options.leader_timeout_ns = parse_duration_option("--leader-timeout", o.leader_timeout);
  s.options.answer_timeout_ns = parse_duration_option("--answer-timeout", o.answer_timeout);
  s.options.coordinator_timeout_ns = parse_duration_option("--coordinator-timeout", o.coordinator_timeout);
  s.options.heartbeats = !o.no_heartbeat;
  s.options.bug = algorithms::bug_named<bully::Bug>(bully::Descriptor::kBugs, o.bug);
  validate(s);
  return s;
}

int report_bully(const trace::Trace& tr, const std::map<std::string, std::uint64_t, std::less<>>& by_type,
                 NodeId starter, const ReportSettings& settings) {
  const Lang lang = settings.lang;
  const Text& text = lang == Lang::pt ? kPortuguese : kEnglish;
  const bool narrate = !settings.json && !settings.quiet;
  if (narrate) {
    Narrator narrator(text, settings.timestamps);
    NetworkNarrator network(tr, lang, settings.timestamps);
    for (const Record& r : tr.events) {
      network.before(r.t);
      narrator.narrate(r);
    }
    network.finish();
  }
  const auto checks = run_checks(tr, settings);
  const bully::ElectionAnalysis analysis = bully::analyze_election(tr);

  if (settings.json) {
    json out;
    out["algorithm"] = "bully";
    out["seed"] = settings.seed;
    out["nodes"] = tr.header.nodes.size();
    out["starter"] = starter;
    out["leader"] = analysis.agreed_leader ? json(*analysis.agreed_leader) : json(nullptr);
    out["elections"] = analysis.elections_started;
    out["messages"] = json(by_type);
    auto& failovers = out["failovers"] = json::array();
    for (const auto& f : analysis.failovers) {
      json entry{{"cause", f.cause}, {"node", f.node}, {"at_ns", f.at_ns}};
      entry["agreed_ns"] = f.agreed_ns ? json(*f.agreed_ns) : json(nullptr);
      entry["leader"] = f.agreed_ns ? json(f.leader) : json(nullptr);
      entry["latency_ns"] = f.agreed_ns ? json(*f.agreed_ns - f.at_ns) : json(nullptr);
      failovers.push_back(entry);
    }
    auto& split = out["split_brain"] = json::array();
    if (analysis.network_faulty) {
      for (const auto& ov : analysis.overlaps) {
        split.push_back({{"nodes", {ov.a.node, ov.b.node}}, {"from_ns", ov.from_ns}, {"to_ns", ov.to_ns}});
      }
    }
    add_checks_json(out, checks);
    fmt::print("{}\n", out.dump());
    return trace::all_passed(checks) ? kExitOk : kExitViolation;
  }

  if (narrate) fmt::print("\n");
  fmt::print("{}\n", fmt::format(fmt::runtime(text.elections), analysis.elections_started));
  std::vector<std::string> counts;
  for (const auto& [type, n] : by_type) counts.push_back(fmt::format("{} {}", type, n));
  fmt::print("{}\n", fmt::format(fmt::runtime(text.messages), fmt::join(counts, ", ")));
  for (const auto& f : analysis.failovers) {
    const std::string_view form = f.cause == "crash" ? text.after_crash : text.after_recover;
    if (f.agreed_ns) {
      fmt::print("{}\n", fmt::format(fmt::runtime(form), f.node, format_duration_rounded(f.at_ns), f.leader,
                                     format_duration_rounded(*f.agreed_ns),
                                     format_duration_rounded(*f.agreed_ns - f.at_ns)));
    } else {
      fmt::print("{}\n", fmt::format(fmt::runtime(f.cause == "crash" ? text.crash_never : text.recover_never), f.node,
                                     format_duration_rounded(f.at_ns)));
    }
  }
  if (analysis.agreed_leader) {
    fmt::print("{}\n", fmt::format(fmt::runtime(text.final_leader), *analysis.agreed_leader));
  } else if (analysis.leaders_at_end.size() > 1) {
    fmt::print("{}\n", fmt::format(fmt::runtime(text.two_leaders), fmt::join(analysis.leaders_at_end, ", ")));
  } else {
    fmt::print("{}\n", text.no_leader);
  }
  if (analysis.network_faulty) {
    for (const auto& ov : analysis.overlaps) {
      fmt::print("{}\n", fmt::format(fmt::runtime(text.split), ov.a.node, ov.b.node, format_duration_rounded(ov.from_ns),
                                     format_duration_rounded(ov.to_ns)));
    }
  }
  print_checks(checks, lang);
  print_replay_line(settings);
  return trace::all_passed(checks) ? kExitOk : kExitViolation;
}



namespace {

// The trace header of a simulated run: the command's and a sweep's.
trace::Header header_of(const BullyScenario& s) {
  return harness::sim_header("bully", s.seed, node_ids(s.nodes), s.faults);
}

}  // namespace

int run_bully(const BullyOptions& o, std::span<const std::string> args) {
  const BullyScenario s = bully_scenario(o, resolve_seed(o.common), o.nodes);
  const trace::Header header = header_of(s);
  SimRecording recording(
      header, o.common,
      s.nodes <= kKeepMessagesUpTo ? trace::Recorder::Keep::everything : trace::Recorder::Keep::annotations);
  const BullyOutcome outcome = run_bully_scenario(s, &recording.sink());
  recording.commit();
  ReportSettings settings = report_settings(o.common, s.seed, replay_command(args, s.seed));
  settings.bug = bug_description(bully::Descriptor::kBugs, o.bug);
  return report_bully(recording.recorder().trace(), recording.recorder().sent_by_type(), outcome.starter,
                      settings);
}

void add_bully_options(CLI::App& cmd, BullyOptions& o) {
  cmd.add_option("--starter", o.starter, "The node that starts the first election (default: drawn)")->type_name("ID");
  const std::string timing = "Timeouts";
  cmd.add_option("--heartbeat", o.heartbeat, "Leader heartbeat interval (default 100ms)")
      ->type_name("DURATION")->group(timing);
  cmd.add_option("--leader-timeout", o.leader_timeout, "Silence after which a follower starts an election (default 350ms)")
      ->type_name("DURATION")->group(timing);
  cmd.add_option("--answer-timeout", o.answer_timeout,
                 "Wait for an answer (and for acknowledgements) before winning (default 50ms)")
      ->type_name("DURATION")->group(timing);
  cmd.add_option("--coordinator-timeout", o.coordinator_timeout,
                 "Wait for the coordinator after an answer before starting again (default 200ms)")
      ->type_name("DURATION")->group(timing);
  cmd.add_flag("--no-heartbeat", o.no_heartbeat,
               "No leader heartbeats: the run ends when the election does (for counting messages)")
      ->group(timing);
}

std::vector<std::string> bully_args(const BullyOptions& o) {
  std::vector<std::string> args{"--heartbeat", o.heartbeat, "--leader-timeout", o.leader_timeout,
                                "--answer-timeout", o.answer_timeout, "--coordinator-timeout", o.coordinator_timeout};
  if (o.starter) args.insert(args.end(), {"--starter", std::to_string(*o.starter)});
  if (o.no_heartbeat) args.push_back("--no-heartbeat");
  return args;
}

namespace {

// The flags of a simulated run before the common ones: the command's, and a sweep's.
void add_bully_run_flags(CLI::App& cmd, BullyOptions& o) {
  cmd.add_option("--nodes", o.nodes, "Number of nodes, 2 or more (default 5)")->type_name("N");
  cmd.add_option("--fail-leader", o.fail_leader,
                 "Crash whichever node leads at TIME (default 1s; off with --no-heartbeat; off: never)")
      ->type_name("TIME|off");
  cmd.add_option("--recover", o.recover,
                 "TIME: restart the failed leader then (default 3s; off: never); ID@TIME: restart any "
                 "crashed node (repeatable)")
      ->type_name("TIME|off|ID@TIME");
  add_bully_options(cmd, o);
  add_bug_option(cmd, o.bug, bully::Descriptor::kBugs);
}

// ---- distlab sweep bully ----

SweepTrial bully_trial(const BullyOptions& o, std::uint64_t seed, EventSink* tap) {
  const BullyScenario s = bully_scenario(o, seed, o.nodes);
  return judge_in_memory(header_of(s), tap, [&](EventSink* sink) { run_bully_scenario(s, sink); });
}

// Timeouts within sane bounds, messages faster than a third of the answer timeout (the
// synchrony Bully assumes), duplicated or reordered ones too, lost only to partitions
// (--loss would last the whole run, and the checker's bound assumes a reliable network
// after the faults); faults over by 1 to 4 s, then a quiet phase of twice that bound,
// in which every live node must follow the highest id.
void draw_bully(SweepDraw& d) {
  const std::int64_t nodes = d.integer("--nodes", 3, 7);
  const Nanos heartbeat = d.duration("--heartbeat", 50 * kMillisecond, 200 * kMillisecond);
  const Nanos leader_timeout = d.duration("--leader-timeout", 3 * heartbeat, 5 * heartbeat);
  const Nanos answer = d.duration("--answer-timeout", 40 * kMillisecond, 100 * kMillisecond);
  const Nanos coordinator = d.duration("--coordinator-timeout", 2 * answer, 4 * answer);
  const Nanos fault_end = d.rng().between(1, 4) * kSecond;
  // The checker times agreement from the last crash or recovery: partitions come in
  // the first half of the fault phase, crashes in the second. No pauses: a paused
  // leader is a slow process that Bully takes for a crashed one, and two nodes then
  // lead at once on a reliable network (its synchrony assumption, not a bug to find).
  FaultProfile profile{.ids = node_ids(static_cast<std::uint32_t>(std::max<std::int64_t>(nodes, 2))),
                       .fault_end_ns = fault_end,
                       .disruptions_end_ns = fault_end / 2,
                       .crashes_from_ns = fault_end / 2,
                       .pause = false,
                       .dup = true,
                       .reorder = true,
                       .latency_max_ns = answer / 3};
  profile.faulty = profile.ids;
  // Either the scenario's own fault (whoever leads is crashed, and maybe comes back) or a plan.
  const Nanos half_ms = fault_end / kMillisecond / 2;
  const Nanos fail_at = (half_ms + d.rng().between(1, half_ms / 2)) * kMillisecond;
  const Nanos back_at = fail_at + d.rng().between(1, half_ms / 2) * kMillisecond;
  const bool comes_back = d.rng().chance(0.7);
  if (d.rng().chance(0.5)) {
    d.set("--fail-leader", fmt::format("{}ms", fail_at / kMillisecond));
    d.set("--recover", comes_back ? fmt::format("{}ms", back_at / kMillisecond) : "off");
    profile.crash = false;
  } else {
    d.set("--fail-leader", "off");
  }
  d.faults(profile);
  const Nanos bound = bully::stabilization_bound(leader_timeout + leader_timeout / 2, answer, coordinator, coordinator);
  d.set("--until", fmt::format("{}ms", (fault_end + 2 * bound + 500 * kMillisecond) / kMillisecond));
}

}  // namespace

void add_bully_command(CLI::App& app, Action& run, const Invocation& invocation) {
  auto options = std::make_shared<BullyOptions>();
  CLI::App* cmd = app.add_subcommand("bully", "Bully leader election: the seed's question 3");
  add_bully_run_flags(*cmd, *options);
  add_common_options(*cmd, options->common);
  add_trace_format_option(*cmd, options->common.trace_format);
  add_html_option(*cmd, options->common.html_path);
  add_fault_options(*cmd, options->faults, /*with_recover=*/false);
  cmd->callback([options, &run, &invocation] {
    run = [options, &invocation] { return run_bully(*options, invocation.args); };
  });
}

}  // namespace distlab::cli

void distlab::bully::Descriptor::add_command(const cli::CommandSite& site) {
  cli::add_bully_command(site.parent, site.action, site.invocation);
}

void distlab::bully::Descriptor::add_explore(const cli::CommandSite& site) {
  using namespace distlab::cli;
  add_explore_algorithm<BullyOptions>(
      site, "bully",
      "Bully election: every schedule of its messages and timeouts; checks at every state that no two live "
      "nodes "
      "lead and none follows a lower id, and where nothing is left to happen, that every live node follows "
      "the "
      "highest",
      {}, "Number of nodes, 2 to 6 (default 3)",
      [](CLI::App& cmd, BullyOptions& b) {
        add_bully_options(cmd, b);
        cmd.get_option("--starter")
            ->description(
                "A node that starts an election at once (default: none, the leader timeouts start one)");
        add_bug_option(cmd, b.bug, kBugs);
      },
      [](const ExploreOptions& e, const BullyOptions& given, const Invocation& invocation) {
        ExploreModel model{.ids = explore_ids(e, 2, 6)};
        BullyOptions b = given;
        b.fail_leader = "off";  // the budgets crash and recover nodes
        b.recover.clear();
        const BullyScenario s = bully_scenario(b, 0, e.nodes);
        model.options = s.options;
        model.starter = s.starter;
        if (!model.options.heartbeats && !model.starter) {
          throw InputError(
              "--no-heartbeat needs --starter: without heartbeats no timeout starts an election");
        }
        return run_explore("bully", invocation, e, std::move(model));
      });
}

distlab::cli::SweepSubject distlab::bully::Descriptor::sweep_subject() {
  return {.draw = cli::draw_bully,
          .run = cli::sweep_runner(&cli::add_bully_run_flags, &cli::bully_trial),
          .switch_off = {"--fail-leader", "--recover"}};
}
