#include "cli/shrink.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "cli/html_report.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/core/interrupt.h"

namespace distlab::cli {
namespace {

// One flag of a command line, with its value when it has one ("--crash 2@1s" or "--crash=2@1s").
struct Item {
  std::string flag;
  std::optional<std::string> value;
};

std::vector<Item> items_of(std::span<const std::string> args) {
  std::vector<Item> items;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (const std::size_t eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      items.push_back({a.substr(0, eq), a.substr(eq + 1)});
    } else if (i + 1 < args.size() && !args[i + 1].starts_with("--")) {
      items.push_back({a, args[i + 1]});
      ++i;
    } else {
      items.push_back({a, std::nullopt});
    }
  }
  return items;
}

std::vector<std::string> args_of(const std::vector<Item>& items) {
  std::vector<std::string> args;
  for (const Item& item : items) {
    args.push_back(item.flag);
    if (item.value) args.push_back(*item.value);
  }
  return args;
}

// The general fault flags of harness/faults.h: each one a unit delta debugging may drop.
bool is_fault(std::string_view flag) {
  return flag == "--crash" || flag == "--recover" || flag == "--pause" || flag == "--partition" ||
         flag == "--loss" || flag == "--dup" || flag == "--no-fifo" || flag == "--faults";
}

std::optional<std::int64_t> integer_of(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::size_t> find_item(const std::vector<Item>& items, std::string_view flag) {
  for (std::size_t i = items.size(); i-- > 0;) {  // the last one given wins, as CLI11 keeps it
    if (items[i].flag == flag) return i;
  }
  return std::nullopt;
}

void set_item(std::vector<Item>& items, std::string_view flag, std::string value) {
  if (const auto i = find_item(items, flag)) {
    items[*i].value = std::move(value);
  } else {
    items.push_back({std::string(flag), std::move(value)});
  }
}

// The faults of `items` on a run of `nodes` nodes (ids 1..nodes): faults of a node
// beyond it dropped, partitions without it (and dropped when a side is left empty).
std::vector<Item> without_nodes_above(std::vector<Item> items, std::int64_t nodes) {
  const auto kept = [nodes](std::string_view id) {
    const auto value = integer_of(id);
    return !value || *value <= nodes;  // not a number: left for the command to refuse
  };
  std::vector<Item> out;
  for (Item& item : items) {
    if (!item.value) {
      out.push_back(std::move(item));
      continue;
    }
    const std::string& v = *item.value;
    const std::size_t at = v.find('@');
    if ((item.flag == "--crash" || item.flag == "--recover" || item.flag == "--pause") && at != std::string::npos) {
      if (kept(std::string_view(v).substr(0, at))) out.push_back(std::move(item));
      continue;
    }
    if (item.flag == "--partition" && at != std::string::npos) {
      const std::size_t cut = v.find_first_of("/>");
      if (cut == std::string::npos || cut > at) {
        out.push_back(std::move(item));
        continue;
      }
      const auto side = [&](std::string_view text) {
        std::vector<std::string> ids;
        std::size_t start = 0;
        for (;;) {
          const std::size_t comma = text.find(',', start);
          const std::string_view id = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
          if (kept(id)) ids.emplace_back(id);
          if (comma == std::string_view::npos) break;
          start = comma + 1;
        }
        return ids;
      };
      const std::vector<std::string> a = side(std::string_view(v).substr(0, cut));
      const std::vector<std::string> b = side(std::string_view(v).substr(cut + 1, at - cut - 1));
      if (a.empty() || b.empty()) continue;
      item.value = fmt::format("{}{}{}{}", fmt::join(a, ","), v[cut], fmt::join(b, ","), v.substr(at));
      out.push_back(std::move(item));
      continue;
    }
    out.push_back(std::move(item));
  }
  return out;
}

// Counts a run's events and remembers its crashes and recoveries.
class Tally : public EventSink {
 public:
  void on_event(const Event& e) override {
    ++events;
    last_ns = std::max(last_ns, e.t);
    if (e.kind == EventKind::crash || e.kind == EventKind::recover) faults.emplace_back(e.t, e.node, e.kind);
  }
  std::size_t events = 0;
  Nanos last_ns = 0;
  std::vector<std::tuple<Nanos, NodeId, EventKind>> faults;
};

struct Outcome {
  std::optional<trace::CheckResult> first_failure;  // the first check that does not pass
  std::optional<trace::CheckStatus> target_status;  // the target check's
  std::string target_detail;
  std::size_t nodes = 0;
  Tally tally;
};

class Shrinker {
 public:
  Shrinker(const SweepSubject& subject, std::uint64_t seed, const ShrinkLimits& limits)
      : subject_(subject), seed_(seed), limits_(limits) {}

  // The run of `items`; throws what the command throws.
  Outcome run(const std::vector<Item>& items) {
    ++runs_;
    Outcome out;
    const SweepTrial trial = subject_.run(args_of(items), seed_, &out.tally);
    out.nodes = trial.header.nodes.size();
    for (const trace::CheckResult& c : trial.checks) {
      if (!out.first_failure && c.status != trace::CheckStatus::pass) out.first_failure = c;
      if (c.name == target_ && !out.target_status) {
        out.target_status = c.status;
        out.target_detail = c.detail;
      }
    }
    return out;
  }

  void aim(std::string check, trace::CheckStatus status) {
    target_ = std::move(check);
    status_ = status;
  }

  // Whether `items` still ends the target check the same way (a refused command does not);
  // when it does, they become the best so far.
  bool keeps_failing(const std::vector<Item>& items) {
    if (out_of_budget()) return false;
    try {
      Outcome out = run(items);
      if (out.target_status != status_) return false;
      best_ = items;
      best_outcome_ = std::move(out);
      return true;
    } catch (const Error&) {
      return false;
    }
  }

  bool out_of_budget() {
    if (runs_ >= limits_.max_runs || InterruptGuard::signal() != 0) complete_ = false;
    return !complete_;
  }

  std::vector<Item> best_;
  Outcome best_outcome_;
  std::size_t runs_ = 0;
  bool complete_ = true;

 private:
  const SweepSubject& subject_;
  std::uint64_t seed_;
  ShrinkLimits limits_;
  std::string target_;
  trace::CheckStatus status_ = trace::CheckStatus::fail;
};

// A random --faults N written out as the crashes and recoveries it drew: those of the
// run with it that the run without it does not have.
void write_out_random_faults(Shrinker& s) {
  const auto faults = find_item(s.best_, "--faults");
  if (!faults || !s.best_[*faults].value || integer_of(*s.best_[*faults].value).value_or(0) <= 0) return;
  std::vector<Item> without = s.best_;
  without.erase(without.begin() + static_cast<std::ptrdiff_t>(*faults));
  std::vector<std::tuple<Nanos, NodeId, EventKind>> drawn = s.best_outcome_.tally.faults;
  try {
    const Outcome plain = s.run(without);
    for (const auto& f : plain.tally.faults) {
      if (const auto it = std::find(drawn.begin(), drawn.end(), f); it != drawn.end()) drawn.erase(it);
    }
  } catch (const Error&) {
    return;
  }
  for (const auto& [t, node, kind] : drawn) {
    without.push_back({kind == EventKind::crash ? "--crash" : "--recover", fmt::format("{}@{}", node, format_duration(t))});
  }
  s.keeps_failing(without);
}

// Drops fault units while the check still fails: delta debugging (ddmin) over the
// fault flags, each either removed or, for the command's own faults that take "off",
// switched off.
void drop_faults(Shrinker& s, const SweepSubject& subject) {
  const auto switchable = [&](const Item& item) {
    return item.value && *item.value != "off" && item.value->find('@') == std::string::npos &&
           std::find(subject.switch_off.begin(), subject.switch_off.end(), item.flag) != subject.switch_off.end();
  };
  const auto units_of = [&](const std::vector<Item>& items) {
    std::vector<std::size_t> units;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (items[i].value == "off") continue;  // switched off already
      if (switchable(items[i]) || is_fault(items[i].flag)) units.push_back(i);
    }
    return units;
  };
  // `items` with the units in `drop` removed or switched off.
  const auto without = [&](const std::vector<Item>& items, const std::vector<std::size_t>& drop) {
    std::vector<Item> out;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const bool dropped = std::find(drop.begin(), drop.end(), i) != drop.end();
      if (!dropped) {
        out.push_back(items[i]);
      } else if (switchable(items[i])) {
        out.push_back({items[i].flag, "off"});
      }
    }
    return out;
  };
  std::vector<std::size_t> units = units_of(s.best_);
  if (units.empty() || s.keeps_failing(without(s.best_, units))) return;
  std::size_t n = 2;
  while (!units.empty() && !s.out_of_budget()) {
    const std::size_t chunk = (units.size() + n - 1) / n;
    bool reduced = false;
    for (std::size_t start = 0; start < units.size(); start += chunk) {
      const std::vector<std::size_t> drop(units.begin() + static_cast<std::ptrdiff_t>(start),
                                          units.begin() + static_cast<std::ptrdiff_t>(std::min(units.size(), start + chunk)));
      if (s.keeps_failing(without(s.best_, drop))) {
        units = units_of(s.best_);
        n = std::max<std::size_t>(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (n >= units.size()) break;
    n = std::min(units.size(), 2 * n);
  }
}

// The fewest nodes that still fail, their faults dropped with them.
void fewer_nodes(Shrinker& s) {
  const auto given = find_item(s.best_, "--nodes");
  const std::int64_t nodes = given && s.best_[*given].value ? integer_of(*s.best_[*given].value).value_or(0)
                                                             : static_cast<std::int64_t>(s.best_outcome_.nodes);
  for (std::int64_t k = 1; k < nodes && !s.out_of_budget(); ++k) {
    std::vector<Item> candidate = without_nodes_above(s.best_, k);
    set_item(candidate, "--nodes", std::to_string(k));
    if (s.keeps_failing(candidate)) return;
  }
}

// A latency without spread: the command's default, or a constant from the given one.
void simpler_latency(Shrinker& s) {
  const auto i = find_item(s.best_, "--latency");
  if (!i || !s.best_[*i].value) return;
  const std::string spec = *s.best_[*i].value;
  std::vector<Item> without = s.best_;
  without.erase(without.begin() + static_cast<std::ptrdiff_t>(*i));
  if (s.keeps_failing(without)) return;
  if (spec.starts_with("const:")) return;
  for (std::size_t colon = spec.find(':'); colon != std::string::npos && !s.out_of_budget();) {
    const std::size_t next = spec.find(':', colon + 1);
    const std::string part = spec.substr(colon + 1, next == std::string::npos ? std::string::npos : next - colon - 1);
    std::vector<Item> candidate = s.best_;
    candidate[*i].value = "const:" + part;
    if (s.keeps_failing(candidate)) return;
    colon = next;
  }
}

// Smaller counts: each other option with a whole-number value (messages, rounds,
// requests, snapshots...) bisected down to the smallest that still fails.
void smaller_counts(Shrinker& s) {
  for (std::size_t i = 0; i < s.best_.size() && !s.out_of_budget(); ++i) {
    const Item& item = s.best_[i];
    if (!item.value || item.flag == "--nodes" || is_fault(item.flag)) continue;
    const std::optional<std::int64_t> value = integer_of(*item.value);
    if (!value || *value <= 0) continue;
    std::int64_t hi = *value;  // fails
    std::int64_t lo = -1;      // taken as passing (a count below the command's least is refused)
    while (hi - lo > 1 && !s.out_of_budget()) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      std::vector<Item> candidate = s.best_;
      candidate[i].value = std::to_string(mid);
      (s.keeps_failing(candidate) ? hi : lo) = mid;
    }
  }
}

// The shortest --until (to the millisecond) that still fails, by bisection; every
// kept step is a run that failed.
void shorter_horizon(Shrinker& s) {
  const Nanos end = s.best_outcome_.tally.last_ns;
  std::int64_t hi = (end + kMillisecond - 1) / kMillisecond;  // fails (or its run ends before)
  std::int64_t lo = 0;                                         // taken as passing
  if (hi <= 1) return;
  while (hi - lo > 1 && !s.out_of_budget()) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    std::vector<Item> candidate = s.best_;
    set_item(candidate, "--until", fmt::format("{}ms", mid));
    (s.keeps_failing(candidate) ? hi : lo) = mid;
  }
}

ShrinkSize size_of(const SweepSubject& subject, const std::vector<Item>& items, const Outcome& outcome) {
  return {count_faults(args_of(items), subject.switch_off), outcome.nodes, outcome.tally.events};
}

}  // namespace

