#include "distlab/runtime/reliable.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <queue>
#include <tuple>
#include <vector>

#include "distlab/core/random.h"

namespace distlab::reliable {
namespace {

// A payload: who sent it and its number among that sender's messages to that receiver.
struct Msg {
  NodeId from;
  std::uint64_t n;
};

// Nodes 1..count on a network that loses, duplicates and reorders frames, each frame
// arriving 1..max_latency after its send; a node may be down (frames to it vanish)
// and restart as a new incarnation.
class Net {
 public:
  struct Faults {
    double loss = 0;
    double dup = 0;
    Nanos latency_max_ns = 10 * kMillisecond;
  };

  Net(std::uint32_t count, Faults faults, std::uint64_t seed)
      : faults_(faults), rng_(seed), settings_(Settings::for_latency(faults.latency_max_ns)) {
    for (NodeId id = 1; id <= count; ++id) nodes_.emplace(id, Node(settings_));
  }

  void send(NodeId from, NodeId to) {
    Node& node = nodes_.at(from);
    if (!node.up) return;
    Io io{this, from};
    node.links.send(to, Msg{from, ++node.sent[to]}, now_, io);
  }

  void crash(NodeId id) { nodes_.at(id).up = false; }
  // Frames from `from` to `to` vanish while cut (one way of a partition).
  void cut(NodeId from, NodeId to, bool on) { cut_[{from, to}] = on; }
  void restart(NodeId id) {
    Node& old = nodes_.at(id);
    Node fresh(settings_, old.links.incarnation() + 1);
    fresh.sent = old.sent;  // numbers go on, so a message of either life is told apart
    fresh.got = old.got;
    old = std::move(fresh);
  }

  // Runs until nothing is in flight or due, or `until_ns`.
  void run(Nanos until_ns) {
    for (;;) {
      std::optional<Nanos> next;
      if (!frames_.empty()) next = std::get<0>(frames_.top());
      for (auto& [id, node] : nodes_) {
        if (!node.up) continue;
        if (auto t = node.links.next_deadline(); t && (!next || *t < *next)) next = *t;
      }
      if (!next || *next > until_ns) return;
      now_ = *next;
      if (!frames_.empty() && std::get<0>(frames_.top()) == now_) {
        auto [t, order, to, from, h, payload] = frames_.top();
        frames_.pop();
        Node& node = nodes_.at(to);
        if (!node.up) continue;
        Io io{this, to};
        node.links.on_frame(from, h, payload ? &*payload : nullptr, now_, io);
        continue;
      }
      for (auto& [id, node] : nodes_) {
        if (!node.up) continue;
        if (auto t = node.links.next_deadline(); t && *t == now_) {
          Io io{this, id};
          node.links.on_deadline(now_, io);
        }
      }
    }
  }

  // What `to` received from `from`, in order of delivery.
  const std::vector<std::uint64_t>& got(NodeId to, NodeId from) { return nodes_.at(to).got[from]; }
  std::uint64_t sent(NodeId from, NodeId to) { return nodes_.at(from).sent[to]; }
  const std::vector<std::tuple<NodeId, NodeId, std::uint64_t, Abandoned>>& abandoned() const { return abandoned_; }
  const Counters& counters(NodeId id) const { return nodes_.at(id).links.counters(); }
  std::uint64_t frames_sent() const { return frames_sent_; }
  Nanos now() const { return now_; }

 private:
  struct Node {
    explicit Node(Settings s, std::uint64_t inc = 1) : links(inc, s) {}
    Links<Msg> links;
    bool up = true;
    std::map<NodeId, std::uint64_t> sent;
    std::map<NodeId, std::vector<std::uint64_t>> got;
  };
  struct Io {
    Net* net;
    NodeId self;
    void transmit(NodeId to, const Header& h, const Msg* payload) {
      ++net->frames_sent_;
      if (net->cut_[{self, to}]) return;
      if (net->rng_.chance(net->faults_.loss)) return;
      const int copies = net->rng_.chance(net->faults_.dup) ? 2 : 1;
      for (int i = 0; i < copies; ++i) {
        const Nanos at = net->now_ + net->rng_.between(1, net->faults_.latency_max_ns);
        std::optional<Msg> p;
        if (payload != nullptr) p = *payload;
        net->frames_.emplace(at, net->order_++, to, self, h, p);
      }
    }
    void deliver(NodeId from, Msg&& m) {
      EXPECT_EQ(m.from, from);
      net->nodes_.at(self).got[from].push_back(m.n);
    }
    void abandon(NodeId to, Msg&& m, Abandoned why) { net->abandoned_.emplace_back(self, to, m.n, why); }
  };
  using Frame = std::tuple<Nanos, std::uint64_t, NodeId, NodeId, Header, std::optional<Msg>>;
  struct Later {
    bool operator()(const Frame& a, const Frame& b) const {
      return std::tie(std::get<0>(a), std::get<1>(a)) > std::tie(std::get<0>(b), std::get<1>(b));
    }
  };

