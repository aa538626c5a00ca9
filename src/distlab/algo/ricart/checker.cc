#include "distlab/algo/ricart/checker.h"

#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "distlab/algo/ricart/ricart.h"
#include "distlab/core/duration.h"

namespace distlab::ricart {
namespace {

using trace::CheckResult;
using trace::CheckStatus;
using trace::quantity;
using trace::Record;

// One enter note, as the checks name it.
struct Entry {
  NodeId node = 0;
  std::optional<std::int64_t> ts;  // absent: a malformed note
  Nanos at_ns = 0;
  std::size_t line = 0;
  std::size_t event = 0;  // an index into the trace's events
};

struct Overlap {
  Entry first;                 // inside already
  Entry second;                // entered while `first` was inside
  std::optional<Nanos> to_ns;  // when the first of the two left
};

struct OpenRequest {
  std::optional<std::int64_t> ts;
  Nanos at_ns = 0;
  std::size_t event = 0;
};

std::string when(Nanos t) { return format_duration_rounded(t); }

std::string ts_text(const std::optional<std::int64_t>& ts) { return ts ? std::to_string(*ts) : "?"; }

// Everything the three checks need, in one pass over the trace.
struct MutexRun {
  bool applies = false;
  Nanos end_ns = 0;
  std::size_t crashes = 0;
  std::size_t recoveries = 0;
  std::size_t drops = 0;
  std::size_t requests = 0;
  std::size_t entries = 0;
  std::size_t abandoned = 0;                          // requests cut short by their own node's crash
  std::vector<std::pair<NodeId, OpenRequest>> ungranted;  // in the order they were found
  std::size_t overlaps = 0;
  std::optional<Overlap> first_overlap;
  std::optional<std::pair<Entry, Entry>> disorder;  // an entry, then a later one that should have come first
  std::optional<Entry> untimed;                     // an enter without a timestamp

  bool faulty() const { return crashes + recoveries + drops > 0; }
};

MutexRun analyze(const trace::Trace& trace) {
  MutexRun run;
  std::map<NodeId, Entry> inside;
  std::map<NodeId, OpenRequest> waiting;  // requested, not yet entered
  std::optional<Entry> last_entry;

  auto leave = [&](NodeId node, Nanos t) {
    if (inside.erase(node) == 0) return;
    auto& o = run.first_overlap;
    if (o && !o->to_ns && (o->first.node == node || o->second.node == node)) o->to_ns = t;
  };

  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    const Record& r = trace.events[i];
    run.end_ns = std::max(run.end_ns, r.t);
    switch (r.kind) {
      case EventKind::crash:
        ++run.crashes;
        leave(r.node, r.t);
        if (waiting.erase(r.node) > 0) ++run.abandoned;
        break;
      case EventKind::recover: ++run.recoveries; break;
      case EventKind::drop: ++run.drops; break;
      case EventKind::state: {
        const auto note = MutexNote::from_json(r.data);
        if (!note) break;
        run.applies = true;
        if (note->kind == MutexNote::Kind::request) {
          ++run.requests;
          // A node asks again before entering: its earlier request was never granted.
          if (const auto old = waiting.find(r.node); old != waiting.end()) run.ungranted.emplace_back(*old);
          waiting[r.node] = OpenRequest{note->ts, r.t, i};
        } else if (note->kind == MutexNote::Kind::enter) {
          ++run.entries;
          waiting.erase(r.node);
          const Entry entry{r.node, note->ts, r.t, r.line, i};
          for (const auto& [node, other] : inside) {
            if (node == r.node) continue;
            ++run.overlaps;
            if (!run.first_overlap) run.first_overlap = Overlap{other, entry, std::nullopt};
          }
          inside.try_emplace(r.node, entry);
          if (!entry.ts) {
            if (!run.untimed) run.untimed = entry;
          } else if (last_entry && !run.disorder &&
                     std::pair(*entry.ts, entry.node) <= std::pair(*last_entry->ts, last_entry->node)) {
            run.disorder = std::pair(*last_entry, entry);
          }
          if (entry.ts) last_entry = entry;
        } else if (note->kind == MutexNote::Kind::exit) {
          leave(r.node, r.t);
        }
        break;
      }
      default: break;
    }
  }
  for (const auto& request : waiting) run.ungranted.push_back(request);
  return run;
}

// "1 crash, 1 recovery and 3 dropped messages"
std::string faults_text(const MutexRun& run) {
  std::vector<std::string> parts;
  if (run.crashes > 0) parts.push_back(quantity(run.crashes, "crash"));
  if (run.recoveries > 0)
    parts.push_back(run.recoveries == 1 ? "1 recovery" : fmt::format("{} recoveries", run.recoveries));
  if (run.drops > 0) parts.push_back(quantity(run.drops, "dropped message"));
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  }
  return out;
}

