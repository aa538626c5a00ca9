// `distlab snapshot`: Chandy-Lamport global snapshots (the seed's question 2).
#include "cli/snapshot/command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "cli/commands.h"
#include "cli/explore.h"
#include "cli/output.h"
#include "cli/recording.h"
#include "cli/report.h"
#include "cli/sweep.h"
#include "distlab/algo/snapshot/checker.h"
#include "distlab/algo/snapshot/descriptor.h"
#include "distlab/algo/snapshot/explore.h"
#include "distlab/algo/snapshot/notes.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/core/json_object.h"
#include "distlab/harness/lamport/scenario.h"
#include "distlab/harness/snapshot/scenario.h"
#include "distlab/trace/causality.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::cli {
namespace {

using json = nlohmann::ordered_json;
using trace::Record;


// Sentences per language; positional arguments as in lamport_command.cc.
struct Text {
  std::string_view player;       // who a node is: "Player" / "Jogador"
  std::string_view account;      // in the bank: "Node" / "Nó"
  std::string_view sent;         // {0} who, {1} node, {2} what, {3} to
  std::string_view received;     // {0} who, {1} node, {2} what, {3} from
  std::string_view paid;         // bank: {0} who, {1} node, {2} amount, {3} to
  std::string_view credited;     // bank: {0} who, {1} node, {2} amount, {3} from
  std::string_view initiated;    // {0} who, {1} node, {2} " (id)" when several
  std::string_view marker_sent;  // {0} who, {1} node, {2} to, {3} " (id)" when several
  std::string_view saved;        // {0} who, {1} node, {2} from, {3} state
  std::string_view closed;       // {0} who, {1} node, {2} from, {3} messages
  std::string_view reported;     // at the end of the run: {0} who, {1} node, {2} from, {3} messages
  std::string_view global;       // {0} who, {1} node, {2} state, {3} channels
  std::string_view title;        // {0} id, {1} initiator
  std::string_view verdict;      // {0} complete, {1} channels, {2} cut, {3} markers, {4} channels in topology
  std::string_view money;        // {0} balances, {1} in channels, {2} sum, {3} initial, {4} verdict
  std::string_view yes_complete, no_complete, yes_exact, no_exact, yes_cut, no_cut, conserved, not_conserved;
};

constexpr Text kEnglish{
    .player = "Player",
    .account = "Node",
    .sent = "{0} {1} sent '{2}' to {0} {3}",
    .received = "{0} {1} received '{2}' from {0} {3}",
    .paid = "{0} {1} sent {2} to node {3}",
    .credited = "{0} {1} received {2} from node {3}",
    .initiated = "\n[SNAPSHOT] {0} {1} started a global snapshot{2}\n",
    .marker_sent = "{0} {1} sent MARKER{3} to {0} {2}",
    .saved = "{0} {1} received MARKER from {2} and saved its state: {3}",
    .closed = "{0} {1} received MARKER from {2} and closed channel {2}->{1}: {3}",
    .reported = "At the end of the run, {0} {1} reports channel {2}->{1}: {3}",
    .global = "\n[GLOBAL STATE] {0} {1}: state = {2}, channels = {3}",
    .title = "Snapshot {0}, started by node {1}:",
    .verdict = "  {0}; {1}; {2}; {3} markers for {4} channels.",
    .money = "  Money: balances {0} + in channels {1} = {2}; initial total {3}: {4}.",
    .yes_complete = "complete",
    .no_complete = "INCOMPLETE",
    .yes_exact = "channel states exact",
    .no_exact = "channel states WRONG",
    .yes_cut = "consistent cut",
    .no_cut = "INCONSISTENT cut",
    .conserved = "conserved",
    .not_conserved = "NOT conserved",
};

constexpr Text kPortuguese{
    .player = "Jogador",
    .account = "Nó",
    .sent = "{0} {1} enviou '{2}' para {0} {3}",
    .received = "{0} {1} recebeu '{2}' de {0} {3}",
    .paid = "{0} {1} transferiu {2} para o nó {3}",
    .credited = "{0} {1} recebeu {2} do nó {3}",
    .initiated = "\n[SNAPSHOT] {0} {1} iniciou a captura de estado global{2}\n",
    .marker_sent = "{0} {1} enviou MARCADOR{3} para {0} {2}",
    .saved = "{0} {1} recebeu MARCADOR de {2} e salvou estado: {3}",
    .closed = "{0} {1} recebeu MARCADOR de {2} e fechou o canal {2}->{1}: {3}",
    .reported = "No fim da execução, {0} {1} informa o canal {2}->{1}: {3}",
    .global = "\n[ESTADO GLOBAL] {0} {1}: Estado = {2}, Canais = {3}",
    .title = "Snapshot {0}, iniciado pelo nó {1}:",
    .verdict = "  {0}; {1}; {2}; {3} marcadores para {4} canais.",
    .money = "  Dinheiro: saldos {0} + nos canais {1} = {2}; total inicial {3}: {4}.",
    .yes_complete = "completo",
    .no_complete = "INCOMPLETO",
    .yes_exact = "estados dos canais exatos",
    .no_exact = "estados dos canais ERRADOS",
    .yes_cut = "corte consistente",
    .no_cut = "corte INCONSISTENTE",
    .conserved = "conservado",
    .not_conserved = "NÃO conservado",
};

// The game's words: the trace is language-neutral, the narrative is not.
std::string_view move_text(std::string_view move, Lang lang) {
  static const std::map<std::string_view, std::pair<std::string_view, std::string_view>> kMoves{
      {"attack", {"Attack", "Ataque"}},
      {"defend", {"Defence", "Defesa"}},
      {"potion", {"Take a potion", "Toma Poção"}},
      {"low_life", {"Low life. Use the potion!", "Vida baixa. Use a poção!"}}};
  auto it = kMoves.find(move);
  if (it == kMoves.end()) return move;
  return lang == Lang::pt ? it->second.second : it->second.first;
}

// A recorded state in the seed's words for pt: {'vida': 63, 'pontuacao': 1468, ...}.
json localize_state(const json& state, Lang lang) {
  if (lang != Lang::pt || !state.is_object()) return state;
  static const std::map<std::string, std::string> kWords{
      {"life", "vida"},     {"score", "pontuacao"}, {"items", "itens"},   {"balance", "saldo"},
      {"sword", "espada"},  {"shield", "escudo"},   {"potion", "poção"}, {"bow", "arco"},
      {"arrow", "flecha"}};
  auto word = [](const std::string& w) {
    auto it = kWords.find(w);
    return it == kWords.end() ? w : it->second;
  };
  json out = json::object();
  for (const auto& [key, value] : state.items()) {
    if (value.is_array()) {
      json list = json::array();
      for (const json& v : value) list.push_back(v.is_string() ? json(word(v.get<std::string>())) : v);
      out[word(key)] = list;
    } else {
      out[word(key)] = value;
    }
  }
  return out;
}

class Narrator {
 public:
  // print false: only learn the messages' contents (for the summary's channels).
  // timestamps: each line starts with its event's time.
  Narrator(const Text& text, Lang lang, bool bank, bool several, bool print, bool timestamps)
      : text_(text), lang_(lang), bank_(bank), several_(several), print_(print), timestamps_(timestamps) {}

