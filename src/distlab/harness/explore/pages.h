// Pages: zeroed memory mapped from the kernel for the explorer's large tables (the
// visited set, the arenas' blocks). Once it fills a huge page (2 MiB) it is aligned to
// one and advised onto huge pages, where the kernel gives them on request: a table read
// at random then costs one cache miss a lookup, not a TLB miss as well (a page walk,
// twice as long in a virtual machine), and filling a block one page fault, not 512.
//
//   Pages p(bytes);                  // zeroed; throws std::bad_alloc
//   auto* words = p.as<std::uint64_t>();
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace distlab::explore {

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

 private:
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace distlab::explore
