// VisitedSet: the 64-bit fingerprints of the states an exploration has seen, in one
// open-addressing table (8 bytes a slot, at most half full): about 16 bytes a state.
// With values, each fingerprint also keeps a 32-bit value (the reduction's sleep set)
// beside it in its slot, read in the same cache line: 16 bytes a slot.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace distlab::explore {

class VisitedSet {
 public:
  static constexpr std::size_t kAbsent = SIZE_MAX;

  // `slots`: a power of two, the starting size.
  explicit VisitedSet(std::size_t slots = 1U << 16, bool values = false)
      : stride_(values ? 2 : 1), slots_(slots * stride_, 0) {}

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
    const std::size_t slot = place(slots_, stride_, fingerprint);
    added = slots_[slot * stride_] == 0;
    if (added) {
      slots_[slot * stride_] = fingerprint;
      ++count_;
    }
    return slot;
  }

  bool contains(std::uint64_t fingerprint) const { return find(fingerprint) != kAbsent; }
  std::size_t find(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    const std::size_t mask = capacity() - 1;
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      if (slots_[i * stride_] == fingerprint) return i;
      if (slots_[i * stride_] == 0) return kAbsent;
    }
  }
  // The value of a slot found or inserted (a set made with values): 0 until set.
  std::uint32_t value(std::size_t slot) const { return static_cast<std::uint32_t>(slots_[slot * 2 + 1]); }
  void set_value(std::size_t slot, std::uint32_t v) { slots_[slot * 2 + 1] = v; }

  // Empties it, keeping its size.
  void clear() {
    std::fill(slots_.begin(), slots_.end(), 0);
    count_ = 0;
  }

  std::size_t size() const { return count_; }
  std::size_t bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

 private:
  std::size_t capacity() const { return slots_.size() / stride_; }
  // The slot that holds `fingerprint`, or the empty one where it would go.
  static std::size_t place(const std::vector<std::uint64_t>& slots, std::size_t stride,
                           std::uint64_t fingerprint) {
    const std::size_t mask = slots.size() / stride - 1;
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      if (slots[i * stride] == fingerprint || slots[i * stride] == 0) return i;
    }
  }
  void grow() {
    std::vector<std::uint64_t> bigger(slots_.size() * 2, 0);
    for (std::size_t i = 0; i < slots_.size(); i += stride_) {
      if (slots_[i] == 0) continue;
      const std::size_t to = place(bigger, stride_, slots_[i]) * stride_;
      std::copy(slots_.begin() + static_cast<std::ptrdiff_t>(i),
                slots_.begin() + static_cast<std::ptrdiff_t>(i + stride_),
                bigger.begin() + static_cast<std::ptrdiff_t>(to));
    }
    slots_.swap(bigger);
  }

  std::size_t stride_;  // 2: each fingerprint's value follows it
  std::vector<std::uint64_t> slots_;
  std::size_t count_ = 0;
};

}  // namespace distlab::explore
