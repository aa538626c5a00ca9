// The simulator's pending events, popped in (time, sequence) order.
//
// Small fixed-size entries; payloads live in slabs owned by the simulator and are
// referred to by index, so pushing and popping never allocate once the queue has
// grown to the run's peak size. The queue's and the slabs' arrays are on huge pages
// once they fill one (core/pages.h): that measured no gain in time, within the noise,
// but less peak memory on large runs (docs/performance.md, "Looking ahead").
//
// Two parts: a few rings, each holding events pushed in order at one delay from the
// time of the last pop (with a constant latency every delivery lands after those
// already queued at that latency; a timeout likewise), so most pushes cost O(1); and a
// heap for the rest (a random latency's deliveries): binary while it holds few events,
// radix beyond a thousand. The next event is the
// earliest of the rings' fronts and the heap's top, so the order is exactly the (time,
// sequence) order of a single heap.
//
// The radix heap relies on simulated time never going back: every event pushed is at
// or after the last one popped. Its buckets hold events by the highest 4-bit digit in
// which their time differs from the last popped time, and their value in that digit;
// only the lowest non-empty bucket is ever searched, and its events move down to
// buckets of lower digits, appended in order, so an event is moved at most once per
// digit of its delay and memory is read in sequence. A binary heap of 12.5 million
// pending events (a 5,000-node Bully election with a random latency) spent most of its
// time waiting on memory in its sift-down; one bucket per bit (64 buckets) moved each
// event up to once per bit, 23 times for a delay of 10 ms.
//
//   EventQueue q;
//   q.push({.t = 5, .seq = q.next_seq(), .slot = 0, .kind = 1});
//   QueuedEvent e = q.pop();
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/pages.h"
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

// Events in (time, sequence) order, pushed at or after the time of the last popped.
class RadixHeap {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // An empty heap takes events at or after `last` (the queue's last popped time).
  void start_at(Nanos last) {
    DISTLAB_ASSERT(empty());
    last_ = last;
    has_min_ = false;
  }

  void push(const QueuedEvent& event) {
    DISTLAB_ASSERT(event.t >= last_, "an event before the last popped");
    const std::size_t b = bucket(event.t);
    HugePageVector<QueuedEvent>& to = buckets_[b];
    if (b == 0 && head_ < to.size() && event.seq < to.back().seq) {
      // An old sequence number at the last popped time (a paused node's deferred
      // event): bucket 0 stays in sequence order.
      const auto at =
          std::upper_bound(to.begin() + static_cast<std::ptrdiff_t>(head_), to.end(), event,
                           [](const QueuedEvent& x, const QueuedEvent& y) { return x.seq < y.seq; });
      to.insert(at, event);
    } else {
      append(to, event);
    }
    mark(b);
    ++size_;
    if (has_min_ && event.before(min_)) min_ = event;
  }

  // The earliest event; the heap must not be empty.
  const QueuedEvent& front() const {
    if (!has_min_) {
      min_ = find_min();
      has_min_ = true;
    }
    return min_;
  }

  QueuedEvent pop() {
    DISTLAB_ASSERT(size_ > 0);
    HugePageVector<QueuedEvent>& zero = buckets_[0];
    if (head_ == zero.size()) refill(has_min_ ? min_.t : lowest_time());  // front() found it already
    has_min_ = false;
    const QueuedEvent event = zero[head_++];
    if (head_ == zero.size()) {
      zero.clear();
      head_ = 0;
      unmark(0);
    }
    --size_;
    return event;
  }

  // The events the last refill took out of a bucket of level kUpcomingLevel (256 ns of
  // time), given once: they are the next to come out, in an order not known until they
  // do, so what they refer to can be asked of the memory together. Empty when there is
  // none new.
  std::span<const QueuedEvent> take_upcoming() {
    if (!fresh_) return {};
    fresh_ = false;
    return {upcoming_.data(), upcoming_.size()};
  }

 private:
  // 0: the time of the last popped event. Else the highest 4-bit digit in which `t`
  // differs from it, and `t`'s value there (never 0: `t` is later): level * 16 + digit,
  // so that buckets in index order hold ever later events.
  std::size_t bucket(Nanos t) const {
    const auto diff = static_cast<std::uint64_t>(t) ^ static_cast<std::uint64_t>(last_);
    if (diff == 0) return 0;
    const auto level = static_cast<unsigned>(63 - std::countl_zero(diff)) / kDigitBits;
    const auto digit = (static_cast<std::uint64_t>(t) >> (level * kDigitBits)) & (kDigits - 1);
    return std::size_t{level} * kDigits + static_cast<std::size_t>(digit);
  }

