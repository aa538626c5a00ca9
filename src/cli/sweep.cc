#include "cli/sweep.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/output.h"
#include "cli/progress.h"
#include "cli/shrink.h"
#include "distlab/algo/registry.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/error.h"
#include "distlab/core/interrupt.h"

namespace distlab::cli {
namespace {

using json = nlohmann::ordered_json;

std::string ms_text(Nanos ns) { return fmt::format("{}ms", ns / kMillisecond); }

// Whole milliseconds in [lo, hi] (both rounded down to a millisecond, hi at least lo).
Nanos draw_ms(Rng& rng, Nanos lo, Nanos hi) {
  const std::int64_t lo_ms = lo / kMillisecond;
  const std::int64_t hi_ms = std::max(lo_ms, hi / kMillisecond);
  return rng.between(lo_ms, hi_ms) * kMillisecond;
}

// A non-empty proper subset of `ids` and the rest, for a partition's two sides.
std::pair<std::vector<NodeId>, std::vector<NodeId>> split_in_two(Rng& rng, std::span<const NodeId> ids) {
  std::vector<NodeId> a;
  std::vector<NodeId> b;
  const std::uint64_t size_a = 1 + rng.uniform(ids.size() - 1);
  std::vector<NodeId> shuffled(ids.begin(), ids.end());
  for (std::size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.uniform(i)]);
  for (std::size_t i = 0; i < shuffled.size(); ++i) (i < size_a ? a : b).push_back(shuffled[i]);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return {a, b};
}

}  // namespace

// ---- drawing a configuration ----

SweepDraw::SweepDraw(std::uint64_t seed, std::span<const std::string> given)
    : rng_(derive_seed(seed, kStreamSweep)), given_(given) {}

namespace {
// "--flag=value" given as one argument.
bool is_flag_with_value(std::string_view arg, std::string_view flag) {
  return arg.size() > flag.size() && arg.starts_with(flag) && arg[flag.size()] == '=';
}
}  // namespace

std::optional<std::string> SweepDraw::given_value(std::string_view flag) const {
  std::optional<std::string> value;  // the last one given, as CLI11 would keep
  for (std::size_t i = 0; i < given_.size(); ++i) {
    const std::string& a = given_[i];
    if (a == flag && i + 1 < given_.size()) value = given_[i + 1];
    if (is_flag_with_value(a, flag)) value = a.substr(flag.size() + 1);
  }
  return value;
}

bool SweepDraw::given(std::string_view flag) const {
  return std::any_of(given_.begin(), given_.end(),
                     [&](const std::string& a) { return a == flag || is_flag_with_value(a, flag); });
}

void SweepDraw::set(std::string_view flag, std::string value) {
  if (given(flag)) return;
  args_.emplace_back(flag);
  args_.push_back(std::move(value));
}

std::int64_t SweepDraw::integer(std::string_view flag, std::int64_t lo, std::int64_t hi) {
  const std::int64_t drawn = rng_.between(lo, hi);  // drawn either way: the user's flag shifts no other draw
  if (const std::optional<std::string> text = given_value(flag)) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec == std::errc() && end == text->data() + text->size()) return value;
    return drawn;  // not a number: the run's own parsing refuses it with one line
  }
  set(flag, std::to_string(drawn));
  return drawn;
}

Nanos SweepDraw::duration(std::string_view flag, Nanos lo, Nanos hi) {
  const Nanos drawn = draw_ms(rng_, lo, hi);
  if (const std::optional<std::string> text = given_value(flag)) return parse_duration_option(flag, *text);
  set(flag, ms_text(drawn));
  return drawn;
}

std::string SweepDraw::choice(std::string_view flag, std::span<const std::string_view> choices) {
  const std::string drawn(choices[rng_.uniform(choices.size())]);
  if (const std::optional<std::string> text = given_value(flag)) return *text;
  set(flag, drawn);
  return drawn;
}

bool SweepDraw::flag(std::string_view flag, double p) {
  const bool drawn = rng_.chance(p);
  if (given(flag)) return true;
  if (drawn) args_.emplace_back(flag);
  return drawn;
}

