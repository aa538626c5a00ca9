// `distlab ricart`, `distlab run ricart` and `distlab launch ricart`: Ricart-Agrawala
// mutual exclusion, simulated or as real processes, narrated in English or
// Portuguese, with its checks: the algorithm's share of the program. The node is in
// distlab/algo/ricart/, its scenario in distlab/harness/ricart/.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "distlab/algo/ricart/descriptor.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "distlab/harness/ricart/scenario.h"
#include "cli/real/launch_command.h"
#include "cli/real/run_command.h"
#include "cli/explore.h"
#include "cli/recording.h"
#include "distlab/algo/ricart/explore.h"
#include "cli/sweep.h"
#include "cli/report.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::ricart {
namespace {

using namespace cli;
using json = nlohmann::ordered_json;

struct CommandOptions {
  std::int64_t nodes = 3;
  std::int64_t requests = Options{}.requests;
  std::string hold = "10ms";
  std::string think = "30ms";
  std::string bug;  // --bug NAME (Descriptor::kBugs); empty: none
  CommonOptions common;
  FaultOptions faults;
};

// The scenario's options, shared by ricart, run and launch (not --nodes).
void add_options(CLI::App& cmd, CommandOptions& o) {
  cmd.add_option("--requests", o.requests, "Critical sections each node asks for (default 3)")
      ->type_name("K");
  cmd.add_option("--hold", o.hold, "Time a node stays inside the critical section (default 10ms)")
      ->type_name("DURATION");
  cmd.add_option("--think", o.think, "Mean time a node waits before each request (default 30ms)")
      ->type_name("DURATION");
}

std::vector<std::string> args_of(const CommandOptions& o) {
  return {"--requests", std::to_string(o.requests), "--hold", o.hold, "--think", o.think};
}

// Validated; throws InputError.
RicartScenario scenario_of(const CommandOptions& o, std::uint64_t seed, std::int64_t nodes) {
  validate_ricart_size(nodes, o.requests);
  RicartScenario s{.seed = seed, .nodes = static_cast<std::uint32_t>(nodes), .faults = o.faults};
  s.options.requests = static_cast<std::uint32_t>(o.requests);
  s.options.hold_ns = parse_duration_option("--hold", o.hold);
  s.options.think_mean_ns = parse_duration_option("--think", o.think);
  validate_ricart_times(s.options);
  s.options.bug = algorithms::bug_named<Bug>(Descriptor::kBugs, o.bug);
  return s;
}

// ---- the narrative ----

struct Text {
  std::string_view request;    // {0} node, {1} timestamp
  std::string_view enter;      // {0} node, {1} timestamp
  std::string_view exit;       // {0} node
  std::string_view lost;       // {0} msg, {1} to
  std::string_view crashed;    // {0} node
  std::string_view recovered;  // {0} node
  std::string_view entries;    // {0} entered, {1} asked
  std::string_view messages;   // {0} requests, {1} replies, {2} per entry
  std::string_view longest;    // {0} wait, {1} node, {2} timestamp
  std::string_view waiting;    // {0} nodes still waiting at the end
};

constexpr Text kEnglish{
    .request = "Node {0} asks for the critical section (timestamp {1}).",
    .enter = "Node {0} enters the critical section (request {1}).",
    .exit = "Node {0} leaves the critical section.",
    .lost = "Message {0} to node {1} was lost.",
    .crashed = "Node {0} crashed!",
    .recovered = "Node {0} recovered.",
    .entries = "Critical sections entered: {0} of {1} requested.",
    .messages = "Messages: {0} requests, {1} replies ({2} per entry).",
    .longest = "Longest wait: {0} (node {1}, request {2}).",
    .waiting = "Never granted, still waiting at the end: {0}.",
};

constexpr Text kPortuguese{
    .request = "Nó {0} pede a seção crítica (timestamp {1}).",
    .enter = "Nó {0} entra na seção crítica (pedido {1}).",
    .exit = "Nó {0} sai da seção crítica.",
    .lost = "Mensagem {0} para o nó {1} foi perdida.",
    .crashed = "Nó {0} falhou!",
    .recovered = "Nó {0} voltou a funcionar.",
    .entries = "Seções críticas atendidas: {0} de {1} pedidas.",
    .messages = "Mensagens: {0} pedidos, {1} respostas ({2} por entrada).",
    .longest = "Maior espera: {0} (nó {1}, pedido {2}).",
    .waiting = "Sem permissão, ainda esperando no fim: {0}.",
};

// What a run's trace says, counted once for the narrative, the summary and JSON.
struct Summary {
  std::uint64_t requested = 0;
  std::uint64_t entered = 0;
  std::map<std::string, std::uint64_t, std::less<>> messages;  // by type
  Nanos longest_wait_ns = 0;
  NodeId longest_node = 0;
  std::int64_t longest_ts = 0;
  std::vector<NodeId> waiting;  // asked, never entered, and did not crash since
};

Summary summarize(const trace::Trace& tr) {
  Summary s;
  std::map<NodeId, std::pair<Nanos, std::int64_t>> asked;  // node -> (when, timestamp) of its open request
  for (const trace::Record& r : tr.events) {
    if (r.kind == EventKind::send) ++s.messages[r.type];
    if (r.kind == EventKind::crash) asked.erase(r.node);
    if (r.kind != EventKind::state) continue;
    const auto note = MutexNote::from_json(r.data);
    if (!note) continue;
    if (note->kind == MutexNote::Kind::request) {
      ++s.requested;
      asked[r.node] = {r.t, note->ts.value_or(0)};
    } else if (note->kind == MutexNote::Kind::enter) {
      ++s.entered;
      if (auto it = asked.find(r.node); it != asked.end()) {
        if (r.t - it->second.first > s.longest_wait_ns || s.longest_node == 0) {
          s.longest_wait_ns = r.t - it->second.first;
          s.longest_node = r.node;
          s.longest_ts = it->second.second;
        }
        asked.erase(it);
      }
    }
  }
  for (const auto& [node, open] : asked) s.waiting.push_back(node);
  return s;
}

void narrate(const trace::Trace& tr, const Text& text, Lang lang, bool timestamps) {
  NetworkNarrator network(tr, lang, timestamps);
  std::optional<Nanos> t;  // of the record being told, with --timestamps
  auto say = [&t](std::string_view form, auto&&... args) {
    print_narrative(fmt::format(fmt::runtime(form), std::forward<decltype(args)>(args)...) + "\n", t);
  };
  for (const trace::Record& r : tr.events) {
    network.before(r.t);
    if (timestamps) t = r.t;
    switch (r.kind) {
      case EventKind::crash: say(text.crashed, r.node); break;
      case EventKind::recover: say(text.recovered, r.node); break;
      case EventKind::drop: say(text.lost, r.msg, r.peer); break;
      case EventKind::state: {
        const auto note = MutexNote::from_json(r.data);
        if (!note) break;
        const std::int64_t ts = note->ts.value_or(0);
        if (note->kind == MutexNote::Kind::request) say(text.request, r.node, ts);
        if (note->kind == MutexNote::Kind::enter) say(text.enter, r.node, ts);
        if (note->kind == MutexNote::Kind::exit) say(text.exit, r.node);
        break;
      }
      default: break;
    }
  }
  network.finish();
}

int report(const trace::Trace& tr, const ReportSettings& settings) {
  const Text& text = settings.lang == Lang::pt ? kPortuguese : kEnglish;
  if (!settings.json && !settings.quiet) {
    narrate(tr, text, settings.lang, settings.timestamps);
    fmt::print("\n");
  }
  const auto checks = run_checks(tr, settings);
  const Summary s = summarize(tr);
  const std::uint64_t requests = s.messages.contains("request") ? s.messages.at("request") : 0;
  const std::uint64_t replies = s.messages.contains("reply") ? s.messages.at("reply") : 0;
  if (settings.json) {
    json out;
    out["algorithm"] = std::string(Descriptor::kName);
    out["seed"] = settings.seed;
    out["nodes"] = tr.header.nodes.size();
    out["requested"] = s.requested;
    out["entered"] = s.entered;
    out["messages"] = json(s.messages);
    out["longest_wait_ns"] = s.longest_wait_ns;
    out["waiting"] = s.waiting;
    add_checks_json(out, checks);
    fmt::print("{}\n", out.dump());
    return trace::all_passed(checks) ? kExitOk : kExitViolation;
  }
  fmt::print("{}\n", fmt::format(fmt::runtime(text.entries), s.entered, s.requested));
  const std::string per_entry =
      s.entered == 0
          ? "-"
          : fmt::format("{:.1f}", static_cast<double>(requests + replies) / static_cast<double>(s.entered));
  fmt::print("{}\n", fmt::format(fmt::runtime(text.messages), requests, replies, per_entry));
  if (s.longest_node != 0) {
    fmt::print("{}\n", fmt::format(fmt::runtime(text.longest), format_duration_rounded(s.longest_wait_ns),
                                   s.longest_node, s.longest_ts));
  }
  if (!s.waiting.empty())
    fmt::print("{}\n", fmt::format(fmt::runtime(text.waiting), fmt::join(s.waiting, ", ")));
  print_checks(checks, settings.lang);
  print_replay_line(settings);
  return trace::all_passed(checks) ? kExitOk : kExitViolation;
}

// A simulated run: its trace's header, and the run itself into a sink.
struct Simulated {
  Plan<RicartNode> plan;
  SimSetup setup;
  trace::Header header;
  void run(const RicartScenario& s, EventSink* sink) const { simulate(plan, setup, s.seed, sink); }
};

Simulated simulated(const RicartScenario& s) {
  Plan<RicartNode> plan = ricart_plan(s);
  SimDefaults defaults;
  defaults.latency = sim::Latency::uniform(1 * kMillisecond, 5 * kMillisecond);
  defaults.horizon_ns = plan.duration_ns;
  SimSetup setup = build_sim_setup(s.faults, plan.ids, s.seed, defaults);
  trace::Header header = harness::sim_header(Descriptor::kName, s.seed, plan.ids, s.faults);
  return {std::move(plan), std::move(setup), std::move(header)};
}

int run_simulated(const CommandOptions& o, std::span<const std::string> args) {
  const RicartScenario s = scenario_of(o, resolve_seed(o.common), o.nodes);
  const Simulated sim = simulated(s);
  SimRecording recording(sim.header, o.common);
  sim.run(s, &recording.sink());
  recording.commit();
  ReportSettings settings = report_settings(o.common, s.seed, replay_command(args, s.seed));
  settings.bug = bug_description(Descriptor::kBugs, o.bug);
  return report(recording.recorder().trace(), settings);
}

}  // namespace

