#include "cli/lamport/command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "distlab/algo/lamport/descriptor.h"
#include "cli/commands.h"
#include "cli/explore.h"
#include "cli/recording.h"
#include "distlab/algo/lamport/explore.h"
#include "cli/sweep.h"
#include "distlab/harness/lamport/scenario.h"
#include "cli/output.h"
#include "cli/report.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {
namespace {

using trace::Record;

// Every sentence of the narrative, per language. Arguments are positional: a language
// may leave some out (the seed's Portuguese does not name the peer).
struct Text {
  std::string_view local;      // {0} node, {1} time
  std::string_view send;       // {0} node, {1} time, {2} to
  std::string_view recv;       // {0} node, {1} time, {2} from
  std::string_view vector;     // {0} vector
  std::string_view separator;  // between rounds
  std::string_view lost;       // {0} msg, {1} to
  std::string_view cut;        // {0} msg, {1} to
  std::string_view undelivered;  // {0} msg, {1} to
  std::string_view crashed;    // {0} node
  std::string_view recovered;  // {0} node
  std::string_view order_title;
  std::string_view order_local;  // {0} node
  std::string_view order_send;   // {0} node, {1} msg, {2} to
  std::string_view order_recv;   // {0} node, {1} msg, {2} from
  // {0} events, {1} sent, {2} delivered, {3} dropped; {4}..{8} plural endings for
  // events, messages (en "s"; pt "m"/"ns"), sent, delivered, dropped.
  std::string_view counts;
  // After the counts, when the trace holds more events than those with a Lamport
  // time (timers, notes), which the checks count: {0} the trace's events.
  std::string_view untimed;
  std::string_view pairs;      // {0} happens-before, {1} concurrent
  std::string_view pairs_skipped;  // {0} events, {1} limit
};

constexpr Text kEnglish{
    .local = "Node {0} ran a local event. Timestamp: {1}",
    .send = "Node {0} sent a message to node {2} with timestamp {1}",
    .recv = "Node {0} received a message from node {2}. New clock: {1}",
    .vector = ", vector {0}",
    .separator = "\n----- (waiting for the next message ...) -----\n",
    .lost = "Message {0} to node {1} was lost in the network.",
    .cut = "Message {0} to node {1} was cut off by a partition.",
    .undelivered = "Message {0} to node {1} was not delivered: node {1} is down.",
    .crashed = "Node {0} crashed!",
    .recovered = "Node {0} recovered.",
    .order_title = "Events in Lamport order (Lamport time, then node):",
    .order_local = "node {0}  local event",
    .order_send = "node {0}  send {1} to node {2}",
    .order_recv = "node {0}  receive {1} from node {2}",
    .counts = "{0} event{4}; {1} message{5} sent, {2} delivered, {3} lost.",
    .untimed = "The trace holds {0} events: timers and notes have no Lamport time.",
    .pairs = "Pairs of events: {0} related by happens-before, {1} concurrent.",
    .pairs_skipped = "Pairs of events: not counted ({0} events, more than {1}).",
};

constexpr Text kPortuguese{
    .local = "Nó {0} executou um evento local. Timestamp: {1}",
    .send = "Nó {0} enviou uma mensagem com timestamp {1}",
    .recv = "Nó {0} recebeu uma mensagem. Novo relógio: {1}",
    .vector = ", vetor {0}",
    .separator = "\n----- (Aguardando nova mensagem ...) -----\n",
    .lost = "Mensagem {0} para o nó {1} foi perdida na rede.",
    .cut = "Mensagem {0} para o nó {1} foi bloqueada por uma partição.",
    .undelivered = "Mensagem {0} para o nó {1} não foi entregue: o nó {1} está fora do ar.",
    .crashed = "Nó {0} falhou!",
    .recovered = "Nó {0} voltou a funcionar.",
    .order_title = "Eventos na ordem total de Lamport (tempo de Lamport, depois nó):",
    .order_local = "nó {0}  evento local",
    .order_send = "nó {0}  envio {1} para o nó {2}",
    .order_recv = "nó {0}  recebimento {1} do nó {2}",
    .counts = "{0} evento{4}; {1} mensage{5} enviada{6}, {2} entregue{7}, {3} perdida{8}.",
    .untimed = "O trace tem {0} eventos: temporizadores e anotações não têm tempo de Lamport.",
    .pairs = "Pares de eventos: {0} relacionados por acontece-antes, {1} concorrentes.",
    .pairs_skipped = "Pares de eventos: não contados ({0} eventos, mais de {1}).",
};

const Text& text_for(Lang lang) { return lang == Lang::pt ? kPortuguese : kEnglish; }

// "[0,1,0]": a vector clock over all nodes of the run, zeros included.
std::string dense(const VectorClock& vc, std::span<const NodeId> ids) {
  std::vector<VectorClock::Counter> values;
  values.reserve(ids.size());
  for (NodeId id : ids) values.push_back(vc.get(id));
  return fmt::format("[{}]", fmt::join(values, ","));
}

// Prints the story of a run as its events happen.
class Narrator {
 public:
  // timestamps: each line starts with its event's time.
  Narrator(const Text& text, std::span<const NodeId> ids, bool rounds, Nanos pace_ns, bool timestamps)
      : text_(text), ids_(ids), rounds_(rounds), pace_ns_(pace_ns), timestamps_(timestamps) {}

