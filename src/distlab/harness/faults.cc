#include "distlab/harness/faults.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>

#include "distlab/core/assert.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/core/random.h"

namespace distlab::harness {
namespace {


[[noreturn]] void bad(std::string_view option, std::string_view value, std::string_view why) {
  throw InputError(fmt::format("{} {}: {}", option, value, why));
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

NodeId parse_node(std::string_view option, std::string_view value, std::string_view text,
                  std::span<const NodeId> ids) {
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    bad(option, value, fmt::format("'{}' is not a node id", text));
  }
  if (!std::binary_search(ids.begin(), ids.end(), id)) {
    bad(option, value, fmt::format("no node {} (nodes are {}..{})", id, ids.front(), ids.back()));
  }
  return static_cast<NodeId>(id);
}

Nanos parse_time(std::string_view option, std::string_view value, std::string_view text) {
  try {
    return parse_duration(text);
  } catch (const InputError& e) {
    bad(option, value, e.what());
  }
}

// "ID@TIME" in `text`, which is `value` or a part of it (errors quote all of `value`).
std::pair<NodeId, Nanos> parse_node_at(std::string_view option, std::string_view value, std::string_view text,
                                       std::span<const NodeId> ids) {
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos) bad(option, value, "expected ID@TIME, e.g. 2@1.5s");
  return {parse_node(option, value, text.substr(0, at), ids), parse_time(option, value, text.substr(at + 1))};
}

std::vector<NodeId> parse_group(std::string_view option, std::string_view value, std::string_view text,
                                std::span<const NodeId> ids) {
  std::vector<NodeId> group;
  for (std::string_view part : split(text, ',')) group.push_back(parse_node(option, value, part, ids));
  std::sort(group.begin(), group.end());
  if (std::adjacent_find(group.begin(), group.end()) != group.end()) {
    bad(option, value, "a node is listed twice");
  }
  return group;
}

sim::Partition parse_partition(std::string_view value, std::span<const NodeId> ids) {
  constexpr std::string_view kOption = "--partition";
  const std::size_t at = value.find('@');
  if (at == std::string_view::npos) {
    bad(kOption, value, "expected GROUPS@START..END, e.g. 1,2/3@1s..5s or 1>2,3@1s..");
  }
  const std::string_view groups_text = value.substr(0, at);
  const std::string_view window = value.substr(at + 1);
  const std::size_t dots = window.find("..");
  if (dots == std::string_view::npos) bad(kOption, value, "expected a time window START..END (END may be empty)");
  const Nanos start = parse_time(kOption, value, window.substr(0, dots));
  const std::string_view end_text = window.substr(dots + 2);
  const Nanos end = end_text.empty() ? kNanosMax : parse_time(kOption, value, end_text);
  if (end <= start) bad(kOption, value, "the window ends before it starts");

  const bool directed = groups_text.find('>') != std::string_view::npos;
  if (directed && groups_text.find('/') != std::string_view::npos) {
    bad(kOption, value, "use either '/' (two-way) or '>' (one-way), not both");
  }
  std::vector<std::vector<NodeId>> groups;
  for (std::string_view g : split(groups_text, directed ? '>' : '/')) {
    groups.push_back(parse_group(kOption, value, g, ids));
  }
  if (groups.size() < 2) bad(kOption, value, "needs at least two groups, e.g. 1,2/3");
  if (directed && groups.size() != 2) bad(kOption, value, "a one-way partition has exactly two sides, e.g. 1,2>3");
  std::vector<NodeId> all;
  for (const auto& g : groups) all.insert(all.end(), g.begin(), g.end());
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) bad(kOption, value, "the groups overlap");
  return directed ? sim::Partition::one_way(groups[0], groups[1], start, end)
                  : sim::Partition::two_way(std::move(groups), start, end);
}

double parse_probability(std::string_view option, double p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw InputError(fmt::format("{} must be a probability between 0 and 1, got {}", option, p));
  }
  return p;
}

