// `distlab heartbeat`, `distlab monitor` and `distlab node` as a user meets them: the
// seed's scenario for every seed, checked against an independent reading of the
// trace; loss and false suspicions; the table mode's trade-off; `distlab check` on
// detection traces; bad input; determinism; real processes on loopback (DESIGN.md,
// "CLI contract", "Trace contract" and "Real runtime (UDP)"; issue 5). Goldens and
// seed parity are in golden_test.cc.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include "distlab/testing/stride.h"
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "run.h"

namespace distlab::testing::heartbeat_cli_test {
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

std::size_t count_lines(const std::string& text, const std::string& line) {
  const auto lines = split_lines(text);
  return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line));
}

// The first line of `text` that starts with `prefix`, or "".
std::string line_starting(const std::string& text, const std::string& prefix) {
  for (const std::string& line : split_lines(text)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr int kAnyExit = -1;

// Runs `args` with --trace into `dir` and returns the trace's text; the run must exit
// with `exit_code` (kAnyExit: not checked). `out` receives the run's stdout.
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

// Runs `args` plus --json; the run must exit with `exit_code` (kAnyExit: not checked)
// and print one object.
json run_json(const Args& args, int exit_code = 0) {
  const Args full = with(args, {"--json"});
  const RunResult r = run_distlab(full);
  if (exit_code != kAnyExit) {
    EXPECT_EQ(r.exit_code, exit_code) << command_line(full) << "\n" << r.out << r.err;
  }
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

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// ---- An oracle, independent of src/distlab/algo/detect/checker.cc ----
//
// Replays the trace: crash/recover events are the ground truth, the monitor's
// {"suspect":N}, {"trust":N} and {"redirect_to":...} notes its view, its heartbeat
// receptions what it knew.
struct Crash {
  int node = 0;
  std::int64_t at = 0;
  std::optional<std::int64_t> suspected;  // the first suspicion after the crash, while down
  std::optional<std::int64_t> recovered;
  bool suspected_at_crash = false;  // the monitor already suspected it (falsely) when it crashed
};

struct Suspicion {
  int node = 0;
  std::int64_t at = 0;
  bool node_up = false;                  // a false suspicion
  std::optional<std::int64_t> heard_at;  // the last heartbeat the monitor had received from it
};

struct Redirect {
  std::int64_t at = 0;
  std::optional<int> to;
  std::optional<int> lowest_trusted;  // what it should be
  std::optional<int> lowest_live;     // the ground truth
};

struct DetectionReplay {
  std::string detector;
  std::int64_t timeout_ns = 0;
  std::int64_t check_every_ns = 0;
  std::int64_t end_ns = 0;
  std::vector<Crash> crashes;
  std::vector<Suspicion> suspicions;
  std::vector<Redirect> redirects;
  std::size_t heartbeats_received = 0;
  std::size_t heartbeats_sent = 0;
};

DetectionReplay replay_detection(const ParsedTrace& t) {
  DetectionReplay r;
  std::map<int, bool> up;
  std::map<int, std::size_t> open;  // node -> index in crashes while down
  std::map<int, std::int64_t> heard;
  std::set<int> trusted;
  std::set<int> suspected;
  for (int n : t.header.at("nodes").get<std::vector<int>>()) up[n] = true;
  for (const json& e : t.events) {
    const std::string kind = e.at("kind");
    const int node = e.at("node");
    const std::int64_t time = e.at("t");
    r.end_ns = std::max(r.end_ns, time);
    if (kind == "crash") {
      up[node] = false;
      open[node] = r.crashes.size();
      r.crashes.push_back({node, time, std::nullopt, std::nullopt, suspected.contains(node)});
    } else if (kind == "recover") {
      up[node] = true;
      if (auto it = open.find(node); it != open.end()) {
        r.crashes[it->second].recovered = time;
        open.erase(it);
      }
    } else if (kind == "send" && e.value("type", "") == "heartbeat") {
      ++r.heartbeats_sent;
    } else if (kind == "recv" && node == 0 && e.value("type", "") == "heartbeat") {
      ++r.heartbeats_received;
      heard[e.at("from").get<int>()] = time;
    } else if (kind == "state" && node == 0) {
      const json& d = e.at("data");
      if (d.contains("monitor")) {
        r.detector = d["monitor"].value("detector", "");
        r.timeout_ns = d["monitor"].value("timeout_ns", std::int64_t{0});
        r.check_every_ns = d["monitor"].value("check_every_ns", std::int64_t{0});
      }
      if (d.contains("suspect")) {
        const int n = d["suspect"];
        suspected.insert(n);
        trusted.erase(n);
        if (auto it = open.find(n); it != open.end() && !r.crashes[it->second].suspected) {
          r.crashes[it->second].suspected = time;
        }
        Suspicion s{n, time, up[n], std::nullopt};
        if (auto h = heard.find(n); h != heard.end()) s.heard_at = h->second;
        r.suspicions.push_back(s);
      }
      if (d.contains("trust")) {
        const int n = d["trust"];
        suspected.erase(n);
        trusted.insert(n);
      }
      if (d.contains("redirect_to")) {
        Redirect red;
        red.at = time;
        if (!d["redirect_to"].is_null()) red.to = d["redirect_to"].get<int>();
        if (!trusted.empty()) red.lowest_trusted = *trusted.begin();
        for (const auto& [n, is_up] : up) {
          if (n != 0 && is_up) {
            red.lowest_live = n;
            break;
          }
        }
        r.redirects.push_back(red);
      }
    }
  }
  return r;
}

std::size_t false_suspicions(const DetectionReplay& r) {
  return static_cast<std::size_t>(
      std::count_if(r.suspicions.begin(), r.suspicions.end(), [](const Suspicion& s) { return s.node_up; }));
}

std::string show(const std::optional<int>& n) { return n ? std::to_string(*n) : "nobody"; }

// "20s" for whole seconds, as the narrative prints them; "" otherwise.
std::string whole_seconds(std::int64_t ns) { return ns % kSecond == 0 ? std::to_string(ns / kSecond) + "s" : ""; }

// The seed's script (heartbeat_scenario.cc): crashes of 3, 1, 2, 4, 1; 1 comes back at 60 s.
struct ScriptedCrash {
  int node;
  std::int64_t at;
  std::optional<std::int64_t> recovered;
};
const std::vector<ScriptedCrash> kScript = {{3, 20 * kSecond, std::nullopt},
                                            {1, 40 * kSecond, 60 * kSecond},
                                            {2, 80 * kSecond, std::nullopt},
                                            {4, 100 * kSecond, std::nullopt},
                                            {1, 120 * kSecond, std::nullopt}};

// ---- The default script, for every seed ----

// Every crash of the script is suspected within timeout + check interval (10 s + 1 s),
// by the fixed timeout's own logic no sooner than timeout - (interval + jitter) after
// it; no live node is suspected; the JSON agrees with the trace; every redirect names
// the lowest trusted node, which is the lowest live one; orders go back to node 1 when
// it returns at 60 s, and nowhere after the last crash.
TEST(HeartbeatDefaults, EverySeedFrom1To30DetectsEveryCrashInTimeWithoutFalseSuspicion) {
  TempDir dir("heartbeat_defaults");
  for (int seed = 1; seed <= 30; seed += kTestSeedStride) {
    const Args args = {"heartbeat", "--seed", std::to_string(seed)};
    SCOPED_TRACE(command_line(args));
    const std::string path = dir.file("run.jsonl");
    const json out = run_json(with(args, {"--trace", path}));
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.value("algorithm", ""), "heartbeat");
    EXPECT_EQ(out.value("seed", 0), seed);
    EXPECT_EQ(out.value("nodes", 0), 4);
    EXPECT_EQ(out["checks"], json::parse(R"({"causality":"pass","detector_completeness":"pass",)"
                                         R"("detector_accuracy":"pass","failover":"pass"})"))
        << out.dump();
    EXPECT_EQ(out.value("false_suspicions", -1), 0) << out.dump();

    const ParsedTrace t = parse_trace(read_file(path));
    EXPECT_EQ(t.header.value("algorithm", ""), "heartbeat");
    EXPECT_EQ(t.header["nodes"], json::parse("[0,1,2,3,4]")) << "node 0 is the monitor";
    const DetectionReplay replay = replay_detection(t);
    EXPECT_EQ(replay.detector, "fixed");
    EXPECT_EQ(replay.timeout_ns, 10 * kSecond);
    EXPECT_EQ(replay.check_every_ns, kSecond);
    EXPECT_EQ(false_suspicions(replay), 0u);
    EXPECT_EQ(out.value("heartbeats", std::size_t{0}), replay.heartbeats_sent);

    ASSERT_EQ(replay.crashes.size(), kScript.size());
    ASSERT_EQ(out["detections"].size(), kScript.size()) << out.dump();
    for (std::size_t i = 0; i < kScript.size(); ++i) {
      const Crash& c = replay.crashes[i];
      const json& d = out["detections"][i];
      EXPECT_EQ(c.node, kScript[i].node);
      EXPECT_EQ(c.at, kScript[i].at);
      EXPECT_EQ(c.recovered, kScript[i].recovered);
      ASSERT_TRUE(c.suspected.has_value()) << "node " << c.node << " crashed at " << c.at << " was never suspected";
      const std::int64_t latency = *c.suspected - c.at;
      EXPECT_LE(latency, 11 * kSecond) << "node " << c.node;
      EXPECT_GT(latency, 4 * kSecond) << "node " << c.node << ": suspected before 10 s of silence";
      EXPECT_EQ(latency % kSecond, 0) << "suspicions happen on the 1 s checks";
      EXPECT_EQ(d.value("node", 0), c.node) << d.dump();
      EXPECT_EQ(d.value("crashed_at_ns", std::int64_t{0}), c.at) << d.dump();
      EXPECT_EQ(d.value("detected_at_ns", std::int64_t{0}), *c.suspected) << d.dump();
      EXPECT_EQ(d.value("latency_ns", std::int64_t{0}), latency) << d.dump();
    }

    ASSERT_FALSE(replay.redirects.empty());
    for (const Redirect& red : replay.redirects) {
      EXPECT_EQ(red.to, red.lowest_trusted) << "redirect at " << red.at << "ns to " << show(red.to);
    }
    // After every suspicion, orders go to the lowest live node (no loss: the monitor is right).
    for (const Crash& c : replay.crashes) {
      auto red = std::find_if(replay.redirects.begin(), replay.redirects.end(),
                              [&](const Redirect& r) { return r.at == *c.suspected; });
      ASSERT_NE(red, replay.redirects.end()) << "no redirect when node " << c.node << " was suspected";
      EXPECT_EQ(red->to, red->lowest_live) << "at " << red->at << "ns";
    }
    // Back to node 1 when it returns: the first redirect after 60 s names it.
    auto back = std::find_if(replay.redirects.begin(), replay.redirects.end(),
                             [](const Redirect& r) { return r.at > 60 * kSecond; });
    ASSERT_NE(back, replay.redirects.end());
    EXPECT_EQ(back->to, std::optional<int>(1)) << "at " << back->at << "ns";
    EXPECT_LT(back->at, 61 * kSecond) << "node 1 heartbeats as soon as it restarts";
    EXPECT_EQ(replay.redirects.back().to, std::nullopt) << "nobody is left at the end";
    EXPECT_EQ(replay.redirects.back().at, *replay.crashes.back().suspected);
  }
}

// The same for the phi accrual detector: every crash suspected within the bound the
// checker documents for phi, no false suspicion, every check passes.
TEST(HeartbeatDefaults, PhiDetectorSeeds1To30DetectEveryCrashWithoutFalseSuspicion) {
  for (int seed = 1; seed <= 30; seed += kTestSeedStride) {
    const Args args = {"heartbeat", "--seed", std::to_string(seed), "--detector", "phi"};
    SCOPED_TRACE(command_line(args));
    const json out = run_json(args);
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.value("detector", ""), "phi");
    EXPECT_EQ(out.value("false_suspicions", -1), 0) << out.dump();
    for (const auto& [name, status] : out["checks"].items()) EXPECT_EQ(status, "pass") << name << ": " << out.dump();
    ASSERT_EQ(out["detections"].size(), kScript.size()) << out.dump();
    for (const json& d : out["detections"]) {
      ASSERT_TRUE(d["latency_ns"].is_number_integer()) << d.dump();
      EXPECT_GT(d["latency_ns"].get<std::int64_t>(), 0) << d.dump();
      EXPECT_LE(d["latency_ns"].get<std::int64_t>(), 11 * kSecond) << d.dump();
    }
  }
}

// Each latency line of the narrative is the trace's: crash time from the crash event,
// suspicion time from the {"suspect":N} note. Each redirect line is the trace's note.
TEST(HeartbeatNarrative, LatencyAndRedirectLinesAreTheTraces) {
  TempDir dir("heartbeat_narrative");
  for (int seed = 1; seed <= 10; ++seed) {
    for (const Args& extra : {Args{}, Args{"--detector", "phi"}}) {
      const Args args = with({"heartbeat", "--seed", std::to_string(seed)}, extra);
      SCOPED_TRACE(command_line(args));
      std::string out;
      const DetectionReplay replay = replay_detection(parse_trace(trace_of_run(dir, args, 0, &out)));
      std::vector<std::string> want_latency;
      for (const Crash& c : replay.crashes) {
        ASSERT_TRUE(c.suspected);
        want_latency.push_back("Node " + std::to_string(c.node) + " crashed at " + whole_seconds(c.at) +
                               "; suspected at " + whole_seconds(*c.suspected) + " (" +
                               whole_seconds(*c.suspected - c.at) + " later).");
      }
      std::vector<std::string> got_latency;
      std::vector<std::string> got_redirects;
      for (const std::string& line : split_lines(out)) {
        if (std::regex_match(line, std::regex(R"(Node \d+ crashed at .*)"))) got_latency.push_back(line);
        if (line.rfind("Purchase orders redirected to node ", 0) == 0 ||
            line == "Critical: no node available for redirection.") {
          got_redirects.push_back(line);
        }
      }
      EXPECT_EQ(join(got_latency), join(want_latency)) << out;
      std::vector<std::string> want_redirects;
      for (const Redirect& r : replay.redirects) {
        want_redirects.push_back(r.to ? "Purchase orders redirected to node " + std::to_string(*r.to) + "."
                                      : "Critical: no node available for redirection.");
      }
      EXPECT_EQ(join(got_redirects), join(want_redirects)) << out;
      EXPECT_TRUE(has_line(out, "False suspicions: 0 (of " + std::to_string(replay.suspicions.size()) +
                                    " suspicions)."))
          << out;
    }
  }
}

TEST(HeartbeatNarrative, EnglishTellsTheStory) {
  const RunResult r = run_distlab({"heartbeat", "--seed", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = split_lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "Waiting for heartbeats...");
  for (const char* line : {"Received heartbeat from node 3", "[20s] node 3 crashed (simulated)",
                           "Node 3 failed! No heartbeat received.", "The server of node 3 was stopped.",
                           "[60s] node 1 restarted (simulated)", "Node 1 is back: heartbeat received again.",
                           "Critical: no node available for redirection.", "Seed 1. Replay: distlab heartbeat --seed 1"}) {
    EXPECT_TRUE(has_line(r.out, line)) << "missing '" << line << "':\n" << r.out;
  }
  // "back" is followed by the redirect back to 1.
  const auto back = std::find(lines.begin(), lines.end(), "Node 1 is back: heartbeat received again.");
  ASSERT_NE(back, lines.end());
  ASSERT_NE(back + 1, lines.end());
  EXPECT_EQ(*(back + 1), "Purchase orders redirected to node 1.");
}

// --quiet prints the summary only, as on every command: the narrated run's last
// lines, after its story.
TEST(HeartbeatNarrative, QuietPrintsTheSummaryOnly) {
  const RunResult loud = run_distlab({"heartbeat", "--seed", "1"});
  const RunResult quiet = run_distlab({"heartbeat", "--seed", "1", "--quiet"});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  auto q = split_lines(quiet.out);
  auto l = split_lines(loud.out);
  ASSERT_GE(q.size(), 3u);
  ASSERT_GT(l.size(), q.size());
  EXPECT_EQ(q.back(), "Seed 1. Replay: distlab heartbeat --seed 1 --quiet");
  q.pop_back();
  l.pop_back();
  EXPECT_EQ(join(q), join(std::vector<std::string>(l.end() - static_cast<std::ptrdiff_t>(q.size()), l.end())));
  EXPECT_EQ(*(l.end() - static_cast<std::ptrdiff_t>(q.size()) - 1), "") << "the story ends before the summary";
  EXPECT_FALSE(contains(quiet.out, "Received heartbeat")) << quiet.out;
  EXPECT_FALSE(contains(quiet.out, "Purchase orders")) << quiet.out;
}

// ---- JSON ----

TEST(HeartbeatJson, HoldsTheContractsFields) {
  const json out = run_json({"heartbeat", "--seed", "1"});
  for (const char* key : {"algorithm", "seed", "nodes", "checks", "detections", "false_suspicions"}) {
    EXPECT_TRUE(out.contains(key)) << key << " missing: " << out.dump();
  }
  EXPECT_EQ(out["algorithm"], "heartbeat");
  EXPECT_EQ(out["seed"], 1);
  EXPECT_EQ(out["nodes"], 4);
  EXPECT_TRUE(out["checks"].is_object());
  ASSERT_TRUE(out["detections"].is_array());
  ASSERT_EQ(out["detections"].size(), 5u);
  for (const json& d : out["detections"]) {
    for (const char* key : {"node", "crashed_at_ns", "detected_at_ns", "latency_ns"}) {
      EXPECT_TRUE(d.contains(key) && d[key].is_number_integer()) << key << ": " << d.dump();
    }
  }
  // Hand-checked against `--trace`: crashes at 20, 40, 80, 100, 120 s; suspicions at
  // 27, 46, 90, 110, 126 s.
  const std::vector<std::pair<int, std::int64_t>> want = {{3, 7}, {1, 6}, {2, 10}, {4, 10}, {1, 6}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(out["detections"][i]["node"], want[i].first) << i;
    EXPECT_EQ(out["detections"][i]["latency_ns"], want[i].second * kSecond) << i;
  }
  EXPECT_EQ(out["false_suspicions"], 0);
}

const Args kLossyShortTimeout = {"heartbeat", "--loss", "0.3", "--timeout", "6s"};

// Lost heartbeats make a 6 s timeout suspect live nodes; each false suspicion is
// explained by silence (no heartbeat for longer than the timeout), so the accuracy
// check passes.
TEST(HeartbeatLoss, ShortTimeoutWithLossSuspectsLiveNodesForAReason) {
  TempDir dir("heartbeat_loss");
  const Args args = with(kLossyShortTimeout, {"--seed", "1"});
  const std::string path = dir.file("run.jsonl");
  const json out = run_json(with(args, {"--trace", path}));
  EXPECT_GT(out.value("false_suspicions", 0), 0) << out.dump();
  EXPECT_EQ(out["checks"].value("detector_accuracy", ""), "pass") << out.dump();
  EXPECT_EQ(out["checks"].value("failover", ""), "pass") << out.dump();
  const DetectionReplay replay = replay_detection(parse_trace(read_file(path)));
  EXPECT_EQ(false_suspicions(replay), out.value("false_suspicions", std::size_t{0}));
  EXPECT_LT(replay.heartbeats_received, replay.heartbeats_sent) << "some heartbeats were lost";
  for (const Suspicion& s : replay.suspicions) {
    if (!s.node_up) continue;
    ASSERT_TRUE(s.heard_at) << "node " << s.node;
    EXPECT_GT(s.at - *s.heard_at, 6 * kSecond) << "node " << s.node << " suspected at " << s.at;
  }
  for (const Redirect& red : replay.redirects) EXPECT_EQ(red.to, red.lowest_trusted) << "at " << red.at;
}

// Accuracy holds whatever the seed: every false suspicion has its silence.
TEST(HeartbeatLoss, EveryFalseSuspicionIsExplainedForSeeds1To10) {
  std::size_t total = 0;
  for (int seed = 1; seed <= 10; ++seed) {
    const Args args = with(kLossyShortTimeout, {"--seed", std::to_string(seed)});
    const json out = run_json(args, kAnyExit);
    EXPECT_EQ(out["checks"].value("detector_accuracy", ""), "pass") << command_line(args) << ": " << out.dump();
    EXPECT_EQ(out["checks"].value("failover", ""), "pass") << command_line(args) << ": " << out.dump();
    total += out.value("false_suspicions", std::size_t{0});
  }
  EXPECT_GT(total, 10u);
}

// A node that the monitor suspects (falsely, after lost heartbeats) and that then
// really crashes stays suspected: the monitor was right all along and orders already
// went elsewhere. Completeness holds and the run should exit 0. Fails today (see the
// report): analyze_detection counts a crash as detected only by a {"suspect":N} note
// after it, and the monitor never notes a second suspicion of a node it already
// suspects, so `distlab heartbeat --seed 2 --loss 0.3 --timeout 6s` reports "Node 1
// crashed at 40s and was not suspected before the end.", detector_completeness FAIL
// and exit 1 (node 1 was suspected at 39 s and never trusted again before 60 s).
TEST(HeartbeatLoss, ACrashOfAnAlreadySuspectedNodeCountsAsDetected) {
  TempDir dir("heartbeat_loss_suspected");
  std::size_t already_suspected = 0;
  for (int seed = 1; seed <= 10; ++seed) {
    const Args args = with(kLossyShortTimeout, {"--seed", std::to_string(seed)});
    SCOPED_TRACE(command_line(args));
    const std::string path = dir.file("run.jsonl");
    std::filesystem::remove(path);
    const json out = run_json(with(args, {"--trace", path}), kAnyExit);
    const DetectionReplay replay = replay_detection(parse_trace(read_file(path)));
    // The oracle: the monitor suspects every crashed node, before or within the bound.
    for (const Crash& c : replay.crashes) {
      const std::int64_t down_until = c.recovered.value_or(replay.end_ns);
      if (c.suspected_at_crash) {
        ++already_suspected;
        continue;
      }
      if (down_until - c.at > 7 * kSecond) {
        ASSERT_TRUE(c.suspected) << "node " << c.node << " at " << c.at;
        EXPECT_LE(*c.suspected - c.at, 7 * kSecond);
      }
    }
    EXPECT_EQ(out["checks"].value("detector_completeness", ""), "pass") << out.dump();
    for (std::size_t i = 0; i < replay.crashes.size() && i < out["detections"].size(); ++i) {
      if (replay.crashes[i].suspected_at_crash) {
        EXPECT_FALSE(out["detections"][i]["detected_at_ns"].is_null())
            << "node " << replay.crashes[i].node << " was suspected when it crashed at " << replay.crashes[i].at
            << "ns: " << out["detections"][i].dump();
      }
    }
  }
  EXPECT_GT(already_suspected, 0u) << "the scenario no longer exercises the case";
}

// ---- Table mode ----

json table_json(const Args& extra) {
  const json out = run_json(with({"heartbeat", "--table", "--runs", "5", "--seed", "1"}, extra));
  EXPECT_TRUE(out.contains("table") && out["table"].is_array()) << out.dump();
  return out;
}

std::vector<std::string> column(const json& table, const char* key) {
  std::vector<std::string> values;
  for (const json& row : table) values.push_back(row.value(key, "?"));
  return values;
}

TEST(HeartbeatTable, DefaultRowsAreMultiplesOfTheInterval) {
  const RunResult r = run_distlab({"heartbeat", "--table", "--runs", "5", "--seed", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 9u) << r.out;
  EXPECT_EQ(lines[0],
            "Fixed-timeout detector, heartbeat every 5s +- 1s, loss 0, 5 runs of 10m with 4 nodes (seed 1):");
  EXPECT_TRUE(contains(lines[2], "timeout") && contains(lines[2], "latency p50") &&
              contains(lines[2], "per node-hour"))
      << lines[2];
  std::vector<std::string> first_column;
  for (std::size_t i = 3; i < 9; ++i) {
    std::istringstream row(lines[i]);
    std::string value;
    row >> value;
    first_column.push_back(value);
  }
  EXPECT_EQ(first_column, (std::vector<std::string>{"5s", "6s", "7s", "8s", "10s", "15s"})) << r.out;

  const json out = table_json({});
  EXPECT_EQ(out.value("algorithm", ""), "heartbeat");
  EXPECT_EQ(out.value("seed", 0), 1);
  EXPECT_EQ(out.value("nodes", 0), 4);
  EXPECT_EQ(out.value("runs", 0), 5);
  EXPECT_TRUE(out.contains("checks")) << out.dump();
  EXPECT_EQ(column(out["table"], "timeout"), (std::vector<std::string>{"5s", "6s", "7s", "8s", "10s", "15s"}));

  const json phi = table_json({"--detector", "phi"});
  EXPECT_EQ(column(phi["table"], "threshold"), (std::vector<std::string>{"1", "2", "4", "8", "12", "16"}));
}

// The trade-off the table exists to show: a longer timeout (or higher threshold)
// detects later and suspects live nodes no more often.
void expect_trade_off(const json& out, bool strictly_later) {
  const json& table = out["table"];
  ASSERT_GE(table.size(), 2u) << out.dump();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const json& row = table[i];
    EXPECT_LE(row.value("detected", 0), row.value("crashes", 0)) << row.dump();
    EXPECT_GT(row.value("crashes", 0), 0) << row.dump();
    EXPECT_TRUE(row["latency_p50_ns"].is_number_integer()) << row.dump();
    EXPECT_LE(row.value("latency_p50_ns", std::int64_t{0}), row.value("latency_p99_ns", std::int64_t{0}));
    if (i == 0) continue;
    const json& prev = table[i - 1];
    if (strictly_later) {
      EXPECT_GT(row.value("latency_p50_ns", std::int64_t{0}), prev.value("latency_p50_ns", std::int64_t{0}))
          << prev.dump() << "\n" << row.dump();
    } else {
      EXPECT_GE(row.value("latency_p50_ns", std::int64_t{0}), prev.value("latency_p50_ns", std::int64_t{0}))
          << prev.dump() << "\n" << row.dump();
    }
    EXPECT_LE(row.value("false_suspicions_per_node_hour", 0.0), prev.value("false_suspicions_per_node_hour", 0.0))
        << prev.dump() << "\n" << row.dump();
    EXPECT_LE(row.value("false_suspicions", 0), prev.value("false_suspicions", 0));
  }
}

TEST(HeartbeatTable, LongerTimeoutsDetectLaterAndSuspectNoMoreOften) {
  {
    SCOPED_TRACE("fixed");
    expect_trade_off(table_json({}), true);
  }
  {
    SCOPED_TRACE("fixed, loss 0.2");
    expect_trade_off(table_json({"--loss", "0.2"}), true);
  }
  {
    SCOPED_TRACE("phi");
    expect_trade_off(table_json({"--detector", "phi"}), false);
  }
  {
    SCOPED_TRACE("phi, loss 0.05");
    expect_trade_off(table_json({"--detector", "phi", "--loss", "0.05"}), false);
  }
}

TEST(HeartbeatTable, PerNodeHourIsFalseSuspicionsOverNodeHours) {
  const json out = table_json({"--loss", "0.2"});
  const double node_hours = 5 * 4 * 600.0 / 3600.0;  // 5 runs of 10 minutes, 4 nodes
  for (const json& row : out["table"]) {
    const double want = row.value("false_suspicions", 0) / node_hours;
    EXPECT_NEAR(row.value("false_suspicions_per_node_hour", -1.0), want, 1e-9 * std::max(1.0, want)) << row.dump();
  }
}

// With the fixed timeout, the same runs (same seeds: same crashes, same lost heartbeats)
// are judged with each timeout; a shorter timeout suspects every silence a longer one
// does, sooner, so it cannot detect fewer crashes. Fails today (see the report): with
// loss, `distlab heartbeat --table --runs 5 --seed 1 --loss 0.2` shows 70% detected at
// 5s and 100% at 15s, because crashes of nodes already falsely suspected are not counted
// as detected.
TEST(HeartbeatTable, AShorterTimeoutNeverDetectsFewerCrashes) {
  const json out = table_json({"--loss", "0.2"});
  const json& table = out["table"];
  for (std::size_t i = 1; i < table.size(); ++i) {
    EXPECT_GE(table[i - 1].value("detected", 0), table[i].value("detected", 0))
        << table[i - 1].dump() << "\n" << table[i].dump();
  }
}

TEST(HeartbeatTable, ValuesChooseTheRows) {
  const json fixed = table_json({"--values", "6s,12s"});
  EXPECT_EQ(column(fixed["table"], "timeout"), (std::vector<std::string>{"6s", "12s"}));
  expect_trade_off(fixed, true);
  const json phi = table_json({"--detector", "phi", "--values", "2,8"});
  EXPECT_EQ(column(phi["table"], "threshold"), (std::vector<std::string>{"2", "8"}));

  const RunResult r = run_distlab({"heartbeat", "--table", "--runs", "2", "--seed", "1", "--values", "6s,12s"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::size_t rows = 0;
  for (const std::string& line : split_lines(r.out)) {
    rows += std::regex_match(line, std::regex(R"(\s+(6s|12s)\s+\d+\.\d%.*)")) ? 1 : 0;
  }
  EXPECT_EQ(rows, 2u) << r.out;
}

// ---- distlab check on detection traces ----

TEST(HeartbeatCheck, SeedTracePassesEveryDetectionCheck) {
  TempDir dir("heartbeat_check");
  trace_of_run(dir, {"heartbeat", "--seed", "1", "--quiet"});
  const RunResult r = run_distlab({"check", dir.file("run.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  for (const char* line : {"Check causality: pass", "Check detector completeness: pass (5 detected of 5 crashes)",
                           "Check detector accuracy: pass", "Check failover: pass"}) {
    EXPECT_FALSE(line_starting(r.out, line).empty()) << "no '" << line << "' in:\n" << r.out;
  }
}

// The trace text with line `index` (0-based, header included) replaced or removed.
std::string edit_line(const std::string& text, std::size_t index, const std::optional<std::string>& replacement) {
  auto lines = split_lines(text);
  if (replacement) {
    lines.at(index) = *replacement;
  } else {
    lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(index));
  }
  return join(lines);
}

// The index (header = 0) of the first monitor note with `key` equal to `value`.
std::size_t note_line(const std::string& text, const std::string& key, const json& value) {
  const auto lines = split_lines(text);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const json e = json::parse(lines[i]);
    if (e["kind"] == "state" && e["data"].contains(key) && e["data"][key] == value) return i;
  }
  ADD_FAILURE() << "no note " << key << "=" << value.dump();
  return 0;
}

TEST(HeartbeatCheck, ARedirectToTheWrongNodeFailsFailover) {
  TempDir dir("heartbeat_check_redirect");
  const std::string text = trace_of_run(dir, {"heartbeat", "--seed", "1", "--quiet"});
  const std::size_t i = note_line(text, "suspect", 3) + 1;  // the redirect after 3's failure: to 1
  json e = json::parse(split_lines(text).at(i));
  ASSERT_EQ(e["data"]["redirect_to"], 1) << e.dump();
  e["data"]["redirect_to"] = 4;
  write_file(dir.file("bad.jsonl"), edit_line(text, i, e.dump()));
  const RunResult r = run_distlab({"check", dir.file("bad.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string failing = line_starting(r.out, "Check failover: FAIL");
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_TRUE(contains(failing, "line " + std::to_string(i + 1))) << failing;
  EXPECT_TRUE(contains(failing, "4")) << failing;
}

TEST(HeartbeatCheck, AMissingSuspicionFailsCompleteness) {
  TempDir dir("heartbeat_check_missing");
  const std::string text = trace_of_run(dir, {"heartbeat", "--seed", "1", "--quiet"});
  write_file(dir.file("bad.jsonl"), edit_line(text, note_line(text, "suspect", 4), std::nullopt));
  const RunResult r = run_distlab({"check", dir.file("bad.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string failing = line_starting(r.out, "Check detector completeness: FAIL");
  EXPECT_TRUE(contains(failing, "node 4 crashed at 100s")) << r.out;
}

TEST(HeartbeatCheck, SuspectingANodeThatJustSentFailsAccuracy) {
  TempDir dir("heartbeat_check_accuracy");
  const std::string text = trace_of_run(dir, {"heartbeat", "--seed", "1", "--quiet"});
  // Node 2, alive and sending at 27 s, is suspected instead of 3.
  const std::size_t i = note_line(text, "suspect", 3);
  json e = json::parse(split_lines(text).at(i));
  e["data"]["suspect"] = 2;
  write_file(dir.file("bad.jsonl"), edit_line(text, i, e.dump()));
  const RunResult r = run_distlab({"check", dir.file("bad.jsonl")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::string failing = line_starting(r.out, "Check detector accuracy: FAIL");
  EXPECT_TRUE(contains(failing, "suspected node 2")) << r.out;
}

// ---- Bad input: one line on stderr, nothing on stdout, exit 2, no trace ----

struct BadInputCase {
  std::string name;
  Args args;  // after "heartbeat --seed 1 --trace FILE"
  std::string says;
};

void PrintTo(const BadInputCase& c, std::ostream* os) { *os << command_line(c.args); }

void expect_bad_input(const Args& args, const std::string& says, const TempDir* dir = nullptr) {
  const RunResult r = run_distlab(args);
  EXPECT_EQ(r.exit_code, 2) << command_line(args) << "\n" << r.out << r.err;
  EXPECT_EQ(r.out, "") << command_line(args) << " printed on stdout";
  ASSERT_FALSE(r.err.empty()) << command_line(args) << " printed no error";
  EXPECT_EQ(r.err.back(), '\n') << command_line(args);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << command_line(args) << " printed:\n" << r.err;
  EXPECT_EQ(r.err.rfind("distlab: ", 0), 0u) << r.err;
  EXPECT_TRUE(contains(r.err, says)) << command_line(args) << ": expected the message to mention '" << says
                                     << "', got: " << r.err;
  if (dir != nullptr) {
    const auto left = dir->entries();
    EXPECT_TRUE(left.empty()) << command_line(args) << " left behind: " << left.front();
  }
}

class HeartbeatBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(HeartbeatBadInput, OneLineOnStderrExitTwoAndNoTrace) {
  const BadInputCase& c = GetParam();
  TempDir dir("heartbeat_bad_input");
  expect_bad_input(with({"heartbeat", "--seed", "1", "--trace", dir.file("run.jsonl")}, c.args), c.says, &dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, HeartbeatBadInput,
    ::testing::Values(
        BadInputCase{"ZeroNodes", {"--nodes", "0"}, "--nodes"},
        BadInputCase{"NegativeNodes", {"--nodes", "-1"}, "--nodes"},
        BadInputCase{"TooManyNodes", {"--nodes", "100001"}, "--nodes"},
        BadInputCase{"ZeroInterval", {"--interval", "0s"}, "--interval"},
        BadInputCase{"IntervalNotADuration", {"--interval", "abc"}, "--interval"},
        BadInputCase{"JitterAboveInterval", {"--jitter", "6s"}, "--jitter"},
        BadInputCase{"JitterEqualToInterval", {"--jitter", "5s"}, "--jitter"},
        BadInputCase{"NegativeTimeout", {"--timeout", "-1s"}, "--timeout"},
        BadInputCase{"ZeroTimeout", {"--timeout", "0s"}, "--timeout"},
        BadInputCase{"ZeroCheckEvery", {"--check-every", "0s"}, "--check-every"},
        BadInputCase{"UnknownDetector", {"--detector", "foo"}, "--detector"},
        BadInputCase{"WindowOfOne", {"--window", "1"}, "--window"},
        // 2^32 does not fit the detector's 32-bit window. Fails today: it is cast to
        // 0 and accepted (the trace's monitor note says "window":0; 2^32 + 2 becomes 2).
        BadInputCase{"WindowBeyond32Bits", {"--detector", "phi", "--window", "4294967296"}, "--window"},
        BadInputCase{"NegativeMinStddev", {"--min-stddev", "-1s"}, "--min-stddev"},
        // The threshold is checked whatever the detector.
        BadInputCase{"NegativeThreshold", {"--threshold", "-2"}, "--threshold"},
        BadInputCase{"NegativeThresholdPhi", {"--detector", "phi", "--threshold", "-2"}, "--threshold"},
        BadInputCase{"ZeroThreshold", {"--detector", "phi", "--threshold", "0"}, "--threshold"},
        BadInputCase{"CrashTheMonitor", {"--crash", "0@5s"}, "no node 0"},
        BadInputCase{"CrashUnknownNode", {"--crash", "9@5s"}, "no node 9"},
        BadInputCase{"RecoverNodeNotDown", {"--recover", "2@5s"}, "--recover"},
        BadInputCase{"LossAboveOne", {"--loss", "2"}, "--loss"},
        BadInputCase{"TableWithCrash", {"--table", "--crash", "2@5s"}, "--crash"},
        BadInputCase{"TableWithRecover", {"--table", "--recover", "2@5s"}, "--recover"},
        BadInputCase{"TableZeroRuns", {"--table", "--runs", "0"}, "--runs"},
        BadInputCase{"TableTooManyRuns", {"--table", "--runs", "10001"}, "--runs"},
        BadInputCase{"TableZeroDuration", {"--table", "--duration", "0s"}, "--duration"},
        BadInputCase{"TableValuesNotTimeouts", {"--table", "--values", "abc"}, "--values"},
        BadInputCase{"TableValuesZeroTimeout", {"--table", "--values", "6s,0s"}, "--values"},
        BadInputCase{"TableValuesNegativeThreshold", {"--table", "--detector", "phi", "--values", "-1"}, "--values"},
        BadInputCase{"TableValuesThresholdNotANumber", {"--table", "--detector", "phi", "--values", "2,x"},
                     "--values"},
        BadInputCase{"UnknownOption", {"--bogus"}, "--bogus"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

// ---- Determinism ----

struct DeterminismCase {
  std::string name;
  Args args;
  bool traced = true;  // table mode writes no trace
};

void PrintTo(const DeterminismCase& c, std::ostream* os) { *os << command_line(c.args); }

class HeartbeatDeterminism : public ::testing::TestWithParam<DeterminismCase> {};

TEST_P(HeartbeatDeterminism, SameSeedSameStdoutAndTrace) {
  const DeterminismCase& c = GetParam();
  TempDir dir("heartbeat_determinism");
  const Args args = c.traced ? with(c.args, {"--trace", dir.file("run.jsonl")}) : c.args;
  std::string out[2];
  std::string trace[2];
  for (int i = 0; i < 2; ++i) {
    const RunResult r = run_distlab(args);
    ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.out << r.err;
    ASSERT_EQ(r.err, "") << command_line(args);
    out[i] = r.out;
    if (c.traced) {
      trace[i] = read_file(dir.file("run.jsonl"));
      std::filesystem::remove(dir.file("run.jsonl"));
    }
  }
  ASSERT_FALSE(out[0].empty());
  EXPECT_TRUE(out[0] == out[1]) << command_line(args) << ": stdout differs between two runs";
  if (c.traced) {
    ASSERT_GT(split_lines(trace[0]).size(), 1u) << "the trace has no events";
    EXPECT_TRUE(trace[0] == trace[1]) << command_line(args) << ": the trace differs between two runs";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cli, HeartbeatDeterminism,
    ::testing::Values(
        DeterminismCase{"Default", {"heartbeat", "--seed", "1"}},
        DeterminismCase{"Portuguese", {"heartbeat", "--seed", "1", "--lang", "pt"}},
        DeterminismCase{"Phi", {"heartbeat", "--seed", "4", "--detector", "phi"}},
        DeterminismCase{"Loss", {"heartbeat", "--seed", "3", "--loss", "0.1", "--quiet"}},
        DeterminismCase{"RandomFaults", {"heartbeat", "--seed", "5", "--faults", "3", "--nodes", "6", "--quiet"}},
        DeterminismCase{"Json", {"heartbeat", "--seed", "7", "--loss", "0.05", "--json"}},
        DeterminismCase{"Table", {"heartbeat", "--table", "--runs", "3", "--seed", "1"}, false},
        DeterminismCase{"TablePhiJson",
                        {"heartbeat", "--table", "--runs", "3", "--seed", "1", "--detector", "phi", "--loss", "0.05",
                         "--json"},
                        false}),
    [](const ::testing::TestParamInfo<DeterminismCase>& info) { return info.param.name; });

TEST(HeartbeatReplay, DifferentSeedsGiveDifferentTraces) {
  TempDir dir("heartbeat_seeds");
  std::vector<std::string> events[2];
  for (int i = 0; i < 2; ++i) {
    auto lines = split_lines(trace_of_run(dir, {"heartbeat", "--seed", std::to_string(i + 1), "--quiet"}));
    ASSERT_GT(lines.size(), 1u);
    events[i].assign(lines.begin() + 1, lines.end());
  }
  EXPECT_NE(events[0], events[1]);
}

// The trace depends on the seed and the simulation options, not on how the run is shown.
TEST(HeartbeatReplay, OutputOptionsDoNotChangeTheTrace) {
  TempDir dir("heartbeat_output_options");
  for (const Args& base : {Args{"heartbeat", "--seed", "1"}, Args{"heartbeat", "--seed", "3", "--loss", "0.1"}}) {
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

// ---- Real processes: distlab monitor and distlab node ----

// A `distlab` process in the background, its stdout and stderr going to files. Killed
// (SIGKILL) if still running when the object goes out of scope.
class Background {
 public:
  Background(const TempDir& dir, const std::string& name, const Args& args)
      : out_path_(dir.file(name + ".out")), err_path_(dir.file(name + ".err")), args_(args) {
    const std::string binary = DISTLAB_BINARY;
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const std::string& a : args_) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + binary + ": " + std::strerror(spawned));
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Waits up to `timeout` for the process to end; its exit code (128 + signal), or -1
  // when it is still running (then it is killed).
  int wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      int status = 0;
      const pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
        return -1;
      }
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  void signal(int sig) {
    if (pid_ > 0) kill(pid_, sig);
  }
  // Waits up to `timeout` until stdout holds `line`; false if it never does.
  bool wait_for_line(const std::string& line, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (has_line(out(), line)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  std::string out() const { return read_file(out_path_); }
  std::string err() const { return read_file(err_path_); }
  std::string command() const { return command_line(args_); }

 private:
  std::string out_path_;
  std::string err_path_;
  Args args_;
  pid_t pid_ = -1;
};

// True once a UDP socket is bound to 127.0.0.1:port (Linux: /proc/net/udp), waiting up
// to `timeout`.
bool wait_until_bound(int port, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  char needle[32];
  std::snprintf(needle, sizeof needle, "0100007F:%04X ", port);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in("/proc/net/udp");
    if (!in) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // no /proc: give it time
      return true;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (contains(text, needle)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

// Sends each datagram to 127.0.0.1:port from one UDP socket of the test's own.
void send_datagrams(int port, const std::vector<std::string>& datagrams) {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (const std::string& d : datagrams) {
    const ssize_t sent = sendto(fd, d.data(), d.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    EXPECT_EQ(sent, static_cast<ssize_t>(d.size())) << std::strerror(errno);
  }
  close(fd);
}

std::string le(std::uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

// A heartbeat frame as runtime/udp/codec.h documents it, written out by hand.
std::string heartbeat_frame(std::uint32_t sender, std::uint64_t seq) {
  return std::string("DL") + '\x01' + '\x01' + le(sender, 4) + le(seq, 8) + le(8, 2) + le(seq, 8);
}

std::string address(int port) { return "127.0.0.1:" + std::to_string(port); }

class MonitorBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(MonitorBadInput, OneLineOnStderrExitTwo) {
  const BadInputCase& c = GetParam();
  TempDir dir("monitor_bad_input");
  expect_bad_input(with(c.args, {"--trace", dir.file("run.jsonl")}), c.says, &dir);
}

INSTANTIATE_TEST_SUITE_P(
    Cli, MonitorBadInput,
    ::testing::Values(
        BadInputCase{"MonitorUnknownFlag", {"monitor", "--bogus"}, "--bogus"},
        BadInputCase{"MonitorNoPort", {"monitor", "--bind", "127.0.0.1"}, "'127.0.0.1'"},
        BadInputCase{"MonitorBadIpv4", {"monitor", "--bind", "300.1.1.1:5000"}, "'300.1.1.1:5000'"},
        BadInputCase{"MonitorPortTooLarge", {"monitor", "--bind", "localhost:99999"}, "'localhost:99999'"},
        BadInputCase{"MonitorPortZero", {"monitor", "--bind", "127.0.0.1:0"}, "'127.0.0.1:0'"},
        BadInputCase{"MonitorIpv6WithoutBrackets", {"monitor", "--bind", "::1:5000"}, "'::1:5000'"},
        BadInputCase{"MonitorZeroTimeout", {"monitor", "--bind", "127.0.0.1:5650", "--timeout", "0s"}, "--timeout"},
        BadInputCase{"MonitorZeroCheckEvery", {"monitor", "--bind", "127.0.0.1:5650", "--check-every", "0s"},
                     "--check-every"},
        BadInputCase{"MonitorUnknownDetector", {"monitor", "--bind", "127.0.0.1:5650", "--detector", "foo"},
                     "--detector"},
        BadInputCase{"MonitorWindowOfOne", {"monitor", "--bind", "127.0.0.1:5650", "--window", "1"}, "--window"},
        BadInputCase{"MonitorBadDuration", {"monitor", "--bind", "127.0.0.1:5650", "--duration", "abc"},
                     "--duration"},
        // As `distlab heartbeat` refuses it. Fails today: the monitor takes it, and with
        // phi a negative threshold suspects every node at every check.
        BadInputCase{"MonitorNegativeThreshold",
                     {"monitor", "--bind", "127.0.0.1:5650", "--detector", "phi", "--threshold", "-2",
                      "--duration", "100ms"},
                     "--threshold"},
        BadInputCase{"NodeZero", {"node", "0"}, "'0'"},
        BadInputCase{"NodeNegative", {"node", "-3"}, "-3"},
        BadInputCase{"NodeNotANumber", {"node", "abc"}, "'abc'"},
        BadInputCase{"NodeFraction", {"node", "1.5"}, "'1.5'"},
        BadInputCase{"NodeBeyond32Bits", {"node", "99999999999"}, "'99999999999'"},
        BadInputCase{"NodeMissingId", {"node"}, "ID"},
        BadInputCase{"NodeBadMonitor", {"node", "1", "--monitor", "nope"}, "'nope'"},
        BadInputCase{"NodeMonitorWithoutPort", {"node", "1", "--monitor", "127.0.0.1"}, "'127.0.0.1'"},
        BadInputCase{"NodeUnknownFlag", {"node", "1", "--bogus"}, "--bogus"},
        BadInputCase{"NodeZeroInterval", {"node", "1", "--interval", "0s"}, "--interval"},
        BadInputCase{"NodeJitterNotBelowInterval", {"node", "1", "--jitter", "5s"}, "--jitter"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) { return info.param.name; });

// A port in use is a runtime failure: exit 3, naming the address, nothing on stdout,
// no trace. The first monitor, stopped with Ctrl+C, ends quietly with its summary.
TEST(MonitorReal, BusyPortExitsThreeNamingTheAddress) {
  constexpr int kPort = 5641;
  TempDir dir("monitor_busy");
  Background first(dir, "first", {"monitor", "--bind", address(kPort), "--duration", "5s"});
  ASSERT_TRUE(first.wait_for_line("Waiting for heartbeats...")) << first.out() << first.err();
  const Args second = {"monitor", "--bind", address(kPort), "--trace", dir.file("second.jsonl")};
  const RunResult r = run_distlab(second);
  EXPECT_EQ(r.exit_code, 3) << command_line(second) << "\n" << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("distlab: ", 0), 0u) << r.err;
  EXPECT_TRUE(contains(r.err, address(kPort))) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("second.jsonl")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("second.jsonl.tmp")));

  first.signal(SIGINT);
  EXPECT_EQ(first.wait(), 0) << first.out() << first.err();
  EXPECT_EQ(first.err(), "");
  EXPECT_EQ(split_lines(first.out()).back(), "Received 0 heartbeats from 0 nodes; 0 malformed datagrams ignored.")
      << first.out();
}

// The monitor and a node on loopback, in English and in the seed's Portuguese: every
// heartbeat sent is received and told.
struct PairCase {
  std::string name;
  int port;
  Args lang;
  std::string waiting, received, sent;
};

void PrintTo(const PairCase& c, std::ostream* os) { *os << c.name; }

class MonitorAndNode : public ::testing::TestWithParam<PairCase> {};

TEST_P(MonitorAndNode, TheMonitorHearsEveryHeartbeatTheNodeSends) {
  const PairCase& c = GetParam();
  TempDir dir("monitor_and_node");
  Background monitor(dir, "monitor", with({"monitor", "--bind", address(c.port), "--duration", "10s"}, c.lang));
  ASSERT_TRUE(monitor.wait_for_line(c.waiting)) << monitor.out() << monitor.err();
  const Args node = with({"node", "7", "--monitor", address(c.port), "--interval", "100ms", "--jitter", "20ms",
                          "--duration", "450ms"},
                         c.lang);
  const RunResult n = run_distlab(node);
  ASSERT_EQ(n.exit_code, 0) << command_line(node) << "\n" << n.out << n.err;
  EXPECT_EQ(n.err, "");
  const std::size_t sent = count_lines(n.out, c.sent);
  EXPECT_GE(sent, 3u) << n.out;
  EXPECT_TRUE(monitor.wait_for_line(c.received)) << monitor.out();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  monitor.signal(SIGINT);
  ASSERT_EQ(monitor.wait(), 0) << monitor.out() << monitor.err();
  EXPECT_EQ(monitor.err(), "");
  const std::string out = monitor.out();
  EXPECT_EQ(split_lines(out).front(), c.waiting);
  EXPECT_EQ(count_lines(out, c.received), sent) << "node:\n" << n.out << "monitor:\n" << out;
  const std::string summary = split_lines(n.out).back();
  EXPECT_TRUE(contains(summary, "7") && contains(summary, std::to_string(sent))) << summary;
}

INSTANTIATE_TEST_SUITE_P(Cli, MonitorAndNode,
                         ::testing::Values(PairCase{"English", 5642, {}, "Waiting for heartbeats...",
                                                    "Received heartbeat from node 7", "Heartbeat sent"},
                                           PairCase{"Portuguese", 5643, {"--lang", "pt"}, "Aguardando Heartbeats...",
                                                    "Recebido heartbeat de Node 7", "Heartbeat enviado"}),
                         [](const ::testing::TestParamInfo<PairCase>& info) { return info.param.name; });

// `node --text` speaks the seed's datagram, which the monitor understands; the
// monitor's --json gives one object with its counts.
TEST(MonitorReal, TextNodeIsUnderstoodAndJsonCountsIt) {
  constexpr int kPort = 5644;
  TempDir dir("monitor_text_node");
  Background monitor(dir, "monitor", {"monitor", "--bind", address(kPort), "--duration", "1s", "--json"});
  ASSERT_TRUE(wait_until_bound(kPort));
  const Args node = {"node", "7", "--text", "--monitor", address(kPort), "--interval", "100ms", "--jitter", "0s",
                     "--duration", "350ms"};
  const RunResult n = run_distlab(node);
  ASSERT_EQ(n.exit_code, 0) << n.out << n.err;
  EXPECT_TRUE(contains(split_lines(n.out).front(), "(the seed's text)")) << n.out;
  const std::size_t sent = count_lines(n.out, "Heartbeat sent");
  EXPECT_GE(sent, 3u) << n.out;
  ASSERT_EQ(monitor.wait(), 0) << monitor.out() << monitor.err();
  EXPECT_EQ(monitor.err(), "");
  const std::string text = monitor.out();
  EXPECT_EQ(split_lines(text).size(), 1u) << text;
  const json out = json::parse(text, nullptr, false);
  ASSERT_TRUE(out.is_object()) << text;
  EXPECT_EQ(out.value("algorithm", ""), "heartbeat");
  EXPECT_TRUE(out.contains("seed") && out.contains("checks")) << text;
  EXPECT_EQ(out.value("nodes", 0), 1) << text;
  EXPECT_EQ(out.value("received", std::size_t{0}), sent) << text;
  EXPECT_EQ(out.value("heartbeats", std::size_t{0}), sent) << text;
  EXPECT_EQ(out.value("malformed", -1), 0) << text;
}

TEST(MonitorReal, JsonWithNobodySendingCountsZero) {
  constexpr int kPort = 5645;
  const json out = run_json({"monitor", "--bind", address(kPort), "--duration", "200ms"});
  EXPECT_EQ(out.value("received", -1), 0) << out.dump();
  EXPECT_EQ(out.value("heartbeats", -1), 0) << out.dump();
  EXPECT_EQ(out.value("malformed", -1), 0) << out.dump();
}

// Garbage is counted and dropped, never a crash; heartbeats around it still count.
TEST(MonitorReal, MalformedDatagramsAreCountedAndIgnored) {
  constexpr int kPort = 5646;
  TempDir dir("monitor_malformed");
  Background monitor(dir, "monitor", {"monitor", "--bind", address(kPort), "--duration", "600ms", "--json"});
  ASSERT_TRUE(wait_until_bound(kPort));
  std::vector<std::string> garbage = {
      "",
      "x",
      "Heartbeat from Node",
      "Heartbeat from Node -1",
      "Heartbeat from Node 13x",
      "Heartbeat from Node 99999999999",
      std::string("Heartbeat from Node \xff\xfe", 22),
      std::string(2000, 'A'),                                 // longer than any frame
      heartbeat_frame(5, 1).substr(0, 10),                    // truncated
      heartbeat_frame(5, 1) + "zz",                           // length mismatch
      std::string("DL\x02\x01", 4) + heartbeat_frame(5, 1).substr(4),  // version 2
      std::string("DL\x01\x09", 4) + heartbeat_frame(5, 1).substr(4),  // unknown type
  };
  for (int i = 0; i < 20; ++i) {
    std::string noise;
    for (int k = 0; k < 30 + i; ++k) noise += static_cast<char>((i * 131 + k * 17) & 0xff);
    garbage.push_back(noise);
  }
  std::vector<std::string> datagrams = {"Heartbeat from Node 9\n", heartbeat_frame(5, 1)};
  datagrams.insert(datagrams.end(), garbage.begin(), garbage.end());
  datagrams.push_back("Heartbeat from Node 9\r\n");
  datagrams.push_back(heartbeat_frame(5, 2));
  send_datagrams(kPort, datagrams);
  ASSERT_EQ(monitor.wait(), 0) << monitor.out() << monitor.err();
  const json out = json::parse(monitor.out(), nullptr, false);
  ASSERT_TRUE(out.is_object()) << monitor.out();
  EXPECT_EQ(out.value("received", std::size_t{0}), datagrams.size()) << out.dump();
  EXPECT_EQ(out.value("malformed", std::size_t{0}), garbage.size()) << out.dump();
  EXPECT_EQ(out.value("heartbeats", 0), 4) << out.dump();
  EXPECT_EQ(out.value("nodes", 0), 2) << out.dump();
  // Rate-limited: at most a line a second on stderr, each one naming what was ignored.
  const auto err_lines = split_lines(monitor.err());
  EXPECT_GE(err_lines.size(), 1u);
  EXPECT_LE(err_lines.size(), 2u) << monitor.err();
  for (const std::string& line : err_lines) {
    EXPECT_EQ(line.rfind("distlab: ignored ", 0), 0u) << line;
  }
}

// Node 0 is the monitor itself (DESIGN.md: "the monitor is node 0"); `distlab node 0`
// is refused, but the seed's node.py takes any integer. Fails today (see the report):
// the monitor accepts "Heartbeat from Node 0" as a heartbeat from a node 0, redirects
// orders to it, and writes a trace whose header lists node 0 twice ("nodes":[0,0,9]),
// which `distlab check` rejects as malformed (exit 2).
TEST(MonitorReal, AHeartbeatClaimingToComeFromTheMonitorIsNotANode) {
  constexpr int kPort = 5647;
  TempDir dir("monitor_node_zero");
  Background monitor(dir, "monitor", {"monitor", "--bind", address(kPort), "--duration", "500ms", "--trace",
                                      dir.file("monitor.jsonl")});
  ASSERT_TRUE(monitor.wait_for_line("Waiting for heartbeats..."));
  send_datagrams(kPort, {"Heartbeat from Node 0", "Heartbeat from Node 9"});
  ASSERT_EQ(monitor.wait(), 0) << monitor.out() << monitor.err();
  EXPECT_FALSE(has_line(monitor.out(), "Purchase orders redirected to node 0.")) << monitor.out();
  EXPECT_TRUE(has_line(monitor.out(), "Purchase orders redirected to node 9.")) << monitor.out();
  const ParsedTrace t = parse_trace(read_file(dir.file("monitor.jsonl")));
  EXPECT_EQ(t.header.value("mode", ""), "real");
  EXPECT_EQ(t.header["nodes"], json::parse("[0,9]")) << t.header.dump();
  const RunResult check = run_distlab({"check", dir.file("monitor.jsonl")});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

// Ctrl+C ends a node quietly: exit 0, no error, its summary line.
TEST(NodeReal, CtrlCEndsQuietlyWithItsSummary) {
  constexpr int kPort = 5648;  // nobody listens: UDP sends anyway
  TempDir dir("node_ctrl_c");
  Background node(dir, "node", {"node", "7", "--monitor", address(kPort), "--interval", "50ms", "--jitter", "0s"});
  ASSERT_TRUE(node.wait_for_line("Heartbeat sent")) << node.out() << node.err();
  node.signal(SIGINT);
  EXPECT_EQ(node.wait(), 0) << node.out() << node.err();
  EXPECT_EQ(node.err(), "");
  const auto lines = split_lines(node.out());
  ASSERT_GE(lines.size(), 3u) << node.out();
  EXPECT_EQ(lines.front(), "Node 7 sending heartbeats to 127.0.0.1:5648 every 50ms ± 0s.");
  const std::size_t sent = count_lines(node.out(), "Heartbeat sent");
  EXPECT_EQ(lines.back(),
            "Node 7 stopped after " + std::to_string(sent) + (sent == 1 ? " heartbeat." : " heartbeats."))
      << node.out();
}

TEST(NodeReal, JsonPrintsOneObject) {
  const json out = run_json({"node", "7", "--monitor", address(5649), "--interval", "100ms", "--jitter", "0s",
                             "--duration", "250ms"});
  EXPECT_EQ(out.value("algorithm", ""), "heartbeat");
  EXPECT_EQ(out.value("node", 0), 7);
  EXPECT_GE(out.value("sent", 0), 2) << out.dump();
  EXPECT_TRUE(out.contains("seed") && out.contains("checks")) << out.dump();
}

}  // namespace
}  // namespace distlab::testing::heartbeat_cli_test
