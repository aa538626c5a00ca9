// Fault specs: the network and fault options of a simulated run, as text from the
// command line or a sweep's drawn configuration, checked against the run's nodes and
// turned into the simulator's network model and fault plan (runtime/sim prints them
// back with to_string). Every error is an InputError of one line naming the option.
//
//   FaultOptions f{.latency = "uniform:1ms:20ms", .crash = {"2@1s"}, .recover = {"2@3s"}};
//   SimSetup setup = build_sim_setup(f, ids, seed, {.horizon_ns = 10 * kSecond});
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/runtime/sim/faults.h"
#include "distlab/runtime/sim/network.h"
#include "distlab/trace/trace.h"

namespace distlab::harness {

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

// Validates every fault option against the run's node ids. Throws InputError.
SimSetup build_sim_setup(const FaultOptions& options, std::span<const NodeId> ids,
                         std::uint64_t seed, const SimDefaults& defaults);

// The trace header of a simulated run of `algorithm` (a command's, and a sweep's),
// with the network faults of these options (their partitions and one-way cuts).
// Throws InputError as build_sim_setup does.
trace::Header sim_header(std::string_view algorithm, std::uint64_t seed, std::vector<NodeId> ids,
                         const FaultOptions& options);

// "ID@TIME" naming one of `ids`: "--kill 9@1s: no node 9 (nodes are 1..5)". Throws InputError.
std::pair<NodeId, Nanos> parse_node_at_option(std::string_view option, std::string_view value,
                                              std::span<const NodeId> ids);

// A duration option: "--pace abc: invalid duration 'abc': ...". Throws InputError.
Nanos parse_duration_option(std::string_view option, std::string_view text);

// Runaway runs are refused before they start: a simulated run that would take more
// events than this (each kept in memory by the commands that report on it), and a
// repeating timer shorter than kMinTimerPeriod of simulated time.
inline constexpr double kMaxSimEvents = 100'000'000;
inline constexpr Nanos kMinTimerPeriod = kMillisecond;

// "--heartbeat 1ns: a timer period must be at least 1ms". Throws InputError.
void require_timer_period(std::string_view option, Nanos period);

// The end of a run: --until when given (validated), else `default_end`.
Nanos run_end(const FaultOptions& options, Nanos default_end);

// Throws InputError when `events` is above kMaxSimEvents: "this run (WHAT) would take
// about 3.6e+09 events, more than the bound of 100,000,000 (shorten it or lengthen its
// periods)". `what` names the options that make it long.
void require_event_bound(std::string_view what, double events);

// Events of a run of `span` simulated time with `per_period` events each `period`.
inline double events_over(Nanos span, double per_period, Nanos period) {
  return static_cast<double>(span) / static_cast<double>(period) * per_period;
}

// An integer option that must be at least `min`: "--nodes must be at least 2, got 1".
void require_at_least(std::string_view option, std::int64_t value, std::int64_t min,
                      std::string_view why = {});

}  // namespace distlab::harness
