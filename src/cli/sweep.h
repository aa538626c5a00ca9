// `distlab sweep ALGO`: many seeds of one algorithm in one process, each seed with a
// configuration of its own drawn from it (swarm testing), every run judged by the
// algorithm's checkers in memory; a failing seed is printed with the command that
// replays it.
//
// Each algorithm gives its part through its descriptor (Descriptor::sweep_subject(),
// defined beside its command): how a seed's configuration is drawn, as the flags of
// its own command, and how those flags are run and judged. The sweep itself names no
// algorithm.
//
//   SweepSubject bully = bully::Descriptor::sweep_subject();
//   SweepDraw draw(17, {});
//   bully.draw(draw);                                  // "--nodes 6 --latency uniform:1ms:9ms ..."
//   SweepTrial t = bully.run(draw.args(), 17, nullptr);  // as `distlab bully ... --seed 17` judges it
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "distlab/core/event.h"
#include "distlab/core/random.h"
#include "distlab/core/types.h"
#include "distlab/trace/checks.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

// One seed's run as its command judges it: the checks it would print.
struct SweepTrial {
  std::vector<trace::CheckResult> checks;
  trace::Header header;  // the trace's, as --trace would write it
};

// Which faults a seed of an algorithm may draw, from what the algorithm tolerates, and
// when they are over: after `fault_end_ns` the network is reliable and every node that
// will ever come back is up (the quiet phase, in which liveness is judged).
struct FaultProfile {
  std::vector<NodeId> ids;     // every node, for partitions
  std::vector<NodeId> faulty;  // the nodes that may crash or pause (empty: none)
  Nanos fault_end_ns = 0;
  // Where a checker measures recovery from the last crash or recovery, pauses and
  // partitions are over by `disruptions_end_ns` and crashes come from `crashes_from_ns`
  // (0: both span the whole fault phase).
  Nanos disruptions_end_ns = 0;
  Nanos crashes_from_ns = 0;
  std::uint64_t min_crashes = 0;  // at least this many nodes crash (when crashes are drawn)
  bool crash = true;           // crash and recover; some crashed nodes stay down
  bool pause = true;
  bool partition = true;       // two-way and one-way, each healed by fault_end_ns
  bool loss = false;           // --loss lasts the whole run: only where liveness survives it
  bool dup = false;            // --dup lasts the whole run too
  bool reorder = false;        // --no-fifo: only where the algorithm tolerates reordering
  bool unbounded_latency = false;  // exp and normal latency: only where no timeout assumes a bound
  Nanos latency_max_ns = 20 * kMillisecond;
};

// A seed's configuration, drawn as command-line flags. The user's own flags (`given`)
// win: a flag the user gave is never drawn, and a draw that depends on it (the node
// ids on --nodes) reads the user's value.
class SweepDraw {
 public:
  SweepDraw(std::uint64_t seed, std::span<const std::string> given);

  // The value of --flag: the user's, or drawn uniformly from [lo, hi] and added.
  std::int64_t integer(std::string_view flag, std::int64_t lo, std::int64_t hi);
  // A duration in whole milliseconds from [lo, hi], written "NNms".
  Nanos duration(std::string_view flag, Nanos lo, Nanos hi);
  // One of `choices`.
  std::string choice(std::string_view flag, std::span<const std::string_view> choices);
  // A flag without a value, set with probability p.
  bool flag(std::string_view flag, double p);
  // --flag value, unless the user gave --flag.
  void set(std::string_view flag, std::string value);
  // Network and faults within `profile`: latency, loss, dup, reordering, partitions,
  // crash/recover and pause plans; each a flag of harness/faults.h.
  void faults(const FaultProfile& profile);

  Rng& rng() { return rng_; }
  bool given(std::string_view flag) const;
  // The drawn flags; the user's are not among them.
  const std::vector<std::string>& args() const { return args_; }

 private:
  std::optional<std::string> given_value(std::string_view flag) const;
  Rng rng_;
  std::span<const std::string> given_;
  std::vector<std::string> args_;
};

// What a sweep needs of one algorithm.
struct SweepSubject {
  // Adds the seed's drawn configuration to `draw` (nothing when the user's flags are fixed).
  std::function<void(SweepDraw& draw)> draw;
  // Runs the command's flags `args` (no --seed) with `seed` exactly as `distlab ALGO
  // args --seed seed` would, in memory, every event also to `tap` (may be null), and
  // judges the run as that command does. Throws InputError for bad flags.
  std::function<SweepTrial(std::span<const std::string> args, std::uint64_t seed, EventSink* tap)> run;
  // The command's own fault flags that take "off" for no fault (shrinking switches them
  // off rather than dropping them, which would restore their default).
  std::vector<std::string> switch_off = {};
};

// Parses `args` with the options of `app` (a command's flags, without a program or
// command name), refusing empty values as the program does. Throws InputError with
// CLI11's one line.
void parse_flags(CLI::App& app, std::span<const std::string> args);
// parse_flags for an `app` already given require_nonempty_values (a reused one).
void parse_prepared_flags(CLI::App& app, std::span<const std::string> args);

// The registry's checks of a trace (algorithms::check_trace, kept out of this header).
std::vector<trace::CheckResult> check_all(const trace::Trace& trace);

