#include "trace/checks.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/duration.h"
#include "trace/causality.h"
#include "trace/detection.h"
#include "trace/election.h"
#include "trace/snapshots.h"

namespace distlab::trace {
namespace {

// "1 event", "2 events", "2 crashes"
std::string count(std::size_t n, std::string_view noun) {
  const bool es = noun.ends_with('s') || noun.ends_with("sh") || noun.ends_with("ch");
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : es ? "es" : "s");
}

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
  result.detail = fmt::format("{}, {}", count(graph.size(), "event"), count(graph.message_count(), "message"));
  if (graph.external_count() > 0) {
    result.detail += fmt::format(", and {} from processes outside this trace", count(graph.external_count(), "message"));
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
        return result;
      }
      past = i;
    }
    best[i] = past;
  }
  result.detail = fmt::format("{} with Lamport times", count(stamped, "event"));
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
      result.detail = fmt::format("{} with vector clocks, each equal to its vector time", count(stamped.size(), "event"));
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
        return result;
      }
      if (x < y) ++pairs;
    }
  }
  result.detail = fmt::format("{} with vector clocks, {} compared", count(stamped.size(), "event"), count(pairs, "pair"));
  return result;
}

// One result per snapshot property, each covering every snapshot in the trace.
void check_snapshots(const Trace& trace, const CausalGraph& graph, std::vector<CheckResult>& results) {
  const SnapshotRun run = collect_snapshots(trace);
  if (run.snapshots.empty()) return;
  std::vector<SnapshotVerdict> verdicts;
  for (const SnapshotView& s : run.snapshots) verdicts.push_back(verify_snapshot(trace, graph, run, s));
  std::size_t channels = 0;
  for (const auto& [node, ins] : run.in_channels) channels += ins.size();
  const std::string n = count(run.snapshots.size(), "snapshot");
  auto add = [&](const char* name, auto failed, std::string pass_detail, std::string_view marker) {
    CheckResult r{name, CheckStatus::pass, std::move(pass_detail)};
    for (const SnapshotVerdict& v : verdicts) {
      if (!failed(v)) continue;
      r.status = CheckStatus::fail;
      for (const std::string& p : v.problems) {
        if (p.find(marker) != std::string::npos) {
          r.detail = p;
          break;
        }
      }
      break;
    }
    results.push_back(std::move(r));
  };
  add("snapshot_complete", [](const SnapshotVerdict& v) { return !v.complete; },
      fmt::format("{}, each recorded by every node and closed on {}", n, count(channels, "channel")), "never");
  add("snapshot_channels", [](const SnapshotVerdict& v) { return !v.channels_exact; },
      fmt::format("{}, every recorded channel exactly the messages in flight across the cut", n), "channel");
  add("consistent_cut", [](const SnapshotVerdict& v) { return !v.consistent; },
      fmt::format("{}, no message received inside a cut but sent outside it", n), "inside the cut");
  if (run.initial_money) {
    std::string detail = fmt::format("{}, each finding the initial total of {}", n, *run.initial_money);
    add("money_conserved", [](const SnapshotVerdict& v) { return v.money_conserved == false; }, detail,
        "initial total");
  }
}

// After the last fault, every live node follows the highest live id within the bound;
// and no two nodes hold leadership at once while the network is reliable.
void check_election(const Trace& trace, std::vector<CheckResult>& results) {
  const ElectionAnalysis a = analyze_election(trace);
  if (!a.applies) return;
  CheckResult agreement{"leader_agreement", CheckStatus::pass, ""};
  const std::string bound = a.bound_ns ? format_duration(*a.bound_ns) : "unknown";
  const Nanos since_fault = a.end_ns - a.last_fault_ns.value_or(0);
  // The network still losing messages near the end: a partition that never healed.
  const bool still_lossy = a.last_loss_ns && a.bound_ns && a.end_ns - *a.last_loss_ns < *a.bound_ns;
  if (a.agreed_leader) {
    agreement.detail = fmt::format("every live node follows {}, the highest live id, since {}", *a.agreed_leader,
                                   format_duration_rounded(*a.agreed_since_ns));
    if (a.last_fault_ns && *a.agreed_since_ns >= *a.last_fault_ns) {
      const Nanos took = *a.agreed_since_ns - *a.last_fault_ns;
      agreement.detail += fmt::format(", {} after the last crash or recovery (bound {})", format_duration_rounded(took),
                                      bound);
      if (a.bound_ns && took > *a.bound_ns) {
        agreement.status = CheckStatus::fail;
        agreement.detail = fmt::format("agreement on {} came {} after the last crash or recovery, beyond the bound of {}",
                                       *a.agreed_leader, format_duration_rounded(took), bound);
      }
    }
  } else {
    std::string beliefs;
    for (const auto& [node, leader] : a.final_beliefs) {
      beliefs += fmt::format("{}{}->{}", beliefs.empty() ? "" : ", ", node,
                             leader ? std::to_string(*leader) : std::string("?"));
    }
    agreement.detail = fmt::format("at the end the live nodes follow [{}], not all the highest live id {}",
                                   beliefs, a.highest_live ? std::to_string(*a.highest_live) : "(none)");
    if (a.leaders_at_end.size() > 1) {
      agreement.detail += fmt::format("; {} lead at once", fmt::join(a.leaders_at_end, " and "));
    }
    if (still_lossy) {
      agreement.status = CheckStatus::fail;
      agreement.detail += ", and messages were still being lost to the network at the end (a partition that "
                          "never healed: split brain, Bully's known weakness)";
    } else if (a.bound_ns && a.last_fault_ns && since_fault < *a.bound_ns) {
      agreement.status = CheckStatus::skipped;
      agreement.detail += fmt::format("; but the run ended {} after the last crash or recovery, within the bound of {}",
                                      format_duration_rounded(since_fault), bound);
    } else {
      agreement.status = CheckStatus::fail;
    }
  }
  results.push_back(std::move(agreement));

  CheckResult single{"single_leader", CheckStatus::pass, ""};
  if (a.overlaps.empty()) {
    single.detail = fmt::format("{} in turn, never two at once", count(a.intervals.size(), "leadership"));
  } else {
    const Overlap& o = a.overlaps.front();
    const std::string what = fmt::format("nodes {} and {} both held leadership from {} to {}", o.a.node, o.b.node,
                                         format_duration_rounded(o.from_ns), format_duration_rounded(o.to_ns));
    if (a.network_faulty) {
      single.detail = fmt::format("split brain while messages were lost: {} ({}). Bully's known weakness: it "
                                  "cannot tell a lost network from a crashed leader",
                                  what, count(a.overlaps.size(), "overlap"));
    } else {
      single.status = CheckStatus::fail;
      single.detail = fmt::format("{}, on a reliable network ({})", what, count(a.overlaps.size(), "overlap"));
    }
  }
  results.push_back(std::move(single));
}

