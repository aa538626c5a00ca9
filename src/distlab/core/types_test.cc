#include "distlab/core/types.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace distlab::testing::types {
namespace {

TEST(MsgId, PrintsSenderDotSequence) {
  EXPECT_EQ(to_string(MsgId{.sender = 2, .seq = 17}), "2.17");
  EXPECT_EQ(to_string(MsgId{.sender = 0, .seq = 0}), "0.0");
  EXPECT_EQ(to_string(MsgId{.sender = 10, .seq = 1}), "10.1");
  EXPECT_EQ(to_string(MsgId{.sender = std::numeric_limits<NodeId>::max(),
                            .seq = std::numeric_limits<std::uint64_t>::max()}),
            "4294967295.18446744073709551615");
}

TEST(MsgId, AssignReplacesWhatTheStringHeld) {
  std::string out = "a much longer string than any message id would be";
  assign_msg_id(MsgId{.sender = 3, .seq = 100}, out);
  EXPECT_EQ(out, "3.100");
  assign_msg_id(MsgId{.sender = 12345, .seq = 9}, out);
  EXPECT_EQ(out, "12345.9");
}

}  // namespace
}  // namespace distlab::testing::types
