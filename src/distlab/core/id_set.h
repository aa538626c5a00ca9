// IdSet: a small sorted set of node ids (who acknowledged, who answered), held in
// place up to kInline ids and on the heap beyond. Copying a node that holds one then
// costs no allocation in the common case, which is what `distlab explore` does for
// every successor it makes; a std::set allocated once per id.
//
//   IdSet acks;
//   acks.insert(3);  // true: new
//   acks.insert(3);  // false
//   for (NodeId id : acks) ...  // ascending
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "distlab/core/types.h"

namespace distlab {

class IdSet {
 public:
  static constexpr std::uint32_t kInline = 6;

  IdSet() = default;
  IdSet(const IdSet& o) { copy_from(o); }
  IdSet& operator=(const IdSet& o) {
    if (this != &o) {
      size_ = 0;
      copy_from(o);
    }
    return *this;
  }
  IdSet(IdSet&& o) noexcept { take(o); }
  IdSet& operator=(IdSet&& o) noexcept {
    if (this != &o) {
      release();
      take(o);
    }
    return *this;
  }
  ~IdSet() { release(); }

  // Adds `id`; false if it was there already.
  bool insert(NodeId id) {
    NodeId* at = std::lower_bound(begin_mut(), begin_mut() + size_, id);
    if (at != begin_mut() + size_ && *at == id) return false;
    const auto index = static_cast<std::size_t>(at - begin_mut());
    if (size_ == capacity_) reserve(capacity_ * 2);
    NodeId* ids = begin_mut();
    std::memmove(ids + index + 1, ids + index, (size_ - index) * sizeof(NodeId));
    ids[index] = id;
    ++size_;
    return true;
  }
  bool contains(NodeId id) const { return std::binary_search(begin(), end(), id); }
  // Empties it (a heap buffer is kept for the next ids).
  void clear() { size_ = 0; }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Whether its ids are on the heap: if not, destroying it does nothing.
  bool holds_memory() const { return on_heap(); }
  const NodeId* begin() const { return on_heap() ? heap_ : inline_; }
  const NodeId* end() const { return begin() + size_; }

  friend bool operator==(const IdSet& a, const IdSet& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool on_heap() const { return capacity_ > kInline; }
  NodeId* begin_mut() { return on_heap() ? heap_ : inline_; }

  void reserve(std::uint32_t capacity) {
    auto* bigger = new NodeId[capacity];
    std::copy(begin(), end(), bigger);
    release();
    heap_ = bigger;
    capacity_ = capacity;
  }
  // Copies o's ids in (this is empty): in place when they fit.
  void copy_from(const IdSet& o) {
    if (o.size_ > capacity_) {
      release();
      heap_ = new NodeId[o.size_];
      capacity_ = o.size_;
    }
    std::copy(o.begin(), o.end(), begin_mut());
    size_ = o.size_;
  }
  void take(IdSet& o) {
    size_ = o.size_;
    capacity_ = o.capacity_;
    if (o.on_heap()) {
      heap_ = o.heap_;
    } else {
      std::copy(o.inline_, o.inline_ + o.size_, inline_);
    }
    o.size_ = 0;
    o.capacity_ = kInline;
  }
  void release() {
    if (on_heap()) delete[] heap_;
    capacity_ = kInline;
  }

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;  // more than kInline: the ids are on the heap
  union {
    NodeId inline_[kInline] = {};
    NodeId* heap_;
  };
};

}  // namespace distlab
