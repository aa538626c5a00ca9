#include "cli/output.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace distlab::cli {
namespace {

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
