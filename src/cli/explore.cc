// `distlab explore`: the options, the settings they make, and the reports.
#include "cli/explore.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/runtime/sim/network.h"

namespace distlab::cli {

namespace {

using json = nlohmann::ordered_json;

constexpr std::size_t kMaxScheduleBytes = 16U << 20;
constexpr std::uint32_t kMaxBudget = 16;
constexpr unsigned kMaxJobs = 256;

// "4GiB", "512MiB", "100000" (bytes); throws InputError.
std::uint64_t parse_size(std::string_view option, std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::uint64_t scale = 0;
  for (const auto& [name, s] : {std::pair<std::string_view, std::uint64_t>{"", 1},
                                {"B", 1},
                                {"KiB", 1ULL << 10},
                                {"MiB", 1ULL << 20},
                                {"GiB", 1ULL << 30},
                                {"TiB", 1ULL << 40}}) {
    if (unit == name) scale = s;
  }
  if (ec != std::errc() || end == text.data() || scale == 0 || value > UINT64_MAX / scale) {
    throw InputError(fmt::format("{} expects a size such as 512MiB or 4GiB, got '{}'", option, text));
  }
  return value * scale;
}

std::string read_schedule_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("--schedule: cannot read '{}': {}", path, std::strerror(errno)));
  std::string text(kMaxScheduleBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) throw InputError(fmt::format("--schedule: cannot read '{}': {}", path, std::strerror(errno)));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxScheduleBytes) {
    throw InputError(fmt::format("--schedule: '{}' is larger than {} MiB", path, kMaxScheduleBytes >> 20));
  }
  return text;
}

// The command that replays `schedule`: the invocation without the options of a search
// or of its output, with --replay.
std::string replay_line(const Invocation& invocation, const std::string& schedule) {
  static constexpr std::string_view kDropped[] = {"--replay", "--schedule",   "--trace",     "--html",
                                                  "--json",   "--timing",     "--jobs",      "--max-states",
                                                  "--depth",  "--time-limit", "--max-memory"};
  static constexpr std::string_view kFlags[] = {"--json", "--timing"};
  std::string out = program_word();
  const auto& args = invocation.args;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const std::string_view name = std::string_view(a).substr(0, a.find('='));
    if (std::find(std::begin(kDropped), std::end(kDropped), name) != std::end(kDropped)) {
      const bool flag = std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags);
      if (!flag && a.find('=') == std::string::npos) ++i;  // and its value
      continue;
    }
    out += ' ';
    out += shell_word(a);
  }
  return out + " --replay " + schedule;
}

std::string schedule_text(const std::vector<explore::Step>& steps) {
  std::string out;
  for (const explore::Step& s : steps) {
    if (!out.empty()) out += ',';
    out += s.token();
  }
  return out;
}

std::string step_text(const explore::Step& s) {
  using explore::ChoiceKind;
  switch (s.kind) {
    case ChoiceKind::deliver: return fmt::format("node {} receives {} from node {}", s.node, s.what, s.peer);
    case ChoiceKind::fire: return fmt::format("node {}: timer {} goes off", s.node, s.what);
    case ChoiceKind::crash: return fmt::format("node {} crashes", s.node);
    case ChoiceKind::recover: return fmt::format("node {} recovers", s.node);
    case ChoiceKind::lose:
      return fmt::format("the network loses {} from node {} to node {}", s.what, s.node, s.peer);
    case ChoiceKind::duplicate:
      return fmt::format("the network duplicates {} from node {} to node {}", s.what, s.node, s.peer);
  }
  return "?";
}

void print_steps(const std::vector<explore::Step>& steps) {
  std::size_t width = 0;
  for (const explore::Step& s : steps) width = std::max(width, s.token().size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const explore::Step& s = steps[i];
    fmt::print("  {:>3}  {:>8.3f}s  {:<{}}  {}\n", i + 1, static_cast<double>(s.t) / 1e9, s.token(), width,
               step_text(s));
  }
}

std::string stop_text(const explore::Result& r, const explore::Settings& s) {
  switch (r.stop) {
    case explore::Stop::depth: return fmt::format("stopped at --depth {}", s.max_depth);
    case explore::Stop::states: return fmt::format("stopped at --max-states {}", s.max_states);
    case explore::Stop::time: return fmt::format("stopped at --time-limit {:g}s", s.time_limit_s);
    case explore::Stop::memory:
      return fmt::format("stopped at --max-memory {} MiB", s.max_memory_bytes >> 20);
    default: return {};
  }
}

}  // namespace

CLI::App* add_explore_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "explore",
      wrapped("Check every schedule of an algorithm's nodes within bounds (every order of deliveries and "
              "timers the network allows, and crashes, recoveries, losses and duplicates within budgets), "
              "breadth first: the first violation found is a shortest one, printed with the schedule "
              "that replays it"));
  cmd->require_subcommand(1);
  return cmd;
}

