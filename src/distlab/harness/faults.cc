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
#include "distlab/runtime/sim/spec.h"

namespace distlab::harness {
namespace {

using sim::parse_node;
using sim::parse_node_at;
using sim::parse_time;



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

SimSetup build_sim_setup(const FaultOptions& o, std::span<const NodeId> ids, std::uint64_t seed,
                         const SimDefaults& defaults) {
  DISTLAB_ASSERT(!ids.empty() && std::is_sorted(ids.begin(), ids.end()));
  SimSetup setup;
  setup.network.defaults.latency = o.latency.empty() ? defaults.latency : sim::Latency::parse(o.latency);
  setup.network.defaults.loss = parse_probability("--loss", o.loss);
  setup.network.defaults.dup = parse_probability("--dup", o.dup);
  setup.network.fifo = !o.no_fifo;
  for (const std::string& p : o.partition) setup.network.partitions.push_back(sim::Partition::parse(p, ids));

  setup.until_ns = run_end(o, defaults.until_ns);
  // A fault or partition that starts after the run's end would never happen: refused.
  const auto before_end = [&](std::string_view option, std::string_view value, Nanos at) {
    if (setup.until_ns == kNanosMax || at <= setup.until_ns) return;
    throw InputError(
        fmt::format("{} {}: the run ends at {} ({})", option, value, format_duration(setup.until_ns),
                    o.until.empty() ? "its default end: set --until for a longer run" : "--until"));
  };
  for (std::size_t i = 0; i < o.partition.size(); ++i) {
    before_end("--partition", o.partition[i], setup.network.partitions[i].start_ns);
  }

  const std::span<const NodeId> fault_ids =
      defaults.crashable.empty() ? ids : std::span<const NodeId>(defaults.crashable);
  Timeline timeline;
  for (const std::string& c : o.crash) {
    auto [node, at] = parse_node_at("--crash", c, c, fault_ids);
    before_end("--crash", c, at);
    timeline.add(node, at, true, "--crash " + c);
  }
  for (const std::string& r : o.recover) {
    auto [node, at] = parse_node_at("--recover", r, r, fault_ids);
    before_end("--recover", r, at);
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
    if (plus == std::string::npos) sim::spec_error("--pause", p, "expected ID@TIME+DURATION, e.g. 3@1s+500ms");
    auto [node, at] = parse_node_at("--pause", p, std::string_view(p).substr(0, plus), fault_ids);
    before_end("--pause", p, at);
    const Nanos duration = parse_time("--pause", p, std::string_view(p).substr(plus + 1));
    if (duration <= 0) sim::spec_error("--pause", p, "the pause must last longer than 0");
    setup.faults.pause(node, at, duration);
  }
  std::stable_sort(setup.faults.faults.begin(), setup.faults.faults.end(),
                   [](const sim::Fault& a, const sim::Fault& b) { return a.at_ns < b.at_ns; });
  return setup;
}

Nanos run_end(const FaultOptions& o, Nanos default_end) {
  if (o.until.empty()) return default_end;
  const Nanos until = parse_time("--until", o.until, o.until);
  if (until <= 0) sim::spec_error("--until", o.until, "must be after the start");
  return until;
}

void require_timer_period(std::string_view option, Nanos period) {
  if (period >= kMinTimerPeriod) return;
  throw InputError(fmt::format("{} {}: a timer period must be at least {} of simulated time", option,
                               format_duration(period), format_duration(kMinTimerPeriod)));
}

void require_event_bound(std::string_view what, double events) {
  if (events <= kMaxSimEvents) return;
  std::string bound = fmt::format("{}", static_cast<std::uint64_t>(kMaxSimEvents));  // "100,000,000"
  for (std::size_t i = bound.size(); i > 3; i -= 3) bound.insert(i - 3, ",");
  throw InputError(fmt::format("this run ({}) would take about {:.2g} events, more than the bound of {} "
                               "(shorten it or lengthen its periods)",
                               what, events, bound));
}

Nanos parse_duration_option(std::string_view option, std::string_view text) {
  return parse_time(option, text, text);
}

void require_at_least(std::string_view option, std::int64_t value, std::int64_t min, std::string_view why) {
  if (value >= min) return;
  throw InputError(fmt::format("{} must be at least {}, got {}{}{}", option, min, value,
                               why.empty() ? "" : ": ", why));
}

trace::Header sim_header(std::string_view algorithm, std::uint64_t seed, std::vector<NodeId> ids,
                         const FaultOptions& options) {
  trace::Header header{
      .algorithm = std::string(algorithm), .mode = "sim", .seed = seed, .nodes = std::move(ids)};
  for (const std::string& spec : options.partition) {
    const sim::Partition p = sim::Partition::parse(spec, header.nodes);
    header.network.push_back(
        {.one_way = p.directed,
         .groups = p.groups,
         .from_ns = p.start_ns,
         .to_ns = p.end_ns == kNanosMax ? std::nullopt : std::optional<Nanos>(p.end_ns)});
  }
  return header;
}

}  // namespace distlab::harness
