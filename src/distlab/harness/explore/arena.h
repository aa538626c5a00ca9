// StateArena: the states of one level of an exploration, packed one after another in
// large blocks (a header, then the nodes, the messages in flight and the timers, each
// copied in place), instead of one heap object per vector per state. A level costs no
// allocation per state once its blocks are warm. A block whose states are all used up
// is handed to the arena filling the next level (give_back), and clear() keeps every
// block as a spare: memory the kernel has given once is filled again at once instead
// of fresh memory, which the kernel must zero first (a fifth of the whole run's time
// when each level took fresh blocks). Giving blocks back walks again only the states
// with a part whose destructor has something to do (needs_destroy): none at all when
// every part says it holds no memory of its own.
//
//   StateArena<Header, Node, Flight, Timer> level, next;
//   const auto r = level.pack(header, nodes, flights, timers);  // each range copied in
//   const auto v = level.view(r);  // v.header, v.nodes[0 .. v.node_count), ...
//   std::vector<Pages> spares;
//   level.give_back(before_block, spares);  // no state in blocks [0, before_block) is read again
//   next.take_spares(spares, spares.size());  // filled before new blocks are mapped
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/pages.h"

namespace distlab::explore {

// Whether destroying `v` does anything. Not for a trivially destructible type, nor for
// a value whose type says it holds no memory of its own now (a member `holds_memory()`:
// its destructor then does nothing). The arena only walks back to the states that do.
template <class T>
bool needs_destroy(const T& v) {
  if constexpr (std::is_trivially_destructible_v<T>) {
    return false;
  } else if constexpr (requires {
                         { v.holds_memory() } -> std::convertible_to<bool>;
                       }) {
    return v.holds_memory();
  } else {
    return true;
  }
}

// On cache lines of its own: while its owner packs the next level into one arena, the
// other threads read the level being expanded through its other arena.
template <class Header, class NodeT, class FlightT, class TimerT>
class alignas(64) StateArena {
 public:
  struct Ref {
    std::uint32_t block = 0;
    std::uint32_t offset = 0;
  };

  StateArena() = default;
  StateArena(const StateArena&) = delete;
  StateArena& operator=(const StateArena&) = delete;
  StateArena(StateArena&&) noexcept = default;
  StateArena& operator=(StateArena&&) noexcept = default;
  ~StateArena() { clear(); }

  // Copies header, nodes, flights and timers in; they stay until clear().
  template <class Nodes, class Flights, class Timers>
  Ref pack(const Header& header, const Nodes& nodes, const Flights& flights, const Timers& timers) {
    Layout l = layout(nodes.size(), flights.size(), timers.size());
    const Ref at = reserve(l.total);
    std::byte* base = blocks_[at.block].data() + at.offset;
    new (base) Stored{header, static_cast<std::uint16_t>(nodes.size()),
                      static_cast<std::uint16_t>(flights.size()), static_cast<std::uint16_t>(timers.size())};
    // Whether any part's destructor has something to do, asked of each copy as it is made.
    bool destroy = false;
    auto* n = reinterpret_cast<NodeT*>(base + l.nodes);
    for (std::size_t i = 0; i < nodes.size(); ++i) destroy |= needs_destroy(*new (n + i) NodeT(nodes[i]));
    auto* f = reinterpret_cast<FlightT*>(base + l.flights);
    for (std::size_t i = 0; i < flights.size(); ++i)
      destroy |= needs_destroy(*new (f + i) FlightT(flights[i]));
    auto* t = reinterpret_cast<TimerT*>(base + l.timers);
    for (std::size_t i = 0; i < timers.size(); ++i) destroy |= needs_destroy(*new (t + i) TimerT(timers[i]));
    if (destroy) packed_.push_back(at);
    ++count_;
    return at;
  }

  // The packed state at `r`: its header and its three ranges.
  struct View {
    const Header* header;
    const NodeT* nodes;
    std::size_t node_count;
    const FlightT* flights;
    std::size_t flight_count;
    const TimerT* timers;
    std::size_t timer_count;
  };
  View view(Ref r) const {
    DISTLAB_ASSERT(r.block >= released_ && r.block < blocks_.size(), "a state in a block given back");
    const std::byte* base = blocks_[r.block].data() + r.offset;
    const auto* stored = reinterpret_cast<const Stored*>(base);
    const Layout l = layout(stored->nodes, stored->flights, stored->timers);
    return {&stored->header, reinterpret_cast<const NodeT*>(base + l.nodes),
            stored->nodes,   reinterpret_cast<const FlightT*>(base + l.flights),
            stored->flights, reinterpret_cast<const TimerT*>(base + l.timers),
            stored->timers};
  }

