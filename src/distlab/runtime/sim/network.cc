#include "distlab/runtime/sim/network.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"

namespace distlab::sim {
namespace {

// Draws far in the tail are clamped so that time never overflows.
constexpr double kMaxLatencyNs = 1e15;  // about 11.6 days

Nanos to_nanos(double value) {
  if (!(value > 0)) return 0;  // also catches NaN
  return static_cast<Nanos>(std::llround(std::min(value, kMaxLatencyNs)));
}

bool contains(const std::vector<NodeId>& sorted, NodeId id) {
  return std::binary_search(sorted.begin(), sorted.end(), id);
}

}  // namespace

// exp and normal go through std::log/std::cos. Results are rounded to whole
// nanoseconds, so a last-bit difference between math libraries almost never shows.
Nanos Latency::sample(Rng& rng) const {
  switch (kind_) {
    case Kind::constant: return a_;
    case Kind::uniform: return rng.between(a_, b_);
    case Kind::exponential: {
      const double u = 1.0 - rng.unit();  // (0, 1]
      return to_nanos(-static_cast<double>(a_) * std::log(u));
    }
    case Kind::normal: {
      const double u1 = 1.0 - rng.unit();
      const double u2 = rng.unit();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      return to_nanos(static_cast<double>(a_) + static_cast<double>(b_) * z);
    }
  }
  DISTLAB_ASSERT(false, "unknown latency kind");
  return 0;
}

std::string Latency::to_string() const {
  switch (kind_) {
    case Kind::constant: return "const:" + format_duration(a_);
    case Kind::uniform: return fmt::format("uniform:{}:{}", format_duration(a_), format_duration(b_));
    case Kind::exponential: return "exp:" + format_duration(a_);
    case Kind::normal: return fmt::format("normal:{}:{}", format_duration(a_), format_duration(b_));
  }
  return "?";
}

Partition Partition::two_way(std::vector<std::vector<NodeId>> groups, Nanos start_ns,
                             Nanos end_ns) {
  Partition p;
  for (auto& g : groups) std::sort(g.begin(), g.end());
  p.groups = std::move(groups);
  p.start_ns = start_ns;
  p.end_ns = end_ns;
  return p;
}

Partition Partition::one_way(std::vector<NodeId> from, std::vector<NodeId> to, Nanos start_ns,
                             Nanos end_ns) {
  Partition p = two_way({std::move(from), std::move(to)}, start_ns, end_ns);
  p.directed = true;
  return p;
}

bool Partition::cuts(NodeId from, NodeId to, Nanos t) const {
  if (t < start_ns || t >= end_ns) return false;
  if (directed) return contains(groups[0], from) && contains(groups[1], to);
  int from_group = -1;
  int to_group = -1;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (contains(groups[i], from)) from_group = static_cast<int>(i);
    if (contains(groups[i], to)) to_group = static_cast<int>(i);
  }
  return from_group >= 0 && to_group >= 0 && from_group != to_group;
}

std::string Partition::to_string() const {
  std::string text;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (i > 0) text += directed ? ">" : "/";
    text += fmt::format("{}", fmt::join(groups[i], ","));
  }
  const std::string end = end_ns == kNanosMax ? "" : format_duration(end_ns);
  return fmt::format("{}@{}..{}", text, format_duration(start_ns), end);
}

bool NetworkModel::constant_latency() const {
  if (!defaults.latency.is_constant()) return false;
  return std::all_of(links.begin(), links.end(),
                     [](const auto& entry) { return entry.second.latency.is_constant(); });
}

}  // namespace distlab::sim