  void narrate(const Record& r) {
    std::optional<std::string> line = sentence(r);
    if (!line) return;
    if (rounds_) {
      const Nanos round = r.t / kRoundGapNs;
      if (printed_ && round != round_) {
        fmt::print("{}\n", text_.separator);
        wait();
      }
      round_ = round;
    } else if (printed_) {
      wait();
    }
    print_narrative(*line + "\n", timestamps_ ? std::optional<Nanos>(r.t) : std::nullopt);
    std::fflush(stdout);
    printed_ = true;
  }

 private:
  std::optional<std::string> sentence(const Record& r) const {
    const auto time = r.lamport.value_or(0);
    std::string line;
    switch (r.kind) {
      case EventKind::local: line = fmt::format(fmt::runtime(text_.local), r.node, time); break;
      case EventKind::send: line = fmt::format(fmt::runtime(text_.send), r.node, time, r.peer); break;
      case EventKind::recv: line = fmt::format(fmt::runtime(text_.recv), r.node, time, r.peer); break;
      case EventKind::drop: {
        const std::string_view form = r.label == "loss"        ? text_.lost
                                      : r.label == "partition" ? text_.cut
                                                               : text_.undelivered;
        return fmt::format(fmt::runtime(form), r.msg, r.peer);
      }
      case EventKind::crash: return fmt::format(fmt::runtime(text_.crashed), r.node);
      case EventKind::recover: return fmt::format(fmt::runtime(text_.recovered), r.node);
      default: return std::nullopt;
    }
    if (r.vc) line += fmt::format(fmt::runtime(text_.vector), dense(*r.vc, ids_));
    return line;
  }

  void wait() const {
    if (pace_ns_ > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(pace_ns_));
  }

  const Text& text_;
  std::span<const NodeId> ids_;
  bool rounds_;
  Nanos pace_ns_;
  bool timestamps_;
  bool printed_ = false;
  Nanos round_ = 0;
};

// The events that carry a Lamport time, in the Lamport total order.
std::vector<const Record*> lamport_order(const trace::Trace& trace) {
  std::vector<const Record*> events;
  for (const Record& r : trace.events) {
    if (r.lamport) events.push_back(&r);
  }
  std::stable_sort(events.begin(), events.end(), [](const Record* a, const Record* b) {
    return std::pair(*a->lamport, a->node) < std::pair(*b->lamport, b->node);
  });
  return events;
}

// Bounds on what one run of the command may ask for.
constexpr std::int64_t kMaxNodes = 10'000;
constexpr std::int64_t kMaxActions = 200'000;
// With --vector every event holds up to one counter per node.
constexpr std::int64_t kMaxVectorCells = 2'000'000;

void validate(const LamportOptions& o, std::int64_t nodes) {
  require_at_least("--nodes", nodes, 2, "a message needs a sender and a receiver");
  require_at_least("--rounds", o.rounds, 1);
  if (o.mode != "rounds" && o.mode != "random") {
    throw InputError(fmt::format("--mode must be rounds or random, got '{}'", o.mode));
  }
  // The command keeps every event in memory for its checks and its Lamport order.
  if (nodes > kMaxNodes) throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxNodes, nodes));
  const std::int64_t actions = o.mode == "rounds" ? o.rounds : o.rounds * nodes;
  if (o.rounds > kMaxActions || actions > kMaxActions) {
    throw InputError(fmt::format("this run would take {} actions; distlab lamport keeps every event in memory "
                                 "and stops at {} (lower --rounds or --nodes)",
                                 actions, kMaxActions));
  }
  if (o.vector && actions * nodes > kMaxVectorCells) {
    throw InputError(fmt::format("with --vector this run would keep up to {} vector entries; the limit is {} "
                                 "(lower --rounds or --nodes)",
                                 actions * nodes, kMaxVectorCells));
  }
  if (!o.pace.empty()) parse_duration_option("--pace", o.pace);
}

