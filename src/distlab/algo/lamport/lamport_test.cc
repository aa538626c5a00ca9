#include "distlab/algo/lamport/lamport.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace distlab::lamport {
namespace {

class Events : public EventSink {
 public:
  void on_event(const Event& e) override { kinds.push_back(e.kind), lamports.push_back(e.stamp.lamport); }
  std::vector<EventKind> kinds;
  std::vector<std::int64_t> lamports;
};

// Drives one node by hand through a Context: no runtime involved.
struct Harness {
  explicit Harness(NodeId self, const Options& options) : node(self, options), self(self) {}
  Context<AppMessage>& bind(Nanos now = 0) {
    ctx.bind({.self = self, .now = now, .nodes = ids, .rng = &rng, .send_seq = &seq, .sink = &events});
    return ctx;
  }
  LamportNode node;
  NodeId self;
  std::vector<NodeId> ids{1, 2, 3};
  Rng rng{1};
  std::uint64_t seq = 0;
  Events events;
  Context<AppMessage> ctx;
};

TEST(LamportNodeTest, LocalThenSendIsTheSeedsRound) {
  Options options;
  Harness h(2, options);
  auto& ctx = h.bind();
  h.node.local_then_send(ctx, 1);
  ctx.finish();
  ASSERT_EQ(ctx.outbox().size(), 1u);
  EXPECT_EQ(ctx.outbox()[0].to, 1u);
  EXPECT_EQ(ctx.outbox()[0].message.lamport, 2u);
  EXPECT_EQ(ctx.outbox()[0].id, (MsgId{2, 1}));
  EXPECT_FALSE(ctx.outbox()[0].message.vc.has_value());
  EXPECT_EQ(h.events.kinds, (std::vector<EventKind>{EventKind::local, EventKind::send}));
  EXPECT_EQ(h.events.lamports, (std::vector<std::int64_t>{1, 2}));
}

TEST(LamportNodeTest, ReceiveStampsTheRecvEventWithTheMergedClock) {
  Options options;
  options.vector = true;
  Harness h(1, options);
  auto& ctx = h.bind();
  VectorClock sender(2);
  AppMessage m{.lamport = 7, .vc = sender.send()};
  ctx.begin_receive({2, 1}, 2, "app");
  h.node.on_message(ctx, 2, m);
  ctx.finish();
  EXPECT_EQ(h.node.lamport().time(), 8u);
  EXPECT_EQ(h.node.vc().get(1), 1u);
  EXPECT_EQ(h.node.vc().get(2), 1u);
  EXPECT_EQ(h.events.kinds, (std::vector<EventKind>{EventKind::recv}));
  EXPECT_EQ(h.events.lamports, (std::vector<std::int64_t>{8}));
}

TEST(LamportNodeTest, RandomModeActsOnItsTimerAndStopsAfterItsActions) {
  Options options;
  options.random_mode = true;
  options.actions = 4;
  options.send_share = 1.0;  // every action is a send
  Harness h(2, options);
  h.node.on_start(h.bind());
  ASSERT_EQ(h.ctx.timer_ops().size(), 1u);
  std::set<NodeId> targets;
  for (int i = 0; i < 10; ++i) {
    h.ctx.timer_ops().clear();
    h.ctx.outbox().clear();
    auto& ctx = h.bind();
    h.node.on_timer(ctx, LamportNode::kAct);
    ctx.finish();
    if (i < 4) {
      ASSERT_EQ(ctx.outbox().size(), 1u);
      EXPECT_NE(ctx.outbox()[0].to, 2u);  // never itself
      targets.insert(ctx.outbox()[0].to);
    } else {
      EXPECT_TRUE(ctx.outbox().empty());
      EXPECT_TRUE(ctx.timer_ops().empty());
    }
  }
  EXPECT_EQ(h.node.lamport().time(), 4u);
}

TEST(LamportNodeTest, DurableStateCarriesTheClocks) {
  Options options;
  options.vector = true;
  Harness h(3, options);
  auto& ctx = h.bind();
  h.node.local_then_send(ctx, 1);
  ctx.finish();
  LamportNode fresh(3, options);
  fresh.restore(h.node.durable());
  EXPECT_EQ(fresh.lamport(), h.node.lamport());
  EXPECT_EQ(fresh.vc(), h.node.vc());
}

TEST(LamportRoundsTest, PairsAreDistinctAndReplayable) {
  const std::vector<NodeId> ids{1, 2, 3, 4};
  const auto a = draw_rounds(99, ids, 200);
  EXPECT_EQ(a.size(), 200u);
  std::set<std::pair<NodeId, NodeId>> seen;
  for (const Round& r : a) {
    EXPECT_NE(r.sender, r.receiver);
    seen.insert({r.sender, r.receiver});
  }
  EXPECT_EQ(seen.size(), 12u);  // every ordered pair of 4 nodes shows up
  const auto b = draw_rounds(99, ids, 200);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), [](const Round& x, const Round& y) {
    return x.sender == y.sender && x.receiver == y.receiver;
  }));
}

TEST(LamportRoundsTest, DemoSeedReproducesTheAssignmentsRounds) {
  const std::vector<NodeId> ids{1, 2, 3};
  const auto rounds = draw_rounds(2379, ids, 5);
  const std::vector<std::pair<NodeId, NodeId>> want{{2, 1}, {3, 1}, {3, 2}, {3, 2}, {2, 1}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(std::pair(rounds[i].sender, rounds[i].receiver), want[i]) << "round " << i + 1;
  }
}

}  // namespace
}  // namespace distlab::lamport
