// `distlab bully` as a user meets it: the seed scenario for every seed, checked
// against an independent reading of the trace; message complexity; partitions and
// split brain; `distlab check` on election traces; bad input; determinism; larger runs
// (DESIGN.md, "CLI contract" and "Trace contract"; issue 4). Goldens and seed parity
// are in golden_test.cc.
#include <gtest/gtest.h>
#include "distlab/testing/stride.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "run.h"

namespace distlab::testing::bully_cli_test {
namespace {

using Args = std::vector<std::string>;
using json = nlohmann::json;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSecond = 1'000'000'000;

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

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Runs `args` with --trace into `dir` and returns the trace's text; the run must exit
// with `exit_code` (kAnyExit: not checked). `out` receives the run's stdout.
constexpr int kAnyExit = -1;

std::string trace_of_run(const TempDir& dir, const Args& args, int exit_code = 0, std::string* out = nullptr) {
  const std::string path = dir.file("run.jsonl");
  std::filesystem::remove(path);
  const Args full = with(args, {"--trace", path});
  const RunResult r = run_distlab(full);
  if (exit_code != kAnyExit) {
    EXPECT_EQ(r.exit_code, exit_code) << command_line(full) << "\n" << r.out << r.err;
  }
  EXPECT_EQ(r.err, "") << command_line(full);
  if (out != nullptr) *out = r.out;
  if (!std::filesystem::exists(path)) {
    ADD_FAILURE() << command_line(full) << " wrote no trace";
    return "";
  }
  return read_file(path);
}

// Runs `args` plus --json; the run must exit with `exit_code` and print one object.
json run_json(const Args& args, int exit_code = 0) {
  const Args full = with(args, {"--json"});
  const RunResult r = run_distlab(full);
  EXPECT_EQ(r.exit_code, exit_code) << command_line(full) << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "") << command_line(full);
  EXPECT_EQ(split_lines(r.out).size(), 1u) << command_line(full) << " prints only the JSON object:\n" << r.out;
  const json out = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(out.is_object()) << command_line(full) << ":\n" << r.out;
  return out.is_object() ? out : json::object();
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

bool is_leader_note(const json& e) {
  return e.at("kind") == "state" && e.at("data").contains("leader") && e["data"]["leader"].is_number_integer();
}

// ---- An oracle, independent of src/distlab/algo/bully/checker.cc ----
//
// Replays the trace's crash/recover events and {"leader":L} notes. A node holds
// leadership from its note {"leader": itself} until it notes another leader or
// crashes. After each event the oracle records the agreed leader: the highest live
// node, when it holds leadership and every live node's last note names it (0: none).
struct ElectionReplay {
  std::vector<int> agreed;  // after events[i]
  std::map<std::string, std::size_t> sent_by_type;
  std::size_t elections_started = 0;
  std::map<int, int> final_belief;  // live nodes at the end; 0 when none
};

ElectionReplay replay_election(const ParsedTrace& t) {
  ElectionReplay r;
  const std::vector<int> nodes = t.header.at("nodes").get<std::vector<int>>();
  std::map<int, bool> up;
  std::map<int, int> belief;  // 0: none
  for (int n : nodes) up[n] = true;
  for (const json& e : t.events) {
    const std::string kind = e.at("kind");
    const int node = e.at("node");
    if (kind == "send") ++r.sent_by_type[e.at("type").get<std::string>()];
    if (kind == "crash" || kind == "recover") {
      up[node] = kind == "recover";
      belief[node] = 0;
    }
    if (kind == "state" && e["data"].value("election", "") == "start") ++r.elections_started;
    if (is_leader_note(e)) belief[node] = e["data"]["leader"].get<int>();
    int highest = 0;
    for (int n : nodes) {
      if (up[n]) highest = std::max(highest, n);
    }
    bool all = highest != 0 && belief[highest] == highest;
    for (int n : nodes) {
      if (up[n] && belief[n] != highest) all = false;
    }
    r.agreed.push_back(all ? highest : 0);
  }
  for (int n : nodes) {
    if (up[n]) r.final_belief[n] = belief[n];
  }
  return r;
}

// Every node that switched from a live leader L to a lower leader while L was up:
// "line N: node X went from L to M". On a connected, reliable network a live leader
// answers every election, so nobody has a reason to follow a lower one.
std::vector<std::string> followed_a_lower_leader(const ParsedTrace& t) {
  std::vector<std::string> found;
  std::map<int, bool> up;
  std::map<int, int> belief;
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const json& e = t.events[i];
    const int node = e.at("node");
    if (e["kind"] == "crash" || e["kind"] == "recover") {
      up[node] = e["kind"] == "recover";
      belief.erase(node);
    }
    if (!is_leader_note(e)) continue;
    const int leader = e["data"]["leader"];
    auto old = belief.find(node);
    if (old != belief.end() && leader < old->second && up.try_emplace(old->second, true).first->second) {
      found.push_back("line " + std::to_string(i + 2) + " (t=" + std::to_string(e["t"].get<std::int64_t>()) +
                      "ns): node " + std::to_string(node) + " went from leader " + std::to_string(old->second) +
                      " (up) to " + std::to_string(leader));
    }
    belief[node] = leader;
  }
  return found;
}

// ---- Defaults reproduce the seed, for every seed ----

// The seed's run: 5 nodes, a drawn node starts, 5 wins, 5 fails at 1 s, 4 is elected,
// 5 comes back at 3 s and takes over. The JSON says so, and an independent replay of
// the trace agrees with the JSON on when every live node followed the new leader.
TEST(BullyDefaults, EverySeedFrom1To50ReproducesTheSeedScenario) {
  TempDir dir("bully_defaults");
  std::set<int> starters;
  for (int seed = 1; seed <= 50; seed += kTestSeedStride) {
    const Args args = {"bully", "--seed", std::to_string(seed)};
    SCOPED_TRACE(command_line(args));
    const std::string path = dir.file("run.jsonl");
    const json out = run_json(with(args, {"--trace", path}));
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.value("algorithm", ""), "bully");
    EXPECT_EQ(out.value("seed", 0), seed);
    EXPECT_EQ(out.value("nodes", 0), 5);
    EXPECT_EQ(out.value("leader", 0), 5) << out.dump();
    const int starter = out.value("starter", 0);
    EXPECT_GE(starter, 1);
    EXPECT_LE(starter, 5);
    starters.insert(starter);
    ASSERT_TRUE(out["checks"].is_object()) << out.dump();
    EXPECT_EQ(out["checks"], json::parse(R"({"causality":"pass","leader_agreement":"pass","single_leader":"pass"})"))
        << out.dump();
    EXPECT_EQ(out["split_brain"], json::array()) << out.dump();

    ASSERT_EQ(out["failovers"].size(), 2u) << out.dump();
    const json& crash = out["failovers"][0];
    EXPECT_EQ(crash["cause"], "crash") << out.dump();
    EXPECT_EQ(crash["node"], 5);
    EXPECT_EQ(crash["at_ns"], kSecond) << "--fail-leader defaults to 1s";
    EXPECT_EQ(crash["leader"], 4) << out.dump();
    const json& back = out["failovers"][1];
    EXPECT_EQ(back["cause"], "recover") << out.dump();
    EXPECT_EQ(back["node"], 5);
    EXPECT_EQ(back["at_ns"], 3 * kSecond) << "--recover defaults to 3s";
    EXPECT_EQ(back["leader"], 5) << out.dump();
    for (const json& f : out["failovers"]) {
      ASSERT_TRUE(f["agreed_ns"].is_number_integer()) << out.dump();
      EXPECT_GT(f["agreed_ns"].get<std::int64_t>(), f["at_ns"].get<std::int64_t>());
      EXPECT_EQ(f["latency_ns"].get<std::int64_t>(), f["agreed_ns"].get<std::int64_t>() - f["at_ns"].get<std::int64_t>());
      // Within the stabilization bound of the default timeouts (525 ms + 2 x 300 ms).
      EXPECT_LE(f["latency_ns"].get<std::int64_t>(), 1125 * kMs) << out.dump();
    }

    // The trace, read independently.
    const ParsedTrace t = parse_trace(read_file(path));
    ASSERT_FALSE(t.events.empty());
    EXPECT_EQ(t.header.value("algorithm", ""), "bully");
    EXPECT_EQ(t.header["nodes"], json::parse("[1,2,3,4,5]"));
    const ElectionReplay replay = replay_election(t);
    EXPECT_EQ(out["elections"].get<std::size_t>(), replay.elections_started) << "elections = election starts traced";
    json sent = json::object();
    for (const auto& [type, n] : replay.sent_by_type) sent[type] = n;
    EXPECT_EQ(out["messages"], sent) << "messages = sends traced, by type";
    EXPECT_EQ(replay.agreed.back(), 5) << "at the end every live node follows 5";
    EXPECT_EQ(replay.final_belief, (std::map<int, int>{{1, 5}, {2, 5}, {3, 5}, {4, 5}, {5, 5}}));
    // Each failover: no agreement from its fault on, until agreed_ns, when its leader is agreed.
    for (const json& f : out["failovers"]) {
      const std::string kind = f["cause"];
      const std::int64_t at = f["at_ns"];
      const std::int64_t agreed_at = f["agreed_ns"];
      std::size_t i = 0;
      while (i < t.events.size() && !(t.events[i]["kind"] == kind && t.events[i]["node"] == f["node"] &&
                                      t.events[i]["t"] == at)) {
        ++i;
      }
      ASSERT_LT(i, t.events.size()) << "no " << kind << " event for " << f.dump();
      std::size_t j = i;
      while (j < t.events.size() && replay.agreed[j] == 0) ++j;
      ASSERT_LT(j, t.events.size()) << "never agreed after " << f.dump();
      EXPECT_EQ(t.events[j]["t"].get<std::int64_t>(), agreed_at) << f.dump();
      EXPECT_EQ(replay.agreed[j], f["leader"].get<int>()) << f.dump();
    }
  }
  EXPECT_GE(starters.size(), 4u) << "the starter is drawn from the seed";
}

