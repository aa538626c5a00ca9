// VisitedSet: the 64-bit fingerprints of the states an exploration has seen, in one
// open-addressing table (8 bytes a slot, at most half full): about 16 bytes a state.
// With values, each fingerprint also keeps a 32-bit value (the reduction's sleep set)
// beside it in its slot, read in the same cache line: 16 bytes a slot.
//
// Its slots are looked up at random, one cache miss each: they live in Pages (huge pages
// once large), and prefetch() asks for a slot ahead of its lookup.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "distlab/harness/explore/pages.h"

namespace distlab::explore {

class VisitedSet {
 public:
  static constexpr std::size_t kAbsent = SIZE_MAX;

  // `slots`: a power of two, the starting size.
  explicit VisitedSet(std::size_t slots = 1U << 16, bool values = false)
      : stride_(values ? 2 : 1), pages_(slots * stride_ * sizeof(std::uint64_t)), mask_(slots - 1) {}

  // Adds `fingerprint`; false if it was there already.
  bool insert(std::uint64_t fingerprint) {
    bool added = false;
    insert(fingerprint, added);
    return added;
  }
  // Adds `fingerprint` (`added`: it was not there); its slot either way.
  std::size_t insert(std::uint64_t fingerprint, bool& added) {
    if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
    if ((count_ + 1) * 2 > capacity()) grow();
    const std::size_t slot = place(slots(), stride_, mask_, fingerprint);
    added = slots()[slot * stride_] == 0;
    if (added) {
      slots()[slot * stride_] = fingerprint;
      ++count_;
    }
    return slot;
  }

  bool contains(std::uint64_t fingerprint) const { return find(fingerprint) != kAbsent; }
  std::size_t find(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    for (std::size_t i = fingerprint & mask_;; i = (i + 1) & mask_) {
      if (slots()[i * stride_] == fingerprint) return i;
      if (slots()[i * stride_] == 0) return kAbsent;
    }
  }
  // Asks the memory for the slot where `fingerprint` would be looked up, ahead of
  // find() or insert(): a large set's slots are rarely in the cache.
  void prefetch(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    __builtin_prefetch(slots() + (fingerprint & mask_) * stride_);
  }
  // The value of a slot found or inserted (a set made with values): 0 until set.
  std::uint32_t value(std::size_t slot) const { return static_cast<std::uint32_t>(slots()[slot * 2 + 1]); }
  void set_value(std::size_t slot, std::uint32_t v) { slots()[slot * 2 + 1] = v; }

  // Empties it, keeping its size.
  void clear() {
    std::fill(slots(), slots() + words(), 0);
    count_ = 0;
  }

  std::size_t size() const { return count_; }
  std::size_t bytes() const { return pages_.bytes(); }

 private:
  std::size_t capacity() const { return mask_ + 1; }
  std::size_t words() const { return capacity() * stride_; }
  std::uint64_t* slots() const { return pages_.as<std::uint64_t>(); }
  // The slot that holds `fingerprint`, or the empty one where it would go.
  static std::size_t place(const std::uint64_t* slots, std::size_t stride, std::size_t mask,
                           std::uint64_t fingerprint) {
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      if (slots[i * stride] == fingerprint || slots[i * stride] == 0) return i;
    }
  }
  void grow() {
    Pages bigger(pages_.bytes() * 2);
    auto* to_slots = bigger.as<std::uint64_t>();
    const std::uint64_t* from = slots();
    for (std::size_t i = 0; i < words(); i += stride_) {
      if (from[i] == 0) continue;
      const std::size_t to = place(to_slots, stride_, mask_ * 2 + 1, from[i]) * stride_;
      std::copy(from + i, from + i + stride_, to_slots + to);
    }
    pages_.swap(bigger);
    mask_ = mask_ * 2 + 1;
  }

  std::size_t stride_;  // 2: each fingerprint's value follows it
  Pages pages_;         // the slots
  std::size_t mask_;  // slots - 1
  std::size_t count_ = 0;
};

}  // namespace distlab::explore
