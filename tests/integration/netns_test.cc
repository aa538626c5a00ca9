// Bully across several hosts: network namespaces joined by veth pairs to a bridge
// stand for separate machines. One host is cut off (its link goes down) and later
// restored; the merged trace must show the split and then the convergence.
//
// Needs root and iproute2 (`ip netns`); without them the test skips and says why.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "process.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::system_clock;

// Runs a shell command quietly; true when it succeeds.
bool sh(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()) == 0; }

// Why this machine cannot make test hosts, or empty when it can.
std::string cannot_make_hosts() {
  if (::geteuid() != 0) return "needs root to create network namespaces (ip netns); run the tests as root";
  if (!sh("ip -V")) return "needs iproute2 (the `ip` command): apt-get install iproute2";
  const std::string probe = fmt::format("dlprobe{}", ::getpid());
  if (!sh("ip netns add " + probe)) return "`ip netns add` fails here (no privilege over network namespaces)";
  sh("ip netns del " + probe);
  return {};
}

// Hosts h1..hN on 10.213.0.0/24, each a namespace with one veth end; the other ends
// join a bridge in this namespace. Removed (namespaces, links, bridge) on destruction.
class Hosts {
 public:
  explicit Hosts(int count) : tag_(fmt::format("{}", ::getpid() % 100000)) {
    ok_ = sh(fmt::format("ip link add {} type bridge", bridge())) && sh(fmt::format("ip link set {} up", bridge()));
    for (int k = 1; k <= count && ok_; ++k) {
      const std::string ns = name(k);
      ok_ = sh("ip netns add " + ns) &&
            sh(fmt::format("ip link add {} type veth peer name {}", outside(k), inside(k))) &&
            sh(fmt::format("ip link set {} netns {}", inside(k), ns)) &&
            sh(fmt::format("ip link set {} master {}", outside(k), bridge())) &&
            sh(fmt::format("ip link set {} up", outside(k))) &&
            sh(fmt::format("ip -n {} addr add {}/24 dev {}", ns, address(k), inside(k))) &&
            sh(fmt::format("ip -n {} link set {} up", ns, inside(k))) &&
            sh(fmt::format("ip -n {} link set lo up", ns));
      if (ok_) count_ = k;
    }
  }
  ~Hosts() {
    for (int k = 1; k <= count_ + 1; ++k) {
      sh("ip netns del " + name(k));
      sh("ip link del " + outside(k));
    }
    sh("ip link del " + bridge());
  }
  Hosts(const Hosts&) = delete;
  Hosts& operator=(const Hosts&) = delete;

  bool ok() const { return ok_; }
  std::string name(int k) const { return fmt::format("dl{}h{}", tag_, k); }
  static std::string address(int k) { return fmt::format("10.213.0.{}", k); }
  // Host k's cable: unplugged, or plugged back in.
  bool cut(int k) const { return sh(fmt::format("ip link set {} down", outside(k))); }
  bool restore(int k) const { return sh(fmt::format("ip link set {} up", outside(k))); }

 private:
  std::string bridge() const { return fmt::format("dl{}br", tag_); }
  std::string outside(int k) const { return fmt::format("dl{}o{}", tag_, k); }
  std::string inside(int k) const { return fmt::format("dl{}i{}", tag_, k); }

  std::string tag_;
  bool ok_ = false;
  int count_ = 0;
};

