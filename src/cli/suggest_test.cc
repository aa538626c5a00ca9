#include "cli/suggest.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace distlab::cli {
namespace {

TEST(Suggest, EditDistanceCountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("node", "nodes"), 1u);
  EXPECT_EQ(edit_distance("nodes", "node"), 1u);
  EXPECT_EQ(edit_distance("bully", "bulky"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("qiuet", "quiet"), 1u) << "two neighbours swapped";
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);
}

TEST(Suggest, ASlipGetsTheNearestWordAndAnythingElseNone) {
  const std::vector<std::string> flags{"--nodes", "--seed", "--rounds", "--trace", "--quiet"};
  EXPECT_EQ(closest("--node", flags), "--nodes");
  EXPECT_EQ(closest("--sede", flags), "--seed");
  EXPECT_EQ(closest("--rou", flags), "--rounds") << "a prefix";
  EXPECT_EQ(closest("--qiuet", flags), "--quiet");
  EXPECT_EQ(closest("--colour", flags), std::nullopt) << "nothing near";
  EXPECT_EQ(closest("--x", flags), std::nullopt);
  EXPECT_EQ(closest("--", flags), std::nullopt);
  EXPECT_EQ(closest("--seed", flags), std::nullopt) << "a known word is no slip";
  const std::vector<std::string> commands{"lamport", "snapshot", "bully", "heartbeat"};
  EXPECT_EQ(closest("bulyl", commands), "bully");
  EXPECT_EQ(closest("heartbaet", commands), "heartbeat");
  EXPECT_EQ(closest("raft", commands), std::nullopt);
}

}  // namespace
}  // namespace distlab::cli
