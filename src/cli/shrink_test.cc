// Shrinking a failing seed: on a model command whose flaw is known exactly, every step
// lands where it must (faults dropped by delta debugging, a random --faults written out,
// fewer nodes, smaller counts, a simpler latency, the shortest horizon); on the real
// commands, the minimal reproducer replays as a plain command and fails the same check.
#include "cli/shrink.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/cli_test_support.h"
#include "distlab/algo/registry.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/core/interrupt.h"

namespace distlab::cli {
namespace shrink_test {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A model command: --nodes N (2..9), --crash ID@TIME, --recover ID@TIME, --faults K (node
// seed%N+1... at 10ms steps, each crash followed by a recovery 5ms later), --loss P,
// --partition SPEC, --latency SPEC, --rounds R, --until TIME (default 1s). Each node
// ticks every millisecond. Its one check, "no_crash_of_2", fails when node 2 crashes
// with at least 2 rounds; every run with a node id above --nodes is refused.
Event shrink_test_event(Nanos t, NodeId node, EventKind kind) {
  Event e;
  e.t = t;
  e.node = node;
  e.kind = kind;
  return e;
}

SweepTrial model_run(std::span<const std::string> args, std::uint64_t seed, EventSink* tap) {
  std::int64_t nodes = 5;
  std::int64_t rounds = 1;
  Nanos until = kSecond;
  std::vector<std::pair<NodeId, Nanos>> crashes;
  std::vector<std::pair<NodeId, Nanos>> recoveries;
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    const std::string& flag = args[i];
    const std::string& value = args[i + 1];
    const auto node_at = [&] {
      const std::size_t at = value.find('@');
      const auto node = static_cast<NodeId>(std::stoul(value.substr(0, at)));
      if (static_cast<std::int64_t>(node) > nodes) throw InputError(fmt::format("{}: no node {}", flag, node));
      return std::pair{node, parse_duration(value.substr(at + 1))};
    };
    if (flag == "--nodes") nodes = std::stoll(value);
    if (flag == "--nodes" && (nodes < 2 || nodes > 9)) throw InputError("--nodes must be 2..9");
    if (flag == "--rounds") rounds = std::stoll(value);
    if (flag == "--until") until = parse_duration(value);
    if (flag == "--crash") crashes.push_back(node_at());
    if (flag == "--recover") recoveries.push_back(node_at());
    if (flag == "--partition" && value.find('9') != std::string::npos && nodes < 9) throw InputError("no node 9");
    if (flag == "--faults") {
      for (std::int64_t k = 0; k < std::stoll(value); ++k) {
        const auto node = static_cast<NodeId>((seed + static_cast<std::uint64_t>(k)) % static_cast<std::uint64_t>(nodes) + 1);
        crashes.emplace_back(node, (k + 1) * 10 * kMillisecond);
        recoveries.emplace_back(node, (k + 1) * 10 * kMillisecond + 5 * kMillisecond);
      }
    }
  }
  bool crashed_2 = false;
  std::vector<Event> events;
  for (Nanos t = 0; t <= until; t += kMillisecond) {
    for (NodeId n = 1; n <= static_cast<NodeId>(nodes); ++n)
      events.push_back(shrink_test_event(t, n, EventKind::local));
    for (const auto& [node, at] : crashes) {
      if (at != t) continue;
      events.push_back(shrink_test_event(t, node, EventKind::crash));
      crashed_2 = crashed_2 || node == 2;
    }
    for (const auto& [node, at] : recoveries) {
      if (at == t) events.push_back(shrink_test_event(t, node, EventKind::recover));
    }
  }
  if (tap) {
    for (const Event& e : events) tap->on_event(e);
  }
  const bool fails = crashed_2 && rounds >= 2;
  SweepTrial trial;
  trial.header.nodes = node_ids(static_cast<std::uint32_t>(nodes));
  trial.checks.push_back({"causality", trace::CheckStatus::pass, ""});
  trial.checks.push_back({"no_crash_of_2", fails ? trace::CheckStatus::fail : trace::CheckStatus::pass,
                          fails ? "node 2 crashed" : ""});
  return trial;
}

const SweepSubject kModel{.draw = [](SweepDraw&) {}, .run = model_run};

bool has(const std::vector<std::string>& args, std::string_view word) {
  return std::find(args.begin(), args.end(), word) != args.end();
}

TEST(Shrink, EveryStepLandsWhereTheModelsFlawIs) {
  // Seed 6 on 5 nodes: --faults 3 crashes nodes 2, 3 and 4 (at 10, 20 and 30ms).
  const std::vector<std::string> args{"--nodes", "5", "--rounds", "7", "--loss", "0.1", "--crash", "4@300ms",
                                      "--partition", "1,2/3,4,5@0ms..5ms", "--faults", "3",
                                      "--latency", "uniform:2ms:9ms", "--no-fifo", "--until", "500ms"};
  const std::optional<Shrunk> s = shrink(kModel, args, 6, {});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->check, "no_crash_of_2");
  EXPECT_EQ(s->status, trace::CheckStatus::fail);
  EXPECT_TRUE(s->complete);
  // Only node 2's crash is left, written out from --faults; two nodes; two rounds; no
  // latency (the model ignores it); the run ends as the crash happens.
  EXPECT_EQ(s->args, (std::vector<std::string>{"--nodes", "2", "--rounds", "2", "--until", "10ms", "--crash", "2@10ms"}))
      << fmt::format("{}", fmt::join(s->args, " "));
  EXPECT_EQ(s->before.faults, 1u + 1u + 1u + 1u + 6u);  // --loss, --crash, --partition, --no-fifo, --faults 3
  EXPECT_EQ(s->after.faults, 1u);
  EXPECT_EQ(s->before.nodes, 5u);
  EXPECT_EQ(s->after.nodes, 2u);
  EXPECT_EQ(s->after.events, 2u * 11u + 1u);  // 0..10ms on two nodes, and the crash
  EXPECT_GT(s->before.events, s->after.events);
  EXPECT_EQ(s->reason, "node 2 crashed");
}

TEST(Shrink, APassingRunHasNothingToShrinkAndARefusedOneThrows) {
  EXPECT_FALSE(shrink(kModel, std::vector<std::string>{"--nodes", "3"}, 1, {}));
  EXPECT_THROW(shrink(kModel, std::vector<std::string>{"--nodes", "1"}, 1, {}), InputError);
}

TEST(Shrink, TheBudgetStopsItAndSaysSo) {
  const std::vector<std::string> args{"--nodes", "5", "--rounds", "7", "--crash", "2@30ms", "--until", "500ms"};
  const std::optional<Shrunk> s = shrink(kModel, args, 1, {.max_runs = 3});
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->complete);
  EXPECT_LE(s->runs, 3u);
  // What it kept still fails: a run of the kept flags.
  EXPECT_EQ(model_run(s->args, 1, nullptr).checks[1].status, trace::CheckStatus::fail);
}