// Messages by fate, from the trace itself (the same for simulated and real runs).
struct Counts {
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dropped = 0;
};
Counts count_messages(const trace::Trace& trace) {
  Counts c;
  for (const Record& r : trace.events) {
    c.sent += r.kind == EventKind::send ? 1 : 0;
    c.delivered += r.kind == EventKind::recv ? 1 : 0;
    c.dropped += r.kind == EventKind::drop ? 1 : 0;
  }
  return c;
}

}  // namespace

LamportScenario lamport_scenario(const LamportOptions& o, std::uint64_t seed, std::int64_t nodes) {
  validate(o, nodes);
  return LamportScenario{.seed = seed,
                         .nodes = static_cast<std::uint32_t>(nodes),
                         .rounds = static_cast<std::uint32_t>(o.rounds),
                         .random_mode = o.mode == "random",
                         .vector = o.vector,
                         .bug = algorithms::bug_named<lamport::Bug>(lamport::Descriptor::kBugs, o.bug),
                         .faults = o.faults};
}

int report_lamport(const trace::Trace& trace, const LamportOptions& o, const ReportSettings& settings) {
  const Text& text = text_for(settings.lang);
  const std::vector<NodeId>& ids = trace.header.nodes;
  if (!settings.json && !settings.quiet) {
    Narrator narrator(text, ids, o.mode == "rounds", settings.pace_ns, settings.timestamps);
    NetworkNarrator network(trace, settings.lang, settings.timestamps);
    for (const Record& r : trace.events) {
      network.before(r.t);
      narrator.narrate(r);
    }
    network.finish();
  }
  const auto checks = run_checks(trace, settings);
  const auto order = lamport_order(trace);
  const Counts counts = count_messages(trace);
  const trace::PairCounts pairs = o.vector ? trace::count_pairs(trace) : trace::PairCounts{};

  if (settings.json) {
    nlohmann::ordered_json out;
    out["algorithm"] = "lamport";
    out["seed"] = settings.seed;
    out["nodes"] = ids.size();
    out["mode"] = o.mode;
    out["rounds"] = o.rounds;
    out["vector"] = o.vector;
    out["events"] = order.size();
    out["messages"] = {{"sent", counts.sent}, {"delivered", counts.delivered}, {"dropped", counts.dropped}};
    auto& list = out["order"] = nlohmann::ordered_json::array();
    for (const Record* r : order) {
      nlohmann::ordered_json e{{"lamport", *r->lamport}, {"node", r->node}, {"kind", to_string(r->kind)}};
      if (r->kind == EventKind::send) e["to"] = r->peer;
      if (r->kind == EventKind::recv) e["from"] = r->peer;
      if (!r->msg.empty()) e["msg"] = r->msg;
      if (r->vc) e["vc"] = trace::to_json(*r->vc);
      list.push_back(std::move(e));
    }
    if (o.vector && !pairs.skipped) {
      out["pairs"] = {{"happens_before", pairs.happens_before}, {"concurrent", pairs.concurrent}};
    }
    add_checks_json(out, checks);
    fmt::print("{}\n", out.dump());
    return trace::all_passed(checks) ? kExitOk : kExitViolation;
  }

  if (!settings.quiet) {
    fmt::print("\n{}\n", text.order_title);
    const std::size_t width = order.empty() ? 1 : fmt::formatted_size("{}", *order.back()->lamport);
    for (const Record* r : order) {
      std::string what;
      switch (r->kind) {
        case EventKind::send: what = fmt::format(fmt::runtime(text.order_send), r->node, r->msg, r->peer); break;
        case EventKind::recv: what = fmt::format(fmt::runtime(text.order_recv), r->node, r->msg, r->peer); break;
        default: what = fmt::format(fmt::runtime(text.order_local), r->node); break;
      }
      if (r->vc) what += "  " + dense(*r->vc, ids);
      fmt::print("  {:>{}}  {}\n", *r->lamport, width, what);
    }
    fmt::print("\n");
  }
  const auto s = [](std::uint64_t n) { return n == 1 ? "" : "s"; };
  const bool pt = settings.lang == Lang::pt;
  fmt::print("{}\n", fmt::format(fmt::runtime(text.counts), order.size(), counts.sent, counts.delivered,
                                 counts.dropped, s(order.size()), pt ? (counts.sent == 1 ? "m" : "ns") : s(counts.sent),
                                 s(counts.sent), s(counts.delivered), s(counts.dropped)));
  if (trace.events.size() != order.size()) {
    fmt::print("{}\n", fmt::format(fmt::runtime(text.untimed), trace.events.size()));
  }
  if (o.vector) {
    fmt::print("{}\n", pairs.skipped
                           ? fmt::format(fmt::runtime(text.pairs_skipped), pairs.events, trace::kMaxPairEvents)
                           : fmt::format(fmt::runtime(text.pairs), pairs.happens_before, pairs.concurrent));
  }
  print_checks(checks, settings.lang);
  print_replay_line(settings);
  return trace::all_passed(checks) ? kExitOk : kExitViolation;
}

