#include "cli/output.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace distlab::cli {
namespace {

TEST(NarrativeText, EachLineThatIsNotBlankStartsWithTheTime) {
  EXPECT_EQ(narrative_text("Node 3 started an election.\n", std::nullopt), "Node 3 started an election.\n");
  EXPECT_EQ(narrative_text("Node 3 started an election.\n", 1'275'657'604),
            "   1.275657s  Node 3 started an election.\n");
  // Blank lines around a sentence stay blank; every line of a longer one is stamped.
  EXPECT_EQ(narrative_text("\nNode 5 became the new leader!\n\n", 7'536'000),
            "\n   0.007536s  Node 5 became the new leader!\n\n");
  EXPECT_EQ(narrative_text("Node 3 failed!\nIts server was stopped.\n", 27 * kSecond),
            "  27.000000s  Node 3 failed!\n  27.000000s  Its server was stopped.\n");
  EXPECT_EQ(narrative_text("x\n", 12'345 * kSecond + 1), "12345.000000s  x\n");  // wider, never cut
}

TEST(WrappedTest, BreaksAtSpacesWithinTheWidth) {
  EXPECT_EQ(wrapped("short text", 90), "short text");
  EXPECT_EQ(wrapped("aaa bbb ccc ddd", 7), "aaa bbb\nccc ddd");
  const std::string long_text =
      "Checks (each judges the traces it applies to): causality, clock condition, vector clocks, snapshot "
      "complete, snapshot channel states, consistent cut, money conserved, leader agreement.";
  std::istringstream lines(wrapped(long_text, 40));
  std::string line;
  std::string joined;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 40u) << line;
    joined += (joined.empty() ? "" : " ") + line;
  }
  EXPECT_EQ(joined, long_text);  // only spaces became line breaks
}

TEST(WrappedTest, AWordLongerThanALineStaysWhole) {
  EXPECT_EQ(wrapped("a verylongwordindeed b", 5), "a\nverylongwordindeed\nb");
}

}  // namespace
}  // namespace distlab::cli