  Faults faults_;
  Rng rng_;
  Settings settings_;
  Nanos now_ = 0;
  std::uint64_t order_ = 0;
  std::uint64_t frames_sent_ = 0;
  std::map<NodeId, Node> nodes_;
  std::map<std::pair<NodeId, NodeId>, bool> cut_;
  std::priority_queue<Frame, std::vector<Frame>, Later> frames_;
  std::vector<std::tuple<NodeId, NodeId, std::uint64_t, Abandoned>> abandoned_;
};

std::vector<std::uint64_t> one_to(std::uint64_t n) {
  std::vector<std::uint64_t> v(n);
  for (std::uint64_t i = 0; i < n; ++i) v[i] = i + 1;
  return v;
}

TEST(ReliableLinks, EveryMessageArrivesOnceAndInOrderDespiteLossDuplicationAndReordering) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Net net(3, {.loss = 0.3, .dup = 0.2, .latency_max_ns = 10 * kMillisecond}, seed);
    Rng pick(seed ^ 0x5eed);
    for (int i = 0; i < 300; ++i) {  // 300 messages, bursts between random pairs
      const auto from = static_cast<NodeId>(pick.between(1, 3));
      const auto to = static_cast<NodeId>((from + pick.between(0, 1)) % 3 + 1);  // one of the other two
      net.send(from, to);
      net.run(net.now() + pick.between(0, 2 * kMillisecond));
    }
    net.run(kNanosMax);
    ASSERT_TRUE(net.abandoned().empty()) << "seed " << seed;
    for (NodeId from = 1; from <= 3; ++from) {
      for (NodeId to = 1; to <= 3; ++to) {
        if (from == to) continue;
        ASSERT_EQ(net.got(to, from), one_to(net.sent(from, to))) << "seed " << seed << ", " << from << "->" << to;
      }
    }
  }
}

TEST(ReliableLinks, ManyPeersEachMeetTheirDeadlinesDespiteLoss) {
  // Forty nodes, each with 39 links whose deadlines move at every frame: the entries
  // they leave behind outnumber the links many times over and are swept out; a lost
  // deadline would leave a message never retransmitted.
  constexpr std::uint32_t kNodes = 40;
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    Net net(kNodes, {.loss = 0.3, .dup = 0.1, .latency_max_ns = 10 * kMillisecond}, seed);
    Rng pick(seed ^ 0xfeed);
    for (int i = 0; i < 3000; ++i) {
      const auto from = static_cast<NodeId>(pick.between(1, kNodes));
      const auto to = static_cast<NodeId>((from + pick.between(0, kNodes - 2)) % kNodes + 1);  // another
      net.send(from, to);
      if (i % 10 == 0) net.run(net.now() + pick.between(0, kMillisecond));
    }
    net.run(kNanosMax);
    ASSERT_TRUE(net.abandoned().empty()) << "seed " << seed;
    for (NodeId from = 1; from <= kNodes; ++from) {
      for (NodeId to = 1; to <= kNodes; ++to) {
        if (from != to) ASSERT_EQ(net.got(to, from), one_to(net.sent(from, to))) << "seed " << seed;
      }
    }
  }
}

TEST(ReliableLinks, ALosslessLinkCostsFewFramesBeyondTheMessages) {
  // A steady stream one way, one message a millisecond: acks ride on nothing (no
  // traffic back), so they come on their own, one per ack delay or kAckEvery messages.
  Net net(2, {.latency_max_ns = 5 * kMillisecond}, 7);
  for (int i = 0; i < 1000; ++i) {
    net.send(1, 2);
    net.run(net.now() + kMillisecond);
  }
  net.run(kNanosMax);
  EXPECT_EQ(net.got(2, 1), one_to(1000));
  EXPECT_EQ(net.counters(1).retransmitted, 0U);
  const std::uint64_t overhead = net.frames_sent() - 1000;
  EXPECT_LT(overhead, 100U) << overhead << " frames beyond 1000 messages";
}