  // The bytes the state at `r` takes.
  std::size_t packed_bytes(Ref r) const {
    const auto* stored = reinterpret_cast<const Stored*>(blocks_[r.block].data() + r.offset);
    return layout(stored->nodes, stored->flights, stored->timers).total;
  }

  // Destroys the states of the blocks before `before` (no state in them will be read
  // again) and moves those blocks to `spares`.
  void give_back(std::size_t before, std::vector<Pages>& spares) {
    before = std::min(before, blocks_.size());
    while (destroyed_ < packed_.size() && packed_[destroyed_].block < before) destroy(packed_[destroyed_++]);
    for (; released_ < before; ++released_) spares.push_back(std::move(blocks_[released_]));
  }
  // Blocks to fill before new ones are mapped.
  void take_spares(std::vector<Pages>& spares, std::size_t at_most) {
    for (; at_most > 0 && !spares.empty(); --at_most) {
      spare_.push_back(std::move(spares.back()));
      spares.pop_back();
    }
  }
  std::size_t spares() const { return spare_.size(); }

  // Destroys every packed state; keeps the blocks as spares.
  void clear() {
    give_back(blocks_.size(), spare_);
    blocks_.clear();
    packed_.clear();
    destroyed_ = 0;
    released_ = 0;
    used_ = 0;
    used_total_ = 0;
    count_ = 0;
  }

  std::size_t size() const { return count_; }
  // The bytes the packed states take (the same whichever thread packed them).
  std::size_t used_bytes() const { return used_total_; }

 private:
  // One huge page: where the kernel gives them on request, a block costs one page fault
  // instead of 512 (a tenth of the whole run's time otherwise).
  static constexpr std::size_t kBlockBytes = Pages::kHuge;

  struct Stored {
    Header header;
    std::uint16_t nodes;
    std::uint16_t flights;
    std::uint16_t timers;
  };
  struct Layout {
    std::size_t nodes, flights, timers, total;
  };
  static constexpr std::size_t align(std::size_t at, std::size_t a) { return (at + a - 1) / a * a; }
  static constexpr std::size_t kAlign = alignof(std::max_align_t);
  static Layout layout(std::size_t n, std::size_t f, std::size_t t) {
    Layout l{};
    l.nodes = align(sizeof(Stored), alignof(NodeT));
    l.flights = align(l.nodes + n * sizeof(NodeT), alignof(FlightT));
    l.timers = align(l.flights + f * sizeof(FlightT), alignof(TimerT));
    l.total = align(l.timers + t * sizeof(TimerT), kAlign);
    return l;
  }

  Ref reserve(std::size_t bytes) {
    DISTLAB_ASSERT(bytes <= kBlockBytes, "a state fits a block");
    if (used_ + bytes > kBlockBytes || blocks_.empty()) {
      used_ = 0;
      if (spare_.empty()) {
        blocks_.emplace_back(kBlockBytes);
      } else {
        blocks_.push_back(std::move(spare_.back()));
        spare_.pop_back();
      }
    }
    const Ref r{static_cast<std::uint32_t>(blocks_.size() - 1), static_cast<std::uint32_t>(used_)};
    used_ += bytes;
    used_total_ += bytes;
    return r;
  }

  void destroy(Ref r) {
    std::byte* base = blocks_[r.block].data() + r.offset;
    auto* stored = reinterpret_cast<Stored*>(base);
    const Layout l = layout(stored->nodes, stored->flights, stored->timers);
    auto* n = reinterpret_cast<NodeT*>(base + l.nodes);
    for (std::size_t i = 0; i < stored->nodes; ++i) n[i].~NodeT();
    auto* f = reinterpret_cast<FlightT*>(base + l.flights);
    for (std::size_t i = 0; i < stored->flights; ++i) f[i].~FlightT();
    auto* t = reinterpret_cast<TimerT*>(base + l.timers);
    for (std::size_t i = 0; i < stored->timers; ++i) t[i].~TimerT();
    stored->~Stored();
  }

  std::vector<Pages> blocks_;  // the last one is being filled; those before released_ are given back
  std::vector<Pages> spare_;
  std::size_t released_ = 0;
  std::size_t used_ = 0;  // bytes of the last block used
  std::size_t count_ = 0;
  std::size_t used_total_ = 0;
  std::vector<Ref> packed_;    // the states to destroy (a part needs it), in order
  std::size_t destroyed_ = 0;  // packed_[0, destroyed_) are destroyed
};

}  // namespace distlab::explore
