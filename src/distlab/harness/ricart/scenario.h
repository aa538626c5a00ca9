// The Ricart–Agrawala scenario: n nodes (1..n), each asking for the critical section
// `options.requests` times after a random think time, under the given faults. Used
// by the simulated command, `run` and `launch` alike.
//
//   validate_ricart_size(nodes, requests);             // InputError
//   RicartScenario s{.seed = 7, .nodes = 3};
//   validate_ricart_times(s.options);                  // InputError
//   Plan<ricart::RicartNode> plan = ricart_plan(s);
#pragma once

#include <cstdint>

#include "distlab/algo/ricart/ricart.h"
#include "distlab/core/types.h"
#include "distlab/harness/faults.h"
#include "distlab/harness/plan.h"

namespace distlab::harness {

struct RicartScenario {
  std::uint64_t seed = 0;
  std::uint32_t nodes = 3;
  ricart::Options options;
  FaultOptions faults;
};

// A node per process at most in a launch; in the simulator each entry costs
// 2(n-1) messages, so n is kept where a run stays quick and readable.
inline constexpr std::int64_t kMaxRicartNodes = 1000;
inline constexpr std::int64_t kMaxRicartRequests = 10'000;
// Each entry costs 2(n - 1) messages, and a simulated run keeps them in memory (about
// 1 GiB at this bound); it also keeps every derived time far from overflowing.
inline constexpr std::int64_t kMaxRicartMessages = 1'000'000;
// A bound on --hold and --think, far from overflowing any time the run derives.
inline constexpr Nanos kMaxRicartTime = 1'000 * kSecond;

// --nodes and --requests within their bounds, and the messages they cost too.
void validate_ricart_size(std::int64_t nodes, std::int64_t requests);
// --hold and --think above zero and within kMaxRicartTime.
void validate_ricart_times(const ricart::Options& options);

// Long enough for every request even when all of them queue behind each other.
Nanos ricart_duration(const RicartScenario& s);
Plan<ricart::RicartNode> ricart_plan(const RicartScenario& s);

}  // namespace distlab::harness
