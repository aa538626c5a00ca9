// FIFO bookkeeping for links with variable latency: a message never arrives before
// the previous message sent on the same link.
//
// Up to kDenseNodesMax nodes, one slot per ordered pair in a flat table: no
// allocation after construction. Beyond that, an open-addressing table of the links
// with a message still in flight (16 bytes a link, linear probing, no allocation per
// entry): when it is three quarters full it is rebuilt without the links whose last
// message has landed, at twice the size of what is left. It is only looked up, never
// iterated for a result, so its order cannot leak into a run.
//
//   FifoLinks fifo(1, 3);
//   Nanos at = fifo.arrival(1, 2, now + latency, now);
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::sim {

class FifoLinks {
 public:
  // n^2 slots of 8 bytes: 8 MiB at this bound.
  static constexpr std::uint32_t kDenseNodesMax = 1024;

  FifoLinks(NodeId first_id, std::uint32_t node_count) : first_id_(first_id), n_(node_count) {
    if (n_ <= kDenseNodesMax) {
      dense_.assign(std::size_t{n_} * n_, 0);
    } else {
      rebuild(kMinSlots, 0);
    }
  }

  // The arrival time of a message on from->to that the latency alone would deliver at
  // `t`: no earlier than the link's previous arrival. `now` is the simulated time:
  // links whose last arrival is not after it constrain nothing any more.
  Nanos arrival(NodeId from, NodeId to, Nanos t, Nanos now) {
    if (!dense_.empty()) {
      Nanos& last = dense_[std::size_t{from - first_id_} * n_ + (to - first_id_)];
      last = std::max(t, last);
      return last;
    }
    if (used_ >= slots_.size() / 4 * 3) rebuild(std::size_t{0}, now);
    const std::uint64_t key = (std::uint64_t{from} << 32) | to;
    Slot& slot = find(key);
    if (slot.key == kEmpty) {
      slot = {key, t};
      ++used_;
      return t;
    }
    slot.last = std::max(t, slot.last);
    return slot.last;
  }

  // Links held (sparse table only; for tests and memory reports).
  std::size_t held() const { return used_; }
  std::size_t bytes() const { return dense_.size() * sizeof(Nanos) + slots_.size() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint64_t key;
    Nanos last;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // no link: ids are below 2^32 - 1
  static constexpr std::size_t kMinSlots = 1024;

  Slot& find(std::uint64_t key) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
    while (slots_[i].key != key && slots_[i].key != kEmpty) i = (i + 1) & mask;
    return slots_[i];
  }

  // Keeps the links still in flight after `now`, in a table at most half full.
  void rebuild(std::size_t min_slots, Nanos now) {
    std::vector<Slot> old = std::move(slots_);
    std::size_t live = 0;
    for (const Slot& s : old) live += s.key != kEmpty && s.last > now ? 1 : 0;
    const std::size_t size = std::bit_ceil(std::max({kMinSlots, min_slots, 2 * live + 2}));
    slots_.assign(size, Slot{kEmpty, 0});
    shift_ = 64 - std::countr_zero(size);
    used_ = 0;
    for (const Slot& s : old) {
      if (s.key == kEmpty || s.last <= now) continue;
      find(s.key) = s;
      ++used_;
    }
  }

  NodeId first_id_;
  std::uint32_t n_;
  std::vector<Nanos> dense_;
  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  int shift_ = 64;
};

}  // namespace distlab::sim
