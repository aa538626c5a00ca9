#include "distlab/algo/detect/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "distlab/algo/detect/notes.h"
#include "distlab/core/duration.h"

namespace distlab::detect {

using trace::CheckResult;
using trace::CausalGraph;
using trace::CheckStatus;
using trace::Record;
using trace::Trace;

namespace {

using json = nlohmann::ordered_json;


}  // namespace

DetectionAnalysis analyze_detection(const Trace& trace) {
  DetectionAnalysis a;
  std::map<NodeId, bool> up;
  std::map<NodeId, Nanos> heard;                 // last heartbeat at the monitor, per node
  std::map<NodeId, std::pair<Nanos, std::uint64_t>> spans;  // first arrival, count: phi's bound
  std::map<NodeId, std::size_t> open_crash;      // node -> index in detections, while down
  std::set<NodeId> trusted;                      // the monitor's view
  std::set<NodeId> suspected;                    // likewise
  for (NodeId n : trace.header.nodes) up[n] = true;

  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    const Record& r = trace.events[i];
    a.end_ns = std::max(a.end_ns, r.t);
    switch (r.kind) {
      case EventKind::crash:
        if (!up[r.node]) break;
        up[r.node] = false;
        if (a.applies && r.node != a.monitor) {
          open_crash[r.node] = a.detections.size();
          // Already suspected (its heartbeats were lost just before): the monitor is
          // right from the start and will not say so again.
          const bool already = suspected.contains(r.node);
          a.detections.push_back({r.node, r.t, i, already ? std::optional<std::size_t>(i) : std::nullopt,
                                  already ? std::optional<Nanos>(r.t) : std::nullopt, std::nullopt});
        }
        break;
      case EventKind::recover: {
        up[r.node] = true;
        auto it = open_crash.find(r.node);
        if (it != open_crash.end()) {
          a.detections[it->second].recovered_ns = r.t;
          open_crash.erase(it);
        }
        break;
      }
      case EventKind::recv:
        if (r.type == "heartbeat" && r.node == a.monitor && a.applies) {
          heard[r.peer] = r.t;
          if (auto open = open_crash.find(r.peer); open != open_crash.end()) {
            Detection& det = a.detections[open->second];
            if (!det.detected_ns) det.heard_after_ns = r.t;  // sent before the crash, arrived after
          }
          auto [span, fresh] = spans.try_emplace(r.peer, r.t, 0);
          ++span->second.second;
        }
        break;
      case EventKind::state: {
        const json& d = r.data;
        if (const auto m = DetectorNote::from_json(d)) {
          a.applies = true;
          a.monitor = r.node;
          a.detector = m->detector;
          a.timeout_ns = m->timeout_ns;
          a.check_every_ns = m->check_every_ns;
          a.acceptable_pause_ns = m->acceptable_pause_ns;
        }
        if (!a.applies || r.node != a.monitor) break;
        const auto note = MonitorNote::from_json(d);
        if (!note) break;
        if (note->kind == MonitorNote::Kind::suspect && note->node) {
          const NodeId n = *note->node;
          ++a.suspicions;
          trusted.erase(n);
          suspected.insert(n);
          // The first suspicion since this node's crash detects it.
          bool detection = false;
          for (Detection& det : a.detections) {
            if (det.node == n && !det.detected_ns && !det.recovered_ns && det.crashed_ns <= r.t) {
              det.detected_ns = r.t;
              det.detected_event = i;
              detection = true;
            }
          }
          if (!detection && up[n]) {
            FalseSuspicion f{n, r.t, i, std::nullopt, true};
            if (auto h = heard.find(n); h != heard.end()) {
              f.heard_ns = h->second;
              if (a.detector == "fixed") f.explained = r.t - h->second > a.timeout_ns;
            }
            a.false_suspicions.push_back(f);
          }
        }
        if (note->kind == MonitorNote::Kind::trust && note->node) {
          ++a.trusts;
          trusted.insert(*note->node);
          suspected.erase(*note->node);
        }
        if (note->kind == MonitorNote::Kind::redirect) {
          const std::optional<NodeId> want =
              trusted.empty() ? std::nullopt : std::optional<NodeId>(*trusted.begin());
          const std::optional<NodeId> got = note->node;
          if (got != want) {
            a.failover_errors.push_back(
                {fmt::format("line {}: orders redirected to {}, but the lowest trusted node is {}", r.line,
                             got ? std::to_string(*got) : "nobody",
                             want ? std::to_string(*want) : "nobody (none is left)"),
                 {i}});
          }
        }
        break;
      }
      default: break;
    }
  }
  // Completeness: crashes that lasted past the bound must have been detected within it.
  for (const Detection& det : a.detections) {
    Nanos bound = a.timeout_ns + a.check_every_ns;
    if (a.detector == "phi") {
      auto span = spans.find(det.node);
      const Nanos mean = span != spans.end() && span->second.second > 1
                             ? (det.crashed_ns - span->second.first) / static_cast<Nanos>(span->second.second)
                             : 5 * kSecond;
      bound = a.acceptable_pause_ns + 10 * mean + a.check_every_ns;
    }
    const Nanos down_until = det.recovered_ns.value_or(a.end_ns);
    // Silence starts at the crash, or when its last heartbeat in flight arrived.
    const Nanos silent_from = std::max(det.crashed_ns, det.heard_after_ns.value_or(det.crashed_ns));
    const std::string bound_text =
        det.heard_after_ns ? fmt::format("bound {} after its last heartbeat arrived at {}", format_duration_rounded(bound),
                                         format_duration_rounded(*det.heard_after_ns))
                           : fmt::format("bound {}", format_duration_rounded(bound));
    if (det.detected_ns) {
      if (*det.detected_ns - silent_from > bound) {
        a.missed.push_back(
            {fmt::format("node {} crashed at {} and was suspected only {} later ({})", det.node,
                         format_duration_rounded(det.crashed_ns),
                         format_duration_rounded(*det.detected_ns - det.crashed_ns), bound_text),
             {det.crash_event, *det.detected_event}});
      }
    } else if (down_until - silent_from <= bound) {
      if (a.too_short++ == 0 || a.too_short_bound_ns == bound) {
        a.too_short_bound_ns = bound;
      } else {
        a.too_short_bound_ns.reset();
      }
    } else {
      a.missed.push_back(
          {fmt::format("node {} crashed at {} and stayed down {}, but was never suspected ({})", det.node,
                       format_duration_rounded(det.crashed_ns),
                       format_duration_rounded(down_until - det.crashed_ns), bound_text),
           {det.crash_event}});
    }
  }
  return a;
}