// On a connected, reliable network, once a node follows a live leader it never goes
// back to a lower one: the lower one can only have won while the higher was silent.
// Fails today (see the report): a node that already follows 5 after 5's recovery
// takes an ALIVE (or a late COORDINATOR) from 4, which still leads until 5's
// COORDINATOR reaches it, and follows 4 again ("Node 2 recognises 4 as leader." after
// "Node 5 became the new leader!" in `distlab bully --seed 214`).
TEST(BullyDefaults, NoNodeGoesBackToALowerLeaderWhileTheHigherIsUp) {
  TempDir dir("bully_lower_leader");
  std::vector<int> seeds = {214};
  for (int seed = 1; seed <= 50; seed += kTestSeedStride) seeds.push_back(seed);
  for (int seed : seeds) {
    const Args args = {"bully", "--seed", std::to_string(seed), "--quiet"};
    const ParsedTrace t = parse_trace(trace_of_run(dir, args));
    for (const std::string& p : followed_a_lower_leader(t)) ADD_FAILURE() << command_line(args) << ": " << p;
  }
}

TEST(BullyDefaults, NarrativeOfSeed214NeverRecognisesFourAfterFiveIsBack) {
  const Args args = {"bully", "--seed", "214"};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  const auto back = std::find(lines.begin(), lines.end(), "Node 5 is back up.");
  ASSERT_NE(back, lines.end()) << r.out;
  for (auto it = back; it != lines.end(); ++it) {
    EXPECT_FALSE(contains(*it, "recognises 4 as leader")) << "after 5 is back: '" << *it << "'\n" << r.out;
  }
}