namespace {

// The flags of a simulated run before the common ones: the command's, and a sweep's.
void add_run_flags(CLI::App& cmd, CommandOptions& o) {
  cmd.add_option("--nodes", o.nodes, "Number of nodes (default 3)")->type_name("N");
  add_options(cmd, o);
  add_bug_option(cmd, o.bug, Descriptor::kBugs);
}

// ---- distlab sweep ricart ----

SweepTrial trial(const CommandOptions& o, std::uint64_t seed, EventSink* tap) {
  const RicartScenario s = scenario_of(o, seed, o.nodes);
  const Simulated sim = simulated(s);
  return judge_in_memory(sim.header, tap, [&](EventSink* sink) { sim.run(s, sink); });
}

// Ricart-Agrawala waits for a reply from every node, so a crash or a lost message
// leaves a request ungranted (its known weakness, which the checker reports as not
// judged): a seed draws the workload, any latency and pauses (slow processes), over by
// 100 to 500ms; the run's own length leaves every request time to be granted.
void draw(SweepDraw& d) {
  const std::int64_t nodes = d.integer("--nodes", 2, 5);
  d.integer("--requests", 1, 4);
  d.duration("--hold", 1 * kMillisecond, 20 * kMillisecond);
  d.duration("--think", 5 * kMillisecond, 50 * kMillisecond);
  FaultProfile profile{.ids = node_ids(static_cast<std::uint32_t>(std::max<std::int64_t>(nodes, 1))),
                       .fault_end_ns = d.rng().between(100, 500) * kMillisecond,
                       .crash = false,
                       .partition = false,
                       .reorder = true,
                       .unbounded_latency = true};
  profile.faulty = profile.ids;
  d.faults(profile);
}

}  // namespace

