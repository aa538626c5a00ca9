// `distlab launch`, `run` and `merge` on bad input: one line, exit 2, and no process
// started or file written. (Runs with real processes are in tests/integration/.)
#include <gtest/gtest.h>

#include "run.h"

namespace distlab::testing::real_cli_test {
namespace {

// Exit 2 with exactly one line on stderr that contains `says`, and nothing on stdout.
void expect_refused(const std::vector<std::string>& args, const std::string& says) {
  const RunResult r = run_distlab(args);
  EXPECT_EQ(r.exit_code, 2) << command_line(args) << "\n" << r.out << r.err;
  EXPECT_EQ(split_lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << "expected \"" << says << "\" in: " << r.err;
  EXPECT_EQ(r.out.find("Launching"), std::string::npos) << "processes were started: " << r.out;
}

TEST(LaunchBadInput, FaultsAreCheckedBeforeAnythingStarts) {
  expect_refused({"launch", "bully", "--kill", "9@1s"}, "--kill 9@1s: no node 9");
  expect_refused({"launch", "bully", "--kill", "3"}, "--kill 3");
  expect_refused({"launch", "bully", "--kill", "3@soon"}, "--kill 3@soon");
  expect_refused({"launch", "bully", "--restart", "2@1s"}, "--restart 2@1s: node 2 is running then");
  expect_refused({"launch", "bully", "--kill", "2@1s", "--kill", "2@2s"}, "--kill 2@2s: node 2 is not running then");
  expect_refused({"launch", "bully", "--kill", "2@7s", "--duration", "5s"}, "the run ends at 5s");
  expect_refused({"launch", "bully", "--kill", "2@1s", "--restart", "2@1s"}, "node 2 changes at that very time");
}

TEST(LaunchBadInput, PausesAreCheckedBeforeAnythingStarts) {
  expect_refused({"launch", "bully", "--pause", "2@1s"}, "--pause 2@1s: expected ID@TIME+DURATION");
  expect_refused({"launch", "bully", "--pause", "9@1s+1s"}, "no node 9");
  expect_refused({"launch", "bully", "--pause", "2@1s+0s"}, "the pause must last longer than 0");
  expect_refused({"launch", "bully", "--pause", "2@1s+soon"}, "--pause");
  expect_refused({"launch", "bully", "--pause", "2@4s+2s", "--duration", "5s"},
                 "must end before the run does, at 5s");
  expect_refused({"launch", "bully", "--pause", "2@1s+2s", "--pause", "2@2s+1s"},
                 "node 2 is paused then already");
  expect_refused({"launch", "bully", "--pause", "2@1s+2s", "--kill", "2@2s"},
                 "--kill 2@2s: node 2 is paused then");
  expect_refused({"launch", "bully", "--kill", "2@1s", "--pause", "2@2s+1s"}, "node 2 is not running then");
  expect_refused({"launch", "heartbeat", "--nodes", "2", "--pause", "0@1s+1s"},
                 "node 0 is the monitor; pause a sender");
}

TEST(LaunchBadInput, NetworkFaultsAreCheckedBeforeAnythingStarts) {
  expect_refused({"launch", "bully", "--loss", "0.1"}, "--loss needs --netns");
  expect_refused({"launch", "bully", "--partition", "1,2/3@1s..2s"}, "--partition needs --netns");
  expect_refused({"launch", "bully", "--dup", "0.1"}, "--dup needs --netns");
  expect_refused({"launch", "bully", "--netns", "--dup", "-1"}, "--dup");
  // The simulator's syntax and bounds, checked before a namespace is made.
  expect_refused({"launch", "bully", "--netns", "--loss", "1.5"}, "--loss");
  expect_refused({"launch", "bully", "--netns", "--partition", "1,2/9@1s..2s"}, "9");
  expect_refused({"launch", "bully", "--netns", "--partition", "1,2/3@2s..1s"}, "--partition");
  expect_refused({"launch", "bully", "--netns", "--partition", "1,2/3"}, "--partition");
}

TEST(LaunchBadInput, NodesThatCannotBeKilledAreRefusedWithTheReason) {
  expect_refused({"launch", "heartbeat", "--nodes", "2", "--kill", "0@1s"}, "node 0 is the monitor");
  expect_refused({"launch", "snapshot", "--kill", "1@1s"}, "takes its part of the snapshot with it");
}

TEST(LaunchBadInput, NodesDurationAndPortsAreValidated) {
  expect_refused({"launch", "bully", "--nodes", "1"}, "--nodes must be at least 2");
  expect_refused({"launch", "lamport", "--nodes", "5000"}, "--nodes is at most 1000");
  expect_refused({"launch", "heartbeat", "--nodes", "0"}, "--nodes must be at least 1");
  expect_refused({"launch", "bully", "--duration", "0s"}, "--duration must be longer than 0");
  expect_refused({"launch", "bully", "--duration", "soon"}, "--duration soon");
  expect_refused({"launch", "bully", "--base-port", "65534", "--no-faults"}, "--base-port 65534");
  expect_refused({"launch", "bully", "--base-port", "-4"}, "--base-port");
  expect_refused({"launch", "bully", "--leader-timeout", "0s"}, "--leader-timeout");
}

TEST(LaunchBadInput, ATraceIntoAMissingDirectoryFailsFirst) {
  TempDir dir("launch_trace");
  const auto path = dir.path() / "no" / "such" / "run.jsonl";
  expect_refused({"launch", "bully", "--trace", path.string()}, "run.jsonl");
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(LaunchHelp, NamesTheAlgorithmsAndTheFaultOptions) {
  const RunResult top = run_distlab({"launch", "--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* algo : {"lamport", "snapshot", "bully", "heartbeat"}) {
    EXPECT_NE(top.out.find(algo), std::string::npos) << algo;
  }
  const RunResult bully = run_distlab({"launch", "bully", "--help"});
  EXPECT_EQ(bully.exit_code, 0);
  for (const char* option : {"--kill ID@TIME", "--restart ID@TIME", "--duration", "--no-faults", "--keep",
                             "--base-port", "--leader-timeout"}) {
    EXPECT_NE(bully.out.find(option), std::string::npos) << option;
  }
}

TEST(RunBadInput, TheClusterFileIsValidatedNamingTheLine) {
  TempDir dir("run_cluster");
  const auto cluster = dir.path() / "cluster.toml";
  const auto refused = [&](const std::string& text, const std::string& says) {
    write_file(cluster, text);
    expect_refused({"run", "bully", "--id", "1", "--cluster", cluster.string()}, says);
  };
  refused("[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\n\n[[node]]\nid = 1\naddress = \"127.0.0.1:7002\"\n",
          "cluster.toml:5: node id 1 appears twice");
  refused("[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\ncolour = \"blue\"\n", "cluster.toml:4");
  refused("[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\n\n[[node]]\nid = 2\naddress = \"nowhere\"\n",
          "cluster.toml:7");
  refused("[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\n\n[[node]\n", "cluster.toml:5");
  expect_refused({"run", "bully", "--id", "1", "--cluster", (dir.path() / "missing.toml").string()},
                 "missing.toml");
}

TEST(RunBadInput, TheIdMustBeInTheCluster) {
  TempDir dir("run_id");
  const auto cluster = dir.path() / "cluster.toml";
  write_file(cluster, "[[node]]\nid = 1\naddress = \"127.0.0.1:7001\"\n\n[[node]]\nid = 2\naddress = \"127.0.0.1:7002\"\n");
  expect_refused({"run", "bully", "--id", "9", "--cluster", cluster.string()}, "--id 9: no such node");
  expect_refused({"run", "bully", "--id", "1", "--cluster", cluster.string(), "--incarnation", "-1"},
                 "--incarnation");
  expect_refused({"run", "lamport", "--id", "1", "--cluster", cluster.string(), "--duration", "0s"},
                 "--duration must be longer than 0");
}

TEST(MergeBadInput, PartsMustComeFromOneRun) {
  TempDir dir("merge");
  const auto a = dir.path() / "a.jsonl";
  const auto b = dir.path() / "b.jsonl";
  const auto out = dir.path() / "out.jsonl";
  write_file(a, R"({"format":"distlab-trace","version":1,"algorithm":"bully","mode":"real","seed":1,"nodes":[1],"time_unit":"ns"})"
                "\n");
  write_file(b, R"({"format":"distlab-trace","version":1,"algorithm":"bully","mode":"real","seed":2,"nodes":[2],"time_unit":"ns"})"
                "\n");
  expect_refused({"merge", a.string(), b.string(), "-o", out.string()}, "seed");
  EXPECT_FALSE(std::filesystem::exists(out));
  write_file(b, "not json\n");
  expect_refused({"merge", a.string(), b.string(), "-o", out.string()}, "b.jsonl:1");
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace
}  // namespace distlab::testing::real_cli_test