void SweepDraw::faults(const FaultProfile& p) {
  DISTLAB_ASSERT(p.fault_end_ns >= 10 * kMillisecond, "a fault phase of at least 10ms");
  // Latency: bounded where timeouts assume a bound.
  const Nanos max_ns = std::max(p.latency_max_ns, 2 * kMillisecond);
  const Nanos a = draw_ms(rng_, kMillisecond, max_ns / 2);
  const Nanos b = draw_ms(rng_, a, max_ns);
  std::vector<std::string> latencies{fmt::format("const:{}", ms_text(a)),
                                     fmt::format("uniform:{}:{}", ms_text(a), ms_text(b))};
  if (p.unbounded_latency) {
    latencies.push_back(fmt::format("exp:{}", ms_text(a)));
    latencies.push_back(fmt::format("normal:{}:{}", ms_text(b), ms_text(std::max<Nanos>(kMillisecond, a / 2))));
  }
  set("--latency", latencies[rng_.uniform(latencies.size())]);
  const auto probability = [&](std::string_view flag, bool allowed) {
    const bool on = rng_.chance(0.5);
    const std::uint64_t percent = 1 + rng_.uniform(15);  // 1% .. 15%
    if (allowed && on) set(flag, fmt::format("0.{:02}", percent));
  };
  probability("--loss", p.loss);
  probability("--dup", p.dup);
  const bool reorder = rng_.chance(0.5);
  if (p.reorder && reorder && !given("--no-fifo")) args_.emplace_back("--no-fifo");

  const Nanos disruptions_end = p.disruptions_end_ns > 0 ? p.disruptions_end_ns : p.fault_end_ns;
  DISTLAB_ASSERT(disruptions_end >= 10 * kMillisecond && p.crashes_from_ns + 10 * kMillisecond <= p.fault_end_ns);
  // Partitions, two-way or one-way, each over by the end of the fault phase.
  const std::uint64_t partitions = rng_.uniform(3);
  if (p.partition && p.ids.size() >= 2 && !given("--partition")) {
    for (std::uint64_t k = 0; k < partitions; ++k) {
      const Nanos from = draw_ms(rng_, 0, disruptions_end - 2 * kMillisecond);
      const Nanos to = draw_ms(rng_, from + kMillisecond, disruptions_end);
      auto [side_a, side_b] = split_in_two(rng_, p.ids);
      const bool one_way = rng_.chance(0.5);
      args_.emplace_back("--partition");
      args_.push_back(fmt::format("{}{}{}@{}..{}", fmt::join(side_a, ","), one_way ? ">" : "/", fmt::join(side_b, ","),
                                  ms_text(from), ms_text(to)));
    }
  }

  // Crashes, each followed by a recovery in the fault phase unless the node stays down;
  // one crash per node, so the plan is always valid.
  std::vector<NodeId> candidates = p.faulty;
  const std::uint64_t most = std::min<std::size_t>(candidates.size(), 3);
  const std::uint64_t least = std::min(p.min_crashes, most);
  const std::uint64_t crashes = least + rng_.uniform(most - least + 1);
  const bool user_plan = given("--crash") || given("--recover");
  for (std::uint64_t k = 0; k < crashes && !candidates.empty(); ++k) {
    const std::size_t pick = rng_.uniform(candidates.size());
    const NodeId node = candidates[pick];
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(pick));
    const Nanos at = draw_ms(rng_, p.crashes_from_ns + kMillisecond, p.fault_end_ns - 2 * kMillisecond);
    const Nanos back = draw_ms(rng_, at + kMillisecond, p.fault_end_ns);
    // Some node is never down for good: when every candidate crashes, each comes back.
    const bool stays_down = rng_.chance(0.25) && crashes < p.faulty.size();
    if (!p.crash || user_plan) continue;
    args_.insert(args_.end(), {"--crash", fmt::format("{}@{}", node, ms_text(at))});
    if (!stays_down) args_.insert(args_.end(), {"--recover", fmt::format("{}@{}", node, ms_text(back))});
  }
  // Pauses of nodes that are not crashed (the remaining candidates), over by the end.
  const std::uint64_t pauses = candidates.empty() ? 0 : rng_.uniform(std::min<std::size_t>(candidates.size(), 2) + 1);
  for (std::uint64_t k = 0; k < pauses; ++k) {
    const std::size_t pick = rng_.uniform(candidates.size());
    const NodeId node = candidates[pick];
    candidates.erase(candidates.begin() + static_cast<std::ptrdiff_t>(pick));
    const Nanos at = draw_ms(rng_, 0, disruptions_end - 2 * kMillisecond);
    const Nanos length = draw_ms(rng_, kMillisecond, disruptions_end - at);
    if (!p.pause || given("--pause")) continue;
    args_.insert(args_.end(), {"--pause", fmt::format("{}@{}+{}", node, ms_text(at), ms_text(length))});
  }
}

