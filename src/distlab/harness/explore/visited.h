// VisitedSet: the 64-bit fingerprints of the states an exploration has seen, in one
// open-addressing table (8 bytes a slot, at most half full): about 16 bytes a state.
// With values, each fingerprint also keeps a 32-bit value (the reduction's sleep set)
// beside it in its slot, read in the same cache line: 16 bytes a slot.
//
// Its slots are looked up at random, one cache miss each; a large table is kept on huge
// pages where the kernel gives them on request, so that a lookup does not also miss the
// TLB (a page walk, twice as long in a virtual machine).
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace distlab::explore {

// `count` zeroed 64-bit words, mapped from the kernel: on huge pages when they fill one.
class ZeroedWords {
 public:
  explicit ZeroedWords(std::size_t count) : count_(count) {
    const std::size_t bytes = count * sizeof(std::uint64_t);
    const bool huge = bytes >= kHuge;
    mapped_ = bytes + (huge ? kHuge : 0);  // room to align to a huge page
    void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    map_ = static_cast<std::byte*>(p);
    std::byte* at = map_;
    if (huge) {
      at = map_ + (kHuge - reinterpret_cast<std::uintptr_t>(map_) % kHuge) % kHuge;
#ifdef MADV_HUGEPAGE
      ::madvise(at, bytes, MADV_HUGEPAGE);  // advice only: without it, small pages
#endif
    }
    words_ = reinterpret_cast<std::uint64_t*>(at);
  }
  ZeroedWords(const ZeroedWords&) = delete;
  ZeroedWords& operator=(const ZeroedWords&) = delete;
  ZeroedWords(ZeroedWords&& o) noexcept { swap(o); }
  ZeroedWords& operator=(ZeroedWords&& o) noexcept {
    swap(o);
    return *this;
  }
  ~ZeroedWords() {
    if (map_ != nullptr) ::munmap(map_, mapped_);
  }
  void swap(ZeroedWords& o) noexcept {
    std::swap(map_, o.map_);
    std::swap(mapped_, o.mapped_);
    std::swap(words_, o.words_);
    std::swap(count_, o.count_);
  }

  std::uint64_t& operator[](std::size_t i) { return words_[i]; }
  const std::uint64_t& operator[](std::size_t i) const { return words_[i]; }
  std::uint64_t* begin() { return words_; }
  std::uint64_t* end() { return words_ + count_; }
  const std::uint64_t* data() const { return words_; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return count_ * sizeof(std::uint64_t); }

 private:
  static constexpr std::size_t kHuge = 2U << 20;
  std::byte* map_ = nullptr;
  std::size_t mapped_ = 0;
  std::uint64_t* words_ = nullptr;
  std::size_t count_ = 0;
};

class VisitedSet {
 public:
  static constexpr std::size_t kAbsent = SIZE_MAX;

  // `slots`: a power of two, the starting size.
  explicit VisitedSet(std::size_t slots = 1U << 16, bool values = false)
      : stride_(values ? 2 : 1), slots_(slots * stride_), mask_(slots - 1) {}

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
    const std::size_t slot = place(slots_, stride_, mask_, fingerprint);
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
  // Asks the memory for the slot where `fingerprint` would be looked up, ahead of
  // find() or insert(): a large set's slots are rarely in the cache.
  void prefetch(std::uint64_t fingerprint) const {
    if (fingerprint == 0) fingerprint = 1;
    __builtin_prefetch(slots_.data() + (fingerprint & (capacity() - 1)) * stride_);
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
  std::size_t bytes() const { return slots_.bytes(); }

 private:
  std::size_t capacity() const { return mask_ + 1; }
  // The slot that holds `fingerprint`, or the empty one where it would go.
  static std::size_t place(const ZeroedWords& slots, std::size_t stride, std::size_t mask,
                           std::uint64_t fingerprint) {
    for (std::size_t i = fingerprint & mask;; i = (i + 1) & mask) {
      if (slots[i * stride] == fingerprint || slots[i * stride] == 0) return i;
    }
  }
  void grow() {
    ZeroedWords bigger(slots_.size() * 2);
    for (std::size_t i = 0; i < slots_.size(); i += stride_) {
      if (slots_[i] == 0) continue;
      const std::size_t to = place(bigger, stride_, mask_ * 2 + 1, slots_[i]) * stride_;
      std::copy(slots_.begin() + i, slots_.begin() + i + stride_, bigger.begin() + to);
    }
    slots_.swap(bigger);
    mask_ = mask_ * 2 + 1;
  }

  std::size_t stride_;  // 2: each fingerprint's value follows it
  ZeroedWords slots_;
  std::size_t mask_;  // slots - 1
  std::size_t count_ = 0;
};

}  // namespace distlab::explore