namespace {

void check_detector(const Trace& trace, const DetectionAnalysis& a, std::vector<CheckResult>& results) {
  CheckResult complete{"detector_completeness", CheckStatus::pass, ""};
  std::size_t detected = 0;
  for (const Detection& d : a.detections) detected += d.detected_ns ? 1 : 0;
  complete.detail = fmt::format("{} detected of {}", detected, trace::quantity(a.detections.size(), "crash"));
  if (a.too_short > 0) {
    const std::string bound =
        a.too_short_bound_ns ? fmt::format(" ({})", format_duration_rounded(*a.too_short_bound_ns)) : "";
    complete.detail += fmt::format(
        "; {} not required: down for less than the detection bound{} until {} or "
        "the run ended",
        a.too_short, bound, a.too_short == 1 ? "it recovered" : "they recovered");
  }
  if (!a.missed.empty()) {
    complete.status = CheckStatus::fail;
    complete.detail = a.missed.front().text;
    complete.events = a.missed.front().events;
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
    accurate.events = {unexplained->event};
  } else if (a.false_suspicions.empty()) {
    accurate.detail = fmt::format("{}, none of a live node", trace::quantity(a.suspicions, "suspicion"));
  } else {
    accurate.detail = fmt::format("{} of {} were of live nodes whose heartbeats were lost or late (false "
                                  "suspicions: the price of a shorter timeout)",
                                  a.false_suspicions.size(), trace::quantity(a.suspicions, "suspicion"));
  }
  results.push_back(std::move(accurate));
}

}  // namespace


// A monitor's suspicions against the crashes that really happened, and its redirects
// against its own view of who is trusted.
void check(const Trace& trace, const trace::CausalGraph&, std::vector<CheckResult>& results) {
  if (!trace::has_note_key(trace, {DetectorNote::kKey})) return;  // no detector's note: nothing applies
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
                                        trace::quantity(a.suspicions, "suspicion"));
    results.push_back({"detector_completeness", CheckStatus::skipped, why});
    results.push_back({"detector_accuracy", CheckStatus::skipped, why});
  } else {
    check_detector(trace, a, results);
  }
  CheckResult failover{"failover", CheckStatus::pass, "every redirect went to the lowest-id trusted node"};
  if (!a.failover_errors.empty()) {
    failover.status = CheckStatus::fail;
    failover.detail = a.failover_errors.front().text;
    failover.events = a.failover_errors.front().events;
  }
  results.push_back(std::move(failover));
}

}  // namespace distlab::detect
