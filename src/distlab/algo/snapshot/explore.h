// Chandy-Lamport snapshots as `distlab explore` checks them (harness/explore/explorer.h):
// the bank under the snapshot layer, on reliable FIFO channels without crashes (what the
// algorithm assumes). Each node makes its share of `transfers` payments, each at any
// moment (the pay timer is free), and the initiator starts one snapshot at any moment
// (its `initiate` timer, free too). Each node counts the transfers it has sent on each
// outgoing channel and received on each incoming one, and keeps the counts it had when
// it recorded, so the snapshot can be judged against what really happened:
//
// - consistent_cut: no transfer is received before its receiver recorded and sent after
//   its sender recorded (a cut that runs backwards in time);
// - snapshot_channels: a closed channel c->n holds exactly the transfers c sent before
//   it recorded and n received after it recorded (FIFO: those, in that order);
// - money_conserved: once every node recorded and every channel closed, the recorded
//   balances and the amounts in recorded channels add up to the money there is;
// - snapshot_complete, where nothing is left to happen: every node recorded and (the
//   Chandy-Lamport rule) every channel closed. Channels the seed's rule leaves open are
//   judged there as the run's end reports them.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "distlab/algo/explore_model.h"
#include "distlab/algo/snapshot/bank.h"
#include "distlab/algo/snapshot/snapshot.h"
#include "distlab/algo/snapshot/topology.h"
#include "distlab/core/assert.h"
#include "distlab/core/context.h"
#include "distlab/core/fingerprint.h"

namespace distlab::snapshot {

// One bank node under the snapshot layer, with the timer that starts the snapshot and
// the transfer counts the checks need. Node ids are 1..n.
class ExploreNode {
 public:
  using Layer = Snapshotting<BankNode>;
  using Message = Layer::Message;
  enum : TimerTag { kInitiate = BankNode::kTimerTags };
  static constexpr std::size_t kTimerTags = BankNode::kTimerTags + 1;
  static std::string_view timer_name(TimerTag tag) {
    return tag == kInitiate ? "initiate" : BankNode::timer_name(tag);
  }

  static constexpr std::size_t kMaxNodes = 4;
  // Transfer counts per peer (index id - 1); at most kMaxTransfers in all.
  static constexpr std::uint32_t kMaxTransfers = 6;
  struct Counts {
    std::array<std::uint8_t, kMaxNodes> sent{};      // on each outgoing channel
    std::array<std::uint8_t, kMaxNodes> received{};  // on each incoming channel
  };

  // `initiator`: the node that starts the snapshot.
  ExploreNode(NodeId self, const BankOptions& bank, RecordingRule rule, NodeId initiator)
      : self_(self), initiator_(initiator), layer_(self, BankNode(self, bank), bank.topology, rule) {
    DISTLAB_ASSERT(self >= 1 && self <= kMaxNodes && bank.transfers <= kMaxTransfers);
  }

  void on_start(Context<Message>& ctx) {
    layer_.on_start(ctx);
    if (self_ == initiator_) ctx.set_timer(0, kInitiate);
  }
  void on_message(Context<Message>& ctx, NodeId from, const Message& m) {
    if (std::holds_alternative<Transfer>(m)) ++counts_.received[from - 1];
    watch(ctx, [&] { layer_.on_message(ctx, from, m); });
  }
  void on_timer(Context<Message>& ctx, TimerTag tag) {
    if (tag == kInitiate) {
      watch(ctx, [&] { layer_.initiate(ctx, snapshot_id()); });
    } else {
      watch(ctx, [&] { layer_.on_timer(ctx, tag); });
    }
  }
  void on_recover(Context<Message>& ctx) {
    watch(ctx, [&] { layer_.on_recover(ctx); });
  }

  // The run is over: channels still recording report what they hold (trace notes).
  void finish(Context<Message>& ctx) { layer_.finish(ctx); }

  const Layer& layer() const { return layer_; }
  // This node's part of the snapshot; null before it records.
  const Layer::LocalSnapshot* local() const {
    const auto it = layer_.snapshots().find(snapshot_id());
    return it == layer_.snapshots().end() ? nullptr : &it->second;
  }
  // The transfer counts when this node recorded.
  const std::optional<Counts>& cut() const { return cut_; }
  std::int64_t balance() const { return layer_.app().balance(); }

  // The counts matter until the node records; then only those it recorded.
  void fingerprint(StateHasher& h, Nanos now) const {
    layer_.fingerprint(h, now);
    const Counts& c = cut_ ? *cut_ : counts_;
    h.add(cut_.has_value());
    for (std::size_t i = 0; i < c.sent.size(); ++i)
      h.add(static_cast<std::uint64_t>(c.sent[i]) << 32 | c.received[i]);
  }

