#include "trace/election.h"

#include <algorithm>
#include <map>
#include <set>

namespace distlab::trace {
namespace {

using json = nlohmann::ordered_json;

Nanos field_ns(const json& config, const char* key) {
  return config.contains(key) && config[key].is_number_integer() ? config[key].get<Nanos>() : 0;
}

}  // namespace

Nanos stabilization_bound(Nanos leader_timeout_ns, Nanos answer_timeout_ns, Nanos coordinator_timeout_ns,
                          Nanos ack_timeout_ns) {
  return leader_timeout_ns + 2 * (answer_timeout_ns + coordinator_timeout_ns + ack_timeout_ns);
}

ElectionAnalysis analyze_election(const Trace& trace) {
  ElectionAnalysis a;
  const auto& nodes = trace.header.nodes;
  std::map<NodeId, std::optional<NodeId>> belief;
  std::map<NodeId, Nanos> holding_since;  // nodes holding leadership now

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
    a.intervals.push_back({n, it->second, t});
    holding_since.erase(it);
  };

  std::optional<NodeId> agreement;
  for (const Record& r : trace.events) {
    a.end_ns = std::max(a.end_ns, r.t);
    bool changed = false;
    switch (r.kind) {
      case EventKind::crash:
        if (holding_since.contains(r.node)) a.failovers.push_back({"crash", r.node, r.t, std::nullopt, 0});
        end_holding(r.node, r.t);
        set_belief(r.node, std::nullopt);
        live.erase(r.node);
        a.last_fault_ns = r.t;
        changed = true;
        break;
      case EventKind::recover:
        set_belief(r.node, std::nullopt);
        live.insert(r.node);
        a.last_fault_ns = r.t;
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
        if (d.contains("bully") && d["bully"].is_object()) {
          const json& c = d["bully"];
          a.bound_ns = stabilization_bound(std::max(field_ns(c, "leader_timeout_ns"), field_ns(c, "leader_timeout_max_ns")),
                                           field_ns(c, "answer_timeout_ns"),
                                           field_ns(c, "coordinator_timeout_ns"), field_ns(c, "ack_timeout_ns"));
        }
        if (d.contains("election")) {
          a.applies = true;
          if (d["election"] == "start") ++a.elections_started;
        }
        if (d.contains("leader") && d["leader"].is_number_unsigned()) {
          a.applies = true;
          const auto leader = d["leader"].get<NodeId>();
          set_belief(r.node, leader);
          if (leader == r.node) {
            holding_since.try_emplace(r.node, r.t);
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
      for (Failover& f : a.failovers) {
        if (!f.agreed_ns) {
          f.agreed_ns = r.t;
          f.leader = *now_agreed;
        }
      }
    }
    if (!now_agreed) a.agreed_since_ns.reset();
    agreement = now_agreed;
  }
  for (const auto& [n, since] : holding_since) {
    if (live.contains(n)) a.leaders_at_end.push_back(n);
  }
  for (auto [n, since] : std::map<NodeId, Nanos>(holding_since)) end_holding(n, a.end_ns);
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
    }
  }
  a.agreed_leader = agreement;
  return a;
}

}  // namespace distlab::trace
