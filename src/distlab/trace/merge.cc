#include "distlab/trace/merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "distlab/core/error.h"

namespace distlab::trace {
namespace {

// A send nobody received, while its receiver ran on past it by this much without a
// crash, was lost by the network (or a partition); a real runtime cannot trace that
// loss itself, the merge can. Messages in flight at the end, or to a process that
// died, are not losses.
constexpr Nanos kLossGrace = 1 * kSecond;

void add_losses(Trace& merged) {
  std::unordered_set<std::string_view> received;
  struct Life {
    std::vector<Nanos> events;   // times of the node's events
    std::vector<Nanos> crashes;  // times of its crashes
  };
  std::map<NodeId, Life> lives;
  for (const Record& r : merged.events) {
    if (r.kind == EventKind::recv || r.kind == EventKind::drop) received.insert(r.msg);
    Life& life = lives[r.node];
    life.events.push_back(r.t);
    if (r.kind == EventKind::crash) life.crashes.push_back(r.t);
  }
  for (auto& [node, life] : lives) std::sort(life.events.begin(), life.events.end());
  auto lost = [&](const Record& send) {
    if (received.contains(send.msg)) return false;
    const auto it = lives.find(send.peer);
    if (it == lives.end()) return false;
    const Life& life = it->second;
    const auto later = std::upper_bound(life.events.begin(), life.events.end(), send.t + kLossGrace);
    if (later == life.events.end()) return false;  // it stopped (or the run did) before it could tell
    const auto crash = std::lower_bound(life.crashes.begin(), life.crashes.end(), send.t);
    return crash == life.crashes.end() || *crash > *later;
  };
  std::vector<Record> events;
  events.reserve(merged.events.size());
  for (Record& r : merged.events) {
    const bool drop = r.kind == EventKind::send && lost(r);
    events.push_back(std::move(r));
    if (!drop) continue;
    const Record& send = events.back();
    Record d;
    d.t = send.t;
    d.node = send.node;
    d.kind = EventKind::drop;
    d.msg = send.msg;
    d.peer = send.peer;
    d.type = send.type;
    d.label = std::string(to_string(DropReason::loss));
    events.push_back(std::move(d));
  }
  merged.events = std::move(events);
}

}  // namespace

Header merged_header(const std::vector<Trace>& parts) {
  if (parts.empty()) throw InputError("nothing to merge");
  Header header = parts.front().header;
  std::set<NodeId> nodes;
  for (const Trace& part : parts) {
    const Header& h = part.header;
    if (h.algorithm != header.algorithm || h.seed != header.seed) {
      throw InputError(fmt::format("{}: a {} trace with seed {}, but {} is a {} trace with seed {}: not one run",
                                   part.source, h.algorithm, h.seed, parts.front().source, header.algorithm,
                                   header.seed));
    }
    if (h.mode != "real") header.mode = h.mode;
    nodes.insert(h.nodes.begin(), h.nodes.end());
    for (const Record& r : part.events) nodes.insert(r.node);
  }
  header.nodes.assign(nodes.begin(), nodes.end());
  return header;
}

Trace merge_traces(const Header& header, const std::vector<Trace>& parts) {
  // Each node's events, in that node's order: within a part as written, across
  // parts (lives of a restarted node) by time.
  std::map<NodeId, std::vector<const Record*>> lanes;
  for (const Trace& part : parts) {
    for (const Record& r : part.events) lanes[r.node].push_back(&r);
  }
  for (auto& [node, lane] : lanes) {
    std::stable_sort(lane.begin(), lane.end(), [](const Record* a, const Record* b) { return a->t < b->t; });
  }
  std::unordered_set<std::string_view> sent;
  for (const auto& [node, lane] : lanes) {
    for (const Record* r : lane) {
      if (r->kind == EventKind::send) sent.insert(r->msg);
    }
  }

  struct Head {
    Nanos t;
    NodeId node;
    bool operator>(const Head& o) const { return t != o.t ? t > o.t : node > o.node; }
  };
  std::priority_queue<Head, std::vector<Head>, std::greater<>> ready;
  std::map<NodeId, std::size_t> next;
  std::unordered_set<std::string_view> emitted;
  std::unordered_map<std::string_view, std::vector<NodeId>> waiting;  // msg -> lanes whose head receives it

  Trace merged;
  merged.header = header;
  std::size_t total = 0;
  for (const auto& [node, lane] : lanes) total += lane.size();
  merged.events.reserve(total);

  // Queue a lane's head if nothing it depends on is missing.
  auto offer = [&](NodeId node) {
    const auto& lane = lanes[node];
    const std::size_t i = next[node];
    if (i >= lane.size()) return;
    const Record* r = lane[i];
    if (r->kind == EventKind::recv && sent.contains(r->msg) && !emitted.contains(r->msg)) {
      waiting[r->msg].push_back(node);
      return;
    }
    ready.push({r->t, node});
  };
  for (const auto& [node, lane] : lanes) offer(node);

  while (merged.events.size() < total) {
    if (ready.empty()) {
      // A receive before its send on every path: the parts contradict each other.
      // Emit the rest by time, and let the causality check say what is wrong.
      std::vector<const Record*> rest;
      for (const auto& [node, lane] : lanes) {
        for (std::size_t i = next[node]; i < lane.size(); ++i) rest.push_back(lane[i]);
      }
      std::stable_sort(rest.begin(), rest.end(), [](const Record* a, const Record* b) { return a->t < b->t; });
      for (const Record* r : rest) merged.events.push_back(*r);
      break;
    }
    const Head head = ready.top();
    ready.pop();
    const Record* r = lanes[head.node][next[head.node]];
    merged.events.push_back(*r);
    ++next[head.node];
    if (r->kind == EventKind::send && emitted.insert(r->msg).second) {
      auto w = waiting.find(r->msg);
      if (w != waiting.end()) {
        for (NodeId node : w->second) ready.push({lanes[node][next[node]]->t, node});
        waiting.erase(w);
      }
    }
    offer(head.node);
  }
  add_losses(merged);
  for (std::size_t i = 0; i < merged.events.size(); ++i) merged.events[i].line = i + 2;  // after the header
  return merged;
}

}  // namespace distlab::trace