std::vector<trace::CheckResult> check_all(const trace::Trace& trace) { return algorithms::check_trace(trace); }

void parse_flags(CLI::App& app, std::span<const std::string> args) {
  require_nonempty_values(app);
  parse_prepared_flags(app, args);
}

void parse_prepared_flags(CLI::App& app, std::span<const std::string> args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw InputError(e.what());
  }
}

// ---- shards ----

Shard parse_shard(std::string_view text) {
  const auto bad = [&] {
    return InputError(fmt::format("--shard is I/N with 1 <= I <= N <= {}, got '{}'", kMaxShards, text));
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw bad();
  const auto number = [&](std::string_view part) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) throw bad();
    return value;
  };
  const Shard shard{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (shard.index < 1 || shard.count < 1 || shard.index > shard.count || shard.count > kMaxShards) throw bad();
  return shard;
}

SeedRange shard_seeds(std::uint64_t from, std::uint64_t seeds, Shard shard) {
  DISTLAB_ASSERT(shard.index >= 1 && shard.index <= shard.count && shard.count <= kMaxShards);
  DISTLAB_ASSERT(seeds <= static_cast<std::uint64_t>(kMaxSweepSeeds));  // the products below fit
  const auto i = static_cast<std::uint64_t>(shard.index);
  const auto n = static_cast<std::uint64_t>(shard.count);
  const std::uint64_t lo = (i - 1) * seeds / n;
  const std::uint64_t hi = i * seeds / n;
  return {from + lo, hi - lo};
}

// ---- running a sweep ----