std::size_t count_faults(std::span<const std::string> args, std::span<const std::string> switch_off) {
  std::size_t n = 0;
  for (const Item& item : items_of(args)) {
    const bool own = std::find(switch_off.begin(), switch_off.end(), item.flag) != switch_off.end();
    if (item.flag == "--faults") {
      n += 2 * static_cast<std::size_t>(std::max<std::int64_t>(0, integer_of(item.value.value_or("")).value_or(0)));
    } else if ((is_fault(item.flag) || own) && item.value != "off") {
      n += 1;
    }
  }
  return n;
}

std::optional<Shrunk> shrink(const SweepSubject& subject, std::span<const std::string> args, std::uint64_t seed,
                             const ShrinkLimits& limits) {
  Shrinker s(subject, seed, limits);
  const std::vector<Item> start = items_of(args);
  Outcome first = s.run(start);  // a refused command throws to the caller
  if (!first.first_failure) return std::nullopt;
  Shrunk out;
  out.check = first.first_failure->name;
  out.status = first.first_failure->status;
  out.before = size_of(subject, start, first);
  s.aim(out.check, out.status);
  first.target_status = out.status;
  first.target_detail = first.first_failure->detail;
  s.best_ = start;
  s.best_outcome_ = std::move(first);

  write_out_random_faults(s);
  for (int round = 0; round < 3; ++round) {
    const std::vector<Item> was = s.best_;
    drop_faults(s, subject);
    fewer_nodes(s);
    smaller_counts(s);
    simpler_latency(s);
    shorter_horizon(s);
    if (args_of(s.best_) == args_of(was) || s.out_of_budget()) break;
  }
  out.args = args_of(s.best_);
  out.after = size_of(subject, s.best_, s.best_outcome_);
  out.reason = s.best_outcome_.target_detail;
  out.runs = s.runs_;
  out.complete = s.complete_;
  return out;
}

void write_run_html(const SweepSubject& subject, std::span<const std::string> args, std::uint64_t seed,
                    const std::string& path) {
  check_creatable(path);
  trace::Recorder recorder(trace::Header{});
  const SweepTrial trial = subject.run(args, seed, &recorder);
  trace::Trace run = recorder.trace();
  run.header = trial.header;
  if (std::optional<OutputFile> page = stage_run_html(path, run)) page->publish();
}

}  // namespace distlab::cli
