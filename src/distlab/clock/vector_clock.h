// VectorClock: one counter per node; compares events exactly as causality does.
//
// V(a) < V(b) exactly when a happened before b; neither <= the other means the two
// events are concurrent. Entries are sparse (a missing node counts 0), so clocks over
// any node ids work, including ids only some nodes have heard of.
//
//   VectorClock a(1), b(2);
//   a.tick();                    // {1:1}
//   VectorClock stamp = a.send();  // {1:2}, travels with the message
//   b.receive(stamp);            // {1:2, 2:1}
//   compare(stamp, b) == Order::before
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "distlab/clock/order.h"
#include "distlab/core/types.h"

namespace distlab {

class VectorClock {
 public:
  using Counter = std::uint64_t;
  using Entry = std::pair<NodeId, Counter>;

  // The all-zero clock of no particular node; a value to compare and merge.
  VectorClock() = default;
  // The clock kept by node `owner`; tick() advances owner's entry.
  explicit VectorClock(NodeId owner) : owner_(owner) {}

  NodeId owner() const { return owner_; }

  // The counter of `node`, 0 when absent.
  Counter get(NodeId node) const;
  // Set one counter; setting 0 removes the entry.
  void set(NodeId node, Counter value);

  // A local event at the owner: owner's counter + 1. Returns the new counter.
  Counter tick();
  // A send: tick, and return a copy to put on the message.
  VectorClock send();
  // Pointwise maximum with `other`.
  void merge(const VectorClock& other);
  // A receive: merge the message's stamp, then tick.
  void receive(const VectorClock& stamp);

  // Non-zero entries, sorted by node id.
  std::span<const Entry> entries() const { return entries_; }

  // Values are equal when all counters are equal; the owner does not take part.
  friend bool operator==(const VectorClock& a, const VectorClock& b) {
    return a.entries_ == b.entries_;
  }

 private:
  NodeId owner_ = 0;
  std::vector<Entry> entries_;  // sorted by node id, no zero counters
};

// before: a <= b pointwise and a != b; after: the reverse; equal; else concurrent.
Order compare(const VectorClock& a, const VectorClock& b);

// True when compare(a, b) == Order::before, i.e. a happened before b.
inline bool happened_before(const VectorClock& a, const VectorClock& b) {
  return compare(a, b) == Order::before;
}

// "{1:2, 3:1}", the non-zero entries.
std::string to_string(const VectorClock& clock);

}  // namespace distlab