void add_explore_options(CLI::App& cmd, ExploreOptions& o, const std::string& nodes_help) {
  cmd.add_option("--nodes", o.nodes, nodes_help)->type_name("N");
  const std::string network = "Network and faults";
  cmd.add_option("--latency", o.latency,
                 "Each message arrives within these bounds after its send: const:5ms or uniform:1ms:10ms "
                 "(default uniform:1ms:10ms); every order they allow is explored")
      ->type_name("SPEC")
      ->group(network);
  cmd.add_option(
         "--draws", o.draws,
         fmt::format("A step whose handler draws random numbers is tried with this many random streams, 1 "
                     "to {} (default {})",
                     explore::kMaxDraws - 1, o.draws))
      ->type_name("K")
      ->group(network);
  cmd.add_flag("--no-fifo", o.no_fifo, "Messages on one channel may overtake each other")->group(network);
  cmd.add_option("--crashes", o.crashes, fmt::format("Crashes a path may have (default {})", o.crashes))
      ->type_name("K")
      ->group(network);
  cmd.add_option("--recoveries", o.recoveries, "Recoveries a path may have (default 0)")
      ->type_name("K")
      ->group(network);
  cmd.add_option("--losses", o.losses, "Messages a path may lose (default 0)")
      ->type_name("K")
      ->group(network);
  cmd.add_option("--duplicates", o.duplicates, "Messages a path may duplicate (default 0)")
      ->type_name("K")
      ->group(network);
  const std::string bounds = "Bounds";
  cmd.add_option("--depth", o.depth, "Steps a path may take (default: no bound)")
      ->type_name("D")
      ->group(bounds);
  cmd.add_option(
         "--until", o.until,
         o.until.empty()
             ? std::string("Nothing happens after this simulated time; states then count the time "
                           "too (default: no horizon)")
             : fmt::format("Nothing happens after this simulated time; states then count the time too "
                           "(default {}; off: no horizon)",
                           o.until))
      ->type_name("TIME")
      ->group(bounds);
  cmd.add_option("--max-states", o.max_states, "Distinct states to explore at most (default 10000000)")
      ->type_name("N")
      ->group(bounds);
  cmd.add_option("--time-limit", o.time_limit, "Wall-clock time to explore at most (default: no limit)")
      ->type_name("DURATION")
      ->group(bounds);
  cmd.add_option("--jobs", o.jobs, "Threads (default: every core); the result is the same for any number")
      ->type_name("J")
      ->group(bounds);
  cmd.add_option("--max-memory", o.max_memory, "Memory for visited states and paths (default 4GiB)")
      ->type_name("SIZE")
      ->group(bounds);
  const std::string output = "Output";
  cmd.add_option("--replay", o.replay,
                 "Replay this schedule (as a violation prints it: deliver:3.7,fire:3:leader_timeout,...) "
                 "instead of exploring")
      ->type_name("STEPS")
      ->group(output);
  cmd.add_option("--schedule", o.schedule_path,
                 "Replay the schedule in FILE (the same steps, one per line or "
                 "comma-separated)")
      ->type_name("FILE")
      ->group(output)
      ->excludes(cmd.get_option("--replay"));
  cmd.add_option("--trace", o.trace_path, "Write the counterexample (or the replayed schedule) as a trace")
      ->type_name("FILE")
      ->group(output);
  cmd.add_option("--html", o.html_path,
                 "Draw the counterexample (or the replayed schedule) as a space-time diagram")
      ->type_name("FILE")
      ->group(output);
  cmd.add_flag("--reduce", o.reduce,
               "Skip transitions that only swap two independent ones (sleep sets): the same states and "
               "result, fewer transitions, and the summary says how many (slower here: see docs/explore.md)")
      ->group(bounds);
  cmd.add_flag("--json", o.json, "Print the summary as one JSON object")->group(output);
  cmd.add_flag("--timing", o.timing, "Add the time taken and states/s to the summary")->group(output);
}