void check_detector(const Trace& trace, const DetectionAnalysis& a, std::vector<CheckResult>& results);

// A monitor's suspicions against the crashes that really happened, and its redirects
// against its own view of who is trusted.
void check_detection(const Trace& trace, std::vector<CheckResult>& results) {
  const DetectionAnalysis a = analyze_detection(trace);
  if (!a.applies) return;
  const bool ground_truth = trace.header.mode == "sim" ||
                            std::any_of(trace.events.begin(), trace.events.end(), [](const Record& r) {
                              return r.kind == EventKind::crash || r.kind == EventKind::recover;
                            });
  if (!ground_truth) {
    // A real monitor's own trace knows its suspicions, not which nodes really stopped.
    const std::string why = fmt::format("{}, but no record of which nodes really stopped (a real monitor's own "
                                        "trace): not judged",
                                        count(a.suspicions, "suspicion"));
    results.push_back({"detector_completeness", CheckStatus::skipped, why});
    results.push_back({"detector_accuracy", CheckStatus::skipped, why});
  } else {
    check_detector(trace, a, results);
  }
  CheckResult failover{"failover", CheckStatus::pass, "every redirect went to the lowest-id trusted node"};
  if (!a.failover_errors.empty()) {
    failover.status = CheckStatus::fail;
    failover.detail = a.failover_errors.front();
  }
  results.push_back(std::move(failover));
}

void check_detector(const Trace& trace, const DetectionAnalysis& a, std::vector<CheckResult>& results) {
  CheckResult complete{"detector_completeness", CheckStatus::pass, ""};
  std::size_t detected = 0;
  for (const Detection& d : a.detections) detected += d.detected_ns ? 1 : 0;
  complete.detail = fmt::format("{} detected of {}", detected, count(a.detections.size(), "crash"));
  if (!a.missed.empty()) {
    complete.status = CheckStatus::fail;
    complete.detail = a.missed.front();
  }
  results.push_back(std::move(complete));

  CheckResult accurate{"detector_accuracy", CheckStatus::pass, ""};
  const auto unexplained = std::find_if(a.false_suspicions.begin(), a.false_suspicions.end(),
                                        [](const FalseSuspicion& f) { return !f.explained; });
  if (unexplained != a.false_suspicions.end()) {
    accurate.status = CheckStatus::fail;
    accurate.detail = fmt::format("{} suspected node {} although its last heartbeat had arrived only {} before "
                                  "(timeout {})",
                                  describe(trace.events[unexplained->event]), unexplained->node,
                                  format_duration_rounded(unexplained->at_ns - *unexplained->heard_ns),
                                  format_duration_rounded(a.timeout_ns));
  } else if (a.false_suspicions.empty()) {
    accurate.detail = fmt::format("{}, none of a live node", count(a.suspicions, "suspicion"));
  } else {
    accurate.detail = fmt::format("{} of {} were of live nodes whose heartbeats were lost or late (false "
                                  "suspicions: the price of a shorter timeout)",
                                  a.false_suspicions.size(), count(a.suspicions, "suspicion"));
  }
  results.push_back(std::move(accurate));
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
  check_snapshots(trace, graph, results);
  check_election(trace, results);
  check_detection(trace, results);
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
