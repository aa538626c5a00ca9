// distlab launch --netns: each node in a network namespace of its own, on a bridge,
// with the simulator's --loss and --partition acting on its real datagrams. For each
// algorithm the same options (10% loss, a partition that heals) pass the same checks
// in both runtimes; and a launch leaves no namespace, link, rule or process behind,
// whether it ends, is interrupted (SIGINT) or its launcher is killed (SIGKILL).
//
// Needs root, iproute2, nftables and util-linux; without them each test skips and says why.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "distlab/core/types.h"
#include "distlab/trace/jsonl_reader.h"
#include "launch_support.h"
#include "process.h"

namespace distlab::testing::launch_netns_test {
namespace {

using namespace std::chrono_literals;
using namespace launch_support;
namespace fs = std::filesystem;

bool sh(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

std::string cannot_launch_netns() {
  if (::geteuid() != 0) return "needs root: --netns makes network namespaces";
  if (!sh("ip -V")) return "needs iproute2 (the `ip` command): apt-get install iproute2";
  if (!sh("nft --version")) return "needs nftables (the `nft` command): apt-get install nftables";
  if (!sh("unshare --net true")) return "`unshare --net` fails here (no privilege over network namespaces)";
  return {};
}

std::string output_of(const std::string& command) {
  std::string text;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
    ::pclose(pipe);
  }
  return text;
}

// What a launch could leave on this host: the network namespaces in use (any
// process's), this namespace's links and nftables tables, and the processes a
// launch starts.
struct HostState {
  std::set<std::string> namespaces;
  std::string links;
  std::string tables;
  std::string processes;
  bool operator==(const HostState&) const = default;
};

HostState host_state() {
  HostState s;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::error_code ec;
    const fs::path target = fs::read_symlink(entry.path() / "ns" / "net", ec);
    if (!ec) s.namespaces.insert(target.string());
  }
  s.links = output_of("ip -o link show | cut -d: -f2");
  s.tables = output_of("nft list tables");
  s.processes = output_of("pgrep -af 'distlab (launch|run) |nft -i|unshare --net' | grep -v pgrep");
  return s;
}

std::string describe(const HostState& s) {
  return fmt::format("namespaces: {}\nlinks:{}\ntables:\n{}processes:\n{}", fmt::join(s.namespaces, " "),
                     s.links, s.tables, s.processes);
}

// The host as it was before the launch, within 3 s (the kernel frees a namespace
// once the last process in it has gone).
void expect_nothing_left(const HostState& before) {
  HostState now = host_state();
  for (int i = 0; i < 30 && !(now == before); ++i) {
    std::this_thread::sleep_for(100ms);
    now = host_state();
  }
  EXPECT_EQ(now.namespaces, before.namespaces) << "before:\n"
                                               << describe(before) << "\nafter:\n"
                                               << describe(now);
  EXPECT_EQ(now.links, before.links);
  EXPECT_EQ(now.tables, before.tables);
  EXPECT_EQ(now.processes, "") << now.processes;
}

// Both runtimes with the same network faults; the launch in namespaces, and nothing of
// it left afterwards.
BothRuns expect_same_checks_over_netns(const std::string& algorithm, std::vector<std::string> sim,
                                       std::vector<std::string> real, const std::vector<std::string>& network,
                                       const Expected& expected = {}) {
  const HostState before = host_state();
  sim.insert(sim.end(), network.begin(), network.end());
  real.insert(real.end(), network.begin(), network.end());
  real.push_back("--netns");
  BothRuns both = expect_same_checks(algorithm, sim, real, expected);
  expect_nothing_left(before);
  return both;
}

const std::vector<std::string> kLossyThenSplit{"--loss", "0.1", "--partition", "1/2,3@500ms..1500ms"};

TEST(LaunchNetns, LamportPassesTheSameChecksWithLossAndAHealedPartition) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  const BothRuns both = expect_same_checks_over_netns("lamport", {}, {}, kLossyThenSplit);
  if (both.launched.is_null()) return;
  EXPECT_EQ(both.launched["messages"]["sent"], both.simulated["messages"]["sent"]) << both.launched.dump();
}

// Chandy-Lamport asks for reliable channels: every message and marker arrives, the
// partition and the loss only delay them.
TEST(LaunchNetns, SnapshotIsCompleteAndExactWithLossAndAHealedPartition) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  const BothRuns both = expect_same_checks_over_netns("snapshot", {}, {}, kLossyThenSplit);
  if (both.launched.is_null()) return;
  EXPECT_EQ(both.simulated["messages"], both.launched["messages"]);
  EXPECT_EQ(both.simulated["markers"], both.launched["markers"]);
}

