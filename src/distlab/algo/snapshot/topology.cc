#include "distlab/algo/snapshot/topology.h"

#include <algorithm>
#include <numeric>

#include "distlab/core/assert.h"
#include "distlab/core/random.h"

namespace distlab::snapshot {

Topology::Topology(std::string name, std::span<const NodeId> ids)
    : name_(std::move(name)), ids_(ids.begin(), ids.end()), out_(ids.size()), in_(ids.size()) {
  DISTLAB_ASSERT(std::is_sorted(ids_.begin(), ids_.end()) && ids_.size() >= 2);
}

std::size_t Topology::index(NodeId node) const {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), node);
  DISTLAB_ASSERT(it != ids_.end() && *it == node, "unknown node");
  return static_cast<std::size_t>(it - ids_.begin());
}

void Topology::add(NodeId from, NodeId to) {
  DISTLAB_ASSERT(from != to);
  out_[index(from)].push_back(to);
  in_[index(to)].push_back(from);
}

void Topology::finish() {
  channels_ = 0;
  for (auto* lists : {&out_, &in_}) {
    for (auto& list : *lists) {
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
    }
  }
  for (const auto& list : out_) channels_ += list.size();
}

bool Topology::has_channel(NodeId from, NodeId to) const {
  const auto outs = out(from);
  return std::binary_search(outs.begin(), outs.end(), to);
}

Topology Topology::complete(std::span<const NodeId> ids) {
  Topology t("complete", ids);
  for (NodeId a : ids) {
    for (NodeId b : ids) {
      if (a != b) t.add(a, b);
    }
  }
  t.finish();
  return t;
}

Topology Topology::ring(std::span<const NodeId> ids) {
  Topology t("ring", ids);
  for (std::size_t i = 0; i < ids.size(); ++i) t.add(ids[i], ids[(i + 1) % ids.size()]);
  t.finish();
  return t;
}

Topology Topology::random(std::span<const NodeId> ids, std::uint64_t seed, std::uint32_t out_degree) {
  Topology t("random", ids);
  Rng rng(seed);
  // A random Hamiltonian cycle: strongly connected whatever else is added.
  std::vector<NodeId> order(ids.begin(), ids.end());
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.uniform(i + 1)]);
  for (std::size_t i = 0; i < order.size(); ++i) t.add(order[i], order[(i + 1) % order.size()]);
  t.finish();
  const std::size_t want = std::min<std::size_t>(out_degree, ids.size() - 1);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto& outs = t.out_[i];
    // Bounded: each draw has at least a 1/n chance of a new target; give up after
    // many tries (very unlikely), keeping a strongly connected graph either way.
    for (std::size_t tries = 0; outs.size() < want && tries < 64 * ids.size(); ++tries) {
      const NodeId to = ids[rng.uniform(ids.size())];
      if (to == ids[i] || std::binary_search(outs.begin(), outs.end(), to)) continue;
      outs.insert(std::lower_bound(outs.begin(), outs.end(), to), to);
      auto& ins = t.in_[t.index(to)];
      ins.insert(std::lower_bound(ins.begin(), ins.end(), ids[i]), ids[i]);
    }
  }
  t.finish();
  return t;
}

bool Topology::strongly_connected() const {
  // Every node reachable from the first, following channels forward and backward.
  for (const auto* edges : {&out_, &in_}) {
    std::vector<bool> seen(ids_.size(), false);
    std::vector<std::size_t> stack{0};
    seen[0] = true;
    std::size_t reached = 1;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      for (NodeId next : (*edges)[i]) {
        const std::size_t j = index(next);
        if (!seen[j]) {
          seen[j] = true;
          ++reached;
          stack.push_back(j);
        }
      }
    }
    if (reached != ids_.size()) return false;
  }
  return true;
}

}  // namespace distlab::snapshot