// Down intervals per node, to validate crash/recover sequences and to place random
// faults where they do not clash with the given ones.
struct Timeline {
  struct Change {
    Nanos at;
    bool crash;
    std::string source;
  };
  std::map<NodeId, std::vector<Change>> changes;

  // True when node is up throughout [from, to].
  bool up_during(NodeId node, Nanos from, Nanos to) const {
    auto it = changes.find(node);
    if (it == changes.end()) return true;
    bool up = true;
    for (const Change& c : it->second) {  // sorted by time
      if (c.at > to) break;
      if (c.at >= from) return false;  // any change inside the window
      up = !c.crash;
    }
    return up;
  }

  void add(NodeId node, Nanos at, bool crash, std::string source) {
    auto& list = changes[node];
    auto pos = std::upper_bound(list.begin(), list.end(), at,
                                [](Nanos t, const Change& c) { return t < c.at; });
    list.insert(pos, Change{at, crash, std::move(source)});
  }

  void validate() const {
    for (const auto& [node, list] : changes) {
      bool up = true;
      for (std::size_t i = 0; i < list.size(); ++i) {
        const Change& c = list[i];
        if (i > 0 && list[i - 1].at == c.at) {
          throw InputError(fmt::format("{}: node {} already has a crash or recover at {} ({})", c.source,
                                       node, format_duration(c.at), list[i - 1].source));
        }
        if (c.crash && !up) {
          throw InputError(fmt::format("{}: node {} is already down at {} ({})", c.source, node,
                                       format_duration(c.at), list[i - 1].source));
        }
        if (!c.crash && up) {
          throw InputError(fmt::format("{}: node {} is not down at {} (crash it first with --crash)",
                                       c.source, node, format_duration(c.at)));
        }
        up = !c.crash;
      }
    }
  }
};

// A bound on attempts to place one random fault before giving up with an error.
constexpr int kMaxFaultDraws = 1000;

void draw_random_faults(std::int64_t count, std::span<const NodeId> ids, std::uint64_t seed,
                        Nanos horizon_ns, Timeline& timeline) {
  Rng rng(derive_seed(seed, kStreamFaults));
  for (std::int64_t k = 0; k < count; ++k) {
    bool placed = false;
    for (int attempt = 0; attempt < kMaxFaultDraws && !placed; ++attempt) {
      const NodeId node = ids[rng.uniform(ids.size())];
      const Nanos crash_at = rng.between(0, horizon_ns - 1);
      // Down for 5% to 30% of the horizon, recovering before it ends when possible.
      const Nanos down = rng.between(horizon_ns / 20, std::max(horizon_ns / 20, horizon_ns * 3 / 10));
      const Nanos recover_at = crash_at + std::max<Nanos>(down, 1);
      if (!timeline.up_during(node, crash_at, recover_at)) continue;
      const std::string source = fmt::format("--faults {} (fault {})", count, k + 1);
      timeline.add(node, crash_at, true, source);
      timeline.add(node, recover_at, false, source);
      placed = true;
    }
    if (!placed) {
      throw InputError(fmt::format("--faults {}: could not place fault {} without overlapping others; "
                                   "ask for fewer or lengthen --until",
                                   count, k + 1));
    }
  }
}

}  // namespace

std::pair<NodeId, Nanos> parse_node_at_option(std::string_view option, std::string_view value,
                                              std::span<const NodeId> ids) {
  return parse_node_at(option, value, value, ids);
}

sim::Latency parse_latency(std::string_view spec) {
  constexpr std::string_view kOption = "--latency";
  const auto parts = split(spec, ':');
  const std::string_view kind = parts[0];
  auto arg = [&](std::size_t i) { return parse_time(kOption, spec, parts[i]); };
  auto expect = [&](std::size_t n, std::string_view form) {
    if (parts.size() != n) bad(kOption, spec, fmt::format("expected {}", form));
  };
  if (kind == "const") {
    expect(2, "const:DURATION, e.g. const:5ms");
    return sim::Latency::constant(arg(1));
  }
  if (kind == "uniform") {
    expect(3, "uniform:MIN:MAX, e.g. uniform:1ms:20ms");
    const Nanos lo = arg(1);
    const Nanos hi = arg(2);
    if (hi < lo) bad(kOption, spec, "MIN is larger than MAX");
    return sim::Latency::uniform(lo, hi);
  }
  if (kind == "exp") {
    expect(2, "exp:MEAN, e.g. exp:10ms");
    const Nanos mean = arg(1);
    if (mean <= 0) bad(kOption, spec, "the mean must be positive");
    return sim::Latency::exponential(mean);
  }
  if (kind == "normal") {
    expect(3, "normal:MEAN:STDDEV, e.g. normal:10ms:3ms");
    return sim::Latency::normal(arg(1), arg(2));
  }
  bad(kOption, spec, "unknown distribution (use const, uniform, exp or normal)");
}

