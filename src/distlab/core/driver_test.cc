#include "distlab/core/driver.h"

#include "distlab/core/stepper.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace distlab {
namespace {

struct Ping {
  int hops = 0;
};
std::string_view trace_type(const Ping&) { return "ping"; }

// Bounces a ping to a random other node until it has made `limit` hops, and keeps a
// retry timer while it waits.
class Pinger {
 public:
  using Message = Ping;
  enum : TimerTag { kRetry };
  static constexpr std::size_t kTimerTags = 1;
  static std::string_view timer_name(TimerTag) { return "retry"; }

  void on_start(Context<Message>& ctx) {
    if (ctx.self() == 1) bounce(ctx, 0);
  }
  void on_message(Context<Message>& ctx, NodeId, const Message& m) {
    ctx.cancel_timer(kRetry);
    if (m.hops < 3) bounce(ctx, m.hops);
  }
  void on_timer(Context<Message>& ctx, TimerTag) { ++retries; bounce(ctx, 0); }
  void on_recover(Context<Message>& ctx) { ctx.note({{"back", true}}); }

  int retries = 0;

 private:
  void bounce(Context<Message>& ctx, int hops) {
    NodeId to = ctx.self();
    while (to == ctx.self()) to = ctx.nodes()[ctx.random().uniform(ctx.nodes().size())];
    ctx.send(to, Ping{hops + 1});
    ctx.set_timer(50, kRetry);
  }
};

struct Counting : EventSink {
  void on_event(const Event& e) override { kinds.push_back(e.kind); }
  std::vector<EventKind> kinds;
};

Driver<Pinger>::Options options(NodeId self, std::uint64_t seed, EventSink* sink = nullptr) {
  return {.self = self, .nodes = {1, 2, 3, 4}, .seed = seed, .first_seq = 0, .sink = sink};
}

TEST(DriverTest, AStepReturnsWhatTheNodeAskedFor) {
  Driver<Pinger> d(Pinger{}, options(1, 7));
  auto ready = d.start(0);
  ASSERT_EQ(ready.sends.size(), 1u);
  EXPECT_NE(ready.sends[0].to, 1u);
  EXPECT_EQ(ready.sends[0].id, (MsgId{1, 1}));
  EXPECT_EQ(ready.sends[0].message.hops, 1);
  ASSERT_EQ(ready.timers.size(), 1u);
  EXPECT_EQ(ready.timers[0].tag, Pinger::kRetry);
  EXPECT_EQ(ready.timers[0].after_ns, 50);
  EXPECT_FALSE(ready.timers[0].cancel);
  d.advance();

  ready = d.deliver(10, 2, MsgId{2, 1}, Ping{3});  // the last hop: only the timer is cancelled
  EXPECT_TRUE(ready.sends.empty());
  ASSERT_EQ(ready.timers.size(), 1u);
  EXPECT_TRUE(ready.timers[0].cancel);
  d.advance();

  ready = d.fire(60, Pinger::kRetry);
  EXPECT_EQ(ready.sends.size(), 1u);
  EXPECT_EQ(ready.sends[0].id, (MsgId{1, 2}));  // numbers go on
  d.advance();
  EXPECT_EQ(d.node().retries, 1);
}

TEST(DriverTest, TheSameSeedAndInputsGiveTheSameOutputs) {
  auto targets = [](std::uint64_t seed) {
    Driver<Pinger> d(Pinger{}, options(1, seed));
    std::vector<NodeId> to;
    to.push_back(d.start(0).sends[0].to);
    d.advance();
    for (int i = 0; i < 20; ++i) {
      to.push_back(d.fire(i * 100, Pinger::kRetry).sends[0].to);
      d.advance();
    }
    return to;
  };
  EXPECT_EQ(targets(7), targets(7));
  EXPECT_NE(targets(7), targets(8));
}

TEST(DriverTest, ARestartedNodeNumbersPastItsLastLifeAndTracesItsRecovery) {
  Counting sink;
  Driver<Pinger> d(Pinger{}, {.self = 1, .nodes = {1, 2}, .seed = 3, .first_seq = 1000, .sink = &sink});
  auto ready = d.recover(5);
  EXPECT_TRUE(ready.sends.empty());
  d.advance();
  ready = d.act(6, [](Pinger&, Context<Ping>& ctx) { ctx.send(2, Ping{}); });
  ASSERT_EQ(ready.sends.size(), 1u);
  EXPECT_EQ(ready.sends[0].id, (MsgId{1, 1001}));
  d.advance();
  EXPECT_EQ(sink.kinds, (std::vector<EventKind>{EventKind::recover, EventKind::state, EventKind::send}));
}

// Several Steppers on one Context, as in the simulator, step each node exactly as a
// Driver of its own does: same targets, same message numbers, same timers.
TEST(StepperTest, NodesSharingOneContextStepAsDriversDo) {
  const std::vector<NodeId> ids{1, 2, 3, 4};
  Context<Ping> shared;
  std::vector<Stepper<Pinger>> steppers;
  std::vector<Driver<Pinger>> drivers;
  for (NodeId id : ids) {
    steppers.emplace_back(Pinger{}, id, 11);
    drivers.emplace_back(Pinger{}, options(id, 11));
  }
  auto same = [&](std::size_t i, const Driver<Pinger>::Ready& ready) {
    ASSERT_EQ(shared.outbox().size(), ready.sends.size());
    for (std::size_t k = 0; k < ready.sends.size(); ++k) {
      EXPECT_EQ(shared.outbox()[k].to, ready.sends[k].to);
      EXPECT_EQ(shared.outbox()[k].id, ready.sends[k].id);
      EXPECT_EQ(shared.outbox()[k].message.hops, ready.sends[k].message.hops);
    }
    ASSERT_EQ(shared.timer_ops().size(), ready.timers.size());
    for (std::size_t k = 0; k < ready.timers.size(); ++k) EXPECT_EQ(shared.timer_ops()[k].cancel, ready.timers[k].cancel);
    shared.outbox().clear();
    shared.timer_ops().clear();
    drivers[i].advance();
  };
  std::size_t sends = 0;
  for (int round = 0; round < 10; ++round) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const StepFrame at{.self = ids[i], .now = round * 100, .nodes = ids};
      if (round == 0) {
        steppers[i].start(shared, at);
        sends += shared.outbox().size();
        same(i, drivers[i].start(at.now));
      } else if (round % 2 == 1) {
        steppers[i].fire(shared, at, Pinger::kRetry);
        sends += shared.outbox().size();
        same(i, drivers[i].fire(at.now, Pinger::kRetry));
      } else {
        steppers[i].deliver(shared, at, ids[(i + 1) % ids.size()], MsgId{ids[(i + 1) % ids.size()], 1}, Ping{1});
        sends += shared.outbox().size();
        same(i, drivers[i].deliver(at.now, ids[(i + 1) % ids.size()], MsgId{ids[(i + 1) % ids.size()], 1}, Ping{1}));
      }
    }
  }
  EXPECT_GT(sends, 30u);
}