namespace {

// The trace header of a simulated run: the command's and a sweep's.
trace::Header header_of(const LamportScenario& s) {
  return harness::sim_header("lamport", s.seed, node_ids(s.nodes), s.faults);
}

}  // namespace

int run_lamport(const LamportOptions& o, std::span<const std::string> args) {
  const LamportScenario scenario = lamport_scenario(o, resolve_seed(o.common), o.nodes);
  const trace::Header header = header_of(scenario);
  SimRecording recording(header, o.common);
  run_lamport_scenario(scenario, recording.sink());
  recording.commit();
  ReportSettings settings = report_settings(o.common, scenario.seed, replay_command(args, scenario.seed));
  settings.pace_ns = o.pace.empty() ? 0 : parse_duration_option("--pace", o.pace);
  settings.bug = bug_description(lamport::Descriptor::kBugs, o.bug);
  return report_lamport(recording.recorder().trace(), o, settings);
}

void add_lamport_options(CLI::App& cmd, LamportOptions& o) {
  cmd.add_option("--rounds", o.rounds, "Rounds mode: rounds to run; random mode: actions per node (default 5)")
      ->type_name("R");
  cmd.add_option("--mode", o.mode,
                 "rounds (default): the seed's sender/receiver rounds; random: nodes act on their own timers while "
                 "messages are in flight")
      ->type_name("rounds|random");
  cmd.add_flag("--vector", o.vector, "Also keep and print vector clocks");
  cmd.add_option("--pace", o.pace, "Wait this long (wall clock) between rounds, e.g. 1s as in the seed")
      ->type_name("DURATION");
}

std::vector<std::string> lamport_args(const LamportOptions& o) {
  std::vector<std::string> args{"--rounds", std::to_string(o.rounds), "--mode", o.mode};
  if (o.vector) args.push_back("--vector");
  return args;
}

