// The explorer's reduction of independent interleavings (harness/explore/explorer.h):
// the sleep sets of the states it has seen.
//
// A sleep set is a sorted list of transition keys: transitions that need not be taken
// from a state, because taking them there leads where an independent transition taken
// earlier already led. SleepStore keeps, per state with a non-empty sleep set, that
// set, the state's index in the search (its path back) and whether it has been
// expanded; the visited set keeps each state's Ref.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "distlab/core/assert.h"

namespace distlab::explore {

// Whether every key of sorted `a` is in sorted `b`.
inline bool sorted_subset(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}
inline bool sorted_contains(std::span<const std::uint64_t> set, std::uint64_t key) {
  return std::binary_search(set.begin(), set.end(), key);
}

class SleepStore {
 public:
  // A state's entry: where its record starts (0: no sleep set, nothing to keep).
  using Ref = std::uint32_t;

  SleepStore() : pool_(1, 0) {}

  // A state seen for the first time, with a non-empty sleep set; `index`: its index in
  // the search.
  Ref add(std::uint32_t index, std::span<const std::uint64_t> keys) {
    DISTLAB_ASSERT(!keys.empty() && keys.size() < 0xffffU && pool_.size() + keys.size() + 1 < UINT32_MAX);
    const auto ref = static_cast<Ref>(pool_.size());
    pool_.push_back(static_cast<std::uint64_t>(index) << 32 | keys.size());
    pool_.insert(pool_.end(), keys.begin(), keys.end());
    return ref;
  }
  std::span<const std::uint64_t> keys(Ref ref) const {
    if (ref == 0) return {};
    return {pool_.data() + ref + 1, static_cast<std::size_t>(pool_[ref] & 0xffffU)};
  }
  std::uint32_t index(Ref ref) const { return static_cast<std::uint32_t>(pool_[ref] >> 32); }
  bool expanded(Ref ref) const { return (pool_[ref] & kExpanded) != 0; }
  void mark_expanded(Ref ref) {
    if (ref != 0) pool_[ref] |= kExpanded;
  }
  // Its sleep set becomes `keys`, a subset of what it was.
  void shrink(Ref ref, std::span<const std::uint64_t> keys) {
    DISTLAB_ASSERT(keys.size() <= (pool_[ref] & 0xffffU));
    std::copy(keys.begin(), keys.end(), pool_.begin() + ref + 1);
    pool_[ref] = (pool_[ref] & ~std::uint64_t{0xffffU}) | keys.size();
  }

  std::size_t bytes() const { return pool_.capacity() * sizeof(std::uint64_t); }

 private:
  static constexpr std::uint64_t kExpanded = 1U << 16;
  // Per entry: a header (index << 32 | expanded << 16 | size), then the keys.
  std::vector<std::uint64_t> pool_;
};

}  // namespace distlab::explore