TEST(LaunchNetns, BullyPassesTheSameChecksWithLossAndAHealedPartition) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  const BothRuns both =
      expect_same_checks_over_netns("bully", {"--fail-leader", "off", "--until", "6s"}, {"--no-faults"},
                                    {"--loss", "0.1", "--partition", "1,2/3,4,5@1s..2s"});
  if (both.launched.is_null()) return;
  EXPECT_EQ(both.launched["leader"], 5) << both.launched.dump();
  EXPECT_EQ(both.simulated["leader"], both.launched["leader"]);
}

TEST(LaunchNetns, HeartbeatPassesTheSameChecksWithLossAndAHealedPartition) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  const std::vector<std::string> timings{"--nodes", "3",         "--interval", "200ms",         "--jitter",
                                         "50ms",    "--timeout", "900ms",      "--check-every", "50ms"};
  std::vector<std::string> sim = timings;
  sim.insert(sim.end(), {"--crash", "2@1s", "--until", "3s"});
  std::vector<std::string> real = timings;
  real.insert(real.end(), {"--kill", "2@1s", "--duration", "3s"});
  const BothRuns both = expect_same_checks_over_netns("heartbeat", sim, real,
                                                      {"--loss", "0.1", "--partition", "1/0@1s..1500ms"});
  if (both.launched.is_null()) return;
  for (const nlohmann::json* summary : {&both.simulated, &both.launched}) {
    ASSERT_EQ((*summary)["detections"].size(), 1u) << summary->dump();
    EXPECT_EQ((*summary)["detections"][0]["node"], 2);
  }
}

// Node 1 cut off from the start: its requests are lost, and Ricart-Agrawala, which
// waits for every reply, blocks. Both runtimes trace the drops (the launch from the
// bridge's log), so both skip "requests granted" for the same reason, not fail it.
TEST(LaunchNetns, RicartSkipsTheSameCheckForTheSameDropsInBothRuntimes) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  const BothRuns both = expect_same_checks_over_netns("ricart", {"--nodes", "3"}, {"--nodes", "3"},
                                                      {"--loss", "0.1", "--partition", "1/2,3@0s..1s"},
                                                      {.skipped = {"requests_granted"}});
  if (both.launched.is_null()) return;
  for (const nlohmann::json* summary : {&both.simulated, &both.launched}) {
    EXPECT_EQ((*summary)["entered"], 0) << summary->dump();
    EXPECT_EQ((*summary)["checks"]["requests_granted"], "skipped") << summary->dump();
  }
}

// The partition is in the merged trace's header, as the simulator writes it, and the
// launch says when its rules went in and out, and what they dropped.
TEST(LaunchNetns, APartitionIsRecordedAsTheSimulatorRecordsItAndItsRulesDropDatagrams) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  launch_support::Dir dir;
  const fs::path real = dir.path / "real.jsonl";
  const fs::path sim = dir.path / "sim.jsonl";
  const std::vector<std::string> partitions{"--partition", "1,2/3,4,5@1s..2s", "--partition", "3>1@2500ms.."};
  std::vector<std::string> launch{"launch",  "bully",       "--seed",  "7",
                                  "--netns", "--no-faults", "--trace", real.string()};
  launch.insert(launch.end(), partitions.begin(), partitions.end());
  const Finished l = run_distlab(launch, dir.path / "launch");
  ASSERT_EQ(l.code, kExitOk) << describe(l);
  std::vector<std::string> simulate{"bully",   "--seed", "7",       "--fail-leader", "off",
                                    "--until", "6s",     "--trace", sim.string(),    "--quiet"};
  simulate.insert(simulate.end(), partitions.begin(), partitions.end());
  const Finished s = run_distlab(simulate, dir.path / "sim");
  ASSERT_EQ(s.code, kExitOk) << describe(s);
  EXPECT_EQ(trace::read_trace_file(real.string()).header.network,
            trace::read_trace_file(sim.string()).header.network);
  EXPECT_TRUE(contains(l.out, "each in a network namespace of its own")) << describe(l);
  for (const char* line : {"s: partition {1,2} | {3,4,5} (nftables).", "s: partition {1,2} | {3,4,5} healed.",
                           "s: partition {3} -> {1} (nftables)."}) {
    EXPECT_TRUE(contains(l.out, line)) << line << "\n" << describe(l);
  }
  // Bully's nodes talk every 100 ms: a second's partition drops some of their datagrams.
  std::smatch said;
  ASSERT_TRUE(
      std::regex_search(l.out, said, std::regex(R"(dropped (\d+) datagrams by loss and (\d+) by partition)")))
      << describe(l);
  EXPECT_EQ(said[1], "0") << "no --loss, no loss";
  const std::size_t cut = std::stoul(said[2]);
  EXPECT_GT(cut, 0u) << describe(l);
  // Each is in the trace as a drop by partition, as the simulator traces them.
  const trace::Trace t = trace::read_trace_file(real.string());
  const auto traced = std::count_if(t.events.begin(), t.events.end(), [](const trace::Record& r) {
    return r.kind == EventKind::drop && r.label == "partition";
  });
  EXPECT_EQ(static_cast<std::size_t>(traced), cut) << describe(l);
}

