// A directed graph of channels between nodes: who may send to whom.
//
// Chandy-Lamport needs every node reachable from every other (strongly connected),
// so markers reach everyone. complete and ring are; random is built as a random
// Hamiltonian cycle plus extra random out-edges, so it always is.
//
//   Topology t = Topology::random(ids, seed, 3);
//   for (NodeId to : t.out(1)) ...   // channels 1 -> to
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::snapshot {

class Topology {
 public:
  static Topology complete(std::span<const NodeId> ids);
  // i -> next id, the last back to the first.
  static Topology ring(std::span<const NodeId> ids);
  // A random cycle through all nodes, then extra random out-edges until each node
  // has `out_degree` of them (or n - 1). Drawn from `seed` only.
  static Topology random(std::span<const NodeId> ids, std::uint64_t seed, std::uint32_t out_degree);

  std::span<const NodeId> ids() const { return ids_; }
  // Destinations of node's outgoing channels, sorted.
  std::span<const NodeId> out(NodeId node) const { return out_[index(node)]; }
  // Sources of node's incoming channels, sorted.
  std::span<const NodeId> in(NodeId node) const { return in_[index(node)]; }
  bool has_channel(NodeId from, NodeId to) const;
  std::size_t channel_count() const { return channels_; }
  bool strongly_connected() const;
  const std::string& name() const { return name_; }

 private:
  Topology(std::string name, std::span<const NodeId> ids);
  void add(NodeId from, NodeId to);
  void finish();
  std::size_t index(NodeId node) const;

  std::string name_;
  std::vector<NodeId> ids_;
  std::vector<std::vector<NodeId>> out_;
  std::vector<std::vector<NodeId>> in_;
  std::size_t channels_ = 0;
};

}  // namespace distlab::snapshot
