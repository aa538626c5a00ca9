// The simulator's pending events, popped in (time, sequence) order.
//
// Small fixed-size entries; payloads live in slabs owned by the simulator and are
// referred to by index, so pushing and popping never allocate once the queue has
// grown to the run's peak size.
//
// Two parts: a few rings, each holding events pushed in order at one delay from the
// time of the last pop (with a constant latency every delivery lands after those
// already queued at that latency; a timeout likewise), so most pushes cost O(1); and a
// binary min-heap for the rest. The next event is the earliest of the rings' fronts
// and the heap's top, so the order is exactly the (time, sequence) order of a single
// heap.
//
//   EventQueue q;
//   q.push({.t = 5, .seq = q.next_seq(), .slot = 0, .kind = 1});
//   QueuedEvent e = q.pop();
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/types.h"

namespace distlab::sim {

struct QueuedEvent {
  Nanos t;
  std::uint64_t seq;   // unique, increasing in push order: ties at equal t go first-in first-out
  std::uint32_t slot;  // index into the slab of `kind`
  std::uint8_t kind;

  bool before(const QueuedEvent& other) const {
    return t != other.t ? t < other.t : seq < other.seq;
  }
};

class EventQueue {
 public:
  bool empty() const { return size() == 0; }
  std::size_t size() const { return in_rings_ + heap_.size(); }
  const QueuedEvent& top() const {
    const int r = next_ring();
    return r >= 0 ? rings_[static_cast<std::size_t>(r)].front() : heap_.front();
  }
  std::uint64_t next_seq() { return seq_++; }

  void push(const QueuedEvent& event) {
    const Nanos delay = event.t - now_;
    Ring* free = nullptr;
    for (Ring& ring : rings_) {
      if (ring.delay == delay && (ring.empty() || !event.before(ring.back()))) {
        ring.push(event);
        ++in_rings_;
        return;
      }
      if (ring.empty() && free == nullptr) free = &ring;
    }
    if (free != nullptr) {  // a ring for this delay
      free->delay = delay;
      free->push(event);
      ++in_rings_;
      return;
    }
    heap_.push_back(event);
    sift_up(heap_.size() - 1);
  }

  QueuedEvent pop() {
    DISTLAB_ASSERT(!empty());
    return pop_from(next_ring());
  }

  // The next event if it is not after `until`; the queue's head is found once.
  std::optional<QueuedEvent> pop_until(Nanos until) {
    if (empty()) return std::nullopt;
    const int r = next_ring();
    const QueuedEvent& next = r >= 0 ? rings_[static_cast<std::size_t>(r)].front() : heap_.front();
    if (next.t > until) return std::nullopt;
    return pop_from(r);
  }

 private:
  // Pops ring r's front, or the heap's top when r is -1.
  QueuedEvent pop_from(int r) {
    QueuedEvent top;
    if (r >= 0) {
      top = rings_[static_cast<std::size_t>(r)].pop();
      --in_rings_;
    } else {
      top = heap_.front();
      heap_.front() = heap_.back();
      heap_.pop_back();
      if (!heap_.empty()) sift_down(0);
    }
    now_ = std::max(now_, top.t);
    return top;
  }

  // Events in push order, all pushed at one delay: a ring buffer, a power of two in size.
  class Ring {
   public:
    bool empty() const { return size_ == 0; }
    const QueuedEvent& front() const { return items_[head_]; }
    const QueuedEvent& back() const { return items_[(head_ + size_ - 1) & (items_.size() - 1)]; }
    void push(const QueuedEvent& event) {
      if (size_ == items_.size()) grow();
      items_[(head_ + size_) & (items_.size() - 1)] = event;
      ++size_;
    }
    QueuedEvent pop() {
      const QueuedEvent event = items_[head_];
      head_ = (head_ + 1) & (items_.size() - 1);
      --size_;
      return event;
    }
    Nanos delay = -1;

   private:
    void grow() {
      std::vector<QueuedEvent> bigger(items_.empty() ? 64 : items_.size() * 2);
      for (std::size_t i = 0; i < size_; ++i) bigger[i] = items_[(head_ + i) & (items_.size() - 1)];
      items_ = std::move(bigger);
      head_ = 0;
    }
    std::vector<QueuedEvent> items_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
  };

  // The ring whose front comes next, or -1 when it is the heap's top.
  int next_ring() const {
    int best = -1;
    const QueuedEvent* first = heap_.empty() ? nullptr : &heap_.front();
    for (std::size_t i = 0; i < rings_.size(); ++i) {
      const Ring& ring = rings_[i];
      if (ring.empty()) continue;
      if (first == nullptr || ring.front().before(*first)) {
        first = &ring.front();
        best = static_cast<int>(i);
      }
    }
    return best;
  }

  void sift_up(std::size_t i) {
    QueuedEvent moving = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!moving.before(heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = moving;
  }

  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    QueuedEvent moving = heap_[i];
    while (true) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heap_[child + 1].before(heap_[child])) ++child;
      if (!heap_[child].before(moving)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = moving;
  }

  // Enough for a message latency and a few timeouts; other delays go to the heap.
  static constexpr std::size_t kRings = 6;
  std::array<Ring, kRings> rings_;
  std::size_t in_rings_ = 0;
  Nanos now_ = 0;  // the time of the last pop
  std::vector<QueuedEvent> heap_;
  std::uint64_t seq_ = 0;
};

// A vector of reusable slots with a free list: indices stay valid until released.
template <class T>
class Slab {
 public:
  std::uint32_t acquire(T value) {
    if (!free_.empty()) {
      const std::uint32_t i = free_.back();
      free_.pop_back();
      items_[i] = std::move(value);
      return i;
    }
    DISTLAB_ASSERT(items_.size() < kMaxSlots, "simulator slab is full");
    items_.push_back(std::move(value));
    return static_cast<std::uint32_t>(items_.size() - 1);
  }
  T& operator[](std::uint32_t i) { return items_[i]; }
  void release(std::uint32_t i) { free_.push_back(i); }
  std::size_t in_use() const { return items_.size() - free_.size(); }

  // Slot indices are 32-bit; a run with more simultaneous pending events is refused
  // by the simulator before it reaches this bound.
  static constexpr std::size_t kMaxSlots = std::size_t{1} << 32;

 private:
  std::vector<T> items_;
  std::vector<std::uint32_t> free_;
};

}  // namespace distlab::sim
