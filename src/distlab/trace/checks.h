// The property checkers behind `distlab check` and every run's summary.
//
// `check_trace` runs the generic checkers on a trace and returns one result per
// property: causality (the trace is possible at all), the clock condition where events
// carry Lamport times, and vector-clock exactness where they carry vector clocks. Each
// algorithm's own checkers sit beside it (algo/*/checker.h) and are passed in; the
// registry passes every algorithm's (algorithms::check_trace in algo/registry.h).
//
//   for (const CheckResult& r : check_trace(trace, checkers)) fmt::print("{}: {}\n", r.name, r.detail);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/trace/causality.h"
#include "distlab/trace/trace.h"

namespace distlab::trace {

enum class CheckStatus { pass, fail, skipped };

struct CheckResult {
  std::string name;    // "causality", "clock_condition", "vector_clocks"
  CheckStatus status;
  std::string detail;  // what was checked, or the violation naming the events
  // On a failure, the events the violation names (indices into the trace's events;
  // check_trace sorts them and drops repeats): the diagram marks them. Empty when it
  // names none.
  std::vector<std::size_t> events = {};
};

std::string_view to_string(CheckStatus status);

// A property's name as people read it, in English and in Portuguese (`--lang pt`);
// results and JSON keep the identifier.
struct CheckName {
  std::string_view id;  // "leader_agreement"
  std::string_view en;  // "leader agreement"
  std::string_view pt;  // "acordo sobre o líder"
};

// The generic checks' names.
inline constexpr CheckName kGenericCheckNames[] = {
    {"causality", "causality", "causalidade"},
    {"clock_condition", "clock condition", "condição do relógio"},
    {"vector_clocks", "vector clocks", "relógios vetoriais"},
};

// An algorithm's checker: adds a result per property it judges, and none when the
// trace holds nothing it judges (say, a trace of another algorithm).
using Checker = void (*)(const Trace& trace, const CausalGraph& graph, std::vector<CheckResult>& results);

// The generic checks, then each of `checkers` unless the trace is impossible (a
// causal cycle). Throws InputError when the trace is structurally broken (a recv
// with no send).
std::vector<CheckResult> check_trace(const Trace& trace, std::span<const Checker> checkers = {});

// "1 event", "2 events", "2 crashes": for checkers' details.
std::string quantity(std::size_t n, std::string_view noun);

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