  // A message's content for people: the move's words, or the amount.
  json content(const std::string& msg) const {
    auto it = bodies_.find(msg);
    if (it == bodies_.end()) return msg;
    const json& body = it->second;
    if (body.contains("move")) return std::string(move_text(body["move"].get<std::string>(), lang_));
    if (body.contains("amount")) return body["amount"];
    return msg;
  }

  void narrate(const Record& r) {
    t_ = r.t;
    const std::string_view who = bank_ ? text_.account : text_.player;
    if (r.kind == EventKind::send && !r.data.is_null()) bodies_[r.msg] = r.data;
    if (r.kind == EventKind::send) {
      if (r.type == "marker") {
        return say(text_.marker_sent, who, r.node, r.peer,
                   several_ ? fmt::format(" {}", r.data.value("snapshot", "")) : std::string());
      }
      if (bank_) return say(text_.paid, who, r.node, content(r.msg).dump(), r.peer);
      return say(text_.sent, who, r.node, content(r.msg).get<std::string>(), r.peer);
    }
    if (r.kind == EventKind::recv) {
      if (r.type == "marker") {
        marker_from_[r.node] = r.peer;
        return;
      }
      if (bank_) return say(text_.credited, who, r.node, content(r.msg).dump(), r.peer);
      return say(text_.received, who, r.node, content(r.msg).get<std::string>(), r.peer);
    }
    if (r.kind != EventKind::state) return;
    const auto note = snapshot::SnapshotNote::from_json(r.data);
    if (!note) return;
    const std::string& id = note->id;
    if (note->initiated) {
      initiators_.insert({r.node, id});
      return say(text_.initiated, who, r.node, several_ ? fmt::format(" ({})", id) : "");
    }
    if (note->recorded) {
      if (initiators_.contains({r.node, id})) return;
      // The channel of the marker that made this node record closes empty at once;
      // "saved its state" says it all.
      first_marker_[r.node] = {id, marker_from_[r.node]};
      return say(text_.saved, who, r.node, marker_from_[r.node], python_repr(localize_state(*note->recorded, lang_)));
    }
    if (note->channel && note->channel->messages) {
      const NodeId from = note->channel->from;
      auto first = first_marker_.find(r.node);
      const bool first_marker = first != first_marker_.end() && first->second == std::pair(id, from);
      if (first != first_marker_.end()) first_marker_.erase(first);
      if (first_marker || note->channel->incomplete) return;
      json list = json::array();
      for (const std::string& m : *note->channel->messages) list.push_back(content(m));
      return say(note->channel->end ? text_.reported : text_.closed, who, r.node, from, python_repr(list));
    }
  }

