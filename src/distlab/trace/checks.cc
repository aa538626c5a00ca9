#include "distlab/trace/checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "distlab/core/duration.h"
#include "distlab/trace/causality.h"

namespace distlab::trace {
namespace {

CheckResult check_causality(const Trace& trace, const CausalGraph& graph) {
  CheckResult result{"causality", CheckStatus::pass, ""};
  if (trace.messages_omitted) {
    result.status = CheckStatus::skipped;
    result.detail = "messages were not kept for this large run";
    return result;
  }
  if (auto e = graph.cycle()) {
    result.status = CheckStatus::fail;
    result.detail = fmt::format("impossible order: {} depends on itself through node order and messages",
                                describe(trace.events[*e]));
    result.events = {*e};
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
        result.events = {s, i};
        return result;
      }
    }
  }
  result.detail = fmt::format("{}, {}", quantity(graph.size(), "event"), quantity(graph.message_count(), "message"));
  if (graph.external_count() > 0) {
    result.detail += fmt::format(", and {} from processes outside this trace", quantity(graph.external_count(), "message"));
  }
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
        result.events = {past, i};
        return result;
      }
      past = i;
    }
    best[i] = past;
  }
  result.detail = fmt::format("{} with Lamport times", quantity(stamped, "event"));
  return result;
}

std::vector<std::size_t> vc_events(const Trace& trace) {
  std::vector<std::size_t> stamped;
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    if (trace.events[i].vc) stamped.push_back(i);
  }
  return stamped;
}

// The canonical vector time of the events that carry vector clocks, or nullopt when
// the trace is too large for it.
std::optional<VectorTime> canonical_time(const Trace& trace, const CausalGraph& graph) {
  std::vector<bool> counted(trace.events.size());
  for (std::size_t i = 0; i < counted.size(); ++i) counted[i] = trace.events[i].vc.has_value();
  return VectorTime::build(graph, counted);
}

// The first stamped event whose clock differs from its canonical vector time.
std::optional<std::size_t> first_non_canonical(const Trace& trace, const VectorTime& canonical,
                                               const std::vector<std::size_t>& stamped) {
  const auto& ids = trace.header.nodes;
  for (std::size_t i : stamped) {
    const VectorClock& v = *trace.events[i].vc;
    std::size_t matched = 0;  // entries of v accounted for by a header node
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const auto value = v.get(ids[k]);
      if (value != canonical.at(i, k)) return i;
      if (value != 0) ++matched;
    }
    if (matched != v.entries().size()) return i;  // an entry for a node outside the run
  }
  return std::nullopt;
}

// V(a) < V(b) exactly when a -> b, for every pair of events carrying vector clocks.
// Clocks equal to the canonical vector time satisfy it by the vector clock theorem
// (O(events x nodes)); any other clocks are compared pair by pair against the exact
// happens-before, up to kMaxPairEvents events.
CheckResult check_vector_clocks(const Trace& trace, const CausalGraph& graph) {
  CheckResult result{"vector_clocks", CheckStatus::pass, ""};
  const std::vector<std::size_t> stamped = vc_events(trace);
  std::optional<std::size_t> differs;
  if (const auto canonical = canonical_time(trace, graph)) {
    differs = first_non_canonical(trace, *canonical, stamped);
    if (!differs) {
      result.detail = fmt::format("{} with vector clocks, each equal to its vector time", quantity(stamped.size(), "event"));
      return result;
    }
  }
  const auto hb = VectorTime::build(graph);
  if (stamped.size() > kMaxPairEvents || !hb) {
    result.status = CheckStatus::skipped;
    result.detail = fmt::format(
        "{} events with vector clocks{}; too many to compare pair by pair (limit {})", stamped.size(),
        differs ? fmt::format(", not all canonical (first: {})", describe(trace.events[*differs])) : "",
        kMaxPairEvents);
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
        result.events = {a, b};
        return result;
      }
      if (x < y) ++pairs;
    }
  }
  result.detail = fmt::format("{} with vector clocks, {} compared", quantity(stamped.size(), "event"), quantity(pairs, "pair"));
  return result;
}

}  // namespace

std::string quantity(std::size_t n, std::string_view noun) {
  const bool es = noun.ends_with('s') || noun.ends_with("sh") || noun.ends_with("ch");
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : es ? "es" : "s");
}

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::pass: return "pass";
    case CheckStatus::fail: return "fail";
    case CheckStatus::skipped: return "skipped";
  }
  return "?";
}

std::vector<CheckResult> check_trace(const Trace& trace, std::span<const Checker> checkers) {
  // One graph per thread, rebuilt for each trace (a sweep checks one per seed). No
  // checker calls check_trace, so the graph is not rebuilt under a checker's feet.
  thread_local CausalGraph graph;
  graph.rebuild(trace);
  std::vector<CheckResult> results{check_causality(trace, graph)};
  if (graph.cycle()) return results;  // nothing else is meaningful on an impossible trace
  const auto& events = trace.events;
  if (std::any_of(events.begin(), events.end(), [](const Record& r) { return r.lamport.has_value(); })) {
    results.push_back(check_clock_condition(trace, graph));
  }
  if (std::any_of(events.begin(), events.end(), [](const Record& r) { return r.vc.has_value(); })) {
    results.push_back(check_vector_clocks(trace, graph));
  }
  for (const Checker check : checkers) check(trace, graph, results);
  for (CheckResult& r : results) {
    std::sort(r.events.begin(), r.events.end());
    r.events.erase(std::unique(r.events.begin(), r.events.end()), r.events.end());
  }
  return results;
}

bool all_passed(const std::vector<CheckResult>& results) {
  return std::none_of(results.begin(), results.end(),
                      [](const CheckResult& r) { return r.status == CheckStatus::fail; });
}

PairCounts count_pairs(const Trace& trace) {
  const std::vector<std::size_t> stamped = vc_events(trace);
  PairCounts counts;
  counts.events = stamped.size();
  if (stamped.size() <= kMaxPairEvents) {
    for (std::size_t x = 0; x < stamped.size(); ++x) {
      for (std::size_t y = x + 1; y < stamped.size(); ++y) {
        const Order order = compare(*trace.events[stamped[x]].vc, *trace.events[stamped[y]].vc);
        if (order == Order::concurrent) {
          ++counts.concurrent;
        } else if (order != Order::equal) {
          ++counts.happens_before;
        }
      }
    }
    return counts;
  }
  // Larger runs: when the clocks are the canonical vector time, one lookup per pair.
  const CausalGraph graph(trace);
  const auto canonical = stamped.size() <= kMaxCountedPairEvents ? canonical_time(trace, graph) : std::nullopt;
  if (!canonical || first_non_canonical(trace, *canonical, stamped)) {
    counts.skipped = true;
    return counts;
  }
  for (std::size_t x = 0; x < stamped.size(); ++x) {
    for (std::size_t y = x + 1; y < stamped.size(); ++y) {
      if (canonical->before(stamped[x], stamped[y]) || canonical->before(stamped[y], stamped[x])) {
        ++counts.happens_before;
      } else {
        ++counts.concurrent;
      }
    }
  }
  return counts;
}

}  // namespace distlab::trace