SimSetup build_sim_setup(const FaultOptions& o, std::span<const NodeId> ids, std::uint64_t seed,
                         const SimDefaults& defaults) {
  DISTLAB_ASSERT(!ids.empty() && std::is_sorted(ids.begin(), ids.end()));
  SimSetup setup;
  setup.network.defaults.latency = o.latency.empty() ? defaults.latency : parse_latency(o.latency);
  setup.network.defaults.loss = parse_probability("--loss", o.loss);
  setup.network.defaults.dup = parse_probability("--dup", o.dup);
  setup.network.fifo = !o.no_fifo;
  for (const std::string& p : o.partition) setup.network.partitions.push_back(parse_partition(p, ids));

  setup.until_ns = defaults.until_ns;
  if (!o.until.empty()) {
    setup.until_ns = parse_time("--until", o.until, o.until);
    if (setup.until_ns <= 0) bad("--until", o.until, "must be after the start");
  }

  const std::span<const NodeId> fault_ids =
      defaults.crashable.empty() ? ids : std::span<const NodeId>(defaults.crashable);
  Timeline timeline;
  for (const std::string& c : o.crash) {
    auto [node, at] = parse_node_at("--crash", c, c, fault_ids);
    timeline.add(node, at, true, "--crash " + c);
  }
  for (const std::string& r : o.recover) {
    auto [node, at] = parse_node_at("--recover", r, r, fault_ids);
    timeline.add(node, at, false, "--recover " + r);
  }
  timeline.validate();
  if (o.faults < 0) throw InputError(fmt::format("--faults must not be negative, got {}", o.faults));
  const Nanos horizon = o.until.empty() ? defaults.horizon_ns : setup.until_ns;
  if (o.faults > 0) {
    if (horizon < 20) throw InputError("--faults needs a longer run (set --until)");
    draw_random_faults(o.faults, fault_ids, seed, horizon, timeline);
  }
  for (const auto& [node, changes] : timeline.changes) {
    for (const auto& change : changes) {
      if (change.crash) {
        setup.faults.crash(node, change.at);
      } else {
        setup.faults.recover(node, change.at);
      }
    }
  }
  for (const std::string& p : o.pause) {
    const std::size_t plus = p.find('+');
    if (plus == std::string::npos) bad("--pause", p, "expected ID@TIME+DURATION, e.g. 3@1s+500ms");
    auto [node, at] = parse_node_at("--pause", p, std::string_view(p).substr(0, plus), fault_ids);
    const Nanos duration = parse_time("--pause", p, std::string_view(p).substr(plus + 1));
    if (duration <= 0) bad("--pause", p, "the pause must last longer than 0");
    setup.faults.pause(node, at, duration);
  }
  std::stable_sort(setup.faults.faults.begin(), setup.faults.faults.end(),
                   [](const sim::Fault& a, const sim::Fault& b) { return a.at_ns < b.at_ns; });
  return setup;
}

Nanos parse_duration_option(std::string_view option, std::string_view text) {
  return parse_time(option, text, text);
}

void require_at_least(std::string_view option, std::int64_t value, std::int64_t min, std::string_view why) {
  if (value >= min) return;
  throw InputError(fmt::format("{} must be at least {}, got {}{}{}", option, min, value,
                               why.empty() ? "" : ": ", why));
}

}  // namespace distlab::harness
