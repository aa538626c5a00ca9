#include "distlab/algo/bully/checker.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "distlab/algo/bully/notes.h"
#include "distlab/core/duration.h"

namespace distlab::bully {

using trace::CheckResult;
using trace::CausalGraph;
using trace::CheckStatus;
using trace::Record;
using trace::Trace;

namespace {

using json = nlohmann::ordered_json;

}  // namespace

Nanos stabilization_bound(Nanos leader_timeout_ns, Nanos answer_timeout_ns, Nanos coordinator_timeout_ns,
                          Nanos ack_timeout_ns) {
  return leader_timeout_ns + 2 * (answer_timeout_ns + coordinator_timeout_ns + ack_timeout_ns);
}

ElectionAnalysis analyze_election(const Trace& trace) {
  ElectionAnalysis a;
  const auto& nodes = trace.header.nodes;
  std::map<NodeId, std::optional<NodeId>> belief;
  std::map<NodeId, std::pair<Nanos, std::size_t>>
      holding_since;  // nodes holding leadership now: since, the note
  std::map<NodeId, std::size_t> belief_event;

  // Kept as the events go, so that each check of agreement is O(log n), not O(n):
  // the live nodes, and for each leader how many live nodes follow it.
  std::set<NodeId> live(nodes.begin(), nodes.end());
  std::map<NodeId, std::size_t> following;
  auto set_belief = [&](NodeId n, std::optional<NodeId> leader) {
    std::optional<NodeId>& current = belief[n];
    const bool counted = live.contains(n);
    if (counted && current) --following[*current];
    current = leader;
    if (counted && current) ++following[*current];
  };
  // Every live node follows the highest live id, which holds leadership.
  auto agreed = [&]() -> std::optional<NodeId> {
    if (live.empty()) return std::nullopt;
    const NodeId highest = *live.rbegin();
    if (!holding_since.contains(highest)) return std::nullopt;
    const auto it = following.find(highest);
    if (it == following.end() || it->second != live.size()) return std::nullopt;
    return highest;
  };
  auto end_holding = [&](NodeId n, Nanos t) {
    auto it = holding_since.find(n);
    if (it == holding_since.end()) return;
    a.intervals.push_back({n, it->second.first, t, it->second.second});
    holding_since.erase(it);
  };

  std::optional<NodeId> agreement;
  for (std::size_t i = 0; i < trace.events.size(); ++i) {
    const Record& r = trace.events[i];
    a.end_ns = std::max(a.end_ns, r.t);
    bool changed = false;
    switch (r.kind) {
      case EventKind::crash:
        if (holding_since.contains(r.node)) a.failovers.push_back({"crash", r.node, r.t, std::nullopt, 0});
        end_holding(r.node, r.t);
        set_belief(r.node, std::nullopt);
        live.erase(r.node);
        a.last_fault_ns = r.t;
        a.last_fault_event = i;
        changed = true;
        break;
      case EventKind::recover:
        set_belief(r.node, std::nullopt);
        belief_event[r.node] = i;
        live.insert(r.node);
        a.last_fault_ns = r.t;
        a.last_fault_event = i;
        if (agreement && r.node > *agreement) a.failovers.push_back({"recover", r.node, r.t, std::nullopt, 0});
        changed = true;
        break;
      case EventKind::drop:
        if (r.label == "partition" || r.label == "loss") {
          a.network_faulty = true;
          a.last_loss_ns = r.t;
        }
        break;
      case EventKind::state: {
        const json& d = r.data;
        if (const auto c = ConfigNote::from_json(d)) {
          a.bound_ns = stabilization_bound(std::max(c->leader_timeout_ns, c->leader_timeout_max_ns), c->answer_timeout_ns,
                                           c->coordinator_timeout_ns, c->ack_timeout_ns);
        }
        if (const auto election = ElectionNote::from_json(d)) {
          a.applies = true;
          if (election->kind == ElectionNote::Kind::start) ++a.elections_started;
        }
        const auto note = LeaderNote::from_json(d);
        if (note && note->leader) {
          a.applies = true;
          const NodeId leader = *note->leader;
          set_belief(r.node, leader);
          belief_event[r.node] = i;
          if (leader == r.node) {
            holding_since.try_emplace(r.node, r.t, i);
          } else {
            end_holding(r.node, r.t);
          }
          changed = true;
        }
        break;
      }
      default: break;
    }
    if (!changed) continue;
    const auto now_agreed = agreed();
    if (now_agreed && now_agreed != agreement) {
      a.agreed_since_ns = r.t;
      a.agreed_event = i;
      for (Failover& f : a.failovers) {
        if (!f.agreed_ns) {
          f.agreed_ns = r.t;
          f.leader = *now_agreed;
        }
      }
    }
    if (!now_agreed) {
      a.agreed_since_ns.reset();
      a.agreed_event.reset();
    }
    agreement = now_agreed;
  }
  for (const auto& [n, since] : holding_since) {
    if (live.contains(n)) a.leaders_at_end.push_back(n);
  }
  for (auto [n, since] : std::map(holding_since)) end_holding(n, a.end_ns);
  std::sort(a.intervals.begin(), a.intervals.end(),
            [](const LeadershipInterval& x, const LeadershipInterval& y) { return x.from_ns < y.from_ns; });
  for (std::size_t i = 0; i < a.intervals.size(); ++i) {
    for (std::size_t j = i + 1; j < a.intervals.size(); ++j) {
      const auto& x = a.intervals[i];
      const auto& y = a.intervals[j];
      if (y.from_ns >= x.to_ns) break;  // sorted by start: no later one overlaps x
      if (x.node == y.node) continue;
      a.overlaps.push_back({x, y, y.from_ns, std::min(x.to_ns, y.to_ns)});
    }
  }
  for (NodeId n : nodes) {
    if (live.contains(n)) {
      a.highest_live = n;
      a.final_beliefs[n] = belief[n];
      if (const auto e = belief_event.find(n); e != belief_event.end()) a.final_belief_events[n] = e->second;
    }
  }
  a.agreed_leader = agreement;
  return a;
}

// After the last fault, every live node follows the highest live id within the bound;
// and no two nodes hold leadership at once while the network is reliable.
void check(const Trace& trace, const trace::CausalGraph&, std::vector<CheckResult>& results) {
  if (!trace::has_note_key(trace, {ElectionNote::kKey, LeaderNote::kKey})) return;  // no election noted
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
        agreement.events = {*a.last_fault_event, *a.agreed_event};
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
    // The failure names each live node's last change of mind (or its recovery).
    std::vector<std::size_t> named;
    for (const auto& [node, event] : a.final_belief_events) named.push_back(event);
    if (still_lossy) {
      agreement.status = CheckStatus::fail;
      agreement.events = named;
      agreement.detail += ", and messages were still being lost to the network at the end (a partition that "
                          "never healed: split brain, Bully's known weakness)";
    } else if (a.bound_ns && a.last_fault_ns && since_fault < *a.bound_ns) {
      agreement.status = CheckStatus::skipped;
      agreement.detail += fmt::format("; but the run ended {} after the last crash or recovery, within the bound of {}",
                                      format_duration_rounded(since_fault), bound);
    } else {
      agreement.status = CheckStatus::fail;
      agreement.events = named;
    }
  }
  results.push_back(std::move(agreement));

  CheckResult single{"single_leader", CheckStatus::pass, ""};
  if (a.overlaps.empty()) {
    single.detail = fmt::format("{} in turn, never two at once", trace::quantity(a.intervals.size(), "leadership"));
  } else {
    const Overlap& o = a.overlaps.front();
    const std::string what = fmt::format("nodes {} and {} both held leadership from {} to {}", o.a.node, o.b.node,
                                         format_duration_rounded(o.from_ns), format_duration_rounded(o.to_ns));
    if (a.network_faulty) {
      single.detail = fmt::format("split brain while messages were lost: {} ({}). Bully's known weakness: it "
                                  "cannot tell a lost network from a crashed leader",
                                  what, trace::quantity(a.overlaps.size(), "overlap"));
    } else {
      single.status = CheckStatus::fail;
      single.detail = fmt::format("{}, on a reliable network ({})", what, trace::quantity(a.overlaps.size(), "overlap"));
      single.events = {o.a.from_event, o.b.from_event};
    }
  }
  results.push_back(std::move(single));
}

}  // namespace distlab::bully