struct Dir {
  Dir() : path(fs::temp_directory_path() / fmt::format("distlab_netns_{}", ::getpid())) {
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
  fs::path path;
};

void sleep_until(Clock::time_point t) { std::this_thread::sleep_until(t); }

TEST(MultiHost, BullySplitsWhenAHostIsCutOffAndConvergesWhenItIsBack) {
  if (const std::string why = cannot_make_hosts(); !why.empty()) GTEST_SKIP() << why;
  constexpr int kHosts = 3;
  Hosts hosts(kHosts);
  ASSERT_TRUE(hosts.ok()) << "could not build the test network (ip link/netns failed)";
  Dir dir;
  {
    std::ofstream cluster(dir.path / "cluster.toml");
    for (int k = 1; k <= kHosts; ++k) cluster << fmt::format("[[node]]\nid = {}\naddress = \"{}:7000\"\n\n", k, Hosts::address(k));
  }
  // Every host reaches every other before the run starts.
  for (int k = 2; k <= kHosts; ++k) {
    ASSERT_TRUE(sh(fmt::format("ip netns exec {} ping -c 1 -W 2 {}", hosts.name(1), Hosts::address(k))))
        << "host 1 cannot reach host " << k << " (ping, from iputils-ping)";
  }

  // Time zero once every node listens (--wait-start, as launch starts them); the cut
  // from 2 s to 4.5 s; the end at 8 s.
  StartTogether start;
  std::vector<std::unique_ptr<Process>> nodes;
  for (int k = 1; k <= kHosts; ++k) {
    nodes.push_back(start.spawn({"ip",
                                 "netns",
                                 "exec",
                                 hosts.name(k),
                                 DISTLAB_BINARY,
                                 "run",
                                 "bully",
                                 "--id",
                                 std::to_string(k),
                                 "--cluster",
                                 (dir.path / "cluster.toml").string(),
                                 "--seed",
                                 "1",
                                 "--wait-start",
                                 "--duration",
                                 "8s",
                                 "--starter",
                                 "1",
                                 "--trace",
                                 (dir.path / fmt::format("node-{}.jsonl", k)).string(),
                                 "--quiet"},
                                dir.path / fmt::format("node-{}", k)));
  }
  for (int k = 1; k <= kHosts; ++k) {
    EXPECT_EQ(start.said(k - 1), "listening\n") << "node " << k << ": " << nodes[k - 1]->err();
  }
  const auto zero = start.go(100ms);
  sleep_until(zero + 2s);
  ASSERT_TRUE(hosts.cut(kHosts));
  sleep_until(zero + 4500ms);
  ASSERT_TRUE(hosts.restore(kHosts));
  for (int k = 1; k <= kHosts; ++k) {
    EXPECT_EQ(nodes[k - 1]->wait(15s), 0) << "node " << k << ": " << nodes[k - 1]->err();
  }

  std::vector<std::string> merge{DISTLAB_BINARY, "merge"};
  for (int k = 1; k <= kHosts; ++k) merge.push_back((dir.path / fmt::format("node-{}.jsonl", k)).string());
  merge.insert(merge.end(), {"-o", (dir.path / "run.jsonl").string()});
  Process merging(merge, dir.path / "merge");
  ASSERT_EQ(merging.wait(10s), 0) << merging.err();
  Process checking({DISTLAB_BINARY, "check", (dir.path / "run.jsonl").string()}, dir.path / "check");
  const int code = checking.wait(20s);
  const std::string report = checking.out();
  EXPECT_EQ(code, 0) << report << checking.err();

  // The split: the cut-off leader 3 kept leading while 1 and 2 elected 2.
  EXPECT_NE(report.find("split brain while messages were lost: nodes 3 and 2 both held leadership"),
            std::string::npos)
      << report;
  // The convergence: back together, everyone follows 3 again.
  EXPECT_NE(report.find("Check leader agreement: pass (every live node follows 3"), std::string::npos) << report;

  // The losses the merge found are those of the cut: every one to or from host 3,
  // sent while its cable was out, or just after, while the hosts find each other's
  // addresses again (ARP entries failed during the cut).
  const trace::Trace merged = trace::read_trace_file((dir.path / "run.jsonl").string());
  std::size_t losses = 0;
  for (const auto& r : merged.events) {
    if (r.kind != EventKind::drop) continue;
    ++losses;
    EXPECT_TRUE(r.node == kHosts || r.peer == kHosts) << "a loss between " << r.node << " and " << r.peer;
    EXPECT_GT(r.t, 1900 * kMillisecond);
    EXPECT_LT(r.t, 6000 * kMillisecond);
  }
  EXPECT_GT(losses, 0u);
}

// Chandy-Lamport over a real link that loses one UDP datagram in ten (nftables in a
// namespace of its own): the reliable layer under the snapshot nodes sends again what
// was lost, and every snapshot of every launch comes out complete and exact. Without
// the layer none of ten such launches passed (docs/real-runs.md).
TEST(LossyLink, SnapshotsAreCompleteAndExactWhenTheLinkLosesOneDatagramInTen) {
  if (const std::string why = cannot_make_hosts(); !why.empty()) GTEST_SKIP() << why;
  if (!sh("nft --version"))
    GTEST_SKIP() << "needs nftables (the `nft` command) for a lossy link: apt-get install nftables";
  const std::string ns = fmt::format("dl{}loss", ::getpid() % 100000);
  struct Namespace {
    std::string name;
    ~Namespace() { sh("ip netns del " + name); }
  } guard{ns};
  ASSERT_TRUE(sh("ip netns add " + ns) && sh(fmt::format("ip -n {} link set lo up", ns)));
  ASSERT_TRUE(sh(
      fmt::format("ip netns exec {} nft 'add table inet distlab_loss; "
                  "add chain inet distlab_loss out {{ type filter hook output priority 0; policy accept; }}; "
                  "add rule inet distlab_loss out meta l4proto udp numgen random mod 10 < 1 counter drop'",
                  ns)))
      << "could not install the loss rule";
  Dir dir;
  for (int run = 1; run <= 3; ++run) {
    const std::string out = (dir.path / fmt::format("run{}.txt", run)).string();
    const int rc = std::system(
        fmt::format("ip netns exec {} {} launch snapshot --scenario bank --nodes 4 --snapshots 2 "
                    "--trace {} > {} 2>&1",
                    ns, DISTLAB_BINARY, (dir.path / fmt::format("run{}.jsonl", run)).string(), out)
            .c_str());
    std::ifstream in(out);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ(rc, 0) << "launch " << run << " over the lossy link:\n" << text;
    for (const char* check : {"Check snapshot complete: pass", "Check snapshot channel states: pass",
                              "Check consistent cut: pass", "Check money conserved: pass"}) {
      EXPECT_NE(text.find(check), std::string::npos) << check << " missing in launch " << run << ":\n"
                                                     << text;
    }
  }
  // The link did lose datagrams: the rule's counter says how many.
  const std::string counted = (dir.path / "counter.txt").string();
  ASSERT_EQ(std::system(fmt::format("ip netns exec {} nft list ruleset > {}", ns, counted).c_str()), 0);
  std::ifstream in(counted);
  const std::string rules((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = rules.find("packets ");
  ASSERT_NE(at, std::string::npos) << rules;
  EXPECT_GT(std::stoul(rules.substr(at + 8)), 0UL) << rules;
}

}  // namespace
}  // namespace distlab::testing
