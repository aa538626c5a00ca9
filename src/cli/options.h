// Options every command shares, parsed and validated in one place.
//
// CommonOptions: --seed, --trace, --json, --lang, --quiet. FaultOptions: the network
// and fault options of DESIGN.md that every simulated command takes (--latency,
// --loss, --dup, --no-fifo, --crash, --recover, --pause, --partition, --faults,
// --until). `build_sim_setup` turns them into a validated network model and fault
// plan, or throws InputError with one line naming the bad option.
//
//   add_common_options(*cmd, common);
//   add_fault_options(*cmd, faults);
//   SimSetup setup = build_sim_setup(faults, ids, seed, {.latency = ..., .horizon_ns = ...});
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/types.h"
#include "runtime/sim/faults.h"
#include "runtime/sim/network.h"

namespace distlab::cli {

enum class Lang { en, pt };

struct CommonOptions {
  std::optional<std::uint64_t> seed;  // set by the --seed option (validated as a u64)
  std::string trace_path;  // empty: no trace
  std::string html_path;   // empty: no space-time diagram (--html, on the commands that run algorithms)
  bool json = false;
  Lang lang = Lang::en;
  bool quiet = false;
};

struct FaultOptions {
  std::string latency;  // empty: the command's default
  double loss = 0.0;
  double dup = 0.0;
  bool no_fifo = false;
  std::vector<std::string> crash;
  std::vector<std::string> recover;
  std::vector<std::string> pause;
  std::vector<std::string> partition;
  std::int64_t faults = 0;
  std::string until;  // empty: the command's default
};

struct SimDefaults {
  sim::Latency latency = sim::Latency::constant(1 * kMillisecond);
  Nanos horizon_ns = 10 * kSecond;  // where --faults draws its times when --until is unset
  Nanos until_ns = kNanosMax;       // end of the run when --until is unset
  // The nodes --crash, --recover, --pause and --faults may name; empty: all.
  std::vector<NodeId> crashable;
};

struct SimSetup {
  sim::NetworkModel network;
  sim::FaultPlan faults;
  Nanos until_ns = kNanosMax;
};

void add_common_options(CLI::App& cmd, CommonOptions& options);
void add_lang_option(CLI::App& cmd, Lang& lang);
// --html FILE: the run's space-time diagram, on the commands that run an algorithm.
void add_html_option(CLI::App& cmd, std::string& path);
void add_seed_option(CLI::App& cmd, std::optional<std::uint64_t>& seed, const std::string& help);
// `with_recover` false: the command defines its own --recover (bully's takes a bare
// TIME as well as ID@TIME) and files ID@TIME values into options.recover itself.
void add_fault_options(CLI::App& cmd, FaultOptions& options, bool with_recover = true);

// Validates every fault option against the run's node ids. Throws InputError.
SimSetup build_sim_setup(const FaultOptions& options, std::span<const NodeId> ids,
                         std::uint64_t seed, const SimDefaults& defaults);

// "const:5ms", "uniform:1ms:20ms", "exp:10ms", "normal:10ms:3ms". Throws InputError.
sim::Latency parse_latency(std::string_view spec);

// The seed to run with: --seed, or a fresh one from the OS (then printed by the command).
std::uint64_t resolve_seed(const CommonOptions& options);

// The command line that replays this run exactly: the given arguments, plus --seed.
std::string replay_command(std::span<const std::string> args, std::uint64_t seed);

// "ID@TIME" naming one of `ids`: "--kill 9@1s: no node 9 (nodes are 1..5)". Throws InputError.
std::pair<NodeId, Nanos> parse_node_at_option(std::string_view option, std::string_view value,
                                              std::span<const NodeId> ids);

// A duration option: "--pace abc: invalid duration 'abc': ...". Throws InputError.
Nanos parse_duration_option(std::string_view option, std::string_view text);

// An integer option that must be at least `min`: "--nodes must be at least 2, got 1".
void require_at_least(std::string_view option, std::int64_t value, std::int64_t min,
                      std::string_view why = {});

}  // namespace distlab::cli