TEST(Shrink, AnInterruptStopsItAtTheNextRunWithWhatStillFails) {
  const InterruptGuard guard;
  int runs = 0;
  const SweepSubject interrupted{.draw = [](SweepDraw&) {},
                                 .run = [&runs](std::span<const std::string> args, std::uint64_t seed, EventSink* tap) {
                                   if (++runs == 4) std::raise(SIGTERM);  // as a user's Ctrl+C mid-shrink
                                   return model_run(args, seed, tap);
                                 }};
  const std::vector<std::string> args{"--nodes", "5", "--rounds", "7", "--crash", "2@30ms", "--crash", "3@40ms"};
  const std::optional<Shrunk> s = shrink(interrupted, args, 1, {});
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->complete);
  EXPECT_EQ(s->runs, 4u);
  EXPECT_EQ(model_run(s->args, 1, nullptr).checks[1].status, trace::CheckStatus::fail);
  EXPECT_EQ(InterruptGuard::signal(), SIGTERM);
}

TEST(Shrink, FaultCountsCountEveryFaultFlag) {
  const std::vector<std::string> own{"--fail-leader"};  // a command's own fault that takes "off"
  EXPECT_EQ(count_faults(std::vector<std::string>{"--nodes", "3", "--crash", "1@1s", "--recover=1@2s", "--faults", "2",
                                                  "--no-fifo", "--fail-leader", "off", "--until", "3s"},
                         own),
            1u + 1u + 4u + 1u);
  EXPECT_EQ(count_faults(std::vector<std::string>{"--fail-leader", "900ms"}, own), 1u);
}

