// FIFO bookkeeping for links with variable latency: a message never arrives before
// the previous message sent on the same link.
//
// Up to kDenseNodesMax nodes, one slot per ordered pair in a flat table: no
// allocation after construction. Beyond that, a hash map of the links with a message
// still in flight, pruned as messages land (it is only looked up, never iterated for
// a result, so hash order cannot leak into a run).
//
//   FifoLinks fifo(1, 3);
//   Nanos at = fifo.arrival(1, 2, now + latency, now, pending);
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::sim {

class FifoLinks {
 public:
  // n^2 slots of 8 bytes: 8 MiB at this bound.
  static constexpr std::uint32_t kDenseNodesMax = 1024;

  FifoLinks(NodeId first_id, std::uint32_t node_count) : first_id_(first_id), n_(node_count) {
    if (n_ <= kDenseNodesMax) dense_.assign(std::size_t{n_} * n_, 0);
  }

  // The arrival time of a message on from->to that the latency alone would deliver at
  // `t`: no earlier than the link's previous arrival. `pending` is the number of
  // events in the simulator's queue, which bounds the sparse map's size.
  Nanos arrival(NodeId from, NodeId to, Nanos t, Nanos now, std::size_t pending) {
    if (!dense_.empty()) {
      Nanos& last = dense_[std::size_t{from - first_id_} * n_ + (to - first_id_)];
      last = std::max(t, last);
      return last;
    }
    if (sparse_.size() > 2 * pending + kPruneSlack) {
      // Entries at or before now constrain nothing any more.
      std::erase_if(sparse_, [now](const auto& entry) { return entry.second <= now; });
    }
    Nanos& last = sparse_[(std::uint64_t{from} << 32) | to];
    last = std::max(t, last);
    return last;
  }

 private:
  static constexpr std::size_t kPruneSlack = 1024;

  NodeId first_id_;
  std::uint32_t n_;
  std::vector<Nanos> dense_;
  std::unordered_map<std::uint64_t, Nanos> sparse_;
};

}  // namespace distlab::sim