SweepSubject Descriptor::sweep_subject() { return {.draw = draw, .run = sweep_runner(&add_run_flags, &trial)}; }

void Descriptor::add_explore(const CommandSite& site) {
  add_explore_algorithm<CommandOptions>(
      site, Descriptor::kName,
      "Ricart-Agrawala mutual exclusion: every schedule of its requests, replies and timers; checks at every "
      "state "
      "that no two live nodes are inside at once, and where nothing is left to happen (without crashes or "
      "losses), "
      "that every request was granted",
      {}, "Number of nodes, 2 to 5 (default 3)",
      [](CLI::App& cmd, CommandOptions& r) {
        add_options(cmd, r);
        add_bug_option(cmd, r.bug, Descriptor::kBugs);
      },
      [](const ExploreOptions& e, const CommandOptions& r, const Invocation& invocation) {
        ExploreModel model{.ids = explore_ids(e, 2, 5)};
        model.options = scenario_of(r, 0, e.nodes).options;
        return run_explore(Descriptor::kName, invocation, e, std::move(model));
      });
}

void Descriptor::add_command(const CommandSite& site) {
  auto options = std::make_shared<CommandOptions>();
  CLI::App* cmd = site.parent.add_subcommand(
      std::string(Descriptor::kName), "Ricart-Agrawala mutual exclusion: Lamport timestamps, requests and deferred replies");
  add_run_flags(*cmd, *options);
  add_common_options(*cmd, options->common);
  add_trace_format_option(*cmd, options->common.trace_format);
  add_html_option(*cmd, options->common.html_path);
  add_fault_options(*cmd, options->faults);
  Action& action = site.action;
  const Invocation& invocation = site.invocation;
  cmd->callback([options, &action, &invocation] {
    action = [options, &invocation] { return run_simulated(*options, invocation.args); };
  });
}