  const Text& text() const { return text_; }

 private:
  template <class... Args>
  void say(std::string_view form, Args&&... args) {
    if (!print_) return;
    print_narrative(fmt::format(fmt::runtime(form), std::forward<Args>(args)...) + "\n",
                    timestamps_ ? std::optional<Nanos>(t_) : std::nullopt);
  }

  const Text& text_;
  Lang lang_;
  bool bank_;
  bool several_;
  bool print_;
  bool timestamps_;
  Nanos t_ = 0;  // of the record being told
  std::map<std::string, json> bodies_;
  std::map<NodeId, NodeId> marker_from_;
  std::map<NodeId, std::pair<std::string, NodeId>> first_marker_;  // (snapshot, from) per node
  std::set<std::pair<NodeId, std::string>> initiators_;
};

// A snapshot planned after the run's end never started: the run cannot pass.
void require_started(const std::vector<PlannedSnapshot>& planned, const snapshot::SnapshotRun& run,
                     std::vector<trace::CheckResult>& checks) {
  for (const PlannedSnapshot& p : planned) {
    const std::string id = snapshot::to_string(p.id);
    const bool started = std::any_of(run.snapshots.begin(), run.snapshots.end(),
                                     [&](const snapshot::SnapshotView& v) { return v.id == id; });
    if (started) continue;
    const std::string detail = fmt::format("snapshot {}, planned at node {} at {}, never started: the run ended first",
                                           id, p.id.initiator, format_duration(p.at_ns));
    auto it = std::find_if(checks.begin(), checks.end(),
                           [](const trace::CheckResult& c) { return c.name == "snapshot_complete"; });
    if (it == checks.end()) {
      checks.push_back({"snapshot_complete", trace::CheckStatus::fail, detail});
    } else {
      *it = {"snapshot_complete", trace::CheckStatus::fail, detail};
    }
    return;
  }
}

// --initiator names one of nodes 1..n; throws InputError.
void require_initiator(std::int64_t initiator, std::int64_t nodes) {
  if (initiator < 1 || initiator > nodes) {
    throw InputError(fmt::format("--initiator {} is not a node (nodes are 1..{})", initiator, nodes));
  }
}

// The recording rule of --rule and --bug (--bug seed-rule is --rule seed); throws InputError.
snapshot::RecordingRule recording_rule(const std::string& rule, const std::string& bug) {
  if (rule != "chandy-lamport" && rule != "seed") {
    throw InputError(fmt::format("--rule must be chandy-lamport or seed, got '{}'", rule));
  }
  using snapshot::RecordingRule;
  return rule == "seed" ? RecordingRule::seed
                        : algorithms::bug_named<RecordingRule>(snapshot::Descriptor::kBugs, bug);
}

}  // namespace

