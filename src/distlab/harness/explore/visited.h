// VisitedSet: the 64-bit fingerprints of the states an exploration has seen, in one
// open-addressing table (8 bytes a slot, at most half full): about 16 bytes a state.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace distlab::explore {

class VisitedSet {
 public:
  // `slots`: a power of two, the starting size.
  explicit VisitedSet(std::size_t slots = 1U << 16) : slots_(slots, 0) {}

  // Adds `fingerprint`; false if it was there already.
  bool insert(std::uint64_t fingerprint) {
    if (fingerprint == 0) fingerprint = 1;  // 0 marks an empty slot
    if ((count_ + 1) * 2 > slots_.size()) grow();
    if (!place(slots_, fingerprint)) return false;
    ++count_;
    return true;
  }

  bool contains(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      if (slots_[i] == fingerprint) return true;
      if (slots_[i] == 0) return false;
    }
  }

  // Empties it, keeping its size.
  void clear() {
    std::fill(slots_.begin(), slots_.end(), 0);
    count_ = 0;
  }

  std::size_t size() const { return count_; }
  std::size_t bytes() const { return slots_.capacity() * sizeof(std::uint64_t); }

 private:
  static bool place(std::vector<std::uint64_t>& slots, std::uint64_t fingerprint) {
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      if (slots[i] == fingerprint) return false;
      if (slots[i] == 0) {
        slots[i] = fingerprint;
        return true;
      }
    }
  }
  void grow() {
    std::vector<std::uint64_t> bigger(slots_.size() * 2, 0);
    for (std::uint64_t f : slots_) {
      if (f != 0) place(bigger, f);
    }
    slots_.swap(bigger);
  }

  std::vector<std::uint64_t> slots_;
  std::size_t count_ = 0;
};

}  // namespace distlab::explore
