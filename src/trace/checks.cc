#include "trace/checks.h"

#include <fmt/format.h>

#include <algorithm>

#include "trace/causality.h"

namespace distlab::trace {
namespace {

CheckResult check_causality(const Trace& trace, const CausalGraph& graph) {
  CheckResult result{"causality", CheckStatus::pass, ""};
  if (auto e = graph.cycle()) {
    result.status = CheckStatus::fail;
    result.detail = fmt::format("impossible order: {} depends on itself through node order and messages",
                                describe(trace.events[*e]));
    return result;
  }
  if (trace.header.mode == "sim") {
    // Simulated time is one global clock: nothing is received before it is sent.
    for (std::size_t i = 0; i < graph.size(); ++i) {
      const std::size_t s = graph.send_of(i);
      if (s != CausalGraph::kNone && trace.events[i].t < trace.events[s].t) {
        result.status = CheckStatus::fail;
        result.detail = fmt::format("{} is received before it is sent: {}", describe(trace.events[i]),
                                    describe(trace.events[s]));
        return result;
      }
    }
  }
  result.detail = fmt::format("{} events, {} messages", graph.size(), graph.message_count());
  return result;
}

// a -> b implies L(a) < L(b). Checking every edge suffices: along each edge the
// largest Lamport time seen so far must strictly grow at the next stamped event.
CheckResult check_clock_condition(const Trace& trace, const CausalGraph& graph) {
  CheckResult result{"clock_condition", CheckStatus::pass, ""};
  const auto& events = trace.events;
  // For each event: the stamped event with the largest time in its causal past
  // (itself included when stamped), or kNone.
  std::vector<std::size_t> best(events.size(), CausalGraph::kNone);
  std::size_t stamped = 0;
  auto later = [&](std::size_t a, std::size_t b) {  // the one with the larger time
    if (a == CausalGraph::kNone) return b;
    if (b == CausalGraph::kNone) return a;
    return *events[b].lamport > *events[a].lamport ? b : a;
  };
  for (std::size_t i : graph.topological_order()) {
    std::size_t past = CausalGraph::kNone;
    for (std::size_t p : {graph.prev_on_node(i), graph.send_of(i)}) {
      if (p != CausalGraph::kNone) past = later(past, best[p]);
    }
    if (events[i].lamport) {
      ++stamped;
      if (past != CausalGraph::kNone && *events[past].lamport >= *events[i].lamport) {
        result.status = CheckStatus::fail;
        result.detail = fmt::format("{} happened before {}, but its Lamport time is not smaller",
                                    describe(events[past]), describe(events[i]));
        return result;
      }
      past = i;
    }
    best[i] = past;
  }
  result.detail = fmt::format("{} events with Lamport times", stamped);
  return result;
}

// V(a) < V(b) exactly when a -> b, for every pair of events carrying vector clocks.
CheckResult check_vector_clocks(const Trace& trace, const CausalGraph& graph) {
  CheckResult result{"vector_clocks", CheckStatus::pass, ""};
  std::vector<std::size_t> stamped;
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    if (trace.events[i].vc) stamped.push_back(i);
  }
  if (stamped.size() > kMaxPairEvents) {
    result.status = CheckStatus::skipped;
    result.detail = fmt::format("{} events with vector clocks; the pairwise check stops at {}",
                                stamped.size(), kMaxPairEvents);
    return result;
  }
  const auto hb = HappensBefore::build(graph);
  if (!hb) {
    result.status = CheckStatus::skipped;
    result.detail = "trace too large for exact happens-before";
    return result;
  }
  std::uint64_t pairs = 0;
  for (std::size_t x = 0; x < stamped.size(); ++x) {
    for (std::size_t y = 0; y < stamped.size(); ++y) {
      if (x == y) continue;
      const std::size_t a = stamped[x];
      const std::size_t b = stamped[y];
      const bool truth = hb->before(a, b);
      const bool claimed = happened_before(*trace.events[a].vc, *trace.events[b].vc);
      if (truth != claimed) {
        result.status = CheckStatus::fail;
        result.detail =
            truth ? fmt::format("{} happened before {}, but its vector clock is not smaller",
                                describe(trace.events[a]), describe(trace.events[b]))
                  : fmt::format("{} did not happen before {}, but its vector clock is smaller",
                                describe(trace.events[a]), describe(trace.events[b]));
        return result;
      }
      if (x < y) ++pairs;
    }
  }
  result.detail = fmt::format("{} events with vector clocks, {} pairs", stamped.size(), pairs);
  return result;
}

}  // namespace

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::pass: return "pass";
    case CheckStatus::fail: return "fail";
    case CheckStatus::skipped: return "skipped";
  }
  return "?";
}

std::vector<CheckResult> check_trace(const Trace& trace) {
  const CausalGraph graph(trace);
  std::vector<CheckResult> results{check_causality(trace, graph)};
  if (graph.cycle()) return results;  // nothing else is meaningful on an impossible trace
  const auto& events = trace.events;
  if (std::any_of(events.begin(), events.end(), [](const Record& r) { return r.lamport.has_value(); })) {
    results.push_back(check_clock_condition(trace, graph));
  }
  if (std::any_of(events.begin(), events.end(), [](const Record& r) { return r.vc.has_value(); })) {
    results.push_back(check_vector_clocks(trace, graph));
  }
  return results;
}

bool all_passed(const std::vector<CheckResult>& results) {
  return std::none_of(results.begin(), results.end(),
                      [](const CheckResult& r) { return r.status == CheckStatus::fail; });
}

PairCounts count_pairs(const Trace& trace) {
  std::vector<const VectorClock*> clocks;
  for (const Record& r : trace.events) {
    if (r.vc) clocks.push_back(&*r.vc);
  }
  PairCounts counts;
  counts.events = clocks.size();
  if (clocks.size() > kMaxPairEvents) {
    counts.skipped = true;
    return counts;
  }
  for (std::size_t x = 0; x < clocks.size(); ++x) {
    for (std::size_t y = x + 1; y < clocks.size(); ++y) {
      const Order order = compare(*clocks[x], *clocks[y]);
      if (order == Order::concurrent) {
        ++counts.concurrent;
      } else if (order != Order::equal) {
        ++counts.happens_before;
      }
    }
  }
  return counts;
}

}  // namespace distlab::trace
