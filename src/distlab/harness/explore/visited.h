// VisitedSet: the 64-bit fingerprints of the states an exploration has seen, in one
// open-addressing table (8 bytes a slot, at most half full): about 16 bytes a state.
// With values, each fingerprint also keeps a 32-bit value (the reduction's sleep set)
// beside it in its slot, read in the same cache line: 16 bytes a slot.
//
// Its slots are looked up at random, one cache miss each: they live in Pages (huge pages
// once large), and prefetch() asks for a slot ahead of its lookup.
//
// One thread may insert while others call find(), contains() and prefetch(): a reader
// finds every fingerprint inserted before it began, may miss one being inserted (it then
// takes the state for new, which the inserting thread's own check corrects), never reads
// a torn slot, and a table outgrown while read stays mapped until release_retired().
//
// Growing copies every fingerprint into a table twice as large, on fresh memory the
// kernel must zero first. A set made with Growth::by_owner leaves that to its owner, who
// calls grow_if_due() where nothing else uses the set and shares the copying among its
// threads; insert() then grows by itself only once three quarters full.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "distlab/core/pages.h"

namespace distlab::explore {

class alignas(64) VisitedSet {
 public:
  static constexpr std::size_t kAbsent = SIZE_MAX;
  enum class Growth {
    on_insert,  // insert() grows it once it is more than half full
    by_owner,   // the owner calls grow_if_due(); insert() only past three quarters
  };

  // `slots`: a power of two, the starting size.
  explicit VisitedSet(std::size_t slots = 1U << 16, bool values = false, Growth growth = Growth::on_insert)
      : stride_(values ? 2 : 1), growth_(growth), table_(std::make_unique<Table>(slots, stride_)) {
    current_.store(table_.get(), std::memory_order_release);
  }
  VisitedSet(const VisitedSet&) = delete;
  VisitedSet& operator=(const VisitedSet&) = delete;

  // Adds `fingerprint`; false if it was there already.
  bool insert(std::uint64_t fingerprint) {
    bool added = false;
    insert(fingerprint, added);
    return added;
  }
  // Adds `fingerprint` (`added`: it was not there); its slot either way.
  std::size_t insert(std::uint64_t fingerprint, bool& added) {
    if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
    if (growth_ == Growth::on_insert ? (count_ + 1) * 2 > capacity() : (count_ + 1) * 4 > capacity() * 3) {
      grow(1, [](const auto& copy) { copy(0); });
    }
    std::uint64_t* const s = slots();
    const std::size_t slot = place(s, stride_, table_->mask, fingerprint);
    added = load(s[slot * stride_]) == 0;
    if (added) {
      std::atomic_ref<std::uint64_t>(s[slot * stride_]).store(fingerprint, std::memory_order_relaxed);
      ++count_;
    }
    return slot;
  }

  bool contains(std::uint64_t fingerprint) const { return find(fingerprint) != kAbsent; }
  std::size_t find(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    const Table* t = current_.load(std::memory_order_acquire);
    std::uint64_t* const s = t->pages.as<std::uint64_t>();
    for (std::size_t i = fingerprint & t->mask;; i = (i + 1) & t->mask) {
      const std::uint64_t at = load(s[i * stride_]);
      if (at == fingerprint) return i;
      if (at == 0) return kAbsent;
    }
  }
  // Asks the memory for the slot where `fingerprint` would be looked up, ahead of
  // find() or insert(): a large set's slots are rarely in the cache.
  void prefetch(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    const Table* t = current_.load(std::memory_order_acquire);
    __builtin_prefetch(t->pages.as<std::uint64_t>() + (fingerprint & t->mask) * stride_);
  }
  // Unmaps the tables outgrown since the last call (no reader may still be in them).
  void release_retired() { retired_.clear(); }

  // Grows it if it is more than half full (true: it grew), the copying shared into
  // `parts`: run(copy) calls copy(0) ... copy(parts - 1), each on a thread of its own at
  // once, and returns once all are done. No other call may run meanwhile.
  template <class Run>
  bool grow_if_due(std::size_t parts, Run&& run) {
    if (count_ * 2 <= capacity()) return false;
    grow(parts, run);
    return true;
  }

