#include "distlab/runtime/sim/network.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"
#include "distlab/runtime/sim/spec.h"

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

Nanos Latency::high_ns() const {
  switch (kind_) {
    case Kind::constant: return a_;
    case Kind::uniform: return b_;
    case Kind::exponential: return 5 * a_;
    case Kind::normal: return std::max<Nanos>(0, a_ + 4 * b_);
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

Latency Latency::parse(std::string_view spec) {
  constexpr std::string_view kOption = "--latency";
  const auto parts = split_spec(spec, ':');
  const std::string_view kind = parts[0];
  auto arg = [&](std::size_t i) { return parse_time(kOption, spec, parts[i]); };
  auto expect = [&](std::size_t n, std::string_view form) {
    if (parts.size() != n) spec_error(kOption, spec, fmt::format("expected {}", form));
  };
  if (kind == "const") {
    expect(2, "const:DURATION, e.g. const:5ms");
    return Latency::constant(arg(1));
  }
  if (kind == "uniform") {
    expect(3, "uniform:MIN:MAX, e.g. uniform:1ms:20ms");
    const Nanos lo = arg(1);
    const Nanos hi = arg(2);
    if (hi < lo) spec_error(kOption, spec, "MIN is larger than MAX");
    return Latency::uniform(lo, hi);
  }
  if (kind == "exp") {
    expect(2, "exp:MEAN, e.g. exp:10ms");
    const Nanos mean = arg(1);
    if (mean <= 0) spec_error(kOption, spec, "the mean must be positive");
    return Latency::exponential(mean);
  }
  if (kind == "normal") {
    expect(3, "normal:MEAN:STDDEV, e.g. normal:10ms:3ms");
    return Latency::normal(arg(1), arg(2));
  }
  spec_error(kOption, spec, "unknown distribution (use const, uniform, exp or normal)");
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

Partition Partition::parse(std::string_view value, std::span<const NodeId> ids) {
  constexpr std::string_view kOption = "--partition";
  const std::size_t at = value.find('@');
  if (at == std::string_view::npos) {
    spec_error(kOption, value, "expected GROUPS@START..END, e.g. 1,2/3@1s..5s or 1>2,3@1s..");
  }
  const std::string_view groups_text = value.substr(0, at);
  const std::string_view window = value.substr(at + 1);
  const std::size_t dots = window.find("..");
  if (dots == std::string_view::npos) spec_error(kOption, value, "expected a time window START..END (END may be empty)");
  const Nanos start = parse_time(kOption, value, window.substr(0, dots));
  const std::string_view end_text = window.substr(dots + 2);
  const Nanos end = end_text.empty() ? kNanosMax : parse_time(kOption, value, end_text);
  if (end <= start) spec_error(kOption, value, "the window ends before it starts");

  const bool directed = groups_text.find('>') != std::string_view::npos;
  if (directed && groups_text.find('/') != std::string_view::npos) {
    spec_error(kOption, value, "use either '/' (two-way) or '>' (one-way), not both");
  }
  std::vector<std::vector<NodeId>> groups;
  for (std::string_view g : split_spec(groups_text, directed ? '>' : '/')) {
    groups.push_back(parse_group(kOption, value, g, ids));
  }
  if (groups.size() < 2) spec_error(kOption, value, "needs at least two groups, e.g. 1,2/3");
  if (directed && groups.size() != 2) spec_error(kOption, value, "a one-way partition has exactly two sides, e.g. 1,2>3");
  std::vector<NodeId> all;
  for (const auto& g : groups) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) spec_error(kOption, value, "the groups overlap");
  return directed ? Partition::one_way(groups[0], groups[1], start, end)
                  : Partition::two_way(std::move(groups), start, end);
}

bool NetworkModel::constant_latency() const {
  if (!defaults.latency.is_constant()) return false;
  return std::all_of(links.begin(), links.end(),
                     [](const auto& entry) { return entry.second.latency.is_constant(); });
}

Nanos NetworkModel::latency_high_ns() const {
  Nanos high = defaults.latency.high_ns();
  for (const auto& [link, model] : links) high = std::max(high, model.latency.high_ns());
  return high;
}

}  // namespace distlab::sim
