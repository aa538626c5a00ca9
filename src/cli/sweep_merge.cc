// `distlab sweep --merge FILE...`: the shards of one sweep, each the stdout of
// `distlab sweep ALGO ... --shard I/N --json`, combined into the report the whole sweep
// would give: failing records in seed order, the shrunk seeds' records, one summary.
//
// Every file is checked before anything is printed: a file that cannot be read, a line
// that is not a sweep record or summary, a file without a summary (an interrupted shard
// that printed nothing), a shard of another sweep, or a shard given twice is one line
// naming the file and line, and exit 2. Missing shards and shards stopped early are
// reported in the summary, with exit 1: the results are incomplete.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/sweep.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::cli {
namespace {

using json = nlohmann::ordered_json;

// A merge's bounds: lines (records are short), and the record text held until printing.
constexpr std::size_t kMaxMergeLineBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxMergeRecordBytes = std::size_t{512} << 20;
// Most gaps named in the human summary line (the JSON summary names them all).
constexpr std::size_t kMaxGapsShown = 10;

struct Record {
  std::uint64_t seed = 0;
  std::string text;
};

// What one shard's file says, checked.
struct ShardFile {
  std::string path;
  std::size_t summary_line = 0;
  json sweep;  // the summary's "sweep": from, seeds, fixed, flags
  std::string algorithm;
  Shard shard;
  SeedRange expected;       // the seeds the shard should run
  std::uint64_t seeds = 0;  // the seeds it ran, from expected.first
  std::optional<std::string> stopped;
  std::uint64_t failures = 0;
  std::uint64_t shrunk = 0;
  SweepChecks checks;
  std::vector<Record> failing;
  std::vector<Record> minimal;
};

std::uint64_t unsigned_field(const trace::JsonLines& at, const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end()) at.fail(fmt::format("summary without \"{}\"", key));
  if (!it->is_number_unsigned()) at.fail(fmt::format("\"{}\" must be a whole number", key));
  return it->get<std::uint64_t>();
}

const json& object_field(const trace::JsonLines& at, const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) {
    at.fail(fmt::format(
        "summary without \"{}\" (from a sweep run without --json, or before --shard existed?)", key));
  }
  return *it;
}

void read_summary(const trace::JsonLines& at, const json& s, ShardFile& f) {
  if (!s["algorithm"].is_string()) at.fail("\"algorithm\" must be a string");
  f.algorithm = s["algorithm"].get<std::string>();
  f.sweep = object_field(at, s, "sweep");
  const std::uint64_t from = unsigned_field(at, f.sweep, "from");
  const std::uint64_t seeds = unsigned_field(at, f.sweep, "seeds");
  if (seeds < 1 || seeds > static_cast<std::uint64_t>(kMaxSweepSeeds) || from > UINT64_MAX - seeds + 1) {
    at.fail(fmt::format("a sweep of {} seeds from {} is out of bounds", seeds, from));
  }
  if (!f.sweep["fixed"].is_boolean() || !f.sweep["flags"].is_array())
    at.fail("\"sweep\" without \"fixed\" and \"flags\"");
  const json& shard = object_field(at, s, "shard");
  const std::uint64_t index = unsigned_field(at, shard, "index");
  const std::uint64_t count = unsigned_field(at, shard, "count");
  if (index < 1 || index > count || count > static_cast<std::uint64_t>(kMaxShards)) {
    at.fail(fmt::format("shard {}/{} is out of bounds", index, count));
  }
  f.shard = {static_cast<std::int64_t>(index), static_cast<std::int64_t>(count)};
  f.expected = shard_seeds(from, seeds, f.shard);
  if (unsigned_field(at, s, "from") != f.expected.first) {
    at.fail(fmt::format("shard {}/{} starts at seed {}, not {}", index, count, f.expected.first,
                        s["from"].dump()));
  }
  f.seeds = unsigned_field(at, s, "seeds");
  if (s.contains("stopped")) {
    if (!s["stopped"].is_string()) at.fail("\"stopped\" must be a string");
    f.stopped = s["stopped"].get<std::string>();
  }
  if (f.seeds > f.expected.size || (f.seeds < f.expected.size && !f.stopped)) {
    at.fail(fmt::format("shard {}/{} has {} seeds, but ran {}", index, count, f.expected.size, f.seeds));
  }
  f.failures = unsigned_field(at, s, "failures");
  if (s.contains("shrunk")) f.shrunk = unsigned_field(at, s, "shrunk");
  for (const auto& [name, c] : object_field(at, s, "checks").items()) {
    if (!c.is_object()) at.fail(fmt::format("check \"{}\" without counts", name));
    f.checks[name] = {unsigned_field(at, c, "pass"), unsigned_field(at, c, "fail"),
                      unsigned_field(at, c, "skipped")};
  }
  if (f.failing.size() != f.failures) {
    at.fail(fmt::format("{} failing records, but the summary says {}", f.failing.size(), f.failures));
  }
  for (const std::vector<Record>* kind : {&f.failing, &f.minimal}) {
    for (const Record& r : *kind) {
      if (r.seed < f.expected.first || r.seed - f.expected.first >= f.seeds) {
        at.fail(fmt::format("a record of seed {}, outside the seeds this shard ran", r.seed));
      }
    }
  }
}