  // The value of a slot found or inserted (a set made with values): 0 until set.
  std::uint32_t value(std::size_t slot) const { return static_cast<std::uint32_t>(slots()[slot * 2 + 1]); }
  void set_value(std::size_t slot, std::uint32_t v) { slots()[slot * 2 + 1] = v; }

  // Empties it, keeping its size.
  void clear() {
    std::fill(slots(), slots() + words(), 0);
    count_ = 0;
    release_retired();
  }

  std::size_t size() const { return count_; }
  std::size_t bytes() const { return table_->pages.bytes(); }

 private:
  // The slots and the mask that goes with them, published together: a reader on another
  // thread takes both from one pointer. Read on every lookup by every thread, on a cache
  // line of its own: among the heap objects of the thread that grew the set, it shared
  // lines that thread writes (two-job runs took 5% longer).
  struct alignas(64) Table {
    Table(std::size_t slots, std::size_t stride)
        : pages(slots * stride * sizeof(std::uint64_t)), mask(slots - 1) {}
    Pages pages;
    std::size_t mask;  // slots - 1
  };

  std::size_t capacity() const { return table_->mask + 1; }
  std::size_t words() const { return capacity() * stride_; }
  std::uint64_t* slots() const { return table_->pages.as<std::uint64_t>(); }
  static std::uint64_t load(std::uint64_t& slot) {
    return std::atomic_ref<std::uint64_t>(slot).load(std::memory_order_relaxed);
  }
  // The slot that holds `fingerprint`, or the empty one where it would go.
  static std::size_t place(std::uint64_t* slots, std::size_t stride, std::size_t mask,
                           std::uint64_t fingerprint) {
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      const std::uint64_t at = load(slots[i * stride]);
      if (at == fingerprint || at == 0) return i;
    }
  }
  // A table twice as large, filled (parts > 1: by that many threads at once, each
  // copying its share of the old slots), then published; the old one stays mapped for
  // the readers still in it until release_retired().
  template <class Run>
  void grow(std::size_t parts, Run&& run) {
    auto bigger = std::make_unique<Table>(capacity() * 2, stride_);
    std::uint64_t* const to_slots = bigger->pages.as<std::uint64_t>();
    const std::size_t mask = bigger->mask;
    std::uint64_t* const from = slots();
    const std::size_t old_slots = capacity();
    const std::size_t stride = stride_;
    const auto copy = [=](std::size_t part) {
      for (std::size_t i = old_slots * part / parts; i < old_slots * (part + 1) / parts; ++i) {
        const std::uint64_t fp = load(from[i * stride]);
        if (fp == 0) continue;
        std::size_t to = 0;
        if (parts == 1) {
          to = place(to_slots, stride, mask, fp);
          to_slots[to * stride] = fp;
        } else {  // another part may take the same empty slot
          for (to = fp & mask;; to = (to + 1) & mask) {
            std::uint64_t empty = 0;
            if (std::atomic_ref<std::uint64_t>(to_slots[to * stride])
                    .compare_exchange_strong(empty, fp, std::memory_order_relaxed)) {
              break;
            }
          }
        }
        if (stride == 2) to_slots[to * 2 + 1] = from[i * 2 + 1];
      }
    };
    run(copy);
    retired_.push_back(std::move(table_));
    table_ = std::move(bigger);
    current_.store(table_.get(), std::memory_order_release);
  }

  // What every thread reads on each lookup, and what only the merge writes, on cache
  // lines of their own: the merge adds to count_ on every insert, and with the two on one
  // line each insert took that line away from the threads looking up.
  std::atomic<const Table*> current_{nullptr};  // table_, as readers on other threads take it
  std::size_t stride_;                          // 2: each fingerprint's value follows it
  Growth growth_;
  alignas(64) std::unique_ptr<Table> table_;
  std::size_t count_ = 0;
  std::vector<std::unique_ptr<Table>> retired_;
};

}  // namespace distlab::explore