  void mark(std::size_t b) { nonempty_[b / 64] |= std::uint64_t{1} << (b % 64); }
  void unmark(std::size_t b) { nonempty_[b / 64] &= ~(std::uint64_t{1} << (b % 64)); }

  // The lowest non-empty bucket above 0: every event in it is before those above it.
  std::size_t lowest_bucket() const {
    std::uint64_t word = nonempty_[0] & ~std::uint64_t{1};
    std::size_t w = 0;
    while (word == 0) word = nonempty_[++w];
    return w * 64 + static_cast<std::size_t>(std::countr_zero(word));
  }

  QueuedEvent find_min() const {
    if (head_ < buckets_[0].size()) return buckets_[0][head_];  // all at one time, in sequence order
    const HugePageVector<QueuedEvent>& lowest = buckets_[lowest_bucket()];
    return *std::min_element(lowest.begin(), lowest.end(),
                             [](const QueuedEvent& a, const QueuedEvent& b) { return a.before(b); });
  }

  Nanos lowest_time() const {
    const HugePageVector<QueuedEvent>& lowest = buckets_[lowest_bucket()];
    Nanos earliest = lowest.front().t;
    for (const QueuedEvent& e : lowest) earliest = std::min(earliest, e.t);
    return earliest;
  }

  // Bucket 0 is empty: `earliest`, the lowest non-empty bucket's earliest time, becomes
  // the last popped, and its events move down; those at that time, in sequence order, to 0.
  void refill(Nanos earliest) {
    const std::size_t b = lowest_bucket();
    HugePageVector<QueuedEvent>& moving = buckets_[b];
    unmark(b);
    last_ = earliest;
    for (const QueuedEvent& e : moving) {  // each goes to a bucket of a lower level
      const std::size_t to = bucket(e.t);
      append(buckets_[to], e);
      mark(to);
    }
    HugePageVector<QueuedEvent>& zero = buckets_[0];
    if (zero.size() > 1) {
      std::sort(zero.begin(), zero.end(),
                [](const QueuedEvent& x, const QueuedEvent& y) { return x.seq < y.seq; });
    }
    if (b / kDigits == kUpcomingLevel && moving.size() <= kUpcomingMax) {  // kept for take_upcoming
      upcoming_.swap(moving);
      fresh_ = true;
    }
    // A bucket keeps its memory when small (a small run's steady state allocates
    // nothing); when large, it becomes a spare for the next bucket that grows large
    // (trim_spares lets a burst's memory go once the burst is over).
    moving.clear();
    if (moving.capacity() > kKeepMax) keep_spare(moving);
    trim_spares();
  }

  // Takes a large bucket's memory (leaving it none) as a spare; beyond kSparesMax, the
  // smallest spare goes.
  void keep_spare(HugePageVector<QueuedEvent>& memory) {
    spares_.emplace_back().swap(memory);
    if (spares_.size() > kSparesMax)
      drop_spare(std::min_element(spares_.begin(), spares_.end(), by_capacity));
  }

  // The spares hold room for at most a quarter of the events held: the largest go first.
  void trim_spares() {
    std::size_t room = 0;
    for (const auto& spare : spares_) room += spare.capacity();
    while (room > size_ / 4) {
      const auto largest = std::max_element(spares_.begin(), spares_.end(), by_capacity);
      room -= largest->capacity();
      drop_spare(largest);
    }
  }

  void drop_spare(std::vector<HugePageVector<QueuedEvent>>::iterator spare) {
    spare->swap(spares_.back());
    spares_.pop_back();
  }

  static bool by_capacity(const HugePageVector<QueuedEvent>& a, const HugePageVector<QueuedEvent>& b) {
    return a.capacity() < b.capacity();
  }

  // Appends to a bucket. A large bucket that is full takes the smallest spare larger
  // than it instead of growing: memory the kernel gave once is filled again, where fresh
  // memory must be zeroed first (each event passes through a bucket of every level of
  // its delay, and most page faults of a large run were the buckets' growth).
  void append(HugePageVector<QueuedEvent>& to, const QueuedEvent& event) {
    if (to.size() == to.capacity() && to.size() >= kKeepMax) {
      auto best = spares_.end();
      for (auto spare = spares_.begin(); spare != spares_.end(); ++spare) {
        if (spare->capacity() > to.size() && (best == spares_.end() || by_capacity(*spare, *best)))
          best = spare;
      }
      if (best != spares_.end()) {
        best->assign(to.begin(), to.end());
        to.swap(*best);
        drop_spare(best);  // the bucket's smaller memory goes
      }
    }
    to.push_back(event);
  }

