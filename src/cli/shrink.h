// Shrinking a failing seed of `distlab sweep`: the smallest command that still fails
// the same check, found by running it again with less (TigerBeetle's and QuickCheck's
// idea, on command-line flags).
//
// From the failing seed's flags it drops fault flags by delta debugging (a random
// `--faults N` is first written out as the --crash/--recover flags it drew), then
// tries fewer nodes (their faults dropped with them), smaller counts (every other
// whole-number option), a simpler latency and a shorter --until, keeping each step
// only while the same check still ends the same way. What is left is a plain command:
// every fault in it is a flag.
//
//   std::optional<Shrunk> s = shrink(subject, args, 17, {});
//   if (s) fmt::print("{}\n", replay_command(with_algorithm(s->args), 17));
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli/sweep.h"
#include "distlab/trace/checks.h"

namespace distlab::cli {

// What a run came to, as far as shrinking counts it.
struct ShrinkSize {
  std::size_t faults = 0;  // fault flags not off (--faults N counts N crashes and N recoveries)
  std::size_t nodes = 0;
  std::size_t events = 0;  // trace events
};

struct Shrunk {
  std::string check;                // the check that fails, first as the sweep reports it
  trace::CheckStatus status = trace::CheckStatus::fail;
  std::string reason;               // its detail in the minimal run
  std::vector<std::string> args;    // the minimal flags (no --seed)
  ShrinkSize before;
  ShrinkSize after;
  std::size_t runs = 0;             // runs it took
  bool complete = true;             // false: the budget or an interrupt cut it short
};

struct ShrinkLimits {
  std::size_t max_runs = 400;
};

// The first check of `seed` run with `args` that does not pass (as a sweep reports a
// failing seed), shrunk; nullopt when every check passes. Throws InputError when the
// flags themselves are refused.
std::optional<Shrunk> shrink(const SweepSubject& subject, std::span<const std::string> args, std::uint64_t seed,
                             const ShrinkLimits& limits);

// Draws `seed` run with `args` into the page `path`, as `distlab ALGO args --seed seed
// --html path` would. Throws InputError for a path that cannot be written.
void write_run_html(const SweepSubject& subject, std::span<const std::string> args, std::uint64_t seed,
                    const std::string& path);

// The number of fault units in `args` (for ShrinkSize::faults): the general fault flags,
// and the command's own that are not "off" (its SweepSubject::switch_off).
std::size_t count_faults(std::span<const std::string> args, std::span<const std::string> switch_off);

}  // namespace distlab::cli