namespace {

// What one seed came to, kept until it is printed in seed order.
struct SeedResult {
  bool failed = false;
  std::string record;  // the JSONL line of a failing seed
  std::vector<std::pair<std::string, trace::CheckStatus>> statuses;
};

std::optional<SweepSubject> find_subject(std::string_view name) {
  std::optional<SweepSubject> subject;
  algorithms::for_each([&]<class D>() {
    if (D::kName == name) subject = D::sweep_subject();
  });
  return subject;
}

// The flags a seed runs with: its drawn ones (none with --fixed), then the user's.
std::vector<std::string> seed_args(const SweepSubject& subject, const SweepOptions& o, std::uint64_t seed) {
  std::vector<std::string> args;
  if (!o.fixed) {
    SweepDraw draw(seed, o.flags);
    subject.draw(draw);
    args = draw.args();
  }
  args.insert(args.end(), o.flags.begin(), o.flags.end());
  return args;
}

SeedResult run_seed(const SweepSubject& subject, const SweepOptions& o, std::uint64_t seed) {
  const std::vector<std::string> args = seed_args(subject, o, seed);
  std::vector<std::string> command{o.algorithm};
  command.insert(command.end(), args.begin(), args.end());

  SeedResult result;
  json failure;
  try {
    const SweepTrial trial = subject.run(args, seed, nullptr);
    for (const trace::CheckResult& c : trial.checks) {
      result.statuses.emplace_back(c.name, c.status);
      if (c.status == trace::CheckStatus::pass || result.failed) continue;
      result.failed = true;
      failure = {{"check", c.name},
                 {"status", std::string(trace::to_string(c.status))},
                 {"reason", c.status == trace::CheckStatus::skipped
                                ? "skipped, which a sweep counts as a failure of its configuration: " + c.detail
                                : c.detail}};
    }
  } catch (const Error& e) {  // a drawn configuration the command refuses: the sweep's own bug
    result.failed = true;
    result.statuses.emplace_back("configuration", trace::CheckStatus::fail);
    failure = {{"check", "configuration"}, {"status", "fail"}, {"reason", e.what()}};
  }
  if (result.failed) {
    json record{{"seed", seed}, {"configuration", args}};
    for (auto& [key, value] : failure.items()) record[key] = value;
    record["replay"] = replay_command(command, seed);
    result.record = record.dump();
  }
  return result;
}

// How far workers may run ahead of the printer (results kept in memory meanwhile).
constexpr std::size_t kMaxPendingSeeds = 1 << 16;
// Results a worker adds before it wakes the printer.
constexpr std::size_t kWakeEvery = 256;

using Clock = std::chrono::steady_clock;  // the CLI edge: progress and --time-limit only, never a run

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A failing seed shrunk: its JSONL record ({"seed": S, "minimal": {...}}) and, for
// people, two lines (how far it shrank, and the command).
struct ShrinkReport {
  std::string record;
  std::string text;
};

ShrinkReport report_shrunk(const SweepOptions& o, std::uint64_t seed, const Shrunk& s) {
  std::vector<std::string> command{o.algorithm};
  command.insert(command.end(), s.args.begin(), s.args.end());
  const std::string replay = replay_command(command, seed);
  json minimal{{"check", s.check},
               {"status", std::string(trace::to_string(s.status))},
               {"reason", s.reason},
               {"configuration", s.args},
               {"replay", replay},
               {"faults", {s.before.faults, s.after.faults}},
               {"nodes", {s.before.nodes, s.after.nodes}},
               {"events", {s.before.events, s.after.events}},
               {"runs", s.runs},
               {"complete", s.complete}};
  std::string text = fmt::format(
      "seed {}: {} {}; shrunk in {} runs{}: faults {} -> {}, nodes {} -> {}, events {} -> {}\n  {}\n", seed, s.check,
      trace::to_string(s.status), s.runs, s.complete ? "" : " (stopped early)", s.before.faults, s.after.faults,
      s.before.nodes, s.after.nodes, s.before.events, s.after.events, replay);
  return {json{{"seed", seed}, {"minimal", minimal}}.dump(), std::move(text)};
}

// Shrinks `seed` of the sweep `o`; nullopt when it passes.
std::optional<Shrunk> shrink_seed(const SweepSubject& subject, const SweepOptions& o, std::uint64_t seed) {
  return shrink(subject, seed_args(subject, o, seed), seed,
                {.max_runs = static_cast<std::size_t>(o.shrink_runs)});
}

// `distlab sweep ALGO --shrink SEED`: that seed alone, shrunk.
int run_shrink(const SweepSubject& subject, const SweepOptions& o, std::uint64_t seed) {
  const InterruptGuard guard;  // a long shrink stops at the next run and prints how far it got
  const std::optional<Shrunk> s = shrink_seed(subject, o, seed);
  if (!s) {
    if (o.json) {
      fmt::print("{}\n", json{{"seed", seed}, {"failed", false}}.dump());
    } else {
      fmt::print("seed {} passes every check: nothing to shrink\n", seed);
    }
    return kExitOk;
  }
  const ShrinkReport report = report_shrunk(o, seed, *s);
  if (!o.html_path.empty()) write_run_html(subject, s->args, seed, o.html_path);
  if (o.json) {
    fmt::print("{}\n", report.record);
  } else {
    fmt::print("{}  why: {}\n", report.text, s->reason);
    if (!o.html_path.empty()) fmt::print("  drawn: {}\n", o.html_path);
  }
  if (const int signal = InterruptGuard::signal(); signal != 0) return 128 + signal;
  return kExitViolation;
}

}  // namespace

