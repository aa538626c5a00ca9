// The simulator's pending events, popped in (time, sequence) order.
//
// Small fixed-size entries; payloads live in slabs owned by the simulator and are
// referred to by index, so pushing and popping never allocate once the queue has
// grown to the run's peak size.
//
// Two parts: a ring of events pushed in order (each no earlier than the one pushed
// before it: with a constant latency every delivery lands after all those already
// queued, so most pushes go here, at O(1)), and a binary min-heap for the rest. The
// next event is the earlier of the ring's front and the heap's top, so the order is
// exactly the (time, sequence) order of a single heap.
//
//   EventQueue q;
//   q.push({.t = 5, .seq = q.next_seq(), .slot = 0, .kind = 1});
//   QueuedEvent e = q.pop();
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/assert.h"
#include "core/types.h"

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
  bool empty() const { return ring_size_ == 0 && heap_.empty(); }
  std::size_t size() const { return ring_size_ + heap_.size(); }
  const QueuedEvent& top() const { return from_ring() ? ring_[ring_head_] : heap_.front(); }
  std::uint64_t next_seq() { return seq_++; }

  void push(const QueuedEvent& event) {
    if (ring_size_ == 0 || !event.before(ring_back())) {
      ring_push(event);
    } else {
      heap_.push_back(event);
      sift_up(heap_.size() - 1);
    }
  }

  QueuedEvent pop() {
    DISTLAB_ASSERT(!empty());
    if (from_ring()) {
      const QueuedEvent top = ring_[ring_head_];
      ring_head_ = (ring_head_ + 1) & (ring_.size() - 1);
      --ring_size_;
      return top;
    }
    QueuedEvent top = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return top;
  }

 private:
  // True when the next event is the ring's front.
  bool from_ring() const {
    if (ring_size_ == 0) return false;
    return heap_.empty() || ring_[ring_head_].before(heap_.front());
  }

  const QueuedEvent& ring_back() const { return ring_[(ring_head_ + ring_size_ - 1) & (ring_.size() - 1)]; }

  void ring_push(const QueuedEvent& event) {
    if (ring_size_ == ring_.size()) grow_ring();
    ring_[(ring_head_ + ring_size_) & (ring_.size() - 1)] = event;
    ++ring_size_;
  }

  // Doubles the ring (its size stays a power of two), unwrapping it.
  void grow_ring() {
    std::vector<QueuedEvent> bigger(ring_.empty() ? 64 : ring_.size() * 2);
    for (std::size_t i = 0; i < ring_size_; ++i) bigger[i] = ring_[(ring_head_ + i) & (ring_.size() - 1)];
    ring_ = std::move(bigger);
    ring_head_ = 0;
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

  std::vector<QueuedEvent> ring_;  // a power of two in size, or empty
  std::size_t ring_head_ = 0;
  std::size_t ring_size_ = 0;
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