  // Digits of 4 bits: an event moves at most once per digit of its delay (6 times for
  // a delay of up to 16 ms), where one bucket per bit moved it up to once per bit.
  static constexpr unsigned kDigitBits = 4;
  static constexpr std::uint64_t kDigits = std::uint64_t{1} << kDigitBits;
  static constexpr std::size_t kBuckets = 64 / kDigitBits * kDigits;
  std::array<HugePageVector<QueuedEvent>, kBuckets> buckets_;
  // A bucket kept when small holds at most this many events: with four times the
  // buckets of one per bit, a quarter of its bound then (25 MB kept at most, as before).
  static constexpr std::size_t kKeepMax = std::size_t{1} << 12;
  std::array<std::uint64_t, kBuckets / 64> nonempty_{};  // bit b: bucket b holds events
  // The events of the last bucket of level kUpcomingLevel refilled from, when it held at
  // most kUpcomingMax (more would be more than the memory can fetch at once); fresh_:
  // not taken yet.
  static constexpr std::size_t kUpcomingLevel = 2;
  static constexpr std::size_t kUpcomingMax = 1024;
  // The memory of large buckets emptied, for buckets that grow large: at most this many
  // (a refill of one bucket fills up to 16), with room for at most a quarter of the
  // events held.
  static constexpr std::size_t kSparesMax = 16;
  std::vector<HugePageVector<QueuedEvent>> spares_;
  HugePageVector<QueuedEvent> upcoming_;
  bool fresh_ = false;
  std::size_t head_ = 0;        // bucket 0's next event
  std::size_t size_ = 0;
  Nanos last_ = 0;
  mutable QueuedEvent min_{};  // front(), found once until an event is popped
  mutable bool has_min_ = false;
};

// A binary min-heap in one vector: the fastest while small, and once it has held a
// run's peak number of events, pushing and popping allocate nothing.
class BinaryHeap {
 public:
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const QueuedEvent& front() const { return items_.front(); }

  void push(const QueuedEvent& event) {
    std::size_t i = items_.size();
    items_.push_back(event);
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!event.before(items_[parent])) break;
      items_[i] = items_[parent];
      i = parent;
    }
    items_[i] = event;
  }

  QueuedEvent pop() {
    const QueuedEvent top = items_.front();
    const QueuedEvent moving = items_.back();
    items_.pop_back();
    const std::size_t n = items_.size();
    if (n == 0) return top;
    std::size_t i = 0;
    for (std::size_t child = 1; child < n; child = 2 * i + 1) {
      if (child + 1 < n && items_[child + 1].before(items_[child])) ++child;
      if (!items_[child].before(moving)) break;
      items_[i] = items_[child];
      i = child;
    }
    items_[i] = moving;
    return top;
  }

 private:
  HugePageVector<QueuedEvent> items_;
};

// The heap of the events the rings do not take: a binary heap while it holds few
// (faster there, and no bucket allocates on first use as time grows), a radix heap
// beyond kToRadix, back below kToBinary. Both pop in exact (time, sequence) order, so
// which one holds the events never changes the order.
class TimeHeap {
 public:
  bool empty() const { return size() == 0; }
  std::size_t size() const { return radix_mode_ ? radix_.size() : binary_.size(); }
  const QueuedEvent& front() const { return radix_mode_ ? radix_.front() : binary_.front(); }
  bool large() const { return radix_mode_; }
  std::span<const QueuedEvent> take_upcoming() {
    return radix_mode_ ? radix_.take_upcoming() : std::span<const QueuedEvent>{};
  }

  // `now`: the queue's last popped time, at or before every event pending.
  void push(const QueuedEvent& event, Nanos now) {
    if (radix_mode_) {
      radix_.push(event);
      return;
    }
    binary_.push(event);
    if (binary_.size() >= kToRadix) {
      radix_.start_at(now);
      while (!binary_.empty()) radix_.push(binary_.pop());
      radix_mode_ = true;
    }
  }