SnapshotScenario snapshot_scenario(const SnapshotOptions& o, std::uint64_t seed, std::int64_t nodes) {
  require_at_least("--nodes", nodes, 2, "a snapshot needs channels");
  require_at_least("--snapshots", o.snapshots, 1);
  require_at_least("--messages", o.messages, 0);
  require_initiator(o.initiator, nodes);
  const snapshot::RecordingRule rule = recording_rule(o.rule, o.bug);
  if (nodes > kMaxSnapshotNodes) throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxSnapshotNodes, nodes));
  if (o.messages > 1'000'000) throw InputError(fmt::format("--messages is at most 1000000, got {}", o.messages));
  if (o.snapshots > kMaxSnapshots) {
    throw InputError(fmt::format("--snapshots must be between 1 and {}, got {}", kMaxSnapshots, o.snapshots));
  }
  const SnapshotScenario scenario{
      .seed = seed,
      .nodes = static_cast<std::uint32_t>(nodes),
      .scenario = o.scenario,
      .topology = o.topology,
      .initiator = static_cast<NodeId>(o.initiator),
      .snapshots = static_cast<std::uint32_t>(o.snapshots),
      .messages = static_cast<std::uint32_t>(o.messages),
      .rule = rule,
      .faults = o.faults};
  validate(scenario);
  return scenario;
}

