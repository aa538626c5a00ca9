// StateArena: states packed and read back, blocks given back once used up and filled
// again by another arena, every state that needs it destroyed exactly once.
#include "distlab/harness/explore/arena.h"

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace distlab::explore {
namespace {

int live = 0;  // Counted objects alive

struct Counted {
  explicit Counted(std::uint64_t v) : value(v) { ++live; }
  Counted(const Counted& o) : value(o.value) { ++live; }
  ~Counted() { --live; }
  std::uint64_t value;
};

using Arena = StateArena<std::uint64_t, Counted, std::uint32_t, std::uint16_t>;

// Packs states numbered from `first` until `blocks` blocks are in use; their refs.
std::vector<Arena::Ref> fill(Arena& arena, std::uint64_t first, std::uint32_t blocks) {
  std::vector<Arena::Ref> refs;
  const std::vector<Counted> nodes{Counted(1), Counted(2), Counted(3)};
  const std::vector<std::uint32_t> flights{7, 8};
  const std::vector<std::uint16_t> timers{9};
  for (std::uint64_t i = first;; ++i) {
    const Arena::Ref r = arena.pack(i, nodes, flights, timers);
    if (r.block == blocks) return refs;  // the first state of one block more: kept, not returned
    refs.push_back(r);
  }
}

TEST(StateArena, ReadsBackWhatItPacked) {
  Arena arena;
  const std::vector<Counted> nodes{Counted(10), Counted(20)};
  const std::vector<std::uint32_t> flights{5};
  const std::vector<std::uint16_t> timers{1, 2, 3};
  const Arena::Ref r = arena.pack(42, nodes, flights, timers);
  const Arena::View v = arena.view(r);
  EXPECT_EQ(*v.header, 42u);
  ASSERT_EQ(v.node_count, 2u);
  EXPECT_EQ(v.nodes[1].value, 20u);
  ASSERT_EQ(v.flight_count, 1u);
  EXPECT_EQ(v.flights[0], 5u);
  ASSERT_EQ(v.timer_count, 3u);
  EXPECT_EQ(v.timers[2], 3u);
  EXPECT_EQ(arena.packed_bytes(r), arena.used_bytes());
}

TEST(StateArena, GivesBackUsedUpBlocksForAnotherArenaToFill) {
  const int before = live;
  {
    Arena level;
    const std::vector<Arena::Ref> refs = fill(level, 0, 3);  // blocks 0, 1, 2 full; 3 begun
    const int packed = live - before;
    ASSERT_GT(packed, 0);

    std::vector<Pages> spares;
    level.give_back(2, spares);
    EXPECT_EQ(spares.size(), 2u);
    std::size_t in_first_two = 0;
    for (const Arena::Ref r : refs) in_first_two += r.block < 2 ? 1 : 0;
    EXPECT_EQ(live - before, packed - static_cast<int>(3 * in_first_two));  // three nodes each
    // A state after them is still there.
    const Arena::Ref last = refs.back();
    EXPECT_EQ(*level.view(last).header, refs.size() - 1);
    EXPECT_EQ(level.view(last).nodes[2].value, 3u);

    level.give_back(2, spares);  // nothing more to give
    EXPECT_EQ(spares.size(), 2u);

    Arena next;
    next.take_spares(spares, 1);
    EXPECT_EQ(spares.size(), 1u);
    EXPECT_EQ(next.spares(), 1u);
    next.take_spares(spares, 5);
    EXPECT_EQ(next.spares(), 2u);
    fill(next, 0, 1);  // block 0 and the start of block 1: both spares filled again
    EXPECT_EQ(next.spares(), 0u);

    level.clear();  // every state left destroyed, its two blocks left kept as spares
    EXPECT_EQ(level.size(), 0u);
    EXPECT_EQ(level.used_bytes(), 0u);
    EXPECT_EQ(level.spares(), 2u);
  }
  EXPECT_EQ(live, before);
}

// A part that says whether its destructor has anything to do; the arena must destroy
// every packed copy that says so and may skip the others.
int destroyed = 0;
struct Owning {
  explicit Owning(bool holds) : holds(holds) {}
  Owning(const Owning&) = default;
  ~Owning() { ++destroyed; }
  bool holds_memory() const { return holds; }
  bool holds;
};

TEST(StateArena, DestroysOnlyTheStatesWithAPartThatHoldsMemory) {
  EXPECT_FALSE(needs_destroy(std::uint64_t{7}));
  EXPECT_TRUE(needs_destroy(Counted(1)));  // says nothing: destroyed
  EXPECT_FALSE(needs_destroy(Owning(false)));
  EXPECT_TRUE(needs_destroy(Owning(true)));

  StateArena<std::uint64_t, Owning, std::uint32_t, std::uint16_t> arena;
  const std::vector<Owning> none{Owning(false), Owning(false)};
  const std::vector<Owning> one{Owning(false), Owning(true)};
  const std::vector<std::uint32_t> flights;
  const std::vector<std::uint16_t> timers;
  for (std::uint64_t i = 0; i < 10; ++i) arena.pack(i, i == 3 || i == 8 ? one : none, flights, timers);
  destroyed = 0;
  arena.clear();
  EXPECT_EQ(destroyed, 4);  // both nodes of the two states one of whose nodes holds memory
}

}  // namespace
}  // namespace distlab::explore
