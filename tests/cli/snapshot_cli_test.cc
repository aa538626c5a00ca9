// `distlab snapshot` as a user meets it: recorded channel states checked against an
// independent oracle, the seed's recording rule caught by the command and by
// `distlab check`, determinism, --json, bad input and larger runs (DESIGN.md, "CLI
// contract" and "Trace contract"). Goldens and seed parity are in golden_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "run.h"

namespace distlab::testing::snapshot_cli_test {
namespace {

using Args = std::vector<std::string>;
using json = nlohmann::json;

Args with(Args args, const Args& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

bool has_line(const std::string& text, const std::string& line) {
  const auto lines = split_lines(text);
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// The first line of `text` that starts with `prefix`, or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
  for (const std::string& line : split_lines(text)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

// Runs `args` with --trace into `dir` and returns the trace's text; the run must exit
// with `exit_code`.
std::string trace_of_run(const TempDir& dir, const Args& args, int exit_code = 0) {
  const std::string path = dir.file("run.jsonl");
  std::filesystem::remove(path);
  const Args full = with(args, {"--trace", path});
  const RunResult r = run_distlab(full);
  EXPECT_EQ(r.exit_code, exit_code) << command_line(full) << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "") << command_line(full);
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << command_line(full) << " wrote no trace";
    return "";
  }
  return read_file(path);
}

struct ParsedTrace {
  json header;
  std::vector<json> events;  // events[i] is on line i + 2 of the file
};

ParsedTrace parse_trace(const std::string& text) {
  ParsedTrace t;
  const auto lines = split_lines(text);
  if (lines.empty()) return t;
  t.header = json::parse(lines[0]);
  for (std::size_t i = 1; i < lines.size(); ++i) t.events.push_back(json::parse(lines[i]));
  return t;
}

// The channels of the run's topology as "from->to", from the {"channels":{"in":...}}
// annotation each node writes at start.
std::set<std::string> topology_channels(const ParsedTrace& t) {
  std::set<std::string> channels;
  for (const json& e : t.events) {
    if (e.at("kind") != "state" || !e.at("data").contains("channels")) continue;
    for (const json& from : e["data"]["channels"]["in"]) {
      channels.insert(std::to_string(from.get<int>()) + "->" + std::to_string(e["node"].get<int>()));
    }
  }
  return channels;
}

// ---- An oracle, independent of src/distlab/algo/snapshot/checker.cc ----
//
// A simulated trace lists events in the global (t, seq) order, which is a
// linearization of happens-before, so "before" can be read as "on an earlier line".
// For every snapshot S and channel a->b, the messages in flight across S's cut are
// the application messages sent by a before a recorded S and received by b after b
// recorded S, in the order b received them. The oracle also replays the bank's
// balances to check each recorded state, and sums the money.
std::vector<std::string> oracle_problems(const ParsedTrace& t) {
  std::vector<std::string> problems;
  struct Send {
    std::size_t at;
    int from;
    int to;
    json body;
  };
  std::map<std::string, Send> sends;                                  // app messages only
  std::map<std::string, std::size_t> recvs;                           // first receive
  std::map<std::string, std::map<int, std::size_t>> recorded;         // snapshot -> node -> line index
  std::map<std::string, std::map<std::string, std::vector<std::string>>> channels;  // snapshot -> "a->b" -> ids
  std::map<int, std::int64_t> balance;
  std::int64_t initial_money = 0;
  bool bank = false;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const json& e = t.events[i];
    const std::string kind = e.at("kind");
    const int node = e.at("node");
    if (kind == "send" && e.at("type") != "marker") {
      sends[e.at("msg")] = Send{i, node, e.at("to").get<int>(), e.value("body", json())};
      if (e.at("type") == "transfer") balance[node] -= e.at("body").at("amount").get<std::int64_t>();
    }
    if (kind == "recv" && e.at("type") != "marker") {
      const std::string msg = e.at("msg");
      if (!recvs.contains(msg) && e.at("type") == "transfer") {
        balance[node] += sends.at(msg).body.at("amount").get<std::int64_t>();
      }
      recvs.try_emplace(msg, i);
    }
    if (kind != "state") continue;
    const json& d = e.at("data");
    if (d.contains("bank")) {
      bank = true;
      balance[node] += d["bank"]["initial_balance"].get<std::int64_t>();
      initial_money += d["bank"]["initial_balance"].get<std::int64_t>();
    }
    if (!d.contains("snapshot")) continue;
    const std::string s = d["snapshot"];
    if (d.contains("recorded")) {
      recorded[s][node] = i;
      if (bank && d["recorded"].value("balance", std::int64_t{-1}) != balance[node]) {
        problems.push_back("snapshot " + s + ": node " + std::to_string(node) + " recorded " + d["recorded"].dump() +
                           " but its balance was " + std::to_string(balance[node]));
      }
    }
    if (d.contains("channel")) {
      const std::string key = std::to_string(d["channel"].get<int>()) + "->" + std::to_string(node);
      channels[s][key] = d["messages"].get<std::vector<std::string>>();
    }
  }

  const std::set<std::string> topology = topology_channels(t);
  for (const auto& [s, at] : recorded) {
    if (at.size() != t.header.at("nodes").size()) {
      problems.push_back("snapshot " + s + ": " + std::to_string(at.size()) + " nodes recorded");
      continue;
    }
    std::map<std::string, std::vector<std::pair<std::size_t, std::string>>> truth;
    for (const auto& [msg, send] : sends) {
      auto recv = recvs.find(msg);
      if (recv == recvs.end()) continue;
      const std::size_t from_cut = at.at(send.from);
      const std::size_t to_cut = at.at(send.to);
      const std::string key = std::to_string(send.from) + "->" + std::to_string(send.to);
      if (send.at < from_cut && recv->second > to_cut) truth[key].emplace_back(recv->second, msg);
      if (send.at > from_cut && recv->second < to_cut) {
        problems.push_back("snapshot " + s + ": " + msg + " received inside the cut, sent outside it");
      }
    }
    std::set<std::string> seen;
    std::int64_t money = 0;
    for (const auto& [key, ids] : channels[s]) {
      seen.insert(key);
      auto list = truth[key];
      std::sort(list.begin(), list.end());
      std::vector<std::string> want;
      for (const auto& [recv_at, id] : list) want.push_back(id);
      if (want != ids) {
        problems.push_back("snapshot " + s + ": channel " + key + " recorded " + json(ids).dump() + ", in flight " +
                           json(want).dump());
      }
      for (const std::string& id : ids) {
        if (bank && sends.contains(id)) money += sends.at(id).body.at("amount").get<std::int64_t>();
      }
    }
    if (seen != topology) problems.push_back("snapshot " + s + ": the recorded channels are not the topology's");
    if (bank) {
      for (const auto& [node, i] : at) money += t.events[i]["data"]["recorded"]["balance"].get<std::int64_t>();
      if (money != initial_money) {
        problems.push_back("snapshot " + s + ": " + std::to_string(money) + " found, " +
                           std::to_string(initial_money) + " initially");
      }
    }
  }
  return problems;
}

std::size_t recorded_messages(const ParsedTrace& t) {
  std::size_t n = 0;
  for (const json& e : t.events) {
    if (e.at("kind") == "state" && e.at("data").contains("channel")) n += e["data"]["messages"].size();
  }
  return n;
}

std::set<std::string> snapshot_ids(const ParsedTrace& t) {
  std::set<std::string> ids;
  for (const json& e : t.events) {
    if (e.at("kind") == "state" && e.at("data").contains("snapshot")) ids.insert(e["data"]["snapshot"]);
  }
  return ids;
}

struct OracleCase {
  std::string name;
  Args args;
  std::size_t snapshots;
};

void PrintTo(const OracleCase& c, std::ostream* os) { *os << command_line(c.args); }

class SnapshotOracle : public ::testing::TestWithParam<OracleCase> {};

TEST_P(SnapshotOracle, RecordedChannelsAreTheMessagesInFlight) {
  const OracleCase& c = GetParam();
  TempDir dir("snapshot_oracle");
  const ParsedTrace t = parse_trace(trace_of_run(dir, with(c.args, {"--quiet"})));
  ASSERT_FALSE(t.events.empty());
  EXPECT_EQ(snapshot_ids(t).size(), c.snapshots) << command_line(c.args);
  for (const std::string& p : oracle_problems(t)) ADD_FAILURE() << command_line(c.args) << ": " << p;
  // Not vacuous: some message is caught in flight.
  EXPECT_GT(recorded_messages(t), 0u) << command_line(c.args) << " recorded only empty channels";
}

INSTANTIATE_TEST_SUITE_P(
    Cli, SnapshotOracle,
    ::testing::Values(
        OracleCase{"GameSeedScript", {"snapshot", "--seed", "6"}, 1},
        OracleCase{"GameSeedScriptSeed1", {"snapshot", "--seed", "1"}, 1},
        OracleCase{"BankThreeSnapshots", {"snapshot", "--seed", "3", "--scenario", "bank", "--snapshots", "3"}, 3},
        OracleCase{"BankRandomTopology",
                   {"snapshot", "--seed", "5", "--scenario", "bank", "--topology", "random", "--nodes", "6",
                    "--snapshots", "2"},
                   2},
        OracleCase{"BankRandomTenNodes",
                   {"snapshot", "--seed", "21", "--scenario", "bank", "--topology", "random", "--nodes", "10",
                    "--snapshots", "4"},
                   4},
        OracleCase{"BankRing", {"snapshot", "--seed", "7", "--scenario", "bank", "--topology", "ring", "--nodes", "5",
                                "--snapshots", "2"},
                   2},
        OracleCase{"GameRing", {"snapshot", "--seed", "4", "--topology", "ring", "--nodes", "12", "--snapshots", "3"},
                   3},
        OracleCase{"GameRandomTopology",
                   {"snapshot", "--seed", "9", "--topology", "random", "--nodes", "8", "--snapshots", "5"}, 5}),
    [](const ::testing::TestParamInfo<OracleCase>& info) { return info.param.name; });

// The oracle itself sees what is wrong with the seed's rule.
TEST(SnapshotOracleSelfTest, DisagreesWithTheSeedsRule) {
  TempDir dir("snapshot_oracle_seed");
  const ParsedTrace t = parse_trace(trace_of_run(dir, {"snapshot", "--seed", "1", "--rule", "seed", "--quiet"}, 1));
  const auto problems = oracle_problems(t);
  ASSERT_EQ(problems.size(), 1u) << json(problems).dump();
  EXPECT_EQ(problems[0], "snapshot 2.1: channel 2->3 recorded [\"2.4\"], in flight []");
}

// ---- The seed's recording rule is caught ----

TEST(SnapshotSeedRule, CommandExitsOneSayingTheChannelStatesAreWrong) {
  const Args args = {"snapshot", "--seed", "1", "--rule", "seed"};
  const RunResult r = run_distlab(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(has_line(r.out, "  complete; channel states WRONG; consistent cut; 6 markers for 6 channels.")) << r.out;
  const std::string failing = line_starting(r.out, "Check snapshot channel states: FAIL");
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_NE(failing.find("channel 2->3 recorded [2.4]"), std::string::npos) << failing;
  EXPECT_NE(failing.find("in flight across the cut were []"), std::string::npos) << failing;
  EXPECT_FALSE(line_starting(r.out, "Check snapshot complete: pass").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check consistent cut: pass").empty()) << r.out;

  const RunResult pt = run_distlab(with(args, {"--lang", "pt"}));
  EXPECT_EQ(pt.exit_code, 1) << pt.out << pt.err;
  EXPECT_NE(pt.out.find("estados dos canais ERRADOS"), std::string::npos) << pt.out;
}

TEST(SnapshotSeedRule, CheckOnItsTraceExitsOneNamingTheChannel) {
  TempDir dir("snapshot_seed_rule");
  const std::string path = dir.file("run.jsonl");
  const ParsedTrace t = parse_trace(trace_of_run(dir, {"snapshot", "--seed", "1", "--rule", "seed", "--quiet"}, 1));
  // The annotation that closes channel 2->3 at node 3: the line the checker must name.
  std::size_t line = 0;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const json& e = t.events[i];
    if (e["kind"] == "state" && e["node"] == 3 && e["data"].value("channel", 0) == 2) line = i + 2;
  }
  ASSERT_NE(line, 0u);

  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  const std::string failing = line_starting(r.out, "Check snapshot channel states: FAIL");
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_NE(failing.find("channel 2->3"), std::string::npos) << failing;
  EXPECT_NE(failing.find("at line " + std::to_string(line) + " "), std::string::npos)
      << "expected line " << line << ": " << failing;
  EXPECT_FALSE(line_starting(r.out, "Check causality: pass").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check snapshot complete: pass").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check consistent cut: pass").empty()) << r.out;

  const RunResult j = run_distlab({"check", "--json", path});
  EXPECT_EQ(j.exit_code, 1) << j.out << j.err;
  const json out = json::parse(j.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object() && out.contains("checks")) << j.out;
  EXPECT_EQ(out["checks"].value("snapshot_channels", ""), "fail") << j.out;
  EXPECT_EQ(out["checks"].value("snapshot_complete", ""), "pass") << j.out;
  EXPECT_EQ(out["checks"].value("consistent_cut", ""), "pass") << j.out;
}

TEST(SnapshotSeedRule, JsonReportsTheWrongChannelState) {
  const Args args = {"snapshot", "--seed", "1", "--rule", "seed", "--json"};
  const RunResult r = run_distlab(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << r.out;
  EXPECT_EQ(out.value("rule", ""), "seed");
  EXPECT_EQ(out["checks"].value("snapshot_channels", ""), "fail") << r.out;
  ASSERT_EQ(out["snapshots"].size(), 1u) << r.out;
  const json& s = out["snapshots"][0];
  EXPECT_EQ(s["channels_exact"], false) << r.out;
  EXPECT_EQ(s["consistent"], true) << r.out;
  EXPECT_EQ(s["complete"], true) << r.out;
  ASSERT_EQ(s["channels"]["2->3"].size(), 1u) << r.out;
  EXPECT_EQ(s["channels"]["2->3"][0]["msg"], "2.4") << r.out;
}

TEST(SnapshotSeedRule, TheSameSeedPassesWithChandyLamport) {
  TempDir dir("snapshot_cl_rule");
  trace_of_run(dir, {"snapshot", "--seed", "1"});
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  for (const char* line : {"Check causality: pass", "Check snapshot complete: pass",
                           "Check snapshot channel states: pass", "Check consistent cut: pass"}) {
    EXPECT_FALSE(line_starting(r.out, line).empty()) << "no '" << line << "' in:\n" << r.out;
  }
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("money"), std::string::npos) << "no money in the game:\n" << r.out;
}

TEST(SnapshotSeedRule, CheckOnABankTraceReportsMoneyConserved) {
  TempDir dir("snapshot_bank_check");
  trace_of_run(dir, {"snapshot", "--seed", "3", "--scenario", "bank", "--snapshots", "3", "--quiet"});
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* line : {"Check snapshot complete: pass (3 snapshots", "Check snapshot channel states: pass",
                           "Check consistent cut: pass", "Check money conserved: pass"}) {
    EXPECT_FALSE(line_starting(r.out, line).empty()) << "no '" << line << "' in:\n" << r.out;
  }
  EXPECT_NE(r.out.find("initial total of 3000"), std::string::npos) << r.out;
}

TEST(SnapshotSeedRule, BankWithTheSeedsRuleLosesMoney) {
  TempDir dir("snapshot_bank_seed_rule");
  trace_of_run(dir, {"snapshot", "--seed", "3", "--scenario", "bank", "--rule", "seed", "--quiet"}, 1);
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(line_starting(r.out, "Check snapshot channel states: FAIL").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check money conserved: FAIL").empty()) << r.out;
}

// ---- Determinism ----

struct DeterminismCase {
  std::string name;
  Args args;
};

void PrintTo(const DeterminismCase& c, std::ostream* os) { *os << command_line(c.args); }

class SnapshotDeterminism : public ::testing::TestWithParam<DeterminismCase> {};

TEST_P(SnapshotDeterminism, SameSeedSameStdoutAndTrace) {
  const DeterminismCase& c = GetParam();
  TempDir dir("snapshot_determinism");
  const Args args = with(c.args, {"--trace", dir.file("run.jsonl")});  // the replay line names it
  std::string out[2];
  std::string trace[2];
  for (int i = 0; i < 2; ++i) {
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
    ASSERT_EQ(r.err, "") << command_line(args);
    out[i] = r.out;
    trace[i] = read_file(dir.file("run.jsonl"));
    std::filesystem::remove(dir.file("run.jsonl"));
  }
  ASSERT_FALSE(out[0].empty());
  ASSERT_GT(split_lines(trace[0]).size(), 1u) << "the trace has no events";
  EXPECT_TRUE(out[0] == out[1]) << command_line(args) << ": stdout differs between two runs";
  EXPECT_TRUE(trace[0] == trace[1]) << command_line(args) << ": the trace differs between two runs";
}

INSTANTIATE_TEST_SUITE_P(
    Cli, SnapshotDeterminism,
    ::testing::Values(
        DeterminismCase{"GameScript", {"snapshot", "--seed", "6"}},
        DeterminismCase{"GameScriptPortuguese", {"snapshot", "--seed", "6", "--lang", "pt"}},
        DeterminismCase{"BankRandomTenNodesFourSnapshots",
                        {"snapshot", "--seed", "21", "--scenario", "bank", "--topology", "random", "--nodes", "10",
                         "--snapshots", "4"}},
        DeterminismCase{"RingTwelveNodes", {"snapshot", "--seed", "8", "--topology", "ring", "--nodes", "12"}},
        DeterminismCase{"BankRingTwelveNodesJson",
                        {"snapshot", "--seed", "8", "--scenario", "bank", "--topology", "ring", "--nodes", "12",
                         "--snapshots", "3", "--json"}}),
    [](const ::testing::TestParamInfo<DeterminismCase>& info) { return info.param.name; });

TEST(SnapshotReplay, DifferentSeedsGiveDifferentBankTraces) {
  TempDir dir("snapshot_seeds");
  std::vector<std::string> events[2];
  for (int i = 0; i < 2; ++i) {
    auto lines = split_lines(trace_of_run(
        dir, {"snapshot", "--seed", std::to_string(i + 1), "--scenario", "bank", "--snapshots", "2", "--quiet"}));
    ASSERT_GT(lines.size(), 1u);
    events[i].assign(lines.begin() + 1, lines.end());  // the header names the seed; compare the events
  }
  EXPECT_NE(events[0], events[1]) << "seeds 1 and 2 give the same bank events";
}

// The trace depends on the seed and the simulation options, not on how the run is shown.
TEST(SnapshotReplay, OutputOptionsDoNotChangeTheTrace) {
  TempDir dir("snapshot_output_options");
  for (const Args& base : {Args{"snapshot", "--seed", "6"},
                           Args{"snapshot", "--seed", "5", "--scenario", "bank", "--topology", "random", "--nodes",
                                "6", "--snapshots", "2"}}) {
    std::string first;
    for (const Args& extra : {Args{}, Args{"--lang", "pt"}, Args{"--json"}, Args{"--quiet"}}) {
      const std::string trace = trace_of_run(dir, with(base, extra));
      if (first.empty()) {
        first = trace;
      } else {
        EXPECT_TRUE(trace == first) << command_line(with(base, extra)) << " wrote a different trace";
      }
    }
  }
}

// ---- --json ----

struct JsonCase {
  std::string name;
  Args args;
  int nodes;
  std::size_t snapshots;
  std::size_t channels;  // 0: whatever the trace's topology says (random)
  bool bank = false;
  bool ring = false;
};

void PrintTo(const JsonCase& c, std::ostream* os) { *os << command_line(c.args); }

class SnapshotJson : public ::testing::TestWithParam<JsonCase> {};

TEST_P(SnapshotJson, OneObjectWithEverySnapshot) {
  const JsonCase& c = GetParam();
  TempDir dir("snapshot_json");
  const Args args = with(c.args, {"--json", "--trace", dir.file("run.jsonl")});
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(split_lines(r.out).size(), 1u) << "--json prints only the JSON object:\n" << r.out;
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << r.out;
  const std::set<std::string> topology = topology_channels(parse_trace(read_file(dir.file("run.jsonl"))));
  const std::size_t channels = c.channels != 0 ? c.channels : topology.size();
  ASSERT_EQ(topology.size(), channels) << "the trace's topology";
  if (c.channels == 0) {  // random: a Hamiltonian cycle plus out-edges, at most 3 each
    EXPECT_GE(channels, static_cast<std::size_t>(c.nodes));
    EXPECT_LE(channels, static_cast<std::size_t>(3 * c.nodes));
  }

  EXPECT_EQ(out.value("algorithm", ""), "snapshot");
  EXPECT_EQ(out.at("seed"), json::parse(c.args.at(2))) << "the args start with snapshot --seed N";
  EXPECT_EQ(out.value("nodes", 0), c.nodes);
  EXPECT_EQ(out.value("channels", std::size_t{0}), channels);
  EXPECT_EQ(out.value("markers", std::size_t{0}), channels * c.snapshots) << "one marker per channel per snapshot";
  ASSERT_TRUE(out.contains("checks") && out["checks"].is_object()) << r.out;
  std::vector<std::string> expected_checks = {"causality", "snapshot_complete", "snapshot_channels", "consistent_cut"};
  if (c.bank) expected_checks.push_back("money_conserved");
  for (const std::string& check : expected_checks) EXPECT_EQ(out["checks"].value(check, ""), "pass") << check;
  EXPECT_EQ(out["checks"].size(), expected_checks.size()) << out["checks"].dump();

  ASSERT_TRUE(out.contains("snapshots") && out["snapshots"].is_array()) << r.out;
  ASSERT_EQ(out["snapshots"].size(), c.snapshots) << r.out;
  std::set<std::string> ids;
  for (const json& s : out["snapshots"]) {
    const std::string id = s.at("id");
    ids.insert(id);
    SCOPED_TRACE("snapshot " + id);
    const int initiator = s.at("initiator");
    EXPECT_GE(initiator, 1);
    EXPECT_LE(initiator, c.nodes);
    EXPECT_EQ(id.substr(0, id.find('.')), std::to_string(initiator)) << "an id is initiator.n";
    ASSERT_TRUE(s.at("states").is_object());
    ASSERT_EQ(s["states"].size(), static_cast<std::size_t>(c.nodes));
    for (int n = 1; n <= c.nodes; ++n) EXPECT_TRUE(s["states"].contains(std::to_string(n))) << "node " << n;
    ASSERT_TRUE(s.at("channels").is_object());
    EXPECT_EQ(s["channels"].size(), channels);
    std::set<std::string> keys;
    for (const auto& [key, list] : s["channels"].items()) {
      keys.insert(key);
      EXPECT_TRUE(list.is_array()) << key;
    }
    EXPECT_EQ(keys, topology);
    if (c.ring) {
      for (int n = 1; n <= c.nodes; ++n) {
        EXPECT_TRUE(keys.contains(std::to_string(n) + "->" + std::to_string(n % c.nodes + 1))) << "ring link " << n;
      }
    }
    EXPECT_EQ(s.at("consistent"), true);
    EXPECT_EQ(s.at("complete"), true);
    EXPECT_EQ(s.at("channels_exact"), true);
    if (!c.bank) {
      EXPECT_FALSE(s.contains("money"));
      continue;
    }
    ASSERT_TRUE(s.contains("money")) << s.dump();
    const json& money = s["money"];
    EXPECT_EQ(money.at("conserved"), true);
    EXPECT_EQ(money.at("initial").get<std::int64_t>(), 1000 * c.nodes);
    std::int64_t balances = 0;
    for (const auto& [node, state] : s["states"].items()) balances += state.at("balance").get<std::int64_t>();
    std::int64_t in_channels = 0;
    for (const auto& [key, list] : s["channels"].items()) {
      for (const json& m : list) in_channels += m.at("body").at("amount").get<std::int64_t>();
    }
    EXPECT_EQ(money.at("balances").get<std::int64_t>(), balances);
    EXPECT_EQ(money.at("in_channels").get<std::int64_t>(), in_channels);
    EXPECT_EQ(balances + in_channels, money.at("initial").get<std::int64_t>());
  }
  EXPECT_EQ(ids.size(), c.snapshots) << "snapshot ids are unique";
}

INSTANTIATE_TEST_SUITE_P(
    Cli, SnapshotJson,
    ::testing::Values(
        JsonCase{"GameSeedScript", {"snapshot", "--seed", "6"}, 3, 1, 6},
        JsonCase{"GameRingSeven", {"snapshot", "--seed", "2", "--topology", "ring", "--nodes", "7", "--snapshots", "2"},
                 7, 2, 7, false, true},
        JsonCase{"GameCompleteFive", {"snapshot", "--seed", "2", "--nodes", "5", "--snapshots", "2"}, 5, 2, 20},
        JsonCase{"BankCompleteFour", {"snapshot", "--seed", "3", "--scenario", "bank", "--nodes", "4", "--snapshots", "3"},
                 4, 3, 12, true},
        JsonCase{"BankRingFive",
                 {"snapshot", "--seed", "7", "--scenario", "bank", "--topology", "ring", "--nodes", "5", "--snapshots",
                  "2"},
                 5, 2, 5, true, true},
        JsonCase{"BankRandomTen",
                 {"snapshot", "--seed", "21", "--scenario", "bank", "--topology", "random", "--nodes", "10",
                  "--snapshots", "4"},
                 10, 4, 0, true}),
    [](const ::testing::TestParamInfo<JsonCase>& info) { return info.param.name; });

// The assignment's scenario in JSON: the channel states of the narrative, with ids and bodies.
TEST(SnapshotJsonSeed, Seed6ChannelContents) {
  const RunResult r = run_distlab({"snapshot", "--seed", "6", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out["snapshots"].size(), 1u);
  const json& s = out["snapshots"][0];
  EXPECT_EQ(s["id"], "2.1");
  EXPECT_EQ(s["initiator"], 2);
  EXPECT_EQ(s["channels"]["3->1"], json::parse(R"([{"msg":"3.3","body":{"move":"attack"}}])")) << s.dump();
  EXPECT_EQ(s["channels"]["3->2"], json::parse(R"([{"msg":"3.2","body":{"move":"low_life"}}])")) << s.dump();
  for (const char* empty : {"2->1", "1->2", "1->3", "2->3"}) {
    EXPECT_EQ(s["channels"][empty], json::array()) << empty << ": " << s.dump();
  }
  EXPECT_EQ(out.value("rule", ""), "chandy-lamport");
  EXPECT_EQ(out.value("scenario", ""), "game");
  EXPECT_EQ(out.value("topology", ""), "complete");
}

// Disabled: it fails today (see the report). On reliable channels every message sent is
// delivered, but "sent" leaves the markers out and "delivered" counts them:
// `distlab snapshot --seed 6 --json` gives "messages":{"sent":7,"delivered":13}.
TEST(SnapshotJsonSeed, DeliveredCountsTheSameMessagesAsSent) {
  const RunResult r = run_distlab({"snapshot", "--seed", "6", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json out = json::parse(r.out);
  EXPECT_EQ(out["messages"]["sent"], 7) << "the script's seven moves";
  EXPECT_EQ(out["messages"]["delivered"], out["messages"]["sent"]) << out["messages"].dump();
}

// ---- Bad input: one line on stderr, nothing on stdout, exit 2, no trace ----

struct BadInputCase {
  std::string name;
  Args args;  // after "snapshot --seed 1"
  std::string says;
};

void PrintTo(const BadInputCase& c, std::ostream* os) { *os << command_line(c.args); }

class SnapshotBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(SnapshotBadInput, OneLineOnStderrExitTwoAndNoTrace) {
  const BadInputCase& c = GetParam();
  TempDir dir("snapshot_bad_input");
  const Args args = with({"snapshot", "--seed", "1", "--trace", dir.file("run.jsonl")}, c.args);
  expect_refused(args, c.says, dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, SnapshotBadInput,
    ::testing::Values(BadInputCase{"InitiatorZero", {"--initiator", "0"}, "--initiator"},
                      BadInputCase{"InitiatorNotANode", {"--initiator", "4"}, "--initiator"},
                      BadInputCase{
                          "InitiatorBeyondTwoNodes", {"--nodes", "2", "--initiator", "3"}, "--initiator"},
                      BadInputCase{"OneNode", {"--nodes", "1"}, "--nodes"},
                      BadInputCase{"ZeroNodes", {"--nodes", "0"}, "--nodes"},
                      BadInputCase{"NegativeNodes", {"--nodes", "-2"}, "--nodes"},
                      BadInputCase{"TooManyNodes", {"--nodes", "100001"}, "--nodes"},
                      BadInputCase{"UnknownScenario", {"--scenario", "chess"}, "--scenario"},
                      BadInputCase{"UnknownTopology", {"--topology", "star"}, "--topology"},
                      BadInputCase{"ZeroSnapshots", {"--snapshots", "0"}, "--snapshots"},
                      BadInputCase{"NegativeSnapshots", {"--snapshots", "-1"}, "--snapshots"},
                      BadInputCase{"TooManySnapshots", {"--snapshots", "65"}, "--snapshots"},
                      BadInputCase{"UnknownRule", {"--rule", "foo"}, "--rule"},
                      BadInputCase{"NegativeMessages", {"--messages", "-1"}, "--messages"},
                      BadInputCase{"TooManyMessages", {"--messages", "1000001"}, "--messages"},
                      BadInputCase{"Crash", {"--crash", "1@1s"}, "--crash"},
                      BadInputCase{"RandomFaults", {"--faults", "1"}, "--faults"},
                      BadInputCase{"Recover", {"--recover", "1@1s"}, "--recover"},
                      BadInputCase{"BadLatencyStillRefused", {"--latency", "foo"}, "--latency"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

// ---- Larger runs ----

struct LargeCase {
  std::string name;
  Args args;
  std::size_t snapshots;
  std::size_t channels;
  std::vector<std::string> checks;
};

void PrintTo(const LargeCase& c, std::ostream* os) { *os << command_line(c.args); }

class SnapshotLargeRun : public ::testing::TestWithParam<LargeCase> {};

TEST_P(SnapshotLargeRun, CompletesWithEveryCheckPassing) {
  const LargeCase& c = GetParam();
  const RunResult r = run_distlab(c.args);
  ASSERT_EQ(r.exit_code, 0) << command_line(c.args) << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("INCOMPLETE"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("[GLOBAL STATE]"), std::string::npos) << "--quiet prints only the summary:\n" << r.out;
  for (const std::string& check : c.checks) {
    EXPECT_FALSE(line_starting(r.out, "Check " + check + ": pass").empty()) << "no '" << check << ": pass' in\n"
                                                                            << r.out;
  }
  const std::string verdict = "  complete; channel states exact; consistent cut; " + std::to_string(c.channels) +
                              " markers for " + std::to_string(c.channels) + " channels.";
  const auto lines = split_lines(r.out);
  EXPECT_EQ(static_cast<std::size_t>(std::count(lines.begin(), lines.end(), verdict)), c.snapshots)
      << "expected " << c.snapshots << " times '" << verdict << "' in\n"
      << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, SnapshotLargeRun,
    ::testing::Values(
        LargeCase{"BankRandom300",
                  {"snapshot", "--seed", "1", "--scenario", "bank", "--topology", "random", "--nodes", "300",
                   "--snapshots", "4", "--quiet"},
                  4,
                  900,
                  {"causality", "snapshot complete", "snapshot channel states", "consistent cut",
                   "money conserved"}},
        // The reliable layer under the nodes: a network that loses, duplicates, reorders
        // and cuts two groups apart for a while gives the same verdicts.
        LargeCase{"BankRandom20OverALossyReorderingNetwork",
                  {"snapshot", "--seed", "2", "--scenario", "bank", "--topology", "random", "--nodes", "20",
                   "--snapshots", "3", "--loss", "0.1", "--dup", "0.05", "--no-fifo", "--partition",
                   "1,2,3,4,5/6,7,8,9,10,11,12@100ms..600ms", "--quiet"},
                  3,
                  60,
                  {"causality", "snapshot complete", "snapshot channel states", "consistent cut",
                   "money conserved"}},
        LargeCase{
            "GameRing50",
            {"snapshot", "--seed", "1", "--topology", "ring", "--nodes", "50", "--snapshots", "3", "--quiet"},
            3,
            50,
            {"causality", "snapshot complete", "snapshot channel states", "consistent cut"}}),
    [](const ::testing::TestParamInfo<LargeCase>& info) { return info.param.name; });

// ---- demo ----

TEST(SnapshotDemo, EnglishDemoContainsTheSnapshotScenario) {
  const RunResult demo = run_distlab({"demo"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const RunResult snapshot = run_distlab({"snapshot", "--seed", "6"});
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.err;
  EXPECT_NE(demo.out.find(snapshot.out), std::string::npos)
      << "distlab demo does not contain the whole output of distlab snapshot --seed 6:\n"
      << demo.out;
}

}  // namespace
}  // namespace distlab::testing::snapshot_cli_test