explore::Settings explore_settings(const ExploreOptions& o) {
  explore::Settings s;
  const auto bounds = sim::Latency::parse(o.latency).bounds();
  if (!bounds) {
    throw InputError(
        fmt::format("--latency {}: explore needs a bounded latency (const:T or uniform:LO:HI)", o.latency));
  }
  s.latency_min_ns = bounds->first;
  s.latency_max_ns = bounds->second;
  s.fifo = !o.no_fifo;
  s.reduce = o.reduce;
  for (const auto& [name, value] : {std::pair<const char*, std::uint32_t>{"--crashes", o.crashes},
                                    {"--recoveries", o.recoveries},
                                    {"--losses", o.losses},
                                    {"--duplicates", o.duplicates}}) {
    if (value > kMaxBudget)
      throw InputError(fmt::format("{} is at most {}, got {}", name, kMaxBudget, value));
  }
  s.budgets = {
      .crashes = o.crashes, .recoveries = o.recoveries, .losses = o.losses, .duplicates = o.duplicates};
  if (o.depth) s.max_depth = *o.depth;
  if (!o.until.empty() && o.until != "off") {
    s.until_ns = parse_duration(o.until);
    if (s.until_ns <= 0)
      throw InputError(fmt::format("--until must be positive (or off), got '{}'", o.until));
  }
  if (o.max_states == 0) throw InputError("--max-states must be at least 1");
  s.max_states = o.max_states;
  if (!o.time_limit.empty()) {
    const Nanos t = parse_duration(o.time_limit);
    if (t <= 0) throw InputError(fmt::format("--time-limit must be positive, got '{}'", o.time_limit));
    s.time_limit_s = static_cast<double>(t) / 1e9;
  }
  if (o.draws < 1 || o.draws >= explore::kMaxDraws) {
    throw InputError(fmt::format("--draws must be from 1 to {}, got {}", explore::kMaxDraws - 1, o.draws));
  }
  s.draws = o.draws;
  s.max_memory_bytes = parse_size("--max-memory", o.max_memory);
  s.jobs = o.jobs != 0 ? o.jobs : std::max(1U, std::thread::hardware_concurrency());
  if (s.jobs > kMaxJobs) throw InputError(fmt::format("--jobs is at most {}, got {}", kMaxJobs, o.jobs));
  if (s.max_memory_bytes < (1ULL << 20)) throw InputError("--max-memory must be at least 1MiB");
  return s;
}

std::vector<NodeId> explore_ids(const ExploreOptions& o, std::int64_t lo, std::int64_t hi) {
  if (o.nodes < lo || o.nodes > hi) {
    throw InputError(fmt::format("--nodes must be from {} to {} for explore, got {}", lo, hi, o.nodes));
  }
  std::vector<NodeId> ids;
  for (std::int64_t i = 1; i <= o.nodes; ++i) ids.push_back(static_cast<NodeId>(i));
  return ids;
}

std::optional<std::vector<explore::Wanted>> explore_schedule(const ExploreOptions& o) {
  if (!o.schedule_path.empty()) return explore::parse_schedule(read_schedule_file(o.schedule_path));
  if (!o.replay.empty()) return explore::parse_schedule(o.replay);
  return std::nullopt;
}

void note_violation(EventSink& sink, std::span<const explore::Step> steps, const explore::Violation& v) {
  nlohmann::ordered_json data =
      explore::ViolationNote{.check = std::string(v.check), .detail = v.detail}.to_json();
  Event e;
  e.kind = EventKind::state;
  if (!steps.empty()) {
    e.t = steps.back().t;
    e.node = steps.back().node;
  }
  e.data = &data;
  sink.on_event(e);
}

void print_explore_settings(std::string_view algorithm, std::size_t nodes, const explore::Settings& s) {
  const auto ms = [](Nanos t) { return fmt::format("{:g}ms", static_cast<double>(t) / 1e6); };
  const std::string latency = s.latency_min_ns == s.latency_max_ns
                                  ? ms(s.latency_min_ns)
                                  : ms(s.latency_min_ns) + ".." + ms(s.latency_max_ns);
  std::string more;
  if (s.draws > 1) more += fmt::format("; {} random streams per drawing step", s.draws);
  if (s.until_ns > 0) more += fmt::format("; until {:g}s", static_cast<double>(s.until_ns) / 1e9);
  fmt::print(
      "Exploring {}: {} nodes, messages arrive {} after their send{}; budgets: {} crashes, {} recoveries, "
      "{} losses, {} duplicates{}\n",
      algorithm, nodes, latency, s.fifo ? ", in order per channel" : ", in any order", s.budgets.crashes,
      s.budgets.recoveries, s.budgets.losses, s.budgets.duplicates, more);
}

