#include "distlab/trace/causality.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <string_view>
#include <string>

#include "distlab/core/assert.h"
#include "distlab/core/error.h"

namespace distlab::trace {
namespace {

[[noreturn]] void fail(const Trace& trace, const Record& r, std::string_view why) {
  if (trace.source.empty()) throw InputError(fmt::format("trace event {}: {}", describe(r), why));
  throw InputError(fmt::format("{}:{}: {}", trace.source, r.line, why));
}

// Message id -> its send's event, by open addressing over one array: no allocation per
// message (a sweep matches the messages of every seed's trace).
class SendIndex {
 public:
  // `slots` is storage lent by the caller: a thread's matches reuse one array.
  SendIndex(const std::vector<Record>& events, std::size_t sends, std::vector<std::size_t>& slots)
      : events_(events), slots_(slots) {
    slots_.assign(std::bit_ceil(2 * sends + 1), MessageMatch::kNone);
    mask_ = slots_.size() - 1;
  }

  // The slot of `msg`: its send's event, or kNone (then the slot to fill for it).
  std::size_t& slot(std::string_view msg) {
    for (std::size_t h = hash(msg) & mask_;; h = (h + 1) & mask_) {
      std::size_t& s = slots_[h];
      if (s == MessageMatch::kNone || same(events_[s].msg, msg)) return s;
    }
  }

 private:
  // FNV-1a, inline: message ids are short ("2.17"), and a library call per lookup
  // cost more than the hashing.
  static std::size_t hash(std::string_view msg) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const char c : msg) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }

  // Equality without a library call for ids as short as "2.17".
  static bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

  const std::vector<Record>& events_;
  std::vector<std::size_t>& slots_;  // at most half full
  std::size_t mask_ = 0;
};

// A thread's working arrays for matching and ordering, kept across calls: a sweep
// builds one causal graph per seed, and allocating these anew was a tenth of a check.
struct Scratch {
  std::vector<std::size_t> slots;
  std::vector<std::size_t> last;
  std::vector<std::uint32_t> count;
  std::vector<std::size_t> next;
  std::vector<std::size_t> receivers_from;
  std::vector<std::size_t> receivers;
  std::vector<std::size_t> filled;
  std::vector<std::uint8_t> indegree;
  std::vector<std::size_t> ready;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

}  // namespace

MessageMatch match_messages(const Trace& trace) {
  MessageMatch match;
  match_messages(trace, match);
  return match;
}

void match_messages(const Trace& trace, MessageMatch& match) {
  const auto& events = trace.events;
  match.send_of.assign(events.size(), MessageMatch::kNone);
  match.messages = 0;
  match.external = 0;
  std::size_t send_count = 0;
  for (const Record& r : events) send_count += r.kind == EventKind::send ? 1 : 0;
  SendIndex sends(events, send_count, scratch().slots);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Record& r = events[i];
    if (r.kind != EventKind::send) continue;
    std::size_t& slot = sends.slot(r.msg);
    if (slot != MessageMatch::kNone) fail(trace, r, fmt::format("message \"{}\" is sent twice", r.msg));
    slot = i;
    ++match.messages;
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Record& r = events[i];
    if (r.kind != EventKind::recv && r.kind != EventKind::drop) continue;
    const std::size_t sent = sends.slot(r.msg);
    if (sent == MessageMatch::kNone) {
      // One process's trace of a real run sees messages from processes it does not
      // record: they come from outside the trace. A large run kept in memory without
      // its sends and receives keeps its drops (by loss or partition): their sends are
      // not in it either. Any other simulated trace sees everything.
      if (trace.header.mode == "real" || trace.messages_omitted) {
        ++match.external;
        continue;
      }
      fail(trace, r, fmt::format("{} of message \"{}\", which is never sent", to_string(r.kind), r.msg));
    }
    const Record& s = events[sent];
    if (r.kind == EventKind::recv) {
      if (r.peer != s.node || r.node != s.peer) {
        fail(trace, r, fmt::format("message \"{}\" was sent by {} to {}, but is received by {} from {}", r.msg,
                            s.node, s.peer, r.node, r.peer));
      }
      match.send_of[i] = sent;
    }
  }
}

CausalGraph::CausalGraph(const Trace& trace) { rebuild(trace); }