// ---- through the command line ----

using Output = test::CliOutput;
constexpr auto cli = &test::capture_cli;

TEST(Shrink, ASweepsMinimalReproducerReplaysAndFailsTheSameCheckWithLess) {
  std::string dir = (fs::temp_directory_path() / "distlab-shrink.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string html = dir + "/minimal.html";
  const Output r = cli({"sweep", "snapshot", "--rule", "seed", "--seeds", "3", "--shrink-first", "2", "--html", html,
                        "--json", "--jobs", "1"});
  ASSERT_EQ(r.code, 1) << r.err;
  std::vector<json> minimal;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    const json record = json::parse(line);
    if (record.contains("minimal")) minimal.push_back(record);
    if (record.contains("shrunk")) {
      EXPECT_EQ(record["shrunk"], 2);  // the summary
    }
  }
  ASSERT_EQ(minimal.size(), 2u);
  EXPECT_EQ(minimal[0]["seed"], 1);
  EXPECT_EQ(minimal[1]["seed"], 2);
  for (const json& record : minimal) {
    const json& m = record["minimal"];
    EXPECT_LE(m["nodes"][1], m["nodes"][0]);
    EXPECT_LE(m["faults"][1], m["faults"][0]);
    EXPECT_LT(m["events"][1], m["events"][0]);
    EXPECT_TRUE(m["complete"]);
    // The reproducer is plain: no fault is left to the seed.
    const std::vector<std::string> config = m["configuration"];
    EXPECT_FALSE(has(config, "--faults"));
    // Run as a user would: it fails the same check.
    std::vector<std::string> replay{"snapshot"};
    replay.insert(replay.end(), config.begin(), config.end());
    replay.insert(replay.end(), {"--seed", std::to_string(record["seed"].get<int>()), "--json"});
    const Output again = cli(replay);
    EXPECT_EQ(again.code, 1) << m["replay"];
    EXPECT_EQ(json::parse(again.out)["checks"][m["check"].get<std::string>()], "fail") << m["replay"];
  }
  // The first one's minimal run is drawn.
  std::ifstream page(html);
  const std::string text{std::istreambuf_iterator<char>(page), std::istreambuf_iterator<char>()};
  EXPECT_NE(text.find("<svg"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Shrink, ShrinkOneSeedPrintsTheCommandAndHowFarItShrank) {
  const Output r = cli({"sweep", "snapshot", "--rule", "seed", "--shrink", "1"});
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.out.find("seed 1: snapshot_channels fail; shrunk in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nodes 4 -> 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  distlab snapshot --nodes 2 "), std::string::npos) << r.out;
  // A seed that passes has nothing to shrink.
  const Output clean = cli({"sweep", "snapshot", "--shrink", "1"});
  EXPECT_EQ(clean.code, 0) << clean.err;
  EXPECT_EQ(clean.out, "seed 1 passes every check: nothing to shrink\n");
}

TEST(Shrink, BadShrinkOptionsAreOneLineAndExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"sweep", "snapshot", "--shrink-first", "-1"},
           {"sweep", "snapshot", "--shrink-runs", "0"},
           {"sweep", "snapshot", "--shrink-runs", "1000000000"},
           {"sweep", "snapshot", "--shrink", "-3"},
           {"sweep", "snapshot", "--html", "/nonexistent-dir/x.html"},
       }) {
    const Output r = cli(args);
    EXPECT_EQ(r.code, 2) << fmt::format("{}", fmt::join(args, " "));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

}  // namespace shrink_test
}  // namespace distlab::cli
