// The simulated network: latency, loss, duplication, FIFO and partitions.
//
// A NetworkModel holds run-wide defaults and optional per-link overrides. The
// simulator asks it, for every message, whether the link is cut and what latency to
// draw; all draws come from the run's network random stream.
//
//   NetworkModel net;
//   net.defaults.latency = Latency::uniform(1 * kMillisecond, 20 * kMillisecond);
//   net.defaults.loss = 0.01;
//   net.partitions.push_back(Partition::two_way({{1, 2}, {3}}, 5 * kSecond, 9 * kSecond));
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "distlab/core/random.h"
#include "distlab/core/types.h"

namespace distlab::sim {

class Latency {
 public:
  enum class Kind { constant, uniform, exponential, normal };

  static Latency constant(Nanos value_ns) { return {Kind::constant, value_ns, 0}; }
  static Latency uniform(Nanos lo_ns, Nanos hi_ns) { return {Kind::uniform, lo_ns, hi_ns}; }
  static Latency exponential(Nanos mean_ns) { return {Kind::exponential, mean_ns, 0}; }
  // Normal, clamped at 0.
  static Latency normal(Nanos mean_ns, Nanos stddev_ns) { return {Kind::normal, mean_ns, stddev_ns}; }

  Kind kind() const { return kind_; }
  // Every draw gives the same value: FIFO then holds without any bookkeeping.
  bool is_constant() const { return kind_ == Kind::constant || (kind_ == Kind::uniform && a_ == b_); }

  // The least and the most a draw can give: both for constant and uniform, nullopt
  // for exponential and normal (unbounded).
  std::optional<std::pair<Nanos, Nanos>> bounds() const {
    if (kind_ == Kind::constant) return std::pair{a_, a_};
    if (kind_ == Kind::uniform) return std::pair{a_, b_};
    return std::nullopt;
  }

  // One draw, in ns, never negative.
  Nanos sample(Rng& rng) const;
  // The most a draw gives, or for an unbounded latency one rarely passed (exponential:
  // 5 means, normal: 4 standard deviations above the mean); the reliable layer's
  // timeouts are made from it.
  Nanos high_ns() const;

  // The spec it was parsed from: "const:5ms", "uniform:1ms:20ms", "exp:10ms", "normal:10ms:3ms".
  std::string to_string() const;
  // The other way (--latency's value); throws InputError naming the option.
  static Latency parse(std::string_view spec);

 private:
  Latency(Kind kind, Nanos a, Nanos b) : kind_(kind), a_(a), b_(b) {}
  Kind kind_;
  Nanos a_;  // constant value, uniform low, mean
  Nanos b_;  // uniform high, standard deviation
};

struct LinkModel {
  Latency latency = Latency::constant(1 * kMillisecond);
  double loss = 0.0;  // probability that a message is lost
  double dup = 0.0;   // probability that a message is delivered twice
};

// Messages sent while a partition is active, across it, are dropped; the decision
// is taken when a message is sent (a message already in flight still arrives).
struct Partition {
  // Two-way: messages between any two different groups are cut.
  static Partition two_way(std::vector<std::vector<NodeId>> groups, Nanos start_ns, Nanos end_ns);
  // One-way: messages from a node of `from` to a node of `to` are cut; replies pass.
  static Partition one_way(std::vector<NodeId> from, std::vector<NodeId> to, Nanos start_ns,
                           Nanos end_ns);

  bool cuts(NodeId from, NodeId to, Nanos t) const;
  // "1,2/3@1s..5s" (two-way) or "1>2,3@1s.." (one-way, open end): --partition's value.
  std::string to_string() const;
  // The other way, for the nodes `ids` (sorted); throws InputError naming the option.
  static Partition parse(std::string_view spec, std::span<const NodeId> ids);

  bool directed = false;                    // one-way: groups[0] -> groups[1]
  std::vector<std::vector<NodeId>> groups;  // each sorted
  Nanos start_ns = 0;
  Nanos end_ns = kNanosMax;  // exclusive
};

struct NetworkModel {
  LinkModel defaults;
  std::map<std::pair<NodeId, NodeId>, LinkModel> links;  // (from, to) overrides
  bool fifo = true;
  std::vector<Partition> partitions;
  // Messages go through the reliable layer (runtime/reliable.h), as an algorithm that
  // needs reliable FIFO channels asks: the network above loses, duplicates and
  // reorders the layer's frames, and the layer delivers every message once, in order.
  bool reliable = false;

  const LinkModel& link(NodeId from, NodeId to) const {
    if (links.empty()) return defaults;
    auto it = links.find({from, to});
    return it == links.end() ? defaults : it->second;
  }

  bool cut(NodeId from, NodeId to, Nanos t) const {
    for (const Partition& p : partitions) {
      if (p.cuts(from, to, t)) return true;
    }
    return false;
  }

  // True when every link has a constant latency, so FIFO needs no bookkeeping.
  bool constant_latency() const;
  // The highest Latency::high_ns() of every link.
  Nanos latency_high_ns() const;
};

}  // namespace distlab::sim
