// `distlab sweep --shard I/N` and `sweep --merge`, in process: the shards' records,
// concatenated, are the unsharded sweep's byte for byte and the merged summary its
// counts; bad shards and bad merge inputs are one line and exit 2; a merge with seeds
// missing says which and exits 1.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/cli_test_support.h"
#include "cli/sweep.h"
#include "distlab/core/error.h"

namespace distlab::cli {
namespace sweep_shard_test {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Output = test::CliOutput;
constexpr auto sweep = &test::capture_sweep;

// The output without its last line (the summary), and the summary.
std::pair<std::string, json> split(const std::string& out) {
  const std::size_t last = out.rfind('\n', out.size() - 2);
  const std::size_t cut = last == std::string::npos ? 0 : last + 1;
  return {out.substr(0, cut), json::parse(out.substr(cut))};
}

using test::TempDir;

// The seed's snapshot rule: failing records to compare.
const std::vector<std::string> kSweep{"snapshot", "--rule",         "seed", "--seeds", "60", "--from",
                                      "11",       "--shrink-first", "0",    "--jobs",  "2",  "--json"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(SweepShard, TheShardsTogetherAreTheWholeSweep) {
  EXPECT_EQ(shard_seeds(11, 60, {1, 1}).first, 11u);
  EXPECT_EQ(shard_seeds(11, 60, {1, 1}).size, 60u);
  EXPECT_EQ(shard_seeds(1, 10, {3, 3}).first, 7u);  // [1 + floor(2*10/3), 1 + 10)
  EXPECT_EQ(shard_seeds(1, 10, {3, 3}).size, 4u);
  EXPECT_EQ(shard_seeds(1, 2, {1, 3}).size, 0u);  // more shards than seeds: some are empty

  const Output whole = sweep(kSweep);
  ASSERT_EQ(whole.code, 1) << whole.err;
  const auto [records, summary] = split(whole.out);
  for (const int n : {3, 7}) {
    std::string joined;
    std::uint64_t seeds = 0;
    std::uint64_t failures = 0;
    for (int i = 1; i <= n; ++i) {
      const Output part = sweep(with(kSweep, {"--shard", std::to_string(i) + "/" + std::to_string(n)}));
      ASSERT_LE(part.code, 1) << part.err;
      const auto [part_records, part_summary] = split(part.out);
      joined += part_records;
      EXPECT_EQ(part_summary["shard"]["index"], i);
      EXPECT_EQ(part_summary["shard"]["count"], n);
      EXPECT_EQ(part_summary["sweep"], summary["sweep"]);
      seeds += part_summary["seeds"].get<std::uint64_t>();
      failures += part_summary["failures"].get<std::uint64_t>();
    }
    EXPECT_EQ(joined, records) << n << " shards";
    EXPECT_EQ(seeds, 60u);
    EXPECT_EQ(failures, summary["failures"]);
  }
  // The human summary names the shard too.
  const Output human = sweep({"bully", "--seeds", "4", "--shard", "2/2", "--jobs", "1"});
  EXPECT_EQ(human.code, 0);
  EXPECT_NE(human.out.find("sweep bully, shard 2/2: 2 seeds from 3, 0 failed"), std::string::npos)
      << human.out;
}

TEST(SweepShard, MergedShardsReportAsTheWholeSweep) {
  TempDir dir;
  const Output whole = sweep(kSweep);
  std::vector<std::string> files;
  for (int i = 3; i >= 1; --i) {  // given in any order
    const Output part = sweep(with(kSweep, {"--shard", std::to_string(i) + "/3"}));
    files.push_back(dir.write("shard-" + std::to_string(i) + ".jsonl", part.out));
  }
  const Output merged = sweep(with({"--merge"}, with(files, {"--json"})));
  EXPECT_EQ(merged.code, 1) << merged.err;  // the seed's rule fails seeds
  const auto [records, summary] = split(merged.out);
  const auto [whole_records, whole_summary] = split(whole.out);
  EXPECT_EQ(records, whole_records);
  for (const char* key : {"algorithm", "from", "seeds", "failures", "checks", "sweep"}) {
    EXPECT_EQ(summary[key], whole_summary[key]) << key;
  }
  EXPECT_EQ(summary["shards"], json({{"count", 3}, {"merged", 3}}));
  EXPECT_FALSE(summary.contains("missing"));
  // Clean shards merge clean, exit 0; the human summary is one line.
  const std::string a = dir.write("a", sweep({"bully", "--seeds", "6", "--shard", "1/2", "--json"}).out);
  const std::string b = dir.write("b", sweep({"bully", "--seeds", "6", "--shard", "2/2", "--json"}).out);
  const Output clean = sweep({"--merge", a, b});
  EXPECT_EQ(clean.code, 0) << clean.err;
  EXPECT_TRUE(clean.out.starts_with("sweep bully, 2 of 2 shards merged: 6 seeds from 1, 0 failed; checks: "))
      << clean.out;
}

TEST(SweepShard, AMergeWithSeedsMissingSaysWhichAndExitsOne) {
  TempDir dir;
  const std::vector<std::string> base{"bully", "--seeds", "9", "--jobs", "1", "--json"};
  const std::string first = dir.write("1", sweep(with(base, {"--shard", "1/3"})).out);
  // Shard 3 stopped early: its summary says how far it got (as a time limit or an interrupt leaves it).
  std::string third = sweep(with(base, {"--shard", "3/3"})).out;
  json stopped = json::parse(third);
  stopped["seeds"] = 1;
  stopped["stopped"] = "interrupted";
  for (auto& [name, c] : stopped["checks"].items()) c["pass"] = 1;
  const std::string last = dir.write("3", stopped.dump() + "\n");
  const Output r = sweep({"--merge", first, last});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("2 of 3 shards merged: 4 seeds from 1, 0 failed (INCOMPLETE: 5 of 9 seeds missing: "
                       "shard 2/3 seeds 4..6 (no file), shard 3/3 seeds 8..9 (stopped early (interrupted)))"),
            std::string::npos)
      << r.out;
  const Output j = sweep({"--merge", first, last, "--json"});
  const json summary = json::parse(j.out);
  EXPECT_EQ(summary["missing"].size(), 2u);
  EXPECT_EQ(summary["missing"][0]["first"], 4);
  EXPECT_EQ(summary["missing"][1]["seeds"], 2);
}

TEST(SweepShard, BadShardsAndBadMergeInputsAreOneLineAndExitTwo) {
  for (const std::string shard : {"3/2", "0/2", "1/0", "a/b", "1/2/3", "-1/2", "1/100001", "", "2"}) {
    const Output r = sweep({"bully", "--seeds", "4", "--shard", shard});
    EXPECT_EQ(r.code, kExitUsage) << shard;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  TempDir dir;
  const std::vector<std::string> base{"bully", "--seeds", "4", "--jobs", "1", "--json"};
  const std::string one = sweep(with(base, {"--shard", "1/2"})).out;
  const std::string two = sweep(with(base, {"--shard", "2/2"})).out;
  const std::string good = dir.write("good", one);
  const std::string records = sweep(with(kSweep, {"--shard", "1/2"})).out;
  // Shard 2/2's records under shard 1/2's summary (as many failures: every seed fails).
  const std::string swapped =
      split(sweep(with(kSweep, {"--shard", "2/2"})).out).first + split(records).second.dump() + "\n";
  struct Case {
    std::vector<std::string> files;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{dir.write("missing-dir/x", "")}, "cannot read"},
      {{dir.write("empty", "")}, "no summary line"},
      {{dir.write("human", sweep({"bully", "--seeds", "2"}).out)}, "human:1: not valid JSON"},
      {{dir.write("garbage", "{\"seed\": 1}\n" + two)}, "garbage:1: not a record or summary"},
      {{dir.write("cut", records.substr(0, records.find('\n') + 1))}, "no summary line"},
      {{dir.write("after", one + one)}, "after:2: a line after the summary"},
      {{dir.write("swapped", swapped)}, "outside the seeds this shard ran"},
      {{dir.write("long", std::string(2 << 20, ' ') + "\n")}, "long:1: line longer than"},
      {{good,
        dir.write("other-algorithm", sweep({"lamport", "--seeds", "4", "--shard", "2/2", "--json"}).out)},
       "a shard of another sweep: algorithm lamport, but bully"},
      {{good, dir.write("other-seeds", sweep({"bully", "--seeds", "6", "--shard", "2/2", "--json"}).out)},
       "a shard of another sweep: seeds 6, but 4"},
      {{good, dir.write("other-flags",
                        sweep({"bully", "--seeds", "4", "--shard", "2/2", "--json", "--nodes", "3"}).out)},
       "a shard of another sweep: flags"},
      {{good, dir.write("other-count", sweep({"bully", "--seeds", "4", "--shard", "2/3", "--json"}).out)},
       "a shard of another sweep: shard count 3, but 2"},
      {{good, dir.write("again", one)}, "shard 1/2 again (also in"},
      {{"--json"}, "--merge"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"--merge"};
    args.insert(args.end(), c.files.begin(), c.files.end());
    const Output r = sweep(args);
    EXPECT_EQ(r.code, kExitUsage) << c.says;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << c.says << ": " << r.out;
  }
  // --merge takes no algorithm and no option of a sweep's run.
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"bully", "--merge", good}, {"--merge", good, "--seeds", "4"}, {"--shard", "1/2", "--merge", good}}) {
    const Output r = sweep(args);
    EXPECT_EQ(r.code, kExitUsage) << args.front();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

}  // namespace sweep_shard_test
}  // namespace distlab::cli
