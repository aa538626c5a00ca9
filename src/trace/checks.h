// The property checkers behind `distlab check` and every run's summary.
//
// `check_trace` runs each checker that applies to a trace and returns one result per
// property: causality (the trace is possible at all), the clock condition where events
// carry Lamport times, and vector-clock exactness where they carry vector clocks.
// Later algorithms add their own checkers here.
//
//   for (const CheckResult& r : check_trace(trace)) fmt::print("{}: {}\n", r.name, r.detail);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trace/trace.h"

namespace distlab::trace {

enum class CheckStatus { pass, fail, skipped };

struct CheckResult {
  std::string name;    // "causality", "clock_condition", "vector_clocks"
  CheckStatus status;
  std::string detail;  // what was checked, or the violation naming the events
};

std::string_view to_string(CheckStatus status);

// Throws InputError when the trace is structurally broken (a recv with no send).
std::vector<CheckResult> check_trace(const Trace& trace);

bool all_passed(const std::vector<CheckResult>& results);

// How the vector-clock-stamped events of a run relate, pair by pair.
struct PairCounts {
  std::uint64_t events = 0;
  std::uint64_t happens_before = 0;  // unordered pairs with a -> b or b -> a
  std::uint64_t concurrent = 0;
  bool skipped = false;              // too many events to count
};

// Comparing vector clocks pair by pair is quadratic: the check and the counts stop
// at this many events (the check first tries the linear canonical comparison).
inline constexpr std::size_t kMaxPairEvents = 5000;
// Counting pairs by one lookup each, when the clocks are canonical, stops here.
inline constexpr std::size_t kMaxCountedPairEvents = 40'000;

// Counts by the events' own vector clocks (which `vector_clocks` checks against the
// trace's structure); `skipped` when the run is too large, and says so.
PairCounts count_pairs(const Trace& trace);

}  // namespace distlab::trace