TEST(ReliableLinks, TrafficBothWaysCarriesTheAcks) {
  Net net(2, {.latency_max_ns = 2 * kMillisecond}, 3);
  for (int i = 0; i < 500; ++i) {
    net.send(1, 2);
    net.send(2, 1);
    net.run(net.now() + kMillisecond);
  }
  net.run(kNanosMax);
  EXPECT_EQ(net.got(2, 1), one_to(500));
  EXPECT_EQ(net.got(1, 2), one_to(500));
  EXPECT_LT(net.counters(1).bare_acks + net.counters(2).bare_acks, 10U);
}

TEST(ReliableLinks, APeerThatNeverAnswersIsGivenUpAndLaterMessagesAreAbandoned) {
  Net net(2, {}, 1);
  net.crash(2);
  net.send(1, 2);
  net.send(1, 2);
  net.run(kNanosMax);  // retransmits with backoff, then gives up: the run ends by itself
  EXPECT_EQ(net.counters(1).gave_up, 1U);
  EXPECT_EQ(net.counters(1).retransmitted, 2U * Settings::for_latency(10 * kMillisecond).max_tries);
  ASSERT_EQ(net.abandoned().size(), 2U);
  EXPECT_EQ(std::get<3>(net.abandoned()[0]), Abandoned::unreachable);
  net.send(1, 2);  // gone for good: abandoned at once
  ASSERT_EQ(net.abandoned().size(), 3U);
  EXPECT_EQ(std::get<2>(net.abandoned()[2]), 3U);
}

// A link cut long enough for the timeout to double to its longest, then healed: the
// message waiting goes out as soon as the peer is heard from again, not at the end of
// the backoff (a partition's end in a real run).
TEST(ReliableLinks, AfterAPartitionHealsWhatWaitsGoesOutOnceThePeerIsHeard) {
  const Settings s = Settings::for_latency(10 * kMillisecond);
  Net net(2, {}, 1);
  net.cut(2, 1, true);
  net.send(2, 1);
  net.run(4 * s.max_timeout_ns);  // tries with backoff, up to the longest timeout
  ASSERT_TRUE(net.got(1, 2).empty());
  // Heal right after a retransmission, so the backed-off timer is a whole timeout away.
  const std::uint64_t tries = net.counters(2).retransmitted;
  Nanos t = net.now();
  while (net.counters(2).retransmitted == tries && t < 6 * s.max_timeout_ns) net.run(t += kMillisecond);
  ASSERT_GT(net.counters(2).retransmitted, tries);
  ASSERT_EQ(net.counters(2).gave_up, 0U);
  net.cut(2, 1, false);
  net.send(1, 2);  // node 2 hears from node 1
  net.run(net.now() + s.first_timeout_ns + 3 * 10 * kMillisecond);
  EXPECT_EQ(net.got(1, 2), std::vector<std::uint64_t>{1});
  EXPECT_LT(s.first_timeout_ns + 3 * 10 * kMillisecond, s.max_timeout_ns / 2);  // so the test means something
}

TEST(ReliableLinks, ARestartedPeerIsTaughtAndNumberingStartsAgain) {
  Net net(2, {.loss = 0.1}, 11);
  for (int i = 0; i < 20; ++i) net.send(1, 2);
  net.run(kNanosMax);
  ASSERT_EQ(net.got(2, 1), one_to(20));
  net.crash(2);
  net.restart(2);  // node 2 comes back as incarnation 2, knowing nothing
  for (int i = 0; i < 20; ++i) net.send(1, 2);
  net.send(2, 1);
  net.run(kNanosMax);
  // Node 1 numbered its messages for the old node 2; the new one refused them, taught
  // node 1 its incarnation, and node 1 gave up what it had queued for the old one.
  std::vector<std::uint64_t> got = net.got(2, 1);
  ASSERT_GE(got.size(), 20U);
  got.erase(got.begin(), got.begin() + 20);
  for (std::size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1], got[i]) << "in order";
  std::uint64_t abandoned = 0;
  for (const auto& a : net.abandoned()) {
    EXPECT_EQ(std::get<3>(a), Abandoned::peer_restarted);
    ++abandoned;
  }
  EXPECT_EQ(got.size() + abandoned, 20U) << "each message either arrived or was said to be abandoned";
  EXPECT_EQ(net.got(1, 2), std::vector<std::uint64_t>{1});
}