void CausalGraph::rebuild(const Trace& trace) {
  const auto& events = trace.events;
  const auto& nodes = trace.header.nodes;
  const std::size_t n = events.size();
  node_count_ = nodes.size();
  prev_.assign(n, kNone);
  position_.assign(n, 0);
  node_index_.assign(n, 0);

  Scratch& work = scratch();
  std::vector<std::size_t>& last = work.last;
  std::vector<std::uint32_t>& count = work.count;
  last.assign(nodes.size(), kNone);
  count.assign(nodes.size(), 0);
  // Node ids first..first + count - 1, as a simulated run numbers them: no search.
  const bool dense = !nodes.empty() && nodes.back() - nodes.front() == nodes.size() - 1;
  for (std::size_t i = 0; i < n; ++i) {
    const Record& r = events[i];
    const auto node = dense ? static_cast<std::size_t>(r.node - nodes.front())
                            : static_cast<std::size_t>(std::lower_bound(nodes.begin(), nodes.end(), r.node) -
                                                       nodes.begin());
    DISTLAB_ASSERT(node < nodes.size() && nodes[node] == r.node, "reader validated node ids");
    node_index_[i] = static_cast<std::uint32_t>(node);
    prev_[i] = last[node];
    last[node] = i;
    position_[i] = ++count[node];
  }
  MessageMatch match;
  match.send_of.swap(send_);  // filled in place, its capacity kept
  match_messages(trace, match);
  send_.swap(match.send_of);
  messages_ = match.messages;
  external_ = match.external;

  // Kahn's algorithm; successors are the next event at the node and a send's recvs.
  // A send's receives sit in one flat array, in trace order: receivers_from[s] up to
  // receivers_from[s + 1] (no allocation per event).
  std::vector<std::size_t>& next = work.next;
  std::vector<std::size_t>& receivers_from = work.receivers_from;
  std::vector<std::uint8_t>& indegree = work.indegree;
  next.assign(n, kNone);
  receivers_from.assign(n + 1, 0);
  indegree.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (prev_[i] != kNone) {
      next[prev_[i]] = i;
      ++indegree[i];
    }
    if (send_[i] != kNone) {
      ++receivers_from[send_[i] + 1];
      ++indegree[i];
    }
  }
  for (std::size_t i = 0; i < n; ++i) receivers_from[i + 1] += receivers_from[i];
  std::vector<std::size_t>& receivers = work.receivers;
  receivers.assign(receivers_from[n], 0);
  {
    std::vector<std::size_t>& filled = work.filled;
    filled.assign(receivers_from.begin(), receivers_from.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      if (send_[i] != kNone) receivers[filled[send_[i]]++] = i;
    }
  }
  std::vector<std::size_t>& ready = work.ready;
  ready.clear();
  for (std::size_t i = n; i-- > 0;) {
    if (indegree[i] == 0) ready.push_back(i);
  }
  order_.clear();
  cycle_.reset();
  order_.reserve(n);
  auto release = [&](std::size_t j) {
    if (--indegree[j] == 0) ready.push_back(j);
  };
  while (!ready.empty()) {
    const std::size_t i = ready.back();
    ready.pop_back();
    order_.push_back(i);
    if (next[i] != kNone) release(next[i]);
    for (std::size_t k = receivers_from[i]; k < receivers_from[i + 1]; ++k) release(receivers[k]);
  }
  if (order_.size() != n) {
    for (std::size_t i = 0; i < n; ++i) {
      if (indegree[i] != 0) {
        cycle_ = i;
        break;
      }
    }
    order_.clear();
  }
}

std::optional<VectorTime> VectorTime::build(const CausalGraph& graph, const std::vector<bool>& counted) {
  const std::size_t n = graph.size();
  const std::size_t nodes = graph.node_count();
  DISTLAB_ASSERT(counted.empty() || counted.size() == n);
  if (graph.cycle() || (nodes != 0 && n > kMaxCells / nodes)) return std::nullopt;
  VectorTime vt;
  vt.graph_ = &graph;
  vt.nodes_ = nodes;
  vt.stamps_.assign(n * nodes, 0);
  std::vector<std::uint32_t> own(nodes, 0);  // counted events so far, per node
  for (std::size_t i : graph.topological_order()) {
    std::uint32_t* stamp = &vt.stamps_[i * nodes];
    for (std::size_t p : {graph.prev_on_node(i), graph.send_of(i)}) {
      if (p == CausalGraph::kNone) continue;
      const std::uint32_t* from = &vt.stamps_[p * nodes];
      for (std::size_t k = 0; k < nodes; ++k) stamp[k] = std::max(stamp[k], from[k]);
    }
    const std::size_t k = graph.node_index(i);
    if (counted.empty() || counted[i]) stamp[k] = ++own[k];
  }
  return vt;
}

}  // namespace distlab::trace