ShardFile read_shard(const std::string& path, std::size_t& record_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(fmt::format("sweep --merge: cannot read '{}': {}", path, std::strerror(errno)));
  ShardFile f{.path = path};
  trace::JsonLines lines(in, path, {.line_bytes = kMaxMergeLineBytes});
  bool summary = false;
  while (const std::optional<json> object = lines.next()) {
    if (summary) lines.fail("a line after the summary");
    const json& o = *object;
    if (o.contains("algorithm") && o.contains("checks")) {
      read_summary(lines, o, f);
      f.summary_line = lines.line();
      summary = true;
      continue;
    }
    const auto seed = o.find("seed");
    if (seed == o.end() || !seed->is_number_unsigned() || !(o.contains("check") || o.contains("minimal"))) {
      lines.fail("not a record or summary of 'distlab sweep --json'");
    }
    record_bytes += lines.text().size();
    if (record_bytes > kMaxMergeRecordBytes)
      lines.fail(fmt::format("more than {} bytes of records", kMaxMergeRecordBytes));
    std::vector<Record>& kind = o.contains("minimal") ? f.minimal : f.failing;
    if (!kind.empty() && seed->get<std::uint64_t>() <= kind.back().seed)
      lines.fail("records out of seed order");
    kind.push_back({seed->get<std::uint64_t>(), lines.text()});
  }
  if (!summary) {
    throw InputError(
        fmt::format("{}: no summary line (an interrupted shard, or not the stdout of 'sweep --json')", path));
  }
  return f;
}

std::string shard_name(const ShardFile& f) { return fmt::format("{}/{}", f.shard.index, f.shard.count); }

// Refuses `f` unless it is another shard of the sweep of `first`.
void check_same_sweep(const ShardFile& first, const ShardFile& f) {
  const auto refuse = [&](std::string_view what, const std::string& mine, const std::string& theirs) {
    throw InputError(fmt::format("{}:{}: a shard of another sweep: {} {}, but {} in {}", f.path,
                                 f.summary_line, what, mine, theirs, first.path));
  };
  if (f.algorithm != first.algorithm) refuse("algorithm", f.algorithm, first.algorithm);
  for (const char* key : {"from", "seeds", "fixed", "flags"}) {
    if (f.sweep[key] != first.sweep[key]) refuse(key, f.sweep[key].dump(), first.sweep[key].dump());
  }
  if (f.shard.count != first.shard.count) {
    refuse("shard count", std::to_string(f.shard.count), std::to_string(first.shard.count));
  }
}

}  // namespace

