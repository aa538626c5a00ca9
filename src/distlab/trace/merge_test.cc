#include "distlab/trace/merge.h"

#include <gtest/gtest.h>

#include "distlab/trace/checks.h"
#include "distlab/trace/internal/test_records.h"

namespace distlab::trace {
namespace {

using testing::ev;

const Header kHeader{.algorithm = "lamport", .mode = "real", .seed = 1, .nodes = {1, 2}};

TEST(MergeTest, ReceivesFollowTheirSendsWhateverTheClocksSay) {
  // Node 2's clock runs behind: by its time the receive comes first.
  Trace a{kHeader, {ev(1, 100, EventKind::local), ev(1, 200, EventKind::send, "1.1", 2)}, "a", false};
  Trace b{kHeader, {ev(2, 50, EventKind::recv, "1.1", 1), ev(2, 60, EventKind::local)}, "b", false};
  const Trace m = merge_traces(kHeader, {b, a});
  ASSERT_EQ(m.events.size(), 4u);
  EXPECT_EQ(m.events[0].kind, EventKind::local);
  EXPECT_EQ(m.events[0].node, 1u);
  EXPECT_EQ(m.events[1].kind, EventKind::send);
  EXPECT_EQ(m.events[2].kind, EventKind::recv);
  EXPECT_EQ(m.events[3].node, 2u);
  EXPECT_EQ(m.events[0].line, 2u);
  EXPECT_TRUE(all_passed(check_trace(m)));
}

TEST(MergeTest, ConcurrentEventsGoByTimeThenNode) {
  Trace a{kHeader, {ev(1, 30, EventKind::local), ev(1, 10, EventKind::local)}, "a", false};
  Trace b{kHeader, {ev(2, 20, EventKind::local), ev(2, 30, EventKind::local)}, "b", false};
  const Trace m = merge_traces(kHeader, {a, b});
  std::vector<std::pair<NodeId, Nanos>> order;
  for (const auto& r : m.events) order.emplace_back(r.node, r.t);
  // Node 1's own lane is sorted by time first (10 then 30).
  EXPECT_EQ(order, (std::vector<std::pair<NodeId, Nanos>>{{1, 10}, {2, 20}, {1, 30}, {2, 30}}));
}

TEST(MergeTest, LivesOfARestartedNodeJoinInTimeOrder) {
  Trace first{kHeader, {ev(1, 10, EventKind::local), ev(1, 20, EventKind::send, "1.1", 2)}, "n1-0", false};
  Trace launcher{kHeader, {ev(1, 30, EventKind::crash)}, "launch", false};
  Trace second{kHeader, {ev(1, 40, EventKind::recover), ev(1, 50, EventKind::send, "1.1099511627777", 2)}, "n1-1", false};
  Trace other{kHeader, {ev(2, 25, EventKind::recv, "1.1", 1), ev(2, 60, EventKind::recv, "1.1099511627777", 1)}, "n2", false};
  const Trace m = merge_traces(kHeader, {second, other, launcher, first});
  std::vector<EventKind> lane;
  for (const auto& r : m.events) {
    if (r.node == 1) lane.push_back(r.kind);
  }
  EXPECT_EQ(lane, (std::vector<EventKind>{EventKind::local, EventKind::send, EventKind::crash, EventKind::recover,
                                          EventKind::send}));
  EXPECT_TRUE(all_passed(check_trace(m)));
}

TEST(MergeTest, MessagesFromAMissingProcessAreLeftAsExternal) {
  Trace b{kHeader, {ev(2, 5, EventKind::recv, "1.7", 1)}, "b", false};
  const Trace m = merge_traces(kHeader, {b});
  ASSERT_EQ(m.events.size(), 1u);
  EXPECT_TRUE(all_passed(check_trace(m)));
}

TEST(MergeTest, ASendNeverReceivedWhileTheReceiverRanOnIsALoss) {
  const Nanos s = kSecond;
  Trace a{kHeader, {ev(1, 1 * s, EventKind::send, "1.1", 2), ev(1, 2 * s, EventKind::send, "1.2", 2)}, "a", false};
  Trace b{kHeader, {ev(2, 1 * s + 10, EventKind::local), ev(2, 2 * s + 500, EventKind::local),
                    ev(2, 3 * s, EventKind::local)}, "b", false};
  const Trace m = merge_traces(kHeader, {a, b});
  std::vector<std::string> drops;
  for (const auto& r : m.events) {
    if (r.kind != EventKind::drop) continue;
    drops.push_back(r.msg);
    EXPECT_EQ(r.label, "loss");
    EXPECT_EQ(r.node, 1u);
    EXPECT_EQ(r.peer, 2u);
  }
  // 1.1: node 2 went on for 2 s after it. 1.2: node 2 stopped 1 s after it, too soon to tell.
  EXPECT_EQ(drops, std::vector<std::string>{"1.1"});
  ASSERT_GE(m.events.size(), 2u);
  EXPECT_EQ(m.events[1].kind, EventKind::drop);  // right after its send
  EXPECT_TRUE(all_passed(check_trace(m)));
}

TEST(MergeTest, MessagesToACrashedReceiverAreNotNetworkLosses) {
  const Nanos s = kSecond;
  Trace a{kHeader, {ev(1, 1 * s, EventKind::send, "1.1", 2)}, "a", false};
  Trace b{kHeader, {ev(2, 1 * s + 5, EventKind::crash), ev(2, 2 * s, EventKind::recover),
                    ev(2, 5 * s, EventKind::local)}, "b", false};
  const Trace m = merge_traces(kHeader, {a, b});
  for (const auto& r : m.events) EXPECT_NE(r.kind, EventKind::drop) << r.msg;
}

}  // namespace
}  // namespace distlab::trace