TEST(ReliableLinks, FramesThatAreNotTheLayersAreIgnored) {
  Links<Msg> links(1, Settings{});
  struct Io {
    int calls = 0;
    void transmit(NodeId, const Header&, const Msg*) { ++calls; }
    void deliver(NodeId, Msg&&) { ++calls; }
    void abandon(NodeId, Msg&&, Abandoned) { ++calls; }
  } io;
  Msg m{2, 1};
  links.on_frame(2, Header{.from_inc = 0, .seq = 1}, &m, 0, io);   // no incarnation
  links.on_frame(2, Header{.from_inc = 1, .seq = 0}, &m, 0, io);   // an ack with a payload
  links.on_frame(2, Header{.from_inc = 1, .seq = 1}, nullptr, 0, io);  // data without one
  links.on_frame(2, Header{.from_inc = 1, .to_inc = 1, .ack = 99}, nullptr, 0, io);  // acks the unsent
  links.on_frame(2, Header{.from_inc = 1, .seq = 1 + kWindow}, &m, 0, io);  // beyond the window
  EXPECT_EQ(io.calls, 0);
  EXPECT_FALSE(links.next_deadline().has_value());
}

TEST(ReliableLinks, AFullBacklogAbandonsTheNextMessage) {
  Links<Msg> links(1, Settings{});
  struct Io {
    std::uint64_t sent = 0;
    std::vector<Abandoned> abandoned;
    void transmit(NodeId, const Header&, const Msg*) { ++sent; }
    void deliver(NodeId, Msg&&) {}
    void abandon(NodeId, Msg&&, Abandoned why) { abandoned.push_back(why); }
  } io;
  for (std::uint64_t i = 0; i < kWindow + kMaxBacklog + 1; ++i) links.send(2, Msg{1, i}, 0, io);
  EXPECT_EQ(io.sent, kWindow);
  EXPECT_EQ(links.in_flight(2), kWindow + kMaxBacklog);
  EXPECT_EQ(io.abandoned, std::vector<Abandoned>{Abandoned::backlog_full});
}

TEST(ReliableLinks, DueLinksAreMetInTheOrderOfTheirPeersWhateverTheirDeadlines) {
  Settings settings;
  settings.first_timeout_ns = 100;
  settings.max_timeout_ns = 100;
  Links<Msg> links(1, settings);
  struct Io {
    std::vector<NodeId> to;
    void transmit(NodeId peer, const Header& h, const Msg*) {
      if (h.seq != 0) to.push_back(peer);
    }
    void deliver(NodeId, Msg&&) {}
    void abandon(NodeId, Msg&&, Abandoned) {}
  } io;
  // Peer 5's retransmission is due first, then 3's, then 9's; none is acknowledged.
  links.send(5, Msg{1, 1}, 0, io);
  links.send(3, Msg{1, 1}, 10, io);
  links.send(9, Msg{1, 1}, 20, io);
  EXPECT_EQ(links.next_deadline(), std::optional<Nanos>(100));
  // Peer 5 acknowledges (it learns our incarnation from the frame): 3's is next.
  links.on_frame(5, Header{.from_inc = 1, .to_inc = 1, .ack = 1}, nullptr, 50, io);
  EXPECT_EQ(links.next_deadline(), std::optional<Nanos>(110));
  io.to.clear();
  links.on_deadline(115, io);  // only 3's is due
  EXPECT_EQ(io.to, std::vector<NodeId>{3});
  EXPECT_EQ(links.next_deadline(), std::optional<Nanos>(120));  // 9's; 3's again at 215
  links.send(7, Msg{1, 1}, 116, io);                              // due at 216
  io.to.clear();
  links.on_deadline(300, io);  // 9, 3 and 7 all due: met by peer id, not by deadline
  EXPECT_EQ(io.to, (std::vector<NodeId>{3, 7, 9}));
  EXPECT_EQ(links.next_deadline(), std::optional<Nanos>(400));
}

TEST(ReliableFifo, KeepsItsOrderAcrossPopsThatReuseTheVector) {
  Fifo<std::uint64_t> q;
  std::deque<std::uint64_t> model;
  Rng rng(7);
  for (std::uint64_t next = 0; next < 5000;) {
    if (q.empty() || rng.chance(0.55)) {
      q.push_back(next);
      model.push_back(next++);
    } else {
      ASSERT_EQ(q.front(), model.front());
      q.pop_front();
      model.pop_front();
    }
    ASSERT_EQ(q.size(), model.size());
    ASSERT_EQ(q.empty(), model.empty());
    if (!q.empty()) ASSERT_EQ(q.back(), model.back());
  }
  EXPECT_TRUE(std::equal(q.begin(), q.end(), model.begin(), model.end()));
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.begin(), q.end());
}

}  // namespace
}  // namespace distlab::reliable