int report_snapshot(const trace::Trace& tr, const SnapshotScenario& scenario, const std::string& rule,
                    const ReportSettings& settings) {
  const bool bank = scenario.scenario == "bank";
  const Lang lang = settings.lang;
  const Text& text = lang == Lang::pt ? kPortuguese : kEnglish;
  Narrator narrator(text, lang, bank, scenario.snapshots > 1, !settings.json && !settings.quiet,
                    settings.timestamps);
  std::optional<NetworkNarrator> network;
  if (!settings.json && !settings.quiet) network.emplace(tr, lang, settings.timestamps);
  for (const Record& r : tr.events) {
    if (network) network->before(r.t);
    narrator.narrate(r);
  }
  if (network) network->finish();

  auto checks = run_checks(tr, settings);
  const trace::CausalGraph graph(tr);
  const snapshot::SnapshotRun run = snapshot::collect_snapshots(tr);
  require_started(planned_snapshots(scenario), run, checks);
  std::size_t markers_each = 0;
  for (const auto& [node, ins] : run.in_channels) markers_each += ins.size();

  auto channel_content = [&](const snapshot::SnapshotChannel& c) {
    json list = json::array();
    for (const std::string& m : c.messages) list.push_back(narrator.content(m));
    return list;
  };

  if (settings.json) {
    json out;
    out["algorithm"] = "snapshot";
    out["seed"] = settings.seed;
    out["nodes"] = scenario.nodes;
    out["scenario"] = scenario.scenario;
    out["topology"] = scenario.topology;
    out["channels"] = markers_each;
    out["rule"] = rule;
    auto& list = out["snapshots"] = json::array();
    for (const auto& s : run.snapshots) {
      const auto v = snapshot::verify_snapshot(tr, graph, run, s);
      json snap{{"id", s.id}, {"initiator", s.initiator}};
      auto& states = snap["states"] = json::object();
      for (const auto& [node, st] : s.states) append_key(states, std::to_string(node), st.state);
      auto& channels = snap["channels"] = json::object();
      for (std::size_t i = 0; i < s.channels.size(); ++i) {
        const snapshot::SnapshotChannel& c = s.channels[i];
        json msgs = json::array();
        for (const std::string& m : c.messages) {
          json entry{{"msg", m}};
          auto send = run.sends.find(m);
          if (send != run.sends.end() && !tr.events[send->second].data.is_null()) {
            entry["body"] = tr.events[send->second].data;
          }
          msgs.push_back(entry);
        }
        // Sorted by (to, from): a channel recorded twice follows itself, and its last
        // record counts, in the place of its first.
        if (i > 0 && s.channels[i - 1].from == c.from && s.channels[i - 1].to == c.to) {
          channels.back() = std::move(msgs);
        } else {
          append_key(channels, fmt::format("{}->{}", c.from, c.to), std::move(msgs));
        }
      }
      snap["complete"] = v.complete;
      snap["channels_exact"] = v.channels_exact;
      snap["consistent"] = v.consistent;
      if (v.money_conserved) {
        snap["money"] = {{"initial", *run.initial_money},
                         {"balances", v.recorded_balances},
                         {"in_channels", v.in_channels},
                         {"conserved", *v.money_conserved}};
      }
      list.push_back(std::move(snap));
    }
    out["markers"] = run.markers;
    std::uint64_t delivered = 0;
    for (const Record& r : tr.events) delivered += r.kind == EventKind::recv && r.type != "marker" ? 1 : 0;
    std::uint64_t sent = 0;
    for (const Record& r : tr.events) sent += r.kind == EventKind::send && r.type != "marker" ? 1 : 0;
    out["messages"] = {{"sent", sent}, {"delivered", delivered}};
    add_checks_json(out, checks);
    fmt::print("{}\n", out.dump());
    return trace::all_passed(checks) ? kExitOk : kExitViolation;
  }

  const std::string_view who = bank ? text.account : text.player;
  for (const auto& s : run.snapshots) {
    const auto v = snapshot::verify_snapshot(tr, graph, run, s);
    if (!settings.quiet) {
      if (run.snapshots.size() > 1) fmt::print("\n{}\n", fmt::format(fmt::runtime(text.title), s.id, s.initiator));
      for (const auto& [node, st] : s.states) {
        // Channels into this node, as the seed prints them: {from: [contents]}.
        std::string channels = "{";
        for (const auto& c : s.channels) {
          if (c.to != node) continue;
          if (channels.size() > 1) channels += ", ";
          channels += fmt::format("{}: {}", c.from, python_repr(channel_content(c)));
        }
        channels += "}";
        fmt::print("{}\n", fmt::format(fmt::runtime(text.global), who, node,
                                       python_repr(localize_state(st.state, lang)), channels));
      }
      fmt::print("\n");
    }
    const std::size_t markers = std::count_if(tr.events.begin(), tr.events.end(), [&](const Record& r) {
      return r.kind == EventKind::send && r.type == "marker" && r.data.value("snapshot", "") == s.id;
    });
    if (settings.quiet || run.snapshots.size() == 1) {
      fmt::print("{}\n", fmt::format(fmt::runtime(text.title), s.id, s.initiator));
    }
    fmt::print("{}\n", fmt::format(fmt::runtime(text.verdict), v.complete ? text.yes_complete : text.no_complete,
                                   v.channels_exact ? text.yes_exact : text.no_exact,
                                   v.consistent ? text.yes_cut : text.no_cut, markers, markers_each));
    if (v.money_conserved) {
      fmt::print("{}\n", fmt::format(fmt::runtime(text.money), v.recorded_balances, v.in_channels,
                                     v.recorded_balances + v.in_channels, *run.initial_money,
                                     *v.money_conserved ? text.conserved : text.not_conserved));
    }
    for (const auto& p : v.problems) fmt::print("  ! {}\n", p.text);
  }
  fmt::print("\n");
  print_checks(checks, lang);
  print_replay_line(settings);
  return trace::all_passed(checks) ? kExitOk : kExitViolation;
}


namespace {

// The trace header of a simulated run: the command's and a sweep's.
trace::Header header_of(const SnapshotScenario& s) {
  return harness::sim_header("snapshot", s.seed, node_ids(s.nodes), s.faults);
}

}  // namespace

int run_snapshot(const SnapshotOptions& o, std::span<const std::string> args) {
  const SnapshotScenario scenario = snapshot_scenario(o, resolve_seed(o.common), o.nodes);
  const trace::Header header = header_of(scenario);
  SimRecording recording(header, o.common);
  run_snapshot_scenario(scenario, &recording.sink());
  recording.commit();
  ReportSettings settings = report_settings(o.common, scenario.seed, replay_command(args, scenario.seed));
  settings.bug = bug_description(snapshot::Descriptor::kBugs, o.bug);
  return report_snapshot(recording.recorder().trace(), scenario,
                         scenario.rule == snapshot::RecordingRule::seed ? "seed" : o.rule, settings);
}

