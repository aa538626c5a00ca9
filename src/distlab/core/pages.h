// Pages: zeroed memory mapped from the kernel for large tables (the explorer's visited
// set and arenas' blocks; the simulator's messages, queue and FIFO rows). Once it fills
// a huge page (2 MiB) it is aligned to one and advised onto huge pages, where the
// kernel gives them on request: a table read at random then costs one cache miss a
// lookup, not a TLB miss as well (a page walk, twice as long in a virtual machine), and
// filling a block one page fault, not 512.
//
// HugePageAllocator<T> gives a container the same: an allocation of a huge page or
// more is Pages' memory, a smaller one the heap's.
//
//   Pages p(bytes);                  // zeroed; throws std::bad_alloc
//   auto* words = p.as<std::uint64_t>();
//   HugePageVector<Item> items;  // a std::vector on HugePageAllocator
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace distlab {

class Pages {
 public:
  static constexpr std::size_t kHuge = 2U << 20;

  Pages() = default;
  explicit Pages(std::size_t bytes) : bytes_(bytes) {
    if (bytes == 0) return;
    const bool huge = bytes >= kHuge;
    const std::size_t slack = huge ? kHuge : 0;  // room to align to a huge page
    void* p = ::mmap(nullptr, bytes + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    auto* map = static_cast<std::byte*>(p);
    data_ = map;
    if (huge) {
      const std::size_t head = (kHuge - reinterpret_cast<std::uintptr_t>(map) % kHuge) % kHuge;
      data_ = map + head;
      // Give back what the alignment left unused on either side (whole small pages).
      const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
      const std::size_t used = (bytes + page - 1) / page * page;
      if (head > 0) ::munmap(map, head);
      if (slack > head) ::munmap(data_ + used, slack - head);  // the mapping ends at map + used + slack
#ifdef MADV_HUGEPAGE
      ::madvise(data_, bytes, MADV_HUGEPAGE);  // advice only: without it, small pages
#endif
    }
  }
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;
  Pages(Pages&& o) noexcept { swap(o); }
  Pages& operator=(Pages&& o) noexcept {
    swap(o);
    return *this;
  }
  ~Pages() {
    if (data_ != nullptr) ::munmap(data_, bytes_);
  }
  void swap(Pages& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(bytes_, o.bytes_);
  }

  std::byte* data() const { return data_; }
  template <class T>
  T* as() const {
    return reinterpret_cast<T*>(data_);
  }
  std::size_t bytes() const { return bytes_; }

  // Gives up ownership: the caller unmaps `bytes()` bytes at `data()` (with unmap).
  std::byte* release() {
    bytes_ = 0;
    return std::exchange(data_, nullptr);
  }
  static void unmap(void* data, std::size_t bytes) { ::munmap(data, bytes); }

 private:
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// A standard allocator whose allocations of at least a huge page are Pages (aligned,
// advised onto huge pages), and smaller ones the heap's. Stateless: the size a
// container gives back tells which kind it was.
template <class T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>& /*other*/) {}

  T* allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T)) throw std::bad_alloc();
    const std::size_t bytes = n * sizeof(T);
    if (bytes < Pages::kHuge) return std::allocator<T>{}.allocate(n);
    return reinterpret_cast<T*>(Pages(bytes).release());
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < Pages::kHuge) {
      std::allocator<T>{}.deallocate(p, n);
    } else {
      Pages::unmap(p, n * sizeof(T));
    }
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const {
    return true;
  }
};

template <class T>
using HugePageVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace distlab