// ---- Message complexity: the lowest id starts, nobody fails ----

class BullyComplexity : public ::testing::TestWithParam<int> {};

TEST_P(BullyComplexity, ElectionsAndAnswersAreNTimesNMinusOneOverTwo) {
  const int n = GetParam();
  const Args args = {"bully", "--seed", "1", "--nodes", std::to_string(n), "--starter", "1", "--fail-leader",
                     "off", "--no-heartbeat", "--latency", "const:5ms"};
  SCOPED_TRACE(command_line(args));
  const json out = run_json(args);
  ASSERT_FALSE(out.empty());
  const std::int64_t pairs = std::int64_t{n} * (n - 1) / 2;
  const json& m = out["messages"];
  EXPECT_EQ(m.value("election", std::int64_t{-1}), pairs) << m.dump();
  EXPECT_EQ(m.value("answer", std::int64_t{-1}), pairs) << m.dump();
  for (const char* type : {"coordinator", "ack"}) {
    const std::int64_t count = m.value(type, std::int64_t{-1});
    EXPECT_GE(count, n - 1) << type << ": every other node hears the winner, " << m.dump();
    EXPECT_LE(count, 3 * n) << type << ": " << m.dump();
  }
  EXPECT_FALSE(m.contains("alive")) << "--no-heartbeat: " << m.dump();
  EXPECT_EQ(m.size(), 4u) << m.dump();
  EXPECT_EQ(out.value("leader", 0), n);
  EXPECT_EQ(out.value("elections", 0), n) << "every node runs one election";
  EXPECT_EQ(out.value("starter", 0), 1);
  EXPECT_EQ(out["failovers"], json::array());
  EXPECT_EQ(out["split_brain"], json::array());
  EXPECT_EQ(out["checks"].value("leader_agreement", ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("single_leader", ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("causality", ""), n <= 200 ? "pass" : "skipped") << out.dump();
}

INSTANTIATE_TEST_SUITE_P(Cli, BullyComplexity, ::testing::Values(5, 50, 500),
                         [](const ::testing::TestParamInfo<int>& info) { return "Nodes" + std::to_string(info.param); });

// ---- Partitions ----

const Args kHealedPartition = {"bully", "--seed", "3", "--partition", "1,2,3/4,5@1.5s..2.5s"};

TEST(BullyPartition, HealedPartitionWarnsOfSplitBrainAndExitsZero) {
  const RunResult r = run_distlab(kHealedPartition);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  const std::string warning = line_starting(r.out, "WARNING: ");
  ASSERT_FALSE(warning.empty()) << r.out;
  EXPECT_TRUE(contains(warning, "split brain")) << warning;
  EXPECT_TRUE(contains(warning, "Bully's known weakness")) << warning;
  EXPECT_TRUE(std::regex_search(warning, std::regex(R"(nodes [1-5] and [1-5] both held leadership)"))) << warning;
  EXPECT_TRUE(has_line(r.out, "Final leader: 5.")) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check leader agreement: pass").empty()) << r.out;
  EXPECT_FALSE(contains(r.out, "FAIL")) << r.out;

  const RunResult pt = run_distlab(with(kHealedPartition, {"--lang", "pt"}));
  EXPECT_EQ(pt.exit_code, 0) << pt.err;
  EXPECT_FALSE(line_starting(pt.out, "ATENÇÃO: ").empty()) << pt.out;
}

TEST(BullyPartition, HealedPartitionJsonListsTheSplitBrain) {
  const json out = run_json(kHealedPartition);
  ASSERT_TRUE(out.contains("split_brain") && out["split_brain"].is_array()) << out.dump();
  ASSERT_FALSE(out["split_brain"].empty()) << out.dump();
  for (const json& s : out["split_brain"]) {
    ASSERT_EQ(s["nodes"].size(), 2u) << s.dump();
    EXPECT_NE(s["nodes"][0], s["nodes"][1]) << s.dump();
    const std::int64_t from = s["from_ns"];
    const std::int64_t to = s["to_ns"];
    EXPECT_LT(from, to) << s.dump();
    // The minority side elects its own leader during the partition; the split ends
    // once the healed network carries the other leader's heartbeats.
    EXPECT_GE(from, 1500 * kMs) << s.dump();
    EXPECT_LT(from, 2500 * kMs) << s.dump();
    EXPECT_GE(to, 2500 * kMs) << s.dump();
    EXPECT_LT(to, 3 * kSecond) << s.dump();
  }
  EXPECT_EQ(out["checks"].value("leader_agreement", ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("single_leader", ""), "pass") << "known weakness, reported, not a violation";
  EXPECT_EQ(out.value("leader", 0), 5);
}

// A partition that never heals leaves two leaders at the end, long after the
// partition began: the agreement property is violated and the command must say so
// (exit 1), naming who follows whom. Fails today (see the report): every heartbeat
// dropped by the partition counts as "the last fault", so the check is skipped as
// "the run ended 6.939ms after the last fault, within the bound", the command exits
// 0 and prints "No leader at the end." although nodes 2 and 5 both lead.
const Args kPermanentPartition = {"bully",         "--seed", "3",      "--partition", "1,2/3,4,5@500ms..",
                                  "--fail-leader", "off",    "--until", "5s"};

TEST(BullyPartition, PermanentPartitionFailsAgreementNamingBothLeaders) {
  const RunResult r = run_distlab(kPermanentPartition);
  EXPECT_EQ(r.exit_code, 1) << command_line(kPermanentPartition) << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "");
  const std::string agreement = line_starting(r.out, "Check leader agreement: ");
  ASSERT_FALSE(agreement.empty()) << r.out;
  EXPECT_EQ(agreement.rfind("Check leader agreement: FAIL", 0), 0u) << agreement;
  // Nodes 1 and 2 follow 2; 3, 4 and 5 follow 5.
  for (const char* belief : {"1->2", "2->2", "3->5", "4->5", "5->5"}) {
    EXPECT_TRUE(contains(agreement, belief)) << belief << " missing: " << agreement;
  }
  const std::string warning = line_starting(r.out, "WARNING: ");
  EXPECT_TRUE(contains(warning, "split brain")) << r.out;
  EXPECT_FALSE(has_line(r.out, "No leader at the end.")) << "two nodes lead at the end, not none:\n" << r.out;

  const json out = run_json(kPermanentPartition, 1);
  EXPECT_EQ(out["checks"].value("leader_agreement", ""), "fail") << out.dump();
  EXPECT_FALSE(out["split_brain"].empty()) << out.dump();
}

// Whatever the command says, `distlab check` says on its trace.
TEST(BullyPartition, CheckOnAPermanentPartitionTraceFailsAgreement) {
  TempDir dir("bully_permanent_partition");
  trace_of_run(dir, with(kPermanentPartition, {"--quiet"}), kAnyExit);
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(line_starting(r.out, "Check leader agreement: FAIL").empty()) << r.out;
}

// The run itself, whatever the verdict: each side elects its highest node, and the
// split holds from the minority's election to the end.
TEST(BullyPartition, PermanentPartitionElectsOnBothSides) {
  TempDir dir("bully_permanent_sides");
  const ParsedTrace t = parse_trace(trace_of_run(dir, with(kPermanentPartition, {"--quiet"}), kAnyExit));
  const ElectionReplay replay = replay_election(t);
  EXPECT_EQ(replay.final_belief, (std::map<int, int>{{1, 2}, {2, 2}, {3, 5}, {4, 5}, {5, 5}}));
  EXPECT_EQ(replay.agreed.back(), 0);
}

// ---- distlab check on election traces ----

TEST(BullyCheck, SeedTracePassesEveryElectionCheck) {
  TempDir dir("bully_check");
  trace_of_run(dir, {"bully", "--seed", "214", "--quiet"});
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(contains(split_lines(r.out).at(0), "bully trace (sim, seed 214), 5 nodes")) << r.out;
  for (const char* line : {"Check causality: pass", "Check leader agreement: pass (every live node follows 5",
                           "Check single leader: pass"}) {
    EXPECT_FALSE(line_starting(r.out, line).empty()) << "no '" << line << "' in:\n" << r.out;
  }
  EXPECT_FALSE(contains(r.out, "FAIL")) << r.out;

  const RunResult j = run_distlab({"check", "--json", dir.file("run.jsonl")});
  EXPECT_EQ(j.exit_code, 0) << j.out << j.err;
  const json out = json::parse(j.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << j.out;
  EXPECT_EQ(out.value("algorithm", ""), "bully");
  EXPECT_EQ(out["checks"], json::parse(R"({"causality":"pass","leader_agreement":"pass","single_leader":"pass"})"));
}

// The last {"leader":...} note of `node` in the trace text, replaced by {"leader":`to`}.
std::string with_last_belief(const std::string& text, int node, int to) {
  auto lines = split_lines(text);
  for (std::size_t i = lines.size(); i-- > 1;) {
    const json e = json::parse(lines[i]);
    if (e["node"] != node || !is_leader_note(e)) continue;
    json changed = e;
    changed["data"]["leader"] = to;
    lines[i] = changed.dump();
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }
  ADD_FAILURE() << "node " << node << " has no leader note";
  return text;
}

TEST(BullyCheck, TwoLeadersBelievedAtTheEndFailsAgreementNamingTheNode) {
  TempDir dir("bully_check_corrupt");
  const std::string text = trace_of_run(dir, {"bully", "--seed", "214", "--quiet"});
  write_file(dir.file("corrupt.jsonl"), with_last_belief(text, 2, 4));  // node 2 ends believing 4
  const RunResult r = run_distlab({"check", dir.file("corrupt.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  const std::string failing = line_starting(r.out, "Check leader agreement: FAIL");
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_TRUE(contains(failing, "2->4")) << failing;
  EXPECT_TRUE(contains(failing, "1->5")) << failing;
  EXPECT_TRUE(contains(failing, "highest live id 5")) << failing;
  EXPECT_FALSE(line_starting(r.out, "Check causality: pass").empty()) << r.out;

  const RunResult j = run_distlab({"check", "--json", dir.file("corrupt.jsonl")});
  EXPECT_EQ(j.exit_code, 1);
  const json out = json::parse(j.out, nullptr, false);
  ASSERT_TRUE(out.is_object()) << j.out;
  EXPECT_EQ(out["checks"].value("leader_agreement", ""), "fail") << j.out;
  EXPECT_TRUE(contains(out["details"].value("leader_agreement", ""), "2->4")) << j.out;
}

TEST(BullyCheck, TwoNodesHoldingLeadershipOnAReliableNetworkFailsSingleLeader) {
  TempDir dir("bully_check_two_leaders");
  const std::string text = trace_of_run(dir, {"bully", "--seed", "214", "--quiet"});
  write_file(dir.file("corrupt.jsonl"), with_last_belief(text, 4, 4));  // 4 never steps down
  const RunResult r = run_distlab({"check", dir.file("corrupt.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string failing = line_starting(r.out, "Check single leader: FAIL");
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_TRUE(std::regex_search(failing, std::regex("nodes (4 and 5|5 and 4) both held leadership"))) << failing;
  EXPECT_TRUE(contains(failing, "reliable network")) << failing;
  EXPECT_TRUE(contains(line_starting(r.out, "Check leader agreement: FAIL"), "4->4")) << r.out;
}

// ---- Bad input: one line on stderr, nothing on stdout, exit 2, no trace ----

struct BadInputCase {
  std::string name;
  Args args;  // after "bully --seed 1 --trace FILE"
  std::string says;
};

void PrintTo(const BadInputCase& c, std::ostream* os) { *os << command_line(c.args); }

class BullyBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(BullyBadInput, OneLineOnStderrExitTwoAndNoTrace) {
  const BadInputCase& c = GetParam();
  TempDir dir("bully_bad_input");
  const Args args = with({"bully", "--seed", "1", "--trace", dir.file("run.jsonl")}, c.args);
  expect_refused(args, c.says, dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, BullyBadInput,
    ::testing::Values(
        BadInputCase{"OneNode", {"--nodes", "1"}, "--nodes"},
        BadInputCase{"ZeroNodes", {"--nodes", "0"}, "--nodes"},
        BadInputCase{"NegativeNodes", {"--nodes", "-2"}, "--nodes"},
        BadInputCase{"TooManyNodes", {"--nodes", "20001"}, "--nodes"},
        BadInputCase{"StarterNotANode", {"--starter", "9"}, "--starter 9"},
        BadInputCase{"StarterBeyondTwoNodes", {"--nodes", "2", "--starter", "3"}, "--starter 3"},
        BadInputCase{"StarterNegative", {"--starter", "-1"}, "--starter"},
        // The help documents no meaning for 0 ("--starter ID ... (default: drawn)"), and
        // nodes are 1..N, as `snapshot --initiator 0` is refused. Fails today: accepted
        // and treated as "draw one".
        BadInputCase{"StarterZero", {"--starter", "0"}, "--starter"},
        BadInputCase{"CrashUnknownNode", {"--crash", "9@1s"}, "node 9"},
        BadInputCase{"CrashNegativeTime", {"--crash", "2@-1s"}, "--crash"},
        BadInputCase{"NegativeHeartbeat", {"--heartbeat", "-1s"}, "--heartbeat"},
        BadInputCase{"ZeroHeartbeat", {"--heartbeat", "0s"}, "--heartbeat"},
        BadInputCase{"LeaderTimeoutShorterThanHeartbeat", {"--leader-timeout", "50ms"}, "--leader-timeout"},
        BadInputCase{"LeaderTimeoutEqualToHeartbeat", {"--leader-timeout", "100ms"}, "--leader-timeout"},
        BadInputCase{"ZeroAnswerTimeout", {"--answer-timeout", "0"}, "--answer-timeout"},
        BadInputCase{"NegativeCoordinatorTimeout", {"--coordinator-timeout", "-5ms"}, "--coordinator-timeout"},
        BadInputCase{"FailLeaderNotATime", {"--fail-leader", "abc"}, "--fail-leader"},
        BadInputCase{"NegativeFailLeader", {"--fail-leader", "-1s"}, "--fail-leader"},
        BadInputCase{"RecoverBeforeFailure", {"--recover", "2s", "--fail-leader", "3s"}, "--recover"},
        BadInputCase{"RecoverAtTheFailure", {"--recover", "1s"}, "--recover"},
        BadInputCase{"RecoverNotATime", {"--recover", "abc"}, "--recover"},
        BadInputCase{"RecoverUnknownNode", {"--recover", "9@1s"}, "node 9"},
        BadInputCase{"RecoverNodeNotDown", {"--recover", "2@1s"}, "--recover"},
        BadInputCase{"UnknownLatency", {"--latency", "foo"}, "--latency"},
        BadInputCase{"LossAboveOne", {"--loss", "2"}, "--loss"},
        BadInputCase{"PartitionUnknownNode", {"--partition", "1,9/2@1s..2s"}, "node 9"},
        BadInputCase{"PauseUnknownNode", {"--pause", "9@1s+1s"}, "node 9"},
        BadInputCase{"NegativeFaults", {"--faults", "-1"}, "--faults"},
        BadInputCase{"UntilZero", {"--until", "0s"}, "--until"},
        BadInputCase{"UnknownOption", {"--bogus"}, "--bogus"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

// The help says what --starter takes and that it is drawn by default.
TEST(BullyHelp, DocumentsTheStarterAndTheDefaults) {
  const RunResult r = run_distlab({"bully", "--help"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string starter = line_starting(r.out, "  --starter ID");
  EXPECT_TRUE(contains(starter, "default: drawn")) << r.out;
  for (const char* option : {"--nodes", "--fail-leader", "--recover", "--heartbeat", "--leader-timeout",
                             "--answer-timeout", "--coordinator-timeout", "--no-heartbeat", "--partition",
                             "--crash", "--latency", "--until", "--seed", "--trace", "--json", "--lang"}) {
    EXPECT_TRUE(contains(r.out, option)) << option << " missing from the help:\n" << r.out;
  }
}

// ---- Determinism ----

struct DeterminismCase {
  std::string name;
  Args args;
};

void PrintTo(const DeterminismCase& c, std::ostream* os) { *os << command_line(c.args); }

class BullyDeterminism : public ::testing::TestWithParam<DeterminismCase> {};

TEST_P(BullyDeterminism, SameSeedSameStdoutAndTrace) {
  const DeterminismCase& c = GetParam();
  TempDir dir("bully_determinism");
  const Args args = with(c.args, {"--trace", dir.file("run.jsonl")});  // the replay line names it
  std::string out[2];
  std::string trace[2];
  for (int i = 0; i < 2; ++i) {
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.out << r.err;
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
    Cli, BullyDeterminism,
    ::testing::Values(
        DeterminismCase{"Default", {"bully", "--seed", "214"}},
        DeterminismCase{"DefaultPortuguese", {"bully", "--seed", "214", "--lang", "pt"}},
        DeterminismCase{"RandomFaultsSixNodes", {"bully", "--seed", "5", "--faults", "3", "--nodes", "6", "--until", "6s"}},
        DeterminismCase{"HealedPartition", {"bully", "--seed", "3", "--partition", "1,2,3/4,5@1.5s..2.5s"}},
        DeterminismCase{"LossExpLatencyNoFifo",
                        {"bully", "--seed", "11", "--loss", "0.1", "--latency", "exp:5ms", "--no-fifo"}},
        DeterminismCase{"Json", {"bully", "--seed", "7", "--nodes", "9", "--json"}}),
    [](const ::testing::TestParamInfo<DeterminismCase>& info) { return info.param.name; });

TEST(BullyReplay, DifferentSeedsGiveDifferentTraces) {
  TempDir dir("bully_seeds");
  for (const Args& extra : {Args{}, Args{"--faults", "3", "--nodes", "6", "--until", "6s"}}) {
    std::vector<std::string> events[2];
    for (int i = 0; i < 2; ++i) {
      auto lines = split_lines(trace_of_run(dir, with({"bully", "--seed", std::to_string(i + 1), "--quiet"}, extra)));
      ASSERT_GT(lines.size(), 1u);
      events[i].assign(lines.begin() + 1, lines.end());  // the header names the seed; compare the events
    }
    EXPECT_NE(events[0], events[1]) << "seeds 1 and 2 give the same events with" << command_line(extra);
  }
}

// The trace depends on the seed and the simulation options, not on how the run is shown.
TEST(BullyReplay, OutputOptionsDoNotChangeTheTrace) {
  TempDir dir("bully_output_options");
  for (const Args& base : {Args{"bully", "--seed", "214"}, kHealedPartition}) {
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

TEST(BullyReplay, WithoutASeedOneIsDrawnAndTheReplayLineReproducesTheRun) {
  const RunResult first = run_distlab({"bully", "--quiet"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::smatch m;
  const std::string replay = line_starting(first.out, "Seed ");
  ASSERT_TRUE(std::regex_match(replay, m, std::regex(R"(Seed (\d+)\. Replay: distlab bully --quiet --seed (\d+))")))
      << replay;
  EXPECT_EQ(m[1].str(), m[2].str());
  const RunResult again = run_distlab({"bully", "--quiet", "--seed", m[1].str()});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // Same run; only the replay line differs (it no longer adds the seed).
  auto a = split_lines(first.out);
  auto b = split_lines(again.out);
  ASSERT_EQ(a.size(), b.size());
  a.pop_back();
  b.pop_back();
  EXPECT_EQ(a, b);
}

// ---- Output modes ----

TEST(BullyOutput, QuietPrintsOnlyTheSummary) {
  const RunResult r = run_distlab({"bully", "--seed", "214", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(contains(r.out, "started an election")) << r.out;
  EXPECT_FALSE(contains(r.out, "recognises")) << r.out;
  EXPECT_EQ(split_lines(r.out).front(), "Elections started: 6.") << r.out;
  EXPECT_TRUE(has_line(r.out, "Final leader: 5.")) << r.out;
}

TEST(BullyOutput, SummaryMatchesTheJson) {
  const RunResult text = run_distlab({"bully", "--seed", "214", "--quiet"});
  const json out = run_json({"bully", "--seed", "214"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_TRUE(has_line(text.out, "Elections started: " + std::to_string(out["elections"].get<int>()) + "."));
  std::string counts;
  for (const auto& [type, n] : out["messages"].items()) counts += (counts.empty() ? "" : ", ") + type + " " + n.dump();
  EXPECT_TRUE(has_line(text.out, "Messages: " + counts + ".")) << text.out;
  EXPECT_TRUE(has_line(text.out, "Leader 5 crashed at 1s; every live node followed 4 at 1.398s (397.9ms later)."))
      << text.out;
  EXPECT_EQ(out["failovers"][0]["agreed_ns"], 1397898759) << out.dump();
}

// ---- Larger runs ----

TEST(BullyLarge, ThreeHundredNodesElectTheHighest) {
  const Args args = {"bully", "--seed", "1", "--nodes", "300", "--starter", "1", "--fail-leader", "off",
                     "--no-heartbeat", "--quiet"};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(has_line(r.out, "Final leader: 300.")) << r.out;
  EXPECT_FALSE(contains(r.out, "FAIL")) << r.out;
  EXPECT_FALSE(contains(r.out, "recognises")) << "--quiet:\n" << r.out;
  const std::string causality = line_starting(r.out, "Check causality: ");
  EXPECT_EQ(causality, "Check causality: skipped (messages were not kept for this large run)") << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check leader agreement: pass (every live node follows 300").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check single leader: pass").empty()) << r.out;

  const json out = run_json(args);
  EXPECT_EQ(out.value("leader", 0), 300);
  EXPECT_EQ(out["checks"], json::parse(R"({"causality":"skipped","leader_agreement":"pass","single_leader":"pass"})"));
}

// A large run keeps its drops in memory without their sends; lost messages (and a
// partition's) must not be taken for messages never sent.
TEST(BullyLarge, LossAndPartitionOnThreeHundredNodesAreCheckedNotRefused) {
  for (const Args& faults : {Args{"--loss", "0.02"}, Args{"--partition", "1,2/299,300@0ms..30ms"}}) {
    Args args = {"bully", "--seed",        "3",   "--nodes",        "300",    "--starter",
                 "1",     "--fail-leader", "off", "--no-heartbeat", "--quiet"};
    args.insert(args.end(), faults.begin(), faults.end());
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.out << r.err;
    EXPECT_EQ(r.err, "") << command_line(args);
    EXPECT_EQ(line_starting(r.out, "Check causality: "),
              "Check causality: skipped (messages were not kept for this large run)")
        << r.out;
    EXPECT_FALSE(line_starting(r.out, "Check leader agreement: pass").empty()) << command_line(args) << "\n"
                                                                               << r.out;
  }
}

// The trace of a large run keeps every message, so `distlab check` can check causality
// the command itself skipped.
TEST(BullyLarge, CheckOnTheLargeTraceChecksCausality) {
  TempDir dir("bully_large_check");
  trace_of_run(dir, {"bully", "--seed", "1", "--nodes", "300", "--starter", "1", "--fail-leader", "off",
                     "--no-heartbeat", "--quiet"});
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(line_starting(r.out, "Check causality: pass").empty()) << r.out;
  EXPECT_FALSE(line_starting(r.out, "Check leader agreement: pass").empty()) << r.out;
}

// ---- demo ----

TEST(BullyDemo, EnglishDemoContainsTheBullyScenario) {
  const RunResult demo = run_distlab({"demo"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const RunResult bully = run_distlab({"bully", "--seed", "214"});
  ASSERT_EQ(bully.exit_code, 0) << bully.err;
  EXPECT_TRUE(contains(demo.out, bully.out))
      << "distlab demo does not contain the whole output of distlab bully --seed 214:\n"
      << demo.out;
}

}  // namespace
}  // namespace distlab::testing::bully_cli_test