// Keeps `kept` across a crash, loses `lost`.
struct Keeper {
  using Message = Ping;
  static constexpr std::size_t kTimerTags = 1;
  void on_start(Context<Message>&) {}
  void on_message(Context<Message>&, NodeId, const Message&) {}
  void on_timer(Context<Message>&, TimerTag) {}
  void on_recover(Context<Message>& ctx) { ctx.send(2, Ping{kept}); }
  struct Durable {
    int kept;
  };
  Durable durable() const { return {kept}; }
  void restore(const Durable& d) { kept = d.kept; }
  int kept = 0;
  int lost = 0;
};

TEST(StepperTest, ARestartKeepsTheDurablePartAndTheMessageNumbers) {
  Driver<Keeper> d(Keeper{}, {.self = 1, .nodes = {1, 2}, .seed = 3});
  d.act(0, [](Keeper& k, Context<Ping>& ctx) {
    k.kept = 5;
    k.lost = 6;
    ctx.send(2, Ping{});
  });
  d.advance();
  d.restart(Keeper{});
  EXPECT_EQ(d.node().kept, 5);
  EXPECT_EQ(d.node().lost, 0);
  const auto ready = d.recover(10);
  ASSERT_EQ(ready.sends.size(), 1u);
  EXPECT_EQ(ready.sends[0].id, (MsgId{1, 2}));
  EXPECT_EQ(ready.sends[0].message.hops, 5);
}

}  // namespace
}  // namespace distlab