void add_snapshot_options(CLI::App& cmd, SnapshotOptions& o) {
  cmd.add_option("--scenario", o.scenario,
                 "game (default): the seed's players; bank: random transfers, and money must be conserved")
      ->type_name("game|bank");
  cmd.add_option("--initiator", o.initiator, "The node that starts the first snapshot (default 2)")->type_name("ID");
  cmd.add_option("--topology", o.topology,
                 "Channels: complete (default), ring (directed), or random (seeded, strongly connected)")
      ->type_name("complete|ring|random");
  cmd.add_option("--snapshots", o.snapshots,
                 "How many snapshots; the others start at random nodes and times, overlapping (default 1)")
      ->type_name("K");
  cmd.add_option("--messages", o.messages,
                 "Application messages per node (default: the seed's script for the 3-player game; otherwise 5 "
                 "moves or 10 transfers)")
      ->type_name("N");
  cmd.add_option("--rule", o.rule,
                 "chandy-lamport (default), or seed: the assignment's recording rule, to watch the checker catch its "
                 "wrong channel states")
      ->type_name("chandy-lamport|seed");
}

std::vector<std::string> snapshot_args(const SnapshotOptions& o) {
  return {"--scenario", o.scenario,  "--initiator", std::to_string(o.initiator), "--topology", o.topology,
          "--snapshots", std::to_string(o.snapshots), "--messages", std::to_string(o.messages), "--rule", o.rule};
}


namespace {

// The flags of a simulated run before the common ones: the command's, and a sweep's.
void add_snapshot_run_flags(CLI::App& cmd, SnapshotOptions& o) {
  cmd.add_option("--nodes", o.nodes, "Number of nodes, 2 or more (default 3)")->type_name("N");
  add_snapshot_options(cmd, o);
  add_bug_option(cmd, o.bug, snapshot::Descriptor::kBugs);
}

// ---- distlab sweep snapshot ----

SweepTrial snapshot_trial(const SnapshotOptions& o, std::uint64_t seed, EventSink* tap) {
  const SnapshotScenario s = snapshot_scenario(o, seed, o.nodes);
  return judge_in_memory(header_of(s), tap, [&](EventSink* sink) { run_snapshot_scenario(s, sink); },
                         [&](const trace::Trace& t) {
                           auto checks = check_all(t);
                           require_started(planned_snapshots(s), snapshot::collect_snapshots(t), checks);
                           return checks;
                         });
}

// Chandy-Lamport assumes reliable FIFO channels and no crash: a seed draws the shape
// of the run, any latency, and pauses (slow processes), never a lost, duplicated or
// reordered message. The recording rule is the user's (--rule seed or --bug seed-rule shows its flaw).
void draw_snapshot(SweepDraw& d) {
  const std::int64_t nodes = d.integer("--nodes", 2, 6);
  const std::array<std::string_view, 2> scenarios{"game", "bank"};
  d.choice("--scenario", scenarios);
  const std::array<std::string_view, 3> topologies{"complete", "ring", "random"};
  d.choice("--topology", topologies);
  d.integer("--initiator", 1, std::max<std::int64_t>(nodes, 1));
  d.integer("--snapshots", 1, 3);
  d.integer("--messages", 0, 10);
  FaultProfile profile{.ids = node_ids(static_cast<std::uint32_t>(std::max<std::int64_t>(nodes, 1))),
                       .fault_end_ns = d.rng().between(50, 1000) * kMillisecond,
                       .crash = false,
                       .partition = false,
                       .unbounded_latency = true};
  profile.faulty = profile.ids;
  d.faults(profile);
}

}  // namespace

void add_snapshot_command(CLI::App& app, Action& run, const Invocation& invocation) {
  auto options = std::make_shared<SnapshotOptions>();
  CLI::App* cmd = app.add_subcommand("snapshot", "Chandy-Lamport global snapshots: the seed's question 2");
  add_snapshot_run_flags(*cmd, *options);
  add_common_options(*cmd, options->common);
  add_trace_format_option(*cmd, options->common.trace_format);
  add_html_option(*cmd, options->common.html_path);
  add_fault_options(*cmd, options->faults);
  cmd->callback([options, &run, &invocation] {
    run = [options, &invocation] { return run_snapshot(*options, invocation.args); };
  });
}

}  // namespace distlab::cli