// A SweepSubject's run from a command's own parts: its options, the function that adds
// its run's flags (the same the command adds; the fault flags are added here, unless
// the command defines its own --recover), and the run of parsed options, so that the
// sweep and the replay command read the same flags the same way.
//
// Building a CLI::App costs more than parsing with it, and a sweep parses once per seed:
// each thread builds the command's App once and parses every later seed with it, from
// default options again (CLI11 writes only the flags it is given).
template <class Options>
auto sweep_runner(void (*add_run_flags)(CLI::App&, Options&),
                  SweepTrial (*trial)(const Options&, std::uint64_t, EventSink*)) {
  return [add_run_flags, trial](std::span<const std::string> args, std::uint64_t seed, EventSink* tap) {
    struct Parser {
      explicit Parser(void (*add)(CLI::App&, Options&)) : add_run_flags(add) {
        add_run_flags(app, options);
        add_fault_options(app, options.faults, app.get_option_no_throw("--recover") == nullptr);
        require_nonempty_values(app);
      }
      void (*add_run_flags)(CLI::App&, Options&);
      Options options;  // bound to `app` by address: reset by assignment, never moved
      CLI::App app;
    };
    thread_local std::unique_ptr<Parser> parser;
    if (parser == nullptr || parser->add_run_flags != add_run_flags) parser = std::make_unique<Parser>(add_run_flags);
    parser->options = Options{};
    parse_prepared_flags(parser->app, args);
    return trial(parser->options, seed, tap);
  };
}

// Runs `run(sink)` recorded in memory, every event also to `tap` (may be null), and
// returns `judge(trace)`: the checks of the run (by default the registry's checkers).
template <class Run, class Judge>
SweepTrial judge_in_memory(const trace::Header& header, EventSink* tap, Run&& run, Judge&& judge) {
  thread_local std::vector<trace::Record> buffer;  // a worker's seeds record into one buffer
  trace::Recorder recorder(header);
  recorder.reuse(std::move(buffer));
  trace::FanOut sinks;
  sinks.add(&recorder);
  sinks.add(tap);
  run(&sinks);
  SweepTrial trial{judge(recorder.trace()), header};
  buffer = recorder.release();  // emptied by the next seed's reuse
  return trial;
}
template <class Run>
SweepTrial judge_in_memory(const trace::Header& header, EventSink* tap, Run&& run) {
  return judge_in_memory(header, tap, std::forward<Run>(run), [](const trace::Trace& t) { return check_all(t); });
}

// The bounds of a sweep: what a sweep refuses and how far it draws.
inline constexpr std::int64_t kMaxSweepSeeds = 1'000'000'000;
inline constexpr std::int64_t kMaxSweepJobs = 256;
inline constexpr std::int64_t kMaxShrinkRuns = 100'000;
inline constexpr std::int64_t kMaxShards = 100'000;

// One part of a sweep run apart (another process or host): the index-th of `count`
// contiguous blocks of its seeds, so that shards' records, concatenated in shard order,
// are in seed order.
struct Shard {
  std::int64_t index = 1;  // 1 .. count
  std::int64_t count = 1;  // 1 .. kMaxShards
};
// "I/N", 1 <= I <= N <= kMaxShards. Throws InputError.
Shard parse_shard(std::string_view text);

// The seeds [first, first + size) that `shard` runs of the sweep [from, from + seeds):
// [from + floor((I-1) * seeds / N), from + floor(I * seeds / N)).
struct SeedRange {
  std::uint64_t first = 0;
  std::uint64_t size = 0;
};
SeedRange shard_seeds(std::uint64_t from, std::uint64_t seeds, Shard shard);

struct SweepOptions {
  std::string algorithm;
  std::int64_t seeds = 1000;
  std::uint64_t from = 1;
  std::optional<std::int64_t> jobs;  // unset: every core
  std::string time_limit;      // empty: none
  bool fixed = false;
  bool json = false;
  bool timing = false;         // seeds/s and the elapsed time in the summary
  std::optional<std::uint64_t> shrink_seed;  // shrink this seed alone instead of sweeping
  std::int64_t shrink_first = 10;  // failing seeds shrunk after a sweep (in seed order)
  std::int64_t shrink_runs = 400;  // runs one seed's shrinking may take
  std::string html_path;           // the minimal run's diagram (the first shrunk seed's)
  std::string shard;                // "I/N": run that part of the seeds (empty: all)
  std::vector<std::string> merge;   // combine these shards' --json outputs instead of sweeping
  std::vector<std::string> flags;  // the algorithm command's own flags, passed through
};

// How often each check passed, failed or was skipped over a sweep's seeds, by check
// name: its summary's "checks", and the merge's sum of them.
struct SweepCheckCounts {
  std::uint64_t pass = 0;
  std::uint64_t fail = 0;
  std::uint64_t skipped = 0;
};
using SweepChecks = std::map<std::string, SweepCheckCounts>;

// "causality 20 pass/0 fail/0 skipped, ...": the summary line's list of checks.
std::string checks_text(const SweepChecks& checks);

// Runs a sweep, writing its records and summary to stdout; returns the exit code
// (0 clean, 1 a seed failed, 128 + the signal when interrupted). Throws InputError for bad options.
int run_sweep(const SweepOptions& options);

// `distlab sweep --merge FILE...` (sweep_merge.cc): the failing records of every shard in
// seed order and one summary; returns 0 (clean and complete) or 1 (a seed failed, or
// seeds are missing: the summary names them). Throws InputError for a file that is
// unreadable, malformed, of another sweep, or a shard given twice.
int run_sweep_merge(const SweepOptions& options);

void add_sweep_command(CLI::App& app, Action& run);

}  // namespace distlab::cli