int report_explore(const ExploreOutcome& outcome, const ExploreOptions& o, const Invocation& invocation) {
  const explore::Result& r = outcome.result;
  const explore::Settings& s = outcome.settings;
  const std::string schedule = schedule_text(r.path);
  const double per_state =
      r.distinct == 0 ? 0 : static_cast<double>(r.memory_bytes) / static_cast<double>(r.distinct);
  if (o.json) {
    json out;
    out["algorithm"] = outcome.algorithm;
    out["nodes"] = outcome.nodes;
    out["budgets"] = {{"crashes", s.budgets.crashes},
                      {"recoveries", s.budgets.recoveries},
                      {"losses", s.budgets.losses},
                      {"duplicates", s.budgets.duplicates}};
    out["distinct_states"] = r.distinct;
    out["transitions"] = r.transitions;
    out["quiescent_states"] = r.quiescent;
    out["reduction"] = r.reduced;
    if (r.reduced) {
      out["transitions_saved"] = r.pruned;
      out["expanded_again"] = r.reexpanded;
    }
    out["depth"] = r.depth;
    out["complete"] = r.complete();
    out["stopped"] = to_string(r.stop);
    out["collision_probability"] = r.collision_probability();
    out["memory_bytes"] = r.memory_bytes;
    if (r.violation) {
      json v;
      v["check"] = r.violation->check;
      v["detail"] = r.violation->detail;
      v["steps"] = r.path.size();
      v["schedule"] = schedule;
      out["violation"] = v;
      add_checks_json(out, outcome.checks);
    }
    if (o.timing) {
      out["seconds"] = r.seconds;
      out["states_per_s"] = r.seconds > 0 ? static_cast<double>(r.distinct) / r.seconds : 0.0;
    }
    fmt::print("{}\n", out.dump());
    return r.violation ? kExitViolation : kExitOk;
  }
  if (r.violation) {
    fmt::print("Violation of {}: {}\n", r.violation->check, r.violation->detail);
    fmt::print("Shortest counterexample: {} steps, found among {} distinct states\n", r.path.size(),
               thousands(r.distinct));
    print_steps(r.path);
    if (!outcome.checks.empty()) {
      fmt::print("The trace checkers on this run:\n");
      print_checks(outcome.checks, Lang::en);
    }
    if (!o.trace_path.empty()) fmt::print("Trace: {}\n", o.trace_path);
    if (!o.html_path.empty()) fmt::print("Diagram: {}\n", o.html_path);
    fmt::print("Replay: {}\n", replay_line(invocation, schedule));
  } else if (r.complete()) {
    fmt::print("No violation in {} distinct states ({} transitions), depth {}, complete\n",
               thousands(r.distinct), thousands(r.transitions), r.depth);
  } else {
    fmt::print("No violation in {} distinct states ({} transitions), depth {}, NOT complete: {}\n",
               thousands(r.distinct), thousands(r.transitions), r.depth, stop_text(r, s));
  }
  if (!r.violation) {
    fmt::print("Quiescent states (liveness judged): {}\n", thousands(r.quiescent));
    if (r.reduced) {
      const double share = static_cast<double>(r.pruned) /
                           static_cast<double>(std::max<std::uint64_t>(1, r.pruned + r.transitions));
      fmt::print("Reduction (sleep sets): {} transitions not taken ({:.0f}% of {}), the same states{}\n",
                 thousands(r.pruned), 100 * share, thousands(r.pruned + r.transitions),
                 r.reexpanded > 0 ? fmt::format("; {} states expanded again", thousands(r.reexpanded)) : "");
    } else if (s.reduce) {
      fmt::print("Reduction: off (sleep sets need FIFO channels, and --no-fifo was given)\n");
    }
  }
  fmt::print("Fingerprints: 64-bit; probability that a collision hid a state: at most {:.1e}\n",
             r.collision_probability());
  fmt::print("Memory: {:.1f} MiB ({:.0f} bytes per state)\n", static_cast<double>(r.memory_bytes) / (1 << 20),
             per_state);
  if (o.timing) {
    fmt::print("Time: {:.2f} s, {:.0f} states/s\n", r.seconds,
               r.seconds > 0 ? static_cast<double>(r.distinct) / r.seconds : 0.0);
  }
  return r.violation ? kExitViolation : kExitOk;
}

int report_replay(const std::vector<explore::Step>& steps, const std::optional<explore::Violation>& verdict,
                  const std::vector<trace::CheckResult>& checks, const ExploreOptions& o) {
  if (o.json) {
    json out;
    out["steps"] = steps.size();
    if (verdict) out["violation"] = {{"check", verdict->check}, {"detail", verdict->detail}};
    add_checks_json(out, checks);
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("Replayed {} steps:\n", steps.size());
    print_steps(steps);
    if (verdict) {
      fmt::print("Violation of {}: {}\n", verdict->check, verdict->detail);
    } else {
      fmt::print("The state at the end keeps every property\n");
    }
    print_checks(checks, Lang::en);
    if (!o.trace_path.empty()) fmt::print("Trace: {}\n", o.trace_path);
    if (!o.html_path.empty()) fmt::print("Diagram: {}\n", o.html_path);
  }
  return verdict ? kExitViolation : kExitOk;
}

void ExploreProgressLine::on_progress(const explore::Result& r) {
  if (!line_.due()) return;
  line_.show(fmt::format("depth {}, {} states, {:.0f} states/s", r.depth, thousands(r.distinct),
                         r.seconds > 0 ? static_cast<double>(r.distinct) / r.seconds : 0.0));
}

}  // namespace distlab::cli