void distlab::snapshot::Descriptor::add_command(const cli::CommandSite& site) {
  cli::add_snapshot_command(site.parent, site.action, site.invocation);
}

distlab::cli::SweepSubject distlab::snapshot::Descriptor::sweep_subject() {
  return {.draw = cli::draw_snapshot, .run = cli::sweep_runner(&cli::add_snapshot_run_flags, &cli::snapshot_trial)};
}

namespace distlab::cli {
namespace {
struct SnapshotExploreFlags {
  std::int64_t transfers = 2;
  std::int64_t initiator = 1;
  std::string topology = "complete";
  std::string rule = "chandy-lamport";
  std::string bug;
};
}  // namespace
}  // namespace distlab::cli

void distlab::snapshot::Descriptor::add_explore(const cli::CommandSite& site) {
  using namespace distlab::cli;
  ExploreOptions defaults;
  defaults.draws = 2;  // each transfer's amount and destination are drawn
  add_explore_algorithm<SnapshotExploreFlags>(
      site, "snapshot",
      "Chandy-Lamport snapshots over the bank: every order of the transfers (each made at any moment), of "
      "the snapshot's start and of the deliveries, on reliable FIFO channels; checks at every state that the "
      "recorded cut is consistent, each closed channel holds exactly the transfers in flight across the cut, "
      "and the recorded money adds up, and where nothing is left to happen, that the snapshot completed",
      std::move(defaults), fmt::format("Number of nodes, 2 to {} (default 3)", ExploreNode::kMaxNodes),
      [](CLI::App& cmd, SnapshotExploreFlags& f) {
        cmd.add_option("--transfers", f.transfers,
                       fmt::format("Transfers in all, 0 to {}, made by nodes 1, 2, ... in turn (default 2)",
                                   ExploreNode::kMaxTransfers))
            ->type_name("K");
        cmd.add_option("--initiator", f.initiator, "The node that starts the snapshot (default 1)")
            ->type_name("ID");
        cmd.add_option("--topology", f.topology, "Channels: complete (default) or ring (directed)")
            ->type_name("complete|ring");
        cmd.add_option("--rule", f.rule,
                       "chandy-lamport (default), or seed: the assignment's recording rule, to watch the "
                       "explorer catch its wrong channel states")
            ->type_name("chandy-lamport|seed");
        add_bug_option(cmd, f.bug, kBugs);
      },
      [](const ExploreOptions& e, const SnapshotExploreFlags& f, const Invocation& invocation) {
        if (e.crashes > 0 || e.recoveries > 0 || e.losses > 0 || e.duplicates > 0 || e.no_fifo) {
          throw InputError(
              "Chandy-Lamport assumes reliable FIFO channels and no crashes: explore snapshot takes no "
              "--crashes, --recoveries, --losses, --duplicates or --no-fifo");
        }
        if (f.transfers < 0 || f.transfers > ExploreNode::kMaxTransfers) {
          throw InputError(fmt::format("--transfers must be from 0 to {}, got {}", ExploreNode::kMaxTransfers,
                                       f.transfers));
        }
        const RecordingRule rule = recording_rule(f.rule, f.bug);
        if (f.topology != "complete" && f.topology != "ring") {
          throw InputError(fmt::format("--topology must be complete or ring, got '{}'", f.topology));
        }
        ExploreModel model{.ids = explore_ids(e, 2, static_cast<std::int64_t>(ExploreNode::kMaxNodes))};
        require_initiator(f.initiator, e.nodes);
        model.topology = std::make_shared<const Topology>(
            f.topology == "ring" ? Topology::ring(model.ids) : Topology::complete(model.ids));
        model.rule = rule;
        model.initiator = static_cast<NodeId>(f.initiator);
        model.transfers = static_cast<std::uint32_t>(f.transfers);
        return run_explore("snapshot", invocation, e, std::move(model));
      });
}