CheckResult mutual_exclusion(const MutexRun& run) {
  if (!run.first_overlap) {
    return {"mutual_exclusion", CheckStatus::pass,
            fmt::format("{}, never two at once", quantity(run.entries, "critical section"))};
  }
  const Overlap& o = *run.first_overlap;
  const Nanos to_ns = o.to_ns.value_or(run.end_ns);
  return {"mutual_exclusion",
          CheckStatus::fail,
          fmt::format(
              "nodes {} and {} were both inside the critical section from {} to {}{} (node {} entered at {}, "
              "line {}; node {} at {}, line {}){}",
              o.first.node, o.second.node, when(o.second.at_ns), when(to_ns),
              o.to_ns ? "" : ", the end of the trace", o.first.node, when(o.first.at_ns), o.first.line,
              o.second.node, when(o.second.at_ns), o.second.line,
              run.overlaps > 1 ? fmt::format("; {} in all", quantity(run.overlaps, "overlap")) : ""),
          {o.first.event, o.second.event}};
}

CheckResult requests_granted(const MutexRun& run) {
  const std::string abandoned = run.abandoned == 0
                                    ? ""
                                    : fmt::format(" ({} cut short by {} node's crash)", run.abandoned,
                                                  run.abandoned == 1 ? "its" : "their");
  if (run.ungranted.empty()) {
    return {"requests_granted", CheckStatus::pass,
            fmt::format("{}{}, each followed by an entry", quantity(run.requests, "request"), abandoned)};
  }
  const auto& [node, request] = run.ungranted.front();
  std::string what = fmt::format("node {}'s request (ts {}) at {} was never granted ({} of {} not granted{})",
                                 node, ts_text(request.ts), when(request.at_ns), run.ungranted.size(),
                                 quantity(run.requests, "request"), abandoned);
  if (run.faulty()) {
    return {
        "requests_granted", CheckStatus::skipped,
        fmt::format("{}; the run had {}, and Ricart–Agrawala waits for a reply from every node, so one that "
                    "fails blocks the others (its known weakness)",
                    what, faults_text(run))};
  }
  return {"requests_granted",
          CheckStatus::fail,
          what + ", on a reliable run with no crash and no lost message",
          {request.event}};
}

CheckResult entry_order(const MutexRun& run) {
  if (run.untimed) {
    const Entry& e = *run.untimed;
    return {"entry_order",
            CheckStatus::fail,
            fmt::format("node {} entered at {} (line {}) with no timestamp", e.node, when(e.at_ns), e.line),
            {e.event}};
  }
  if (run.disorder) {
    const auto& [before, after] = *run.disorder;
    return {
        "entry_order",
        CheckStatus::fail,
        fmt::format("node {} entered with (ts {}, node {}) at {} (line {}), after node {} had entered with "
                    "(ts {}, node {}) at {} (line {}): entries must follow (timestamp, node) order",
                    after.node, *after.ts, after.node, when(after.at_ns), after.line, before.node, *before.ts,
                    before.node, when(before.at_ns), before.line),
        {before.event, after.event}};
  }
  return {
      "entry_order", CheckStatus::pass,
      fmt::format("{} {} in (timestamp, node) order", run.entries, run.entries == 1 ? "entry" : "entries")};
}

}  // namespace

std::vector<CheckResult> check_mutex(const trace::Trace& trace) {
  if (!trace::has_note_key(trace, {MutexNote::kKey})) return {};  // no request, entry or exit noted
  const MutexRun run = analyze(trace);
  if (!run.applies) return {};
  return {mutual_exclusion(run), requests_granted(run), entry_order(run)};
}

void check(const trace::Trace& trace, const trace::CausalGraph&, std::vector<CheckResult>& results) {
  for (CheckResult& r : check_mutex(trace)) results.push_back(std::move(r));
}

}  // namespace distlab::ricart
