#include "distlab/harness/ricart/scenario.h"

#include <fmt/format.h>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::harness {

void validate_ricart_size(std::int64_t nodes, std::int64_t requests) {
  require_at_least("--nodes", nodes, 1);
  if (nodes > kMaxRicartNodes) throw InputError(fmt::format("--nodes is at most {}, got {}", kMaxRicartNodes, nodes));
  require_at_least("--requests", requests, 1);
  if (requests > kMaxRicartRequests) {
    throw InputError(fmt::format("--requests is at most {}, got {}", kMaxRicartRequests, requests));
  }
  const std::int64_t messages = 2 * (nodes - 1) * nodes * requests;
  if (messages > kMaxRicartMessages) {
    throw InputError(fmt::format("--nodes {} with --requests {} would send {} messages, more than the {} a run may "
                                 "hold: ask for fewer nodes or requests",
                                 nodes, requests, messages, kMaxRicartMessages));
  }
}

void validate_ricart_times(const ricart::Options& options) {
  if (options.hold_ns <= 0) throw InputError("--hold must be longer than 0");
  if (options.think_mean_ns <= 0) throw InputError("--think must be longer than 0");
  if (options.hold_ns > kMaxRicartTime || options.think_mean_ns > kMaxRicartTime) {
    throw InputError(fmt::format("--hold and --think are at most {}", format_duration(kMaxRicartTime)));
  }
}

Nanos ricart_duration(const RicartScenario& s) {
  const Nanos per_entry = s.options.hold_ns + 20 * kMillisecond;
  return static_cast<Nanos>(s.options.requests) *
             (4 * s.options.think_mean_ns + static_cast<Nanos>(s.nodes) * per_entry) +
         1 * kSecond;
}

Plan<ricart::RicartNode> ricart_plan(const RicartScenario& s) {
  Plan<ricart::RicartNode> plan;
  for (std::uint32_t id = 1; id <= s.nodes; ++id) plan.ids.push_back(id);
  plan.make = [options = s.options](NodeId id) { return ricart::RicartNode(id, options); };
  plan.duration_ns = ricart_duration(s);
  return plan;
}

}  // namespace distlab::harness