// --dup: a datagram leaving the bridge is sent twice; without a key the node takes it
// twice, as in the simulator (each copy is a receive of the same message).
TEST(LaunchNetns, DuplicatedDatagramsAreDeliveredTwiceAsInTheSimulator) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  launch_support::Dir dir;
  const std::vector<std::string> options{"--seed", "7",       "--mode", "random", "--rounds",
                                         "20",     "--nodes", "4",      "--dup",  "0.5"};
  std::vector<std::string> launch{"launch", "lamport", "--netns"};
  launch.insert(launch.end(), options.begin(), options.end());
  std::vector<std::string> simulate{"lamport"};
  simulate.insert(simulate.end(), options.begin(), options.end());
  const HostState before = host_state();
  const Finished l = run_distlab(launch, dir.path / "launch");
  const Finished s = run_distlab(simulate, dir.path / "sim");
  ASSERT_EQ(l.code, kExitOk) << describe(l);
  ASSERT_EQ(s.code, kExitOk) << describe(s);
  const std::regex counts(R"((\d+) messages sent, (\d+) delivered, 0 lost)");
  std::smatch real_counts;
  std::smatch sim_counts;
  std::smatch twice;
  ASSERT_TRUE(std::regex_search(l.out, real_counts, counts)) << describe(l);
  ASSERT_TRUE(std::regex_search(s.out, sim_counts, counts)) << describe(s);
  ASSERT_TRUE(std::regex_search(l.out, twice, std::regex(R"(It delivered (\d+) datagrams twice)")))
      << describe(l);
  // 44 messages, each sent twice with probability 1/2: some are, in both runtimes.
  EXPECT_GT(std::stoul(twice[1]), 0u) << describe(l);
  EXPECT_EQ(std::stoul(real_counts[2]) - std::stoul(real_counts[1]), std::stoul(twice[1])) << describe(l);
  EXPECT_GT(std::stoul(sim_counts[2]), std::stoul(sim_counts[1])) << describe(s);
  for (const char* check : {"Check causality: pass", "Check clock condition: pass"}) {
    EXPECT_TRUE(contains(l.out, check)) << check << "\n" << describe(l);
    EXPECT_TRUE(contains(s.out, check)) << check << "\n" << describe(s);
  }
  expect_nothing_left(before);
}

// Interrupted or killed mid-run, during a partition: nothing of the launch is left.
void interrupt_and_expect_nothing_left(int signal) {
  const HostState before = host_state();
  launch_support::Dir dir;
  Process launch({DISTLAB_BINARY, "launch", "bully", "--netns", "--seed", "7", "--loss", "0.1", "--partition",
                  "1,2/3,4,5@500ms..5s"},
                 dir.path / "launch");
  ASSERT_TRUE(eventually([&] { return launch.out().find("(nftables).") != std::string::npos; }, 10s))
      << launch.out() << launch.err();
  launch.signal(signal);
  const int code = launch.wait(10s);
  if (signal == SIGINT) EXPECT_EQ(code, 130) << launch.err();
  expect_nothing_left(before);
}

TEST(LaunchNetns, CtrlCDuringAPartitionLeavesNoNamespaceLinkRuleOrProcess) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  interrupt_and_expect_nothing_left(SIGINT);
}

TEST(LaunchNetns, KillingTheLauncherDuringAPartitionLeavesNoNamespaceLinkRuleOrProcess) {
  if (const std::string why = cannot_launch_netns(); !why.empty()) GTEST_SKIP() << why;
  interrupt_and_expect_nothing_left(SIGKILL);
}

// Without root, --netns says why, exit 2, and starts nothing.
TEST(LaunchNetns, WithoutRootItIsRefusedWithTheReason) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run distlab as another user";
  if (!sh("setpriv --version")) GTEST_SKIP() << "needs setpriv (util-linux)";
  launch_support::Dir dir;
  Process nobody({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", DISTLAB_BINARY, "launch",
                  "bully", "--netns"},
                 dir.path / "nobody");
  EXPECT_EQ(nobody.wait(10s), 2) << nobody.out() << nobody.err();
  EXPECT_NE(nobody.err().find("--netns needs root"), std::string::npos) << nobody.err();
  EXPECT_EQ(nobody.out().find("Launching"), std::string::npos) << nobody.out();
}

}  // namespace
}  // namespace distlab::testing::launch_netns_test