int run_sweep(const SweepOptions& o) {
  if (!o.merge.empty()) return run_sweep_merge(o);
  const auto names = algorithms::names();
  if (o.algorithm.empty()) {
    throw InputError(fmt::format("sweep: which algorithm? ({}), or --merge FILE...", fmt::join(names, ", ")));
  }
  const std::optional<SweepSubject> subject = find_subject(o.algorithm);
  if (!subject) {
    throw InputError(fmt::format("sweep: unknown algorithm '{}' (algorithms: {})", o.algorithm, fmt::join(names, ", ")));
  }
  require_at_least("--seeds", o.seeds, 1);
  if (o.seeds > kMaxSweepSeeds) throw InputError(fmt::format("--seeds is at most {}, got {}", kMaxSweepSeeds, o.seeds));
  if (o.from > UINT64_MAX - static_cast<std::uint64_t>(o.seeds) + 1) {
    throw InputError(fmt::format("--from {} with --seeds {} runs past the last seed {}", o.from, o.seeds, UINT64_MAX));
  }
  const std::int64_t jobs = o.jobs.value_or(std::max<std::int64_t>(1, std::thread::hardware_concurrency()));
  require_at_least("--jobs", jobs, 1);
  if (jobs > kMaxSweepJobs) throw InputError(fmt::format("--jobs is at most {}, got {}", kMaxSweepJobs, jobs));
  std::optional<double> limit_s;
  if (!o.time_limit.empty()) {
    const Nanos limit = parse_duration_option("--time-limit", o.time_limit);
    if (limit <= 0) throw InputError(fmt::format("--time-limit must be longer than 0, got {}", o.time_limit));
    limit_s = static_cast<double>(limit) / 1e9;
  }
  for (const std::string& f : o.flags) {
    if (f == "--seed" || is_flag_with_value(f, "--seed")) throw InputError("sweep: each seed is its own --seed; use --from and --seeds");
  }
  const Shard shard = o.shard.empty() ? Shard{} : parse_shard(o.shard);
  require_at_least("--shrink-first", o.shrink_first, 0);
  require_at_least("--shrink-runs", o.shrink_runs, 1);
  if (o.shrink_runs > kMaxShrinkRuns) {
    throw InputError(fmt::format("--shrink-runs is at most {}, got {}", kMaxShrinkRuns, o.shrink_runs));
  }
  if (!o.html_path.empty()) check_creatable(o.html_path);
  const harness::WatchSimulations one_line(nullptr);  // the sweep's own progress line, not each run's
  if (o.shrink_seed) return run_shrink(*subject, o, *o.shrink_seed);
  // The user's flags are checked once, before any seed, so a typo is one line, not a record per seed.
  subject->run(seed_args(*subject, o, o.from), o.from, nullptr);

  // This shard's seeds (all of them without --shard): a seed's verdict depends on the seed alone.
  const SeedRange range = shard_seeds(o.from, static_cast<std::uint64_t>(o.seeds), shard);
  const auto count = static_cast<std::size_t>(range.size);
  // Results wait here until every earlier seed has one; a worker more than
  // kMaxPendingSeeds ahead of the printer waits for it.
  std::map<std::size_t, SeedResult> pending;
  std::mutex mutex;
  std::condition_variable finished;
  std::condition_variable room;
  std::size_t next = 0;     // under mutex: the next seed to hand out
  std::size_t printed = 0;  // under mutex: seeds printed
  bool stop = false;        // under mutex: start no more seeds
  const InterruptGuard guard;  // SIGINT, SIGTERM, SIGHUP: start no more seeds; print what finished
  const Clock::time_point start = Clock::now();

  const auto work = [&] {
    for (;;) {
      std::size_t i = 0;
      {
        std::unique_lock lock(mutex);
        room.wait(lock, [&] { return stop || next >= count || next - printed < kMaxPendingSeeds; });
        if (stop || next >= count) return;
        i = next++;
      }
      SeedResult r = run_seed(*subject, o, range.first + i);
      std::lock_guard lock(mutex);
      pending.emplace(i, std::move(r));
      // Waking the printer is a system call: once per kWakeEvery results and for the
      // last one (it wakes every 100 ms on its own as well).
      const bool last = (stop || next >= count) && printed + pending.size() == next;
      if (last || pending.size() % kWakeEvery == 0) finished.notify_one();
    }
  };
  std::vector<std::jthread> workers;
  for (std::int64_t j = 0; j < jobs; ++j) workers.emplace_back(work);
  // Should printing throw (a closed pipe), the workers stop before they are joined.
  struct Stopper {
    std::mutex& mutex;
    bool& stop;
    std::condition_variable& room;
    ~Stopper() {
      std::lock_guard lock(mutex);
      stop = true;
      room.notify_all();
    }
  } stopper{mutex, stop, room};

  // Print each result as soon as every earlier seed has one: records come out in seed order.
  ProgressLine progress(o.shard.empty()
                            ? fmt::format("sweep {}", o.algorithm)
                            : fmt::format("sweep {}, shard {}/{}", o.algorithm, shard.index, shard.count),
                        std::chrono::milliseconds(0));
  std::uint64_t failures = 0;
  std::vector<std::uint64_t> to_shrink;  // the first --shrink-first failing seeds
  SweepChecks counts;
  for (;;) {
    std::unique_lock lock(mutex);
    finished.wait_for(lock, std::chrono::milliseconds(100));
    if (InterruptGuard::signal() != 0 || (limit_s && seconds_since(start) >= *limit_s)) {
      stop = true;
      room.notify_all();
    }
    for (auto it = pending.begin(); it != pending.end() && it->first == printed; it = pending.erase(it)) {
      const SeedResult& r = it->second;
      if (r.failed) {
        ++failures;
        progress.print(r.record);
        if (to_shrink.size() < static_cast<std::uint64_t>(o.shrink_first)) to_shrink.push_back(range.first + printed);
      }
      for (const auto& [name, status] : r.statuses) {
        SweepCheckCounts& c = counts[name];
        (status == trace::CheckStatus::pass ? c.pass : status == trace::CheckStatus::fail ? c.fail : c.skipped) += 1;
      }
      ++printed;
    }
    room.notify_all();
    const bool done = printed == count || (stop && printed == next);
    if (progress.due()) {
      const double elapsed = seconds_since(start);
      const double rate = elapsed > 0 ? static_cast<double>(printed) / elapsed : 0.0;
      const double eta = rate > 0 ? static_cast<double>(count - printed) / rate : 0.0;
      progress.show(fmt::format("{}/{} seeds, {:.0f} seeds/s, {} failed, ETA {:.0f}s", printed, count, rate,
                                failures, eta));
    }
    if (done) break;
  }
  const double elapsed = seconds_since(start);

  // The first failing seeds shrunk, in seed order (after the sweep, so which ones does
  // not depend on --jobs); an interrupt stops at the next run.
  std::string shrunk_text;
  std::size_t shrunk = 0;
  for (const std::uint64_t seed : to_shrink) {
    if (InterruptGuard::signal() != 0) break;
    progress.show(fmt::format("shrinking seed {} ({} of {})", seed, shrunk + 1, to_shrink.size()));
    const std::optional<Shrunk> s = shrink_seed(*subject, o, seed);
    if (!s) continue;  // cannot happen: the seed failed in the sweep, and runs are deterministic
    const ShrinkReport report = report_shrunk(o, seed, *s);
    if (shrunk == 0 && !o.html_path.empty()) write_run_html(*subject, s->args, seed, o.html_path);
    progress.print(report.record);
    shrunk_text += report.text;
    ++shrunk;
  }
  progress.clear();

  // "from" and "seeds": the seeds this run covers, [from, from + seeds); "sweep" and
  // "shard": what a merge needs to check that shards belong together.
  json summary{{"algorithm", o.algorithm}, {"from", range.first}, {"seeds", printed}, {"failures", failures}};
  if (failures > 0) summary["shrunk"] = shrunk;
  if (printed < count) summary["stopped"] = InterruptGuard::signal() != 0 ? "interrupted" : "time limit";
  json& checks = summary["checks"] = json::object();
  for (const auto& [name, c] : counts) checks[name] = {{"pass", c.pass}, {"fail", c.fail}, {"skipped", c.skipped}};
  summary["sweep"] = {{"from", o.from}, {"seeds", o.seeds}, {"fixed", o.fixed}, {"flags", o.flags}};
  summary["shard"] = {{"index", shard.index}, {"count", shard.count}};
  if (o.timing) {
    summary["elapsed_s"] = elapsed;
    summary["seeds_per_s"] = elapsed > 0 ? static_cast<double>(printed) / elapsed : 0.0;
  }
  if (o.json) {
    fmt::print("{}\n", summary.dump());
  } else {
    const std::string part = o.shard.empty() ? "" : fmt::format(", shard {}/{}", shard.index, shard.count);
    std::string line =
        fmt::format("sweep {}{}: {} seeds from {}, {} failed", o.algorithm, part, printed, range.first, failures);
    if (printed < count) line += fmt::format(" ({}: {} of {} seeds)", summary["stopped"].get<std::string>(), printed, count);
    if (o.timing) line += fmt::format(", {:.0f} seeds/s ({:.2f} s)", summary["seeds_per_s"].get<double>(), elapsed);
    if (!shrunk_text.empty()) fmt::print("minimal reproducers:\n{}", shrunk_text);
    fmt::print("{}; checks: {}\n", line, checks_text(counts));
  }
  if (const int signal = InterruptGuard::signal(); signal != 0) return 128 + signal;
  return failures > 0 ? kExitViolation : kExitOk;
}