void Descriptor::add_run(const CommandSite& site) {
  add_run_algorithm<CommandOptions>(site.parent, site.action, std::string(Descriptor::kName),
                                    "One node of Ricart-Agrawala mutual exclusion", add_options,
                                    [](const RunOptions& o, const CommandOptions& a) {
                                      Prepared p = prepare(o, std::string(Descriptor::kName), false);
                                      return run_real(ricart_plan(scenario_of(a, p.real.seed, p.nodes)), p.real);
                                    });
}

void Descriptor::add_launch(const CommandSite& site) {
  add_launch_algorithm<CommandOptions>(
      site.parent, site.action, std::string(Descriptor::kName),
      {.about = "Ricart-Agrawala mutual exclusion, one process per node", .nodes = "Number of nodes (default 3)"},
      add_options, [](const LaunchOptions& o, const CommandOptions& a) {
        const std::uint64_t seed = resolve_seed(o.common);
        const std::int64_t n = launch_node_count(o, CommandOptions{}.nodes, 1, "");
        const RicartScenario s = scenario_of(a, seed, n);
        const Plan<RicartNode> plan = ricart_plan(s);
        const LaunchScenario launch{.algorithm = std::string(Descriptor::kName),
                                    .ids = plan.ids,
                                    .algo_args = args_of(a),
                                    .default_duration_ns = plan.duration_ns};
        return launch_and_report(o, launch, seed, [](const trace::Trace& t, const ReportSettings& settings) {
          return report(t, settings);
        });
      });
}

}  // namespace distlab::ricart