namespace {

// The flags of a simulated run before the common ones: the command's, and a sweep's.
void add_lamport_run_flags(CLI::App& cmd, LamportOptions& o) {
  cmd.add_option("--nodes", o.nodes, "Number of nodes, 2 or more (default 3)")->type_name("N");
  add_lamport_options(cmd, o);
  add_bug_option(cmd, o.bug, lamport::Descriptor::kBugs);
}

// ---- distlab sweep lamport ----

SweepTrial lamport_trial(const LamportOptions& o, std::uint64_t seed, EventSink* tap) {
  const LamportScenario s = lamport_scenario(o, seed, o.nodes);
  return judge_in_memory(header_of(s), tap, [&](EventSink* sink) { run_lamport_scenario(s, *sink); });
}

// Clocks are safety only (causality, the clock condition, vector clocks): every fault
// the simulator has, any latency, reordering too.
void draw_lamport(SweepDraw& d) {
  const std::int64_t nodes = d.integer("--nodes", 2, 6);
  const std::array<std::string_view, 2> modes{"rounds", "random"};
  d.choice("--mode", modes);
  d.integer("--rounds", 1, 8);
  d.flag("--vector", 0.5);
  FaultProfile profile{.ids = node_ids(static_cast<std::uint32_t>(std::max<std::int64_t>(nodes, 1))),
                       .fault_end_ns = d.rng().between(50, 1000) * kMillisecond,
                       .loss = true,
                       .dup = true,
                       .reorder = true,
                       .unbounded_latency = true};
  profile.faulty = profile.ids;
  d.faults(profile);
}

}  // namespace

void add_lamport_command(CLI::App& app, Action& run, const Invocation& invocation) {
  auto options = std::make_shared<LamportOptions>();
  CLI::App* cmd = app.add_subcommand("lamport", "Lamport (and vector) clocks: the seed's question 1");
  add_lamport_run_flags(*cmd, *options);
  add_common_options(*cmd, options->common);
  add_trace_format_option(*cmd, options->common.trace_format);
  add_html_option(*cmd, options->common.html_path);
  add_fault_options(*cmd, options->faults);
  cmd->callback([options, &run, &invocation] {
    run = [options, &invocation] { return run_lamport(*options, invocation.args); };
  });
}

}  // namespace distlab::cli

namespace distlab::lamport {
namespace {
struct ExploreFlags {
  std::int64_t actions = 2;
  bool vector = false;
  std::string bug;
};
}  // namespace
}  // namespace distlab::lamport

void distlab::lamport::Descriptor::add_explore(const cli::CommandSite& site) {
  using namespace distlab::cli;
  ExploreOptions defaults;
  defaults.draws = 4;  // whether an action is a send, and to whom, is drawn
  add_explore_algorithm<ExploreFlags>(
      site, "lamport",
      "Lamport and vector clocks: every order of each node's local events and sends (at any moment) and of "
      "the "
      "deliveries; checks each delivery: the receiver's clock above the message's stamp, and with --vector "
      "its "
      "vector clock covering the message's",
      std::move(defaults), "Number of nodes, 2 to 5 (default 3)",
      [](CLI::App& cmd, ExploreFlags& f) {
        cmd.add_option("--actions", f.actions,
                       "Actions (a local event or a send) each node takes, 1 to 6 (default 2)")
            ->type_name("K");
        cmd.add_flag("--vector", f.vector, "Also keep vector clocks");
        add_bug_option(cmd, f.bug, kBugs);
      },
      [](const ExploreOptions& e, const ExploreFlags& f, const Invocation& invocation) {
        if (f.actions < 1 || f.actions > 6) {
          throw InputError(fmt::format("--actions must be from 1 to 6, got {}", f.actions));
        }
        ExploreModel model{.ids = explore_ids(e, 2, 5)};
        model.options.actions = static_cast<std::uint32_t>(f.actions);
        model.options.vector = f.vector;
        model.options.bug = algorithms::bug_named<Bug>(kBugs, f.bug);
        if (model.options.bug == Bug::vector_no_merge && !f.vector) {
          throw InputError("--bug vector-no-merge needs --vector");
        }
        return run_explore("lamport", invocation, e, std::move(model));
      });
}

void distlab::lamport::Descriptor::add_command(const cli::CommandSite& site) {
  cli::add_lamport_command(site.parent, site.action, site.invocation);
}

distlab::cli::SweepSubject distlab::lamport::Descriptor::sweep_subject() {
  return {.draw = cli::draw_lamport, .run = cli::sweep_runner(&cli::add_lamport_run_flags, &cli::lamport_trial)};
}