 private:
  // The one snapshot: the initiator's first.
  SnapshotId snapshot_id() const { return {initiator_, 1}; }

  // Runs a handler of the layer, then counts the transfers it sent; a node that recorded
  // in it (a marker or the initiation, which send no transfer) keeps its counts then.
  template <class Handler>
  void watch(Context<Message>& ctx, Handler&& handler) {
    const std::size_t queued = ctx.outbox().size();
    const std::size_t recorded = layer_.snapshots().size();
    std::forward<Handler>(handler)();
    if (!cut_ && layer_.snapshots().size() > recorded) cut_ = counts_;
    for (std::size_t k = queued; k < ctx.outbox().size(); ++k) {
      if (std::holds_alternative<Transfer>(ctx.outbox()[k].message)) ++counts_.sent[ctx.outbox()[k].to - 1];
    }
  }

  NodeId self_;
  NodeId initiator_;
  Layer layer_;
  Counts counts_;
  std::optional<Counts> cut_;
};

struct ExploreModel {
  using Node = ExploreNode;
  std::vector<NodeId> ids;  // 1..n
  std::shared_ptr<const Topology> topology;
  RecordingRule rule = RecordingRule::chandy_lamport;
  NodeId initiator = 1;
  std::uint32_t transfers = 2;  // in all: node 1 makes the first, node 2 the second, ...
  std::int64_t initial_balance = 100;

  Node make(NodeId id) const {
    const auto n = static_cast<std::uint32_t>(ids.size());
    const std::uint32_t share = transfers / n + (id - 1 < transfers % n ? 1 : 0);
    const BankOptions bank{.topology = topology, .initial_balance = initial_balance, .transfers = share};
    return ExploreNode(id, bank, rule, initiator);
  }
  // Payments and the snapshot's start may come at any moment.
  bool free_timer(TimerTag) const { return true; }
  // Chandy-Lamport assumes no crashes (the command refuses the budgets).
  bool may_crash(NodeId) const { return false; }

  template <class View>
  std::optional<explore::Violation> safety(const View& v) const {
    return judge(v, false);
  }
  template <class View>
  std::optional<explore::Violation> quiescent(const View& v) const {
    return judge(v, true);
  }

 private:
  // `at_end`: nothing is left to happen; open channels are judged as they stand.
  template <class View>
  std::optional<explore::Violation> judge(const View& v, bool at_end) const {
    bool whole = true;  // every node recorded and every channel is closed
    std::int64_t recorded_money = 0;
    for (std::size_t n = 0; n < v.size(); ++n) {
      const ExploreNode& node = v.node(n);
      const auto* local = node.local();
      if (local == nullptr) {
        if (at_end) {
          return explore::Violation{
              "snapshot_complete",
              fmt::format("nothing is left to happen and node {} never recorded", v.id(n))};
        }
        whole = false;
        continue;
      }
      recorded_money += local->state->balance();
      for (const auto& channel : local->channels) {
        if (channel.recording && !at_end) {
          whole = false;
          continue;
        }
        if (channel.recording && rule == RecordingRule::chandy_lamport) {
          return explore::Violation{
              "snapshot_complete",
              fmt::format("nothing is left to happen and channel {}->{} is still recording", channel.from,
                          v.id(n))};
        }
        const ExploreNode& sender = v.node(channel.from - 1);
        if (!sender.cut()) {  // the channel closed before its sender recorded: no marker did that
          whole = false;
          continue;
        }
        const std::uint32_t sent = sender.cut()->sent[v.id(n) - 1];
        const std::uint32_t received = node.cut()->received[channel.from - 1];
        if (received > sent) {
          return explore::Violation{
              "consistent_cut",
              fmt::format(
                  "node {} recorded after receiving {} transfer(s) from node {}, which recorded after "
                  "sending {}",
                  v.id(n), received, channel.from, sent)};
        }
        if (channel.messages.size() != sent - received) {
          return explore::Violation{
              "snapshot_channels",
              fmt::format("channel {}->{} recorded {} transfer(s); {} were sent before node {} recorded and "
                          "received after node {} recorded",
                          channel.from, v.id(n), channel.messages.size(), sent - received, channel.from,
                          v.id(n))};
        }
        for (const auto& m : channel.messages) recorded_money += m.message.amount;
      }
    }
    const std::int64_t money = initial_balance * static_cast<std::int64_t>(v.size());
    if (whole && recorded_money != money) {
      return explore::Violation{
          "money_conserved",
          fmt::format("the snapshot holds {} in balances and channels; there is {}", recorded_money, money)};
    }
    return std::nullopt;
  }
};

}  // namespace distlab::snapshot