int run_sweep_merge(const SweepOptions& o) {
  if (!o.algorithm.empty() || !o.flags.empty()) {
    throw InputError(fmt::format("sweep --merge takes only FILE... and --json, got '{}'",
                                 o.algorithm.empty() ? o.flags.front() : o.algorithm));
  }
  if (o.merge.size() > static_cast<std::size_t>(kMaxShards)) {
    throw InputError(fmt::format("sweep --merge takes at most {} files, got {}", kMaxShards, o.merge.size()));
  }
  std::size_t record_bytes = 0;
  std::map<std::int64_t, ShardFile> shards;  // by index: shard order is seed order
  const ShardFile* first = nullptr;
  for (const std::string& path : o.merge) {
    ShardFile f = read_shard(path, record_bytes);
    if (first != nullptr) check_same_sweep(*first, f);
    const std::int64_t index = f.shard.index;
    if (const auto it = shards.find(index); it != shards.end()) {
      throw InputError(fmt::format("{}:{}: shard {} again (also in {})", f.path, f.summary_line,
                                   shard_name(f), it->second.path));
    }
    const ShardFile& kept = shards.emplace(index, std::move(f)).first->second;  // std::map: the address stays
    if (first == nullptr) first = &kept;
  }
  const ShardFile& any = *first;
  const json& sweep = any.sweep;
  const Shard all{1, any.shard.count};

  std::uint64_t seeds = 0;
  std::uint64_t failures = 0;
  std::uint64_t shrunk = 0;
  bool any_shrunk = false;
  SweepChecks checks;
  std::vector<const Record*> minimal;
  json missing = json::array();  // {shard, first, seeds, why}, in seed order
  for (std::int64_t i = 1; i <= all.count; ++i) {
    const auto it = shards.find(i);
    const SeedRange range =
        shard_seeds(sweep["from"].get<std::uint64_t>(), sweep["seeds"].get<std::uint64_t>(), {i, all.count});
    if (it == shards.end()) {
      if (range.size > 0)
        missing.push_back({{"shard", i}, {"first", range.first}, {"seeds", range.size}, {"why", "no file"}});
      continue;
    }
    const ShardFile& f = it->second;
    for (const Record& r : f.failing) fmt::print("{}\n", r.text);
    for (const Record& r : f.minimal) minimal.push_back(&r);
    seeds += f.seeds;
    failures += f.failures;
    shrunk += f.shrunk;
    any_shrunk = any_shrunk || f.failures > 0;
    for (const auto& [name, c] : f.checks) {
      SweepCheckCounts& sum = checks[name];
      sum.pass += c.pass;
      sum.fail += c.fail;
      sum.skipped += c.skipped;
    }
    if (f.seeds < range.size) {
      missing.push_back({{"shard", i},
                         {"first", range.first + f.seeds},
                         {"seeds", range.size - f.seeds},
                         {"why", fmt::format("stopped early ({})", f.stopped.value_or("stopped"))}});
    }
  }
  std::stable_sort(minimal.begin(), minimal.end(),
                   [](const Record* a, const Record* b) { return a->seed < b->seed; });
  for (const Record* r : minimal) fmt::print("{}\n", r->text);

  json summary{
      {"algorithm", any.algorithm}, {"from", sweep["from"]}, {"seeds", seeds}, {"failures", failures}};
  if (any_shrunk) summary["shrunk"] = shrunk;
  json& counts = summary["checks"] = json::object();
  for (const auto& [name, c] : checks)
    counts[name] = {{"pass", c.pass}, {"fail", c.fail}, {"skipped", c.skipped}};
  summary["sweep"] = sweep;
  summary["shards"] = {{"count", all.count}, {"merged", shards.size()}};
  if (!missing.empty()) summary["missing"] = missing;
  if (o.json) {
    fmt::print("{}\n", summary.dump());
  } else {
    std::string line =
        fmt::format("sweep {}, {} of {} shards merged: {} seeds from {}, {} failed", any.algorithm,
                    shards.size(), all.count, seeds, sweep["from"].dump(), failures);
    if (!missing.empty()) {
      const std::uint64_t total = sweep["seeds"].get<std::uint64_t>();
      std::vector<std::string> gaps;
      for (std::size_t k = 0; k < missing.size() && k < kMaxGapsShown; ++k) {
        const json& m = missing[k];
        const std::uint64_t lo = m["first"].get<std::uint64_t>();
        gaps.push_back(fmt::format("shard {}/{} seeds {}..{} ({})", m["shard"].get<std::int64_t>(), all.count,
                                   lo, lo + m["seeds"].get<std::uint64_t>() - 1,
                                   m["why"].get<std::string>()));
      }
      if (missing.size() > kMaxGapsShown)
        gaps.push_back(fmt::format("{} more", missing.size() - kMaxGapsShown));
      line += fmt::format(" (INCOMPLETE: {} of {} seeds missing: {})", total - seeds, total,
                          fmt::join(gaps, ", "));
    }
    fmt::print("{}; checks: {}\n", line, checks_text(checks));
  }
  return failures > 0 || !missing.empty() ? kExitViolation : kExitOk;
}

}  // namespace distlab::cli