std::string checks_text(const SweepChecks& checks) {
  std::vector<std::string> parts;
  for (const auto& [name, c] : checks) {
    parts.push_back(fmt::format("{} {} pass/{} fail/{} skipped", name, c.pass, c.fail, c.skipped));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

void add_sweep_command(CLI::App& app, Action& run) {
  // A seed: CLI11 alone would take "-3" as 2^64 - 3.
  static const CLI::Validator seed_number(
      [](const std::string& text) {
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size()) return std::string();
        return fmt::format("expected a seed from 0 to {}, got '{}'", UINT64_MAX, text);
      },
      "", "SEED");
  auto o = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep",
      wrapped("Run many seeds of an algorithm in memory, each with its own drawn configuration of nodes, network "
              "and faults (swarm testing); print each failing seed with the command that replays it. Any other "
              "flag is the algorithm command's own and wins over the drawn ones."));
  const auto names = algorithms::names();
  cmd->add_option("algorithm", o->algorithm,
                  fmt::format("The algorithm: {} (none with --merge)", fmt::join(names, ", ")))
      ->type_name("ALGO");
  cmd->add_option("--seeds", o->seeds, "How many seeds (default 1000)")->type_name("N");
  cmd->add_option("--from", o->from, "The first seed (default 1)")->type_name("S")->check(seed_number);
  cmd->add_option("--jobs", o->jobs, "Seeds run at once (default: every core)")->type_name("J");
  cmd->add_option("--time-limit", o->time_limit, "Start no seed after this much wall-clock time; report what finished")
      ->type_name("DURATION");
  cmd->add_flag("--fixed", o->fixed, "Draw nothing: every seed runs the given flags (and the command's defaults)");
  cmd->add_flag("--json", o->json, "Print the summary as one JSON object");
  cmd->add_flag("--timing", o->timing, "Add seeds/s and the elapsed time to the summary");
  const std::string sharding = "Sharding (one sweep over several processes or hosts; see deploy/README.md)";
  cmd->add_option("--shard", o->shard,
                  "Run the I-th of N contiguous blocks of the seeds; with --json the summary says which, for --merge")
      ->type_name("I/N")->group(sharding);
  cmd->add_option("--merge", o->merge,
                  "Combine shards' outputs (each the stdout of 'sweep ... --shard I/N --json') into one report: "
                  "failing records in seed order, one summary; exit 1 if a seed failed or seeds are missing")
      ->type_name("FILE...")->expected(1, static_cast<int>(kMaxShards))->group(sharding);
  const std::string shrinking = "Shrinking";
  cmd->add_option("--shrink", o->shrink_seed,
                  "Shrink this seed alone (its drawn configuration and the given flags) to a minimal reproducer")
      ->type_name("SEED")->check(seed_number)->group(shrinking);
  cmd->add_option("--shrink-first", o->shrink_first,
                  "After a sweep, shrink the first N failing seeds (default 10; 0: none)")
      ->type_name("N")->group(shrinking);
  cmd->add_option("--shrink-runs", o->shrink_runs, "Runs one seed's shrinking may take (default 400)")
      ->type_name("N")->group(shrinking);
  cmd->add_option("--html", o->html_path, "Draw the minimal run (of --shrink SEED, or of the first failing seed)")
      ->type_name("FILE")->group(shrinking);
  // A merge reads finished shards: a sweep's own options would mean nothing to it.
  CLI::Option* merge = cmd->get_option("--merge");
  for (const char* name : {"--seeds", "--from", "--jobs", "--time-limit", "--fixed", "--timing", "--shard", "--shrink",
                           "--shrink-first", "--shrink-runs", "--html"}) {
    merge->excludes(cmd->get_option(name));
  }
  cmd->allow_extras();
  cmd->callback([o, cmd, &run] {
    o->flags = cmd->remaining();
    run = [o] { return run_sweep(*o); };
  });
}

}  // namespace distlab::cli
