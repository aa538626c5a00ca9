// Bad input to the command line: refused before anything runs or is written, with
// exit 2 and one line (issue 16). In process, through run_cli.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "cli/app.h"
#include "distlab/core/error.h"

namespace distlab::cli {
namespace inputs_test {

namespace fs = std::filesystem;

struct Outcome {
  int code;
  std::string err;
};

Outcome run(const std::vector<std::string>& args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = run_cli(args);
  ::testing::internal::GetCapturedStdout();
  return {code, ::testing::internal::GetCapturedStderr()};
}

// A command (run with --seed 1) and what its one line of refusal says.
struct Refusal {
  std::vector<std::string> args;
  std::string error;
};

// Each is refused with exit 2 and one line holding its error.
void expect_refused(std::span<const Refusal> cases) {
  for (const Refusal& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--seed", "1"});
    const Outcome o = run(args);
    EXPECT_EQ(o.code, kExitUsage) << args[0] << " " << args[1];
    EXPECT_NE(o.err.find(c.error), std::string::npos) << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
}

class Scratch {
 public:
  Scratch() {
    std::string dir = (fs::temp_directory_path() / "distlab-inputs.XXXXXX").string();
    if (::mkdtemp(dir.data()) == nullptr) throw std::runtime_error("mkdtemp");
    dir_ = dir;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
    return path(name);
  }

 private:
  fs::path dir_;
};

TEST(CliInputs, EmptyValuesAreRefusedNamingTheOption) {
  const std::vector<std::vector<std::string>> cases = {
      {"lamport", "--nodes", ""},   {"lamport", "--until", ""}, {"lamport", "--latency", ""},
      {"lamport", "--loss", ""},    {"lamport", "--dup", ""},   {"lamport", "--trace", ""},
      {"heartbeat", "--nodes", ""}, {"bully", "--until", ""},   {"check", ""},
  };
  for (const auto& args : cases) {
    const Outcome o = run(args);
    EXPECT_EQ(o.code, kExitUsage) << args[1];
    const std::string name = args.size() == 3 ? args[1] : "TRACE";
    EXPECT_NE(o.err.find(name + ": the value must not be empty"), std::string::npos) << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
  }
}

TEST(CliInputs, FaultsAfterTheEndOfTheRunAreRefused) {
  const Refusal cases[] = {
      {{"heartbeat", "--crash", "2@100s"},
       "--crash 2@100s: the run ends at 60s (its default end: set --until for a longer run)"},
      {{"bully", "--crash", "2@100s", "--until", "70s"}, "--crash 2@100s: the run ends at 70s (--until)"},
      {{"bully", "--crash", "2@1s", "--recover", "2@80s", "--until", "70s"},
       "--recover 2@80s: the run ends at 70s (--until)"},
      {{"bully", "--pause", "2@71s+1s", "--until", "70s"}, "--pause 2@71s+1s: the run ends at 70s (--until)"},
      {{"bully", "--partition", "1,2/3@80s..90s", "--until", "70s"},
       "--partition 1,2/3@80s..90s: the run ends at 70s (--until)"},
  };
  expect_refused(cases);
  // At the end itself, or in a run that ends when nothing is left to happen, it is taken.
  EXPECT_EQ(run({"bully", "--crash", "2@70s", "--until", "70s", "--seed", "1", "--quiet"}).code, kExitOk);
  EXPECT_EQ(run({"lamport", "--crash", "2@100s", "--seed", "1", "--quiet"}).code, kExitOk);
}

TEST(CliInputs, RunawayRunsAreRefusedBeforeTheyStart) {
  const Refusal cases[] = {
      {{"bully", "--heartbeat", "1ns"},
       "--heartbeat 1ns: a timer period must be at least 1ms of simulated time"},
      {{"heartbeat", "--check-every", "1ns", "--until", "30s"},
       "--check-every 1ns: a timer period must be at least 1ms of simulated time"},
      {{"heartbeat", "--interval", "500us"}, "--interval 500us: a timer period must be at least 1ms"},
      {{"heartbeat", "--until", "100000h"},
       "this run (100000h of simulated time, --nodes 4) would take about 1.2e+09 events, more than the bound "
       "of "
       "100,000,000"},
      {{"heartbeat", "--table", "--runs", "1", "--duration", "100000h"},
       "more than the bound of 100,000,000"},
      {{"heartbeat", "--table", "--runs", "10000", "--duration", "10h"},
       "this run (--table: 10000 runs of 10h for each of 6 values) would take about"},
      {{"bully", "--until", "100000h"}, "more than the bound of 100,000,000"},
      {{"bench", "storm", "--messages", "1000000000000"},
       "--messages 1000000000000: more than the bound of 1,000,000,000 deliveries"},
      {{"bully", "--fail-leader", "100000h", "--recover", "off"}, "more than the bound of 100,000,000"},
  };
  expect_refused(cases);
  // At the floor, a short run is fine.
  EXPECT_EQ(run({"heartbeat", "--interval", "1ms", "--jitter", "0s", "--check-every", "1ms", "--until", "1s", "--seed", "1", "--quiet"}).code,
            kExitOk);
}

TEST(CliInputs, DemoWithABadPaceWritesNothing) {
  const Scratch dir;
  const Outcome o = run({"demo", "--pace", "-1s", "--html", dir.path("demo.html")});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("--pace -1s"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(dir.path("demo.html")));
}

TEST(CliInputs, RestartWithoutItsStateFileIsAnError) {
  const Scratch dir;
  const std::string cluster = dir.write("cluster.toml", "[[node]]\nid = 1\naddress = \"127.0.0.1:1\"\n"
                                                           "[[node]]\nid = 2\naddress = \"127.0.0.1:2\"\n"
                                                           "[[node]]\nid = 3\naddress = \"127.0.0.1:3\"\n");
  const Outcome o = run({"run", "lamport", "--id", "1", "--cluster", cluster, "--state", dir.path("missing.state"),
                         "--incarnation", "1", "--quiet"});
  EXPECT_EQ(o.code, kExitUsage) << o.err;
  EXPECT_NE(o.err.find("a restart (--incarnation 1) cannot read its state"), std::string::npos) << o.err;
}

// The traces `check` refused and `render` and `merge` accepted (merge even wrote a
// trace that check then refused): every command now refuses each, naming the line.
TEST(CliInputs, EveryCommandRefusesTheSameTraces) {
  const Scratch dir;
  const std::string h =
      R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":7,"nodes":[1,2],"time_unit":"ns"})"
      "\n";
  const std::string send = R"({"t":0,"node":1,"kind":"send","msg":"m","to":2,"type":"app"})"
                           "\n";
  const std::pair<std::string, std::string> traces[] = {
      {h + send + send, "bad.jsonl:3: message \"m\" is sent twice"},
      {h + R"({"t":0,"node":2,"kind":"recv","msg":"m","from":1,"type":"app"})" + "\n",
       "bad.jsonl:2: recv of message \"m\", which is never sent"},
      {h + R"({"t":0,"node":1,"kind":"drop","msg":"m","to":2,"type":"app","reason":"loss"})" + "\n",
       "bad.jsonl:2: drop of message \"m\", which is never sent"},
      {h + send + R"({"t":1,"node":1,"kind":"recv","msg":"m","from":2,"type":"app"})" + "\n",
       "bad.jsonl:3: message \"m\" was sent by 1 to 2, but is received by 1 from 2"},
      {h + R"({"t":0,"node":1,"kind":"state","data":)" + std::string(50'000, '[') + std::string(50'000, ']') + "}\n",
       "bad.jsonl:2: nested deeper than 64 levels"},
      // An algorithm's own annotation, malformed: a snapshot's channel that is no node.
      {h + R"({"t":0,"node":1,"kind":"state","data":{"snapshot":"1.1","channel":"x","messages":[]}})" + "\n",
       "bad.jsonl:2: \"channel\" must be a node id"},
  };
  for (const auto& [text, error] : traces) {
    const std::string bad = dir.write("bad.jsonl", text);
    const std::vector<std::vector<std::string>> commands = {
        {"check", bad},
        {"render", bad, "-o", dir.path("out.html")},
        {"merge", bad, "-o", dir.path("out.jsonl")},
        {"export", "--shiviz", bad, "-o", dir.path("out.log")},
    };
    for (const auto& args : commands) {
      const Outcome o = run(args);
      EXPECT_EQ(o.code, kExitUsage) << args[0] << ": " << error;
      EXPECT_NE(o.err.find(error), std::string::npos) << args[0] << ": " << o.err;
    }
    for (const char* out : {"out.html", "out.jsonl", "out.log"}) EXPECT_FALSE(fs::exists(dir.path(out))) << out;
  }
  // One good real trace merged with itself would send each message twice: refused.
  const std::string real =
      R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"real","seed":7,"nodes":[1,2],"time_unit":"ns"})"
      "\n" + send;
  const std::string part = dir.write("part.jsonl", real);
  const Outcome o = run({"merge", part, part, "-o", dir.path("out.jsonl")});
  EXPECT_EQ(o.code, kExitUsage);
  EXPECT_NE(o.err.find("message \"m\" is sent twice"), std::string::npos) << o.err;
  EXPECT_FALSE(fs::exists(dir.path("out.jsonl")));
}

}  // namespace inputs_test
}  // namespace distlab::cli