  QueuedEvent pop() {
    if (!radix_mode_) return binary_.pop();
    const QueuedEvent event = radix_.pop();
    if (radix_.size() < kToBinary) {
      while (!radix_.empty()) binary_.push(radix_.pop());  // in order: each push is a leaf
      radix_mode_ = false;
    }
    return event;
  }

 private:
  static constexpr std::size_t kToRadix = 1024;
  static constexpr std::size_t kToBinary = 256;
  BinaryHeap binary_;
  RadixHeap radix_;
  bool radix_mode_ = false;
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
  // Many events are pending (more than 65,536 in the rings, or in the heap): what they
  // refer to is unlikely to be in the cache. (Two loads while few are pending.)
  bool many() const { return in_rings_ > kMany || (heap_.large() && heap_.size() > kMany); }

  // A guess at the event `k` places after the last one popped (k >= 1), for looking
  // ahead at what it will read: the event that far along the ring the last one came
  // from, or null (the ring holds fewer, or the last came from the heap, whose order
  // beyond its top is not known cheaply). Often right: with a constant latency nearly
  // every event comes from one ring. Never used for the order itself.
  const QueuedEvent* ahead(std::size_t k) const {
    if (last_ring_ < 0) return nullptr;
    const Ring& ring = rings_[static_cast<std::size_t>(last_ring_)];
    return k <= ring.size() ? &ring.at(k - 1) : nullptr;
  }
  // The heap's top, if the last event popped came from the heap: often the next.
  const QueuedEvent* heap_next() const { return last_ring_ < 0 && !heap_.empty() ? &heap_.front() : nullptr; }
  // Events of the heap that come out soon, each once (RadixHeap::take_upcoming).
  std::span<const QueuedEvent> take_upcoming() { return heap_.take_upcoming(); }

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
    heap_.push(event, now_);
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
      top = heap_.pop();
    }
    last_ring_ = r;
    now_ = std::max(now_, top.t);
    return top;
  }

  // Events in push order, all pushed at one delay: a ring buffer, a power of two in size.
  class Ring {
   public:
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    const QueuedEvent& front() const { return items_[head_]; }
    const QueuedEvent& at(std::size_t i) const { return items_[(head_ + i) & (items_.size() - 1)]; }
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
      HugePageVector<QueuedEvent> bigger(items_.empty() ? 64 : items_.size() * 2);
      for (std::size_t i = 0; i < size_; ++i) bigger[i] = items_[(head_ + i) & (items_.size() - 1)];
      items_ = std::move(bigger);
      head_ = 0;
    }
    HugePageVector<QueuedEvent> items_;
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

  static constexpr std::size_t kMany = std::size_t{1} << 16;
  // Enough for a message latency and a few timeouts; other delays go to the heap.
  static constexpr std::size_t kRings = 6;
  std::array<Ring, kRings> rings_;
  std::size_t in_rings_ = 0;
  int last_ring_ = -1;  // the ring the last event was popped from; -1: the heap
  Nanos now_ = 0;       // the time of the last pop
  TimeHeap heap_;
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
  // The same for a T made from `args` where it will stay (an aggregate's members):
  // no T made aside and copied in.
  template <class... Args>
  std::uint32_t emplace(Args&&... args) {
    if (!free_.empty()) {
      const std::uint32_t i = free_.back();
      free_.pop_back();
      T* slot = &items_[i];
      std::destroy_at(slot);
      ::new (static_cast<void*>(slot)) T{std::forward<Args>(args)...};
      return i;
    }
    DISTLAB_ASSERT(items_.size() < kMaxSlots, "simulator slab is full");
    items_.push_back(T{std::forward<Args>(args)...});
    return static_cast<std::uint32_t>(items_.size() - 1);
  }
  T& operator[](std::uint32_t i) { return items_[i]; }
  const T& operator[](std::uint32_t i) const { return items_[i]; }
  // Slot i will be read soon: start bringing it into the cache.
  // Always inlined, as every prefetch helper (see FifoLinks::prefetch).
  [[gnu::always_inline]] void prefetch(std::uint32_t i) const { __builtin_prefetch(&items_[i]); }
  void release(std::uint32_t i) { free_.push_back(i); }
  std::size_t in_use() const { return items_.size() - free_.size(); }

  // Slot indices are 32-bit; a run with more simultaneous pending events is refused
  // by the simulator before it reaches this bound.
  static constexpr std::size_t kMaxSlots = std::size_t{1} << 32;

 private:
  HugePageVector<T> items_;
  HugePageVector<std::uint32_t> free_;
};

}  // namespace distlab::sim
