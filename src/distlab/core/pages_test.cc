#include "distlab/core/pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace distlab {
namespace {

TEST(Pages, AreZeroedWritableToTheEndAndHugeOnesAligned) {
  for (const std::size_t bytes : {std::size_t{8}, std::size_t{5000}, Pages::kHuge, 3 * Pages::kHuge + 8}) {
    Pages p(bytes);
    ASSERT_EQ(p.bytes(), bytes);
    if (bytes >= Pages::kHuge) {
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p.data()) % Pages::kHuge, 0u);
    }
    EXPECT_EQ(p.data()[0], std::byte{0});
    EXPECT_EQ(p.data()[bytes - 1], std::byte{0});
    p.data()[bytes - 1] = std::byte{7};
    Pages moved = std::move(p);
    EXPECT_EQ(moved.data()[bytes - 1], std::byte{7});
  }
}

// A vector on the allocator grows from the heap onto huge-page-aligned mappings and
// back, keeping its contents: what it allocates is the heap's below a huge page,
// aligned pages from one on.
TEST(HugePageAllocator, KeepsAVectorsContentsAcrossTheHugePageThreshold) {
  std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>> v;
  const std::size_t past = 3 * Pages::kHuge / sizeof(std::uint64_t) + 5;
  for (std::uint64_t i = 0; i < past; ++i) v.push_back(i * 7);
  EXPECT_GE(v.capacity() * sizeof(std::uint64_t), Pages::kHuge);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(v.data()) % Pages::kHuge, 0u);
  for (std::uint64_t i = 0; i < past; ++i) ASSERT_EQ(v[i], i * 7);
  v.resize(10);
  v.shrink_to_fit();  // back onto the heap
  EXPECT_LT(v.capacity() * sizeof(std::uint64_t), Pages::kHuge);
  for (std::uint64_t i = 0; i < 10; ++i) ASSERT_EQ(v[i], i * 7);
  std::vector<std::uint64_t, HugePageAllocator<std::uint64_t>> copy = v;
  EXPECT_EQ(copy, v);
}

}  // namespace
}  // namespace distlab
