// distlab launch and distlab run as real processes on loopback: the same checks pass
// as in the simulator, a busy port fails one node and not the run, cluster files
// with errors are refused, Ctrl+C and SIGTERM leave no process behind, and garbage
// datagrams change nothing. Every run uses seed 7 (or 11); a failure prints the command.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "distlab/algo/lamport/lamport.h"
#include "distlab/core/bytes.h"
#include "distlab/core/error.h"
#include "distlab/core/random.h"
#include "distlab/runtime/udp/codec.h"
#include "distlab/trace/jsonl_reader.h"
#include "launch_support.h"
#include "process.h"

namespace distlab::testing::launch_test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using namespace launch_support;

// A UDP port on 127.0.0.1 held open, so that no one else can listen on it.
class HeldPort {
 public:
  explicit HeldPort(int port) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    held_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~HeldPort() {
    if (fd_ >= 0) close(fd_);
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  bool held() const { return held_; }

 private:
  int fd_;
  bool held_ = false;
};

bool udp_port_free(int port) { return HeldPort(port).held(); }

// ---------------------------------------------------------------------------------
// 1. The same scenario in both runtimes passes the same checks.

TEST(LaunchAndSimulator, LamportPassesTheSameChecksWithTheSameOrderOfEvents) {
  const BothRuns both = expect_same_checks("lamport", {}, {});
  if (both.launched.is_null()) return;
  // Rounds are a second apart: the real run orders its events as the simulator does.
  EXPECT_EQ(both.simulated["order"], both.launched["order"]);
}

TEST(LaunchAndSimulator, SnapshotPassesTheSameChecks) {
  const BothRuns both = expect_same_checks("snapshot", {}, {});
  if (both.launched.is_null()) return;
  // The recorded states depend on timing; the script's messages and markers do not.
  EXPECT_EQ(both.simulated["messages"], both.launched["messages"]);
  EXPECT_EQ(both.simulated["markers"], both.launched["markers"]);
}

TEST(LaunchAndSimulator, BullyWithItsDefaultFaultsPassesTheSameChecks) {
  // The launch kills node 5 at 1 s and restarts it at 3 s; the simulator fails the
  // leader at 1 s and recovers it at 3 s.
  const BothRuns both = expect_same_checks("bully", {}, {});
  if (both.launched.is_null()) return;
  EXPECT_EQ(both.launched["leader"], 5);
  EXPECT_EQ(both.simulated["leader"], both.launched["leader"]);
  ASSERT_EQ(both.launched["failovers"].size(), 2u) << both.launched.dump();
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(both.simulated["failovers"][i]["cause"], both.launched["failovers"][i]["cause"]);
    EXPECT_EQ(both.simulated["failovers"][i]["leader"], both.launched["failovers"][i]["leader"]);
  }
}

TEST(LaunchAndSimulator, HeartbeatWithOneKillPassesTheSameChecks) {
  const std::vector<std::string> timings{"--nodes",       "3",     "--interval",    "200ms", "--jitter", "50ms",
                                         "--timeout",     "600ms", "--check-every", "50ms"};
  std::vector<std::string> sim = timings;
  sim.insert(sim.end(), {"--crash", "2@1s", "--until", "3s"});
  std::vector<std::string> real = timings;
  real.insert(real.end(), {"--kill", "2@1s", "--duration", "3s"});
  const BothRuns both = expect_same_checks("heartbeat", sim, real);
  if (both.launched.is_null()) return;
  for (const nlohmann::json* summary : {&both.simulated, &both.launched}) {
    ASSERT_EQ((*summary)["detections"].size(), 1u) << summary->dump();
    EXPECT_EQ((*summary)["detections"][0]["node"], 2);
    EXPECT_EQ((*summary)["false_suspicions"], 0);
  }
}

// --pause on real processes is SIGSTOP, then SIGCONT: the paused sender traces nothing
// while it is stopped, and a pause shorter than the timeout is no crash to either runtime.
TEST(LaunchAndSimulator, HeartbeatWithAPausedSenderPassesTheSameChecks) {
  const std::vector<std::string> timings{"--nodes",       "3",    "--interval", "200ms",
                                         "--jitter",      "50ms", "--timeout",  "900ms",
                                         "--check-every", "50ms", "--pause",    "2@1s+500ms"};
  // Node 3 really stops, so that the detector has a crash to be judged on.
  std::vector<std::string> sim = timings;
  sim.insert(sim.end(), {"--crash", "3@1s", "--until", "3s"});
  std::vector<std::string> real = timings;
  real.insert(real.end(), {"--kill", "3@1s", "--duration", "3s"});
  const BothRuns both = expect_same_checks("heartbeat", sim, real);
  if (both.launched.is_null()) return;
  for (const nlohmann::json* summary : {&both.simulated, &both.launched}) {
    ASSERT_EQ((*summary)["detections"].size(), 1u) << summary->dump();
    EXPECT_EQ((*summary)["detections"][0]["node"], 3);
    EXPECT_EQ((*summary)["false_suspicions"], 0) << "the paused sender is not suspected: " << summary->dump();
  }
}

TEST(LaunchPause, APausedNodeTracesNothingUntilItIsResumed) {
  Dir dir;
  const fs::path trace = dir.path / "run.jsonl";
  const Finished l = run_distlab({"launch", "bully", "--nodes", "3", "--seed", "3", "--pause", "1@1s+1s",
                                  "--duration", "3s", "--trace", trace.string()},
                                 dir.path / "launch");
  ASSERT_EQ(l.code, kExitOk) << describe(l);
  EXPECT_TRUE(contains(l.out, "node 1 paused (SIGSTOP).")) << describe(l);
  EXPECT_TRUE(contains(l.out, "node 1 resumed (SIGCONT).")) << describe(l);
  const trace::Trace t = trace::read_trace_file(trace.string());
  std::size_t during = 0, after = 0;
  for (const auto& e : t.events) {
    if (e.node != 1) continue;
    // The launcher's signal and the node's clock are a few ms apart.
    if (e.t > 1'050'000'000 && e.t < 1'950'000'000) ++during;
    if (e.t >= 2'000'000'000) ++after;
  }
  EXPECT_EQ(during, 0u) << "node 1 traced while it was stopped";
  EXPECT_GT(after, 0u) << "node 1 went on after SIGCONT (the leader's heartbeats)";
}

TEST(LaunchAndSimulator, RicartPassesTheSameChecksEnteringEveryRequest) {
  const BothRuns both = expect_same_checks("ricart", {"--nodes", "3"}, {"--nodes", "3"});
  if (both.launched.is_null()) return;
  EXPECT_TRUE(checks_of(both.launched).contains("mutual_exclusion")) << both.launched.dump();
  EXPECT_EQ(both.launched["requested"], 9) << both.launched.dump();
  EXPECT_EQ(both.launched["entered"], 9) << both.launched.dump();
  // 2(n-1) messages per entry, whatever the timing.
  EXPECT_EQ(both.launched["messages"], both.simulated["messages"]) << both.launched.dump();
}

// Node 2 killed at 80 ms, before its last request (the simulator, seed 7, has it enter
// at 61, 83 and 166 ms; the others ask again at 96 to 177 ms): the others wait for its
// reply forever, which is Ricart-Agrawala's known weakness, not a violation.
TEST(LaunchRicart, KillingANodeBeforeItFinishesKeepsMutualExclusion) {
  Dir dir;
  const fs::path trace = dir.path / "launch.jsonl";
  const Finished l = run_distlab({"launch", "ricart", "--nodes", "3", "--seed", "7", "--kill", "2@80ms", "--json",
                                  "--trace", trace.string()},
                                 dir.path / "launch");
  ASSERT_EQ(l.code, kExitOk) << describe(l);
  const nlohmann::json summary = nlohmann::json::parse(l.out);
  std::map<std::string, std::string> checks = checks_of(summary);
  EXPECT_EQ(checks["mutual_exclusion"], "pass") << describe(l);
  EXPECT_EQ(checks["processes"], "pass") << describe(l);
  EXPECT_EQ(checks["causality"], "pass") << describe(l);
  EXPECT_EQ(checks["requests_granted"], "skipped") << describe(l);
  EXPECT_LT(summary["entered"].get<int>(), 9) << describe(l);

  // Node 2 crashed (the kill) and entered fewer than its three sections.
  std::ifstream in(trace);
  std::string line;
  int crashes = 0;
  int entries = 0;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    const nlohmann::json e = nlohmann::json::parse(line);
    if (e["node"] != 2) continue;
    crashes += e["kind"] == "crash" ? 1 : 0;
    entries += e["kind"] == "state" && e["data"].value("mutex", "") == "enter" ? 1 : 0;
  }
  EXPECT_EQ(crashes, 1) << trace;
  EXPECT_LT(entries, 3) << trace;

  const Finished c = run_distlab({"check", trace.string()}, dir.path / "check");
  EXPECT_EQ(c.code, kExitOk) << describe(c);
  EXPECT_TRUE(contains(c.out, "Check mutual exclusion: pass")) << describe(c);
  EXPECT_TRUE(contains(c.out, "Check requests granted: skipped")) << describe(c);
}

// ---------------------------------------------------------------------------------
// 2. A busy port fails its node; the others carry on.

TEST(LaunchBusyPort, TheNodeFailsTheOthersElectTheHighestLiveNode) {
  Dir dir;
  // Ports P+1..P+5, with P+2 held by the test; another program may take one of the
  // others between this check and the launch, so try a few bases.
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int base = free_udp_port() - 1;
    const HeldPort busy(base + 2);
    if (!busy.held() || !udp_port_free(base + 1) || !udp_port_free(base + 3) || !udp_port_free(base + 4) ||
        !udp_port_free(base + 5)) {
      continue;
    }
    const Finished f = run_distlab({"launch", "bully", "--base-port", std::to_string(base), "--no-faults",
                                    "--duration", "2s", "--seed", "7"},
                                   dir.path / fmt::format("launch{}", attempt));
    if (contains(f.out, "Address already in use") && !contains(f.out, "node 2 exited with code 3")) {
      continue;  // someone else took another of the ports
    }
    EXPECT_EQ(f.code, kExitViolation) << describe(f);
    EXPECT_TRUE(contains(f.out, "node 2 exited with code 3")) << describe(f);
    EXPECT_TRUE(contains(f.out, fmt::format("cannot listen on 127.0.0.1:{}: Address already in use", base + 2)))
        << describe(f);
    EXPECT_TRUE(contains(f.out, "Check processes: FAIL (node 2 exited with code 3")) << describe(f);
    EXPECT_TRUE(contains(f.out, "Check leader agreement: pass")) << describe(f);
    EXPECT_TRUE(contains(f.out, "Check single leader: pass")) << describe(f);
    EXPECT_TRUE(contains(f.out, "Final leader: 5.")) << describe(f);
    // --json gives the reason too, not only "fail".
    const Finished j = run_distlab({"launch", "bully", "--base-port", std::to_string(base), "--no-faults",
                                    "--duration", "1s", "--seed", "7", "--json"},
                                   dir.path / fmt::format("json{}", attempt));
    EXPECT_EQ(j.code, kExitViolation) << describe(j);
    const nlohmann::json summary = nlohmann::json::parse(j.out);
    EXPECT_EQ(summary["checks"]["processes"], "fail") << j.out;
    EXPECT_TRUE(contains(summary["failures"]["processes"].get<std::string>(), "node 2 exited with code 3")) << j.out;
    EXPECT_FALSE(summary["failures"].contains("single_leader")) << "only failed checks are listed: " << j.out;
    return;
  }
  FAIL() << "no base port with P+1..P+5 free in 5 attempts";
}

// ---------------------------------------------------------------------------------
// 3. `distlab run` refuses a bad cluster file or id in one line, and a busy port.

std::string cluster_file(const std::vector<std::pair<int, int>>& nodes) {
  std::string text;
  for (const auto& [id, port] : nodes) text += fmt::format("[[node]]\nid = {}\naddress = \"127.0.0.1:{}\"\n\n", id, port);
  return text;
}

fs::path write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

TEST(RealRunErrors, BadClusterFilesAreOneLineNamingTheFileAndLine) {
  Dir dir;
  struct Case {
    std::string name;
    std::string text;
    std::string message;  // after "distlab: FILE:"
  };
  const std::vector<Case> cases = {
      {"duplicate.toml",
       "[[node]]\nid = 1\naddress = \"127.0.0.1:9001\"\n\n[[node]]\nid = 1\naddress = \"127.0.0.1:9002\"\n",
       "5: node id 1 appears twice (first at line 1)"},
      {"unknown.toml", "[[node]]\nid = 1\naddress = \"127.0.0.1:9001\"\ncolour = \"red\"\n",
       "4: unknown key 'colour' in a node (known: id, address, interval, jitter)"},
      {"toplevel.toml", "nodes = 3\n[[node]]\nid = 1\naddress = \"127.0.0.1:9001\"\n",
       "1: unknown key 'nodes' (a cluster file has name, key_file and [[node]] tables)"},
      {"port.toml",
       "[[node]]\nid = 1\naddress = \"127.0.0.1:9001\"\n\n[[node]]\nid = 2\naddress = \"127.0.0.1:99999\"\n",
       "7: malformed address '127.0.0.1:99999': '99999' is not a port (0..65535) (expected HOST:PORT, e.g. "
       "127.0.0.1:5000)"},
      {"noport.toml", "[[node]]\nid = 1\naddress = \"localhost\"\n",
       "3: malformed address 'localhost': missing ':PORT' (expected HOST:PORT, e.g. 127.0.0.1:5000)"},
  };
  for (const Case& c : cases) {
    const fs::path path = write_file(dir.path / c.name, c.text);
    const Finished f = run_distlab({"run", "bully", "--id", "1", "--cluster", path.string()}, dir.path / c.name);
    EXPECT_EQ(f.code, kExitUsage) << describe(f);
    EXPECT_EQ(f.err, fmt::format("distlab: {}:{}\n", path.string(), c.message)) << describe(f);
    EXPECT_EQ(f.out, "") << describe(f);
  }
}

TEST(RealRunErrors, AnIdNotInTheClusterIsRefused) {
  Dir dir;
  const fs::path path = write_file(dir.path / "cluster.toml", cluster_file({{1, 9001}, {2, 9002}}));
  const Finished f = run_distlab({"run", "bully", "--id", "9", "--cluster", path.string()}, dir.path / "run");
  EXPECT_EQ(f.code, kExitUsage) << describe(f);
  EXPECT_EQ(f.err, fmt::format("distlab: --id 9: no such node in {} (nodes are 1,2)\n", path.string()))
      << describe(f);
}

TEST(RealRun, OneProcessDrawsItsOwnEventsWithHtml) {
  Dir dir;
  const fs::path cluster = write_file(dir.path / "cluster.toml", cluster_file({{1, free_udp_port()}, {2, free_udp_port()}}));
  const fs::path trace = dir.path / "n1.jsonl";
  const fs::path html = dir.path / "n1.html";
  const Finished f = run_distlab({"run", "lamport", "--id", "1", "--cluster", cluster.string(), "--duration", "1500ms",
                                  "--quiet", "--trace", trace.string(), "--html", html.string()},
                                 dir.path / "run");
  ASSERT_EQ(f.code, kExitOk) << describe(f);
  std::ifstream lines(trace);
  const auto events = std::count(std::istreambuf_iterator<char>(lines), std::istreambuf_iterator<char>(), '\n') - 1;
  std::ifstream page_file(html);
  const std::string page((std::istreambuf_iterator<char>(page_file)), std::istreambuf_iterator<char>());
  std::size_t shapes = 0;
  for (auto at = page.find("<g class=\"ev k-"); at != std::string::npos; at = page.find("<g class=\"ev k-", at + 1)) {
    ++shapes;
  }
  EXPECT_GT(events, 0);
  EXPECT_EQ(static_cast<long>(shapes), events) << html;
  EXPECT_TRUE(contains(page, "lamport, real, seed 1")) << html;

  const Finished bad = run_distlab({"run", "lamport", "--id", "1", "--cluster", cluster.string(), "--duration", "1s",
                                    "--html", (dir.path / "no" / "such.html").string()},
                                   dir.path / "bad");
  EXPECT_EQ(bad.code, kExitUsage) << describe(bad);
  EXPECT_TRUE(contains(bad.err, "cannot create")) << describe(bad);
}

TEST(RealRunErrors, ABusyPortExitsWithCode3) {
  Dir dir;
  const int port = free_udp_port();
  const HeldPort busy(port);
  ASSERT_TRUE(busy.held());
  const fs::path path = write_file(dir.path / "cluster.toml", cluster_file({{1, port}, {2, free_udp_port()}}));
  const Finished f =
      run_distlab({"run", "bully", "--id", "1", "--cluster", path.string(), "--duration", "1s"}, dir.path / "run");
  EXPECT_EQ(f.code, kExitRuntime) << describe(f);
  EXPECT_EQ(f.err, fmt::format("distlab: cannot listen on 127.0.0.1:{}: Address already in use\n", port))
      << describe(f);
}

// ---------------------------------------------------------------------------------
// 4. An interrupted launch stops every process it started.

// Processes (other than this one) whose command line mentions `text`.
std::vector<pid_t> processes_mentioning(const std::string& text) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    const pid_t pid = std::stoi(name);
    if (pid == getpid()) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (contains(cmdline, text)) found.push_back(pid);
  }
  return found;
}

// Starts a 30 s bully launch, waits until its output shows `moment`, sends `sig`
// and expects exit 130 within a few seconds with no node process left, and what the
// processes traced until then kept: the trace written, the story told.
void interrupt_launch(int sig, const std::string& moment, bool reelected) {
  Dir dir;
  const fs::path keep = dir.path / "keep";
  const std::string cluster = (keep / "cluster.toml").string();
  const fs::path trace_path = dir.path / "run.jsonl";
  Process launch({DISTLAB_BINARY, "launch", "bully", "--duration", "30s", "--keep", keep.string(), "--seed",
                  "7", "--trace", trace_path.string()},
                 dir.path / "launch");
  ASSERT_TRUE(eventually([&] { return contains(launch.out(), "Launching 5 processes"); }, 5s)) << launch.err();
  // Four nodes run while node 5 is down, five once it is back.
  ASSERT_TRUE(eventually([&] { return processes_mentioning(cluster).size() >= 4; }, 5s));
  ASSERT_TRUE(eventually([&] { return contains(launch.out(), moment); }, 6s)) << launch.out();
  launch.signal(sig);
  EXPECT_EQ(launch.wait(5s), 130) << launch.out() << launch.err();
  EXPECT_TRUE(launch.err().starts_with("distlab: interrupted at ")) << launch.err();
  EXPECT_TRUE(
      contains(launch.err(), " of 30s; every process was stopped; what they traced until then follows\n"))
      << launch.err();
  // Told as it happened: node 5 led before the kill at 1 s, and (given time) node 4 after it.
  const std::string out = launch.out();
  const std::size_t led = out.find(": n5 leads\n");
  const std::size_t killed = out.find(": node 5 killed (SIGKILL).\n");
  const std::size_t whole = out.find("The whole run, from the processes' merged trace:");
  EXPECT_TRUE(led < killed && killed < whole && whole != std::string::npos) << out;
  if (reelected) {
    EXPECT_LT(out.find(": n4 leads\n", killed), whole) << out;
  }
  const trace::Trace kept = trace::read_trace_file(trace_path.string());
  EXPECT_TRUE(std::any_of(kept.events.begin(), kept.events.end(), [](const trace::Record& r) {
    return r.kind == EventKind::crash && r.node == 5;
  })) << "the kill before the interrupt is in the trace";
  EXPECT_GT(kept.events.size(), 20u);
  const std::vector<pid_t> left = processes_mentioning(cluster);
  EXPECT_TRUE(left.empty()) << "still running: " << fmt::format("{}", fmt::join(left, ", "));
  for (pid_t pid : left) ::kill(pid, SIGKILL);
}

TEST(LaunchInterrupted, CtrlCAfterAKillStopsEveryProcess) {
  interrupt_launch(SIGINT, "node 5 killed (SIGKILL)", false);
}

TEST(LaunchInterrupted, SigtermAfterARestartStopsEveryProcess) {
  interrupt_launch(SIGTERM, "node 5 restarted", true);
}

// A launcher killed outright (SIGKILL, no chance to clean up) while a node is paused:
// the stopped node is resumed by the kernel (its process group is orphaned) and, with
// the others, ends when it finds the launcher gone. Nothing is left behind.
TEST(LaunchInterrupted, KillingTheLauncherWhileANodeIsPausedLeavesNoProcess) {
  Dir dir;
  const fs::path keep = dir.path / "keep";
  const std::string cluster = (keep / "cluster.toml").string();
  Process launch({DISTLAB_BINARY, "launch", "bully", "--nodes", "3", "--duration", "30s", "--keep",
                  keep.string(), "--pause", "1@500ms+20s"},
                 dir.path / "launch");
  ASSERT_TRUE(eventually([&] { return contains(launch.out(), "node 1 paused (SIGSTOP)."); }, 8s))
      << launch.out();
  ASSERT_EQ(processes_mentioning(cluster).size(), 3u);
  launch.signal(SIGKILL);
  launch.wait(5s);
  EXPECT_TRUE(eventually([&] { return processes_mentioning(cluster).empty(); }, 5s))
      << "still running: " << fmt::format("{}", fmt::join(processes_mentioning(cluster), ", "));
  for (pid_t pid : processes_mentioning(cluster)) ::kill(pid, SIGKILL);
}

// ---------------------------------------------------------------------------------
// 5. Garbage datagrams are counted and dropped, and change nothing.

std::vector<std::byte> frame(std::uint8_t type, NodeId sender, std::uint64_t seq,
                             const std::vector<std::byte>& payload) {
  std::vector<std::byte> out{std::byte{'D'}, std::byte{'L'}, std::byte{udp::kWireVersion}, std::byte{type}};
  put_le(out, sender, 4);
  put_le(out, seq, 8);
  put_le(out, payload.size(), 2);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

// A Lamport message without a vector clock, as lamport.cc encodes it.
std::vector<std::byte> lamport_payload(std::uint64_t lamport) {
  std::vector<std::byte> out;
  put_le(out, lamport, 8);
  put_le(out, 0, 4);
  out.push_back(std::byte{0});
  return out;
}

// One datagram a Lamport node `self` must drop; `peer` is another node of its cluster.
// The frames that would decode carry a huge Lamport time, so that one accepted by
// mistake shows in the node's clock.
std::vector<std::byte> garbage(Rng& rng, NodeId self, NodeId peer) {
  constexpr std::uint64_t kHugeLamport = 1'000'000'000;
  const std::vector<std::byte> app = frame(lamport::kAppWireType, peer, rng.next(), lamport_payload(kHugeLamport));
  std::vector<std::byte> out;
  auto random_bytes = [&](std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) out.push_back(static_cast<std::byte>(rng.next()));
  };
  switch (rng.uniform(9)) {
    case 0: random_bytes(rng.uniform(200)); break;
    case 1:  // oversized: one in fifty near UDP's limit
      random_bytes(udp::kMaxDatagram + 1 + (rng.chance(0.02) ? 60'000 : rng.uniform(3000)));
      break;
    case 2: {  // a good header with a type lamport does not have
      auto type = static_cast<std::uint8_t>(rng.uniform(256));
      if (type == lamport::kAppWireType) ++type;
      out = frame(type, peer, rng.next(), lamport_payload(kHugeLamport));
      break;
    }
    case 3: {  // the right type, a payload lamport refuses
      std::vector<std::byte> payload = lamport_payload(kHugeLamport);
      switch (rng.uniform(4)) {
        case 0: payload.back() = static_cast<std::byte>(2 + rng.uniform(254)); break;  // no such flag
        case 1: payload.push_back(std::byte{0}); break;                               // a byte too many
        case 2: payload.resize(rng.uniform(12)); break;                               // too short
        default: payload[8] = std::byte{101}; break;                                  // too many entries
      }
      out = frame(lamport::kAppWireType, peer, rng.next(), payload);
      break;
    }
    case 4: out.assign(app.begin(), app.begin() + static_cast<std::ptrdiff_t>(rng.uniform(app.size()))); break;
    case 5: out = frame(lamport::kAppWireType, self, rng.next(), lamport_payload(kHugeLamport)); break;  // own id
    case 6:  // bad magic or version
      out = app;
      out[rng.chance(0.5) ? 0 : 2] = std::byte{0x7f};
      break;
    case 7:  // a length field that lies
      out = app;
      out.push_back(std::byte{0});
      break;
    default: {  // the seed's text heartbeat, which only the heartbeat monitor reads
      const std::string text = fmt::format("Heartbeat from Node {}", peer);
      for (char ch : text) out.push_back(static_cast<std::byte>(ch));
      break;
    }
  }
  return out;
}

class DatagramSender {
 public:
  DatagramSender() : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {}
  ~DatagramSender() { close(fd_); }
  DatagramSender(const DatagramSender&) = delete;
  DatagramSender& operator=(const DatagramSender&) = delete;
  bool send(int port, const std::vector<std::byte>& data) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sendto(fd_, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) >= 0;
  }

 private:
  int fd_;
};

// Three `distlab run lamport` processes of one cluster, in rounds mode, started as
// launch starts its processes (--wait-start): start.all_listening(), then start.go...
struct LamportCluster {
  static constexpr int kNodes = 3;
  LamportCluster(const fs::path& dir, const std::string& name) {
    std::vector<std::pair<int, int>> nodes;
    for (int id = 1; id <= kNodes; ++id) {
      ports.push_back(free_udp_port());
      nodes.emplace_back(id, ports.back());
    }
    const fs::path cluster = write_file(dir / (name + ".toml"), cluster_file(nodes));
    for (int id = 1; id <= kNodes; ++id) {
      traces.push_back(dir / fmt::format("{}-{}.jsonl", name, id));
      processes.push_back(start.spawn(
          {DISTLAB_BINARY, "run", "lamport", "--id", std::to_string(id), "--cluster", cluster.string(),
           "--seed", "11", "--rounds", "3", "--wait-start", "--trace", traces.back().string()},
          dir / fmt::format("{}-{}", name, id)));
    }
  }
  StartTogether start;
  std::vector<int> ports;
  std::vector<fs::path> traces;
  std::vector<std::unique_ptr<Process>> processes;
};

// What a node did, without the times: "send 2.1 to 3, lamport 5", one line per event.
std::vector<std::string> events_of(const fs::path& trace_path) {
  std::vector<std::string> out;
  for (const trace::Record& r : trace::read_trace_file(trace_path.string()).events) {
    std::string what(to_string(r.kind));
    if (r.kind == EventKind::send) what += fmt::format(" {} to {}", r.msg, r.peer);
    if (r.kind == EventKind::recv) what += fmt::format(" {} from {}", r.msg, r.peer);
    if (!r.label.empty()) what += " " + r.label;
    out.push_back(fmt::format("{}, lamport {}", what, r.lamport.value_or(-1)));
  }
  return out;
}

// `distlab merge` of the processes' traces into <dir>/merged.jsonl (which must
// succeed), then what `distlab check` says of it.
Finished merge_and_check(const std::vector<fs::path>& traces, const fs::path& dir) {
  const fs::path merged = dir / "merged.jsonl";
  std::vector<std::string> merge{"merge"};
  for (const fs::path& t : traces) merge.push_back(t.string());
  merge.insert(merge.end(), {"-o", merged.string()});
  const Finished m = run_distlab(merge, dir / "merge");
  EXPECT_EQ(m.code, kExitOk) << describe(m);
  return run_distlab({"check", merged.string()}, dir / "check");
}

struct NodeCounts {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  std::uint64_t malformed = 0;
};

// From the last line `distlab run` prints: "Node 2: 2 messages sent, 1 received, 0
// malformed datagrams ignored."
std::optional<NodeCounts> counts_of(const std::string& out) {
  const auto at = out.rfind("Node ");
  if (at == std::string::npos) return std::nullopt;
  NodeCounts c;
  unsigned id = 0;
  if (std::sscanf(out.c_str() + at, "Node %u: %" SCNu64 " messages sent, %" SCNu64 " received, %" SCNu64 " malformed", &id, &c.sent,
                  &c.received, &c.malformed) != 4) {
    return std::nullopt;
  }
  return c;
}

TEST(RealRunGarbage, DatagramsThatAreNotMessagesChangeNothing) {
  Dir dir;
  // Two clusters of the same run at once: one gets garbage, the other is the baseline.
  LamportCluster flooded(dir.path, "flooded");
  LamportCluster baseline(dir.path, "baseline");
  ASSERT_TRUE(flooded.start.all_listening() && baseline.start.all_listening());
  const auto start_at = flooded.start.go(100ms);
  baseline.start.go_at(start_at);

  // Garbage until shortly before the run's 3 s end, in paced bursts so the nodes keep up.
  Rng rng(7);
  DatagramSender sender;
  std::uint64_t sent = 0;
  while (std::chrono::system_clock::now() < start_at + 2700ms) {
    for (int i = 0; i < 100; ++i) {
      const auto node = static_cast<NodeId>(1 + rng.uniform(LamportCluster::kNodes));
      const NodeId peer = node % LamportCluster::kNodes + 1;
      sent += sender.send(flooded.ports[node - 1], garbage(rng, node, peer)) ? 1 : 0;
    }
    std::this_thread::sleep_for(10ms);
  }

  std::uint64_t malformed = 0;
  for (int i = 0; i < LamportCluster::kNodes; ++i) {
    Process& f = *flooded.processes[i];
    Process& b = *baseline.processes[i];
    ASSERT_EQ(f.wait(5s), kExitOk) << f.out() << f.err();
    ASSERT_EQ(b.wait(5s), kExitOk) << b.out() << b.err();
    const auto fc = counts_of(f.out());
    const auto bc = counts_of(b.out());
    ASSERT_TRUE(fc && bc) << f.out() << b.out();
    EXPECT_EQ(fc->sent, bc->sent) << "node " << i + 1;
    EXPECT_EQ(fc->received, bc->received) << "node " << i + 1;
    EXPECT_EQ(bc->malformed, 0u);
    EXPECT_GT(fc->malformed, 0u) << "node " << i + 1;
    malformed += fc->malformed;
    // Reported on stderr at most once a second, not once a datagram.
    const std::string err = f.err();
    const auto lines = std::count(err.begin(), err.end(), '\n');
    EXPECT_GE(lines, 1) << "node " << i + 1;
    EXPECT_LE(lines, 5) << err;
    EXPECT_TRUE(contains(err, "distlab: ignored ")) << err;
    EXPECT_EQ(events_of(flooded.traces[i]), events_of(baseline.traces[i])) << "node " << i + 1;
    EXPECT_FALSE(events_of(baseline.traces[i]).empty()) << "node " << i + 1;
  }
  EXPECT_LE(malformed, sent);       // a peer's real message was never counted as garbage
  EXPECT_GT(malformed, sent / 2);   // and most garbage got through loopback to be counted
  fmt::print("{} garbage datagrams sent, {} counted as malformed\n", sent, malformed);

  const Finished c = merge_and_check(flooded.traces, dir.path);
  EXPECT_EQ(c.code, kExitOk) << describe(c);
  EXPECT_TRUE(contains(c.out, "Check clock condition: pass")) << describe(c);
}

// A well-formed frame whose sender is not in the cluster is a datagram from a
// stranger: it is dropped like any other garbage. (It once made a bully node answer,
// find no address for node 99 and abort, and a lamport node's clock jump.)
TEST(RealRunGarbage, AFrameFromANodeOutsideTheClusterIsDropped) {
  Dir dir;
  const std::vector<std::pair<int, int>> nodes{{1, free_udp_port()}, {2, free_udp_port()}, {3, free_udp_port()}};
  const fs::path cluster = write_file(dir.path / "cluster.toml", cluster_file(nodes));
  std::vector<std::unique_ptr<Process>> processes;
  for (const auto& [id, port] : nodes) {
    processes.push_back(std::make_unique<Process>(
        std::vector<std::string>{DISTLAB_BINARY, "run", "bully", "--id", std::to_string(id), "--cluster",
                                 cluster.string(), "--seed", "7", "--duration", "1500ms"},
        dir.path / fmt::format("node{}", id)));
  }
  ASSERT_TRUE(eventually([&] { return contains(processes[0]->out(), "listening on"); }, 3s));
  constexpr std::uint8_t kBullyElection = 30;  // bully.h: kFirstWireType
  DatagramSender().send(nodes[0].second, frame(kBullyElection, 99, 1, {}));
  for (auto& p : processes) {
    EXPECT_EQ(p->wait(5s), kExitOk) << p->out() << p->err();
  }
  const auto counts = counts_of(processes[0]->out());
  ASSERT_TRUE(counts) << processes[0]->out();
  EXPECT_EQ(counts->malformed, 1u);
}

// ---------------------------------------------------------------------------------
// How launch starts its processes together (`run --wait-start`, harness/real/start.h),
// played by the test: a node that starts a second after the others misses nothing,
// because time zero is sent only once every node listens. (With a time zero fixed
// ahead, as `--start-at` gives, a node that started after it lost the requests sent
// to it before it listened: on a busy machine a launch of Ricart-Agrawala then
// reported requests never granted "on a reliable run with no lost message".)

TEST(LaunchStart, ANodeStartedLateMissesNothingWhenTimeZeroWaitsForIt) {
  Dir dir;
  constexpr int kNodes = 3;
  std::vector<std::pair<int, int>> nodes;
  for (int id = 1; id <= kNodes; ++id) nodes.emplace_back(id, free_udp_port());
  const fs::path cluster = write_file(dir.path / "cluster.toml", cluster_file(nodes));
  StartTogether together;
  std::vector<std::unique_ptr<Process>> processes;
  std::vector<fs::path> traces;
  auto start = [&](int id) {
    traces.push_back(dir.path / fmt::format("node-{}.jsonl", id));
    processes.push_back(together.spawn(
        {DISTLAB_BINARY, "run", "ricart", "--id", std::to_string(id), "--cluster", cluster.string(), "--seed",
         "7", "--wait-start", "--duration", "2s", "--trace", traces.back().string()},
        dir.path / fmt::format("node-{}", id)));
    EXPECT_EQ(together.said(processes.size() - 1), "listening\n") << processes.back()->err();
  };
  start(1);
  start(2);
  std::this_thread::sleep_for(1s);  // nodes 1 and 2 wait; a fixed time zero would have passed
  EXPECT_FALSE(contains(processes[0]->out(), "request")) << processes[0]->out();
  start(3);
  together.go(100ms);
  for (auto& p : processes) ASSERT_EQ(p->wait(10s), kExitOk) << p->out() << p->err();

  const Finished c = merge_and_check(traces, dir.path);
  EXPECT_EQ(c.code, kExitOk) << describe(c);
  EXPECT_TRUE(contains(c.out, "Check requests granted: pass")) << describe(c);
  EXPECT_TRUE(contains(c.out, "Check mutual exclusion: pass")) << describe(c);
  // Every request sent was received: three entries per node, two requests each.
  std::size_t received_requests = 0;
  for (const trace::Record& r : trace::read_trace_file((dir.path / "merged.jsonl").string()).events) {
    received_requests += r.kind == EventKind::recv && r.type == "request" ? 1 : 0;
  }
  EXPECT_EQ(received_requests, 3u * kNodes * (kNodes - 1)) << describe(c);
}

// A node told no time zero (the launcher gone, or garbage) says so in one line and
// exits 3; --wait-start and --start-at together are a usage error.
TEST(LaunchStart, WaitStartRefusesAnEndedInputAndStartAt) {
  Dir dir;
  const fs::path cluster =
      write_file(dir.path / "cluster.toml", cluster_file({{1, free_udp_port()}, {2, free_udp_port()}}));
  const std::vector<std::string> run{"run",       "ricart",         "--id",        "1",
                                     "--cluster", cluster.string(), "--wait-start"};
  StartTogether together;
  std::vector<std::string> argv{DISTLAB_BINARY};
  argv.insert(argv.end(), run.begin(), run.end());
  const auto node = together.spawn(argv, dir.path / "node");
  EXPECT_EQ(together.said(0), "listening\n");
  EXPECT_EQ(::write(together.end(0), "soon\n", 5), 5);
  EXPECT_EQ(node->wait(10s), kExitRuntime);
  EXPECT_EQ(node->err(),
            "distlab: --wait-start: 'soon' on standard input is not a Unix time in milliseconds\n");

  std::vector<std::string> both = run;
  both.insert(both.end(), {"--start-at", "1796393734365"});
  const Finished f = run_distlab(both, dir.path / "both");
  EXPECT_EQ(f.code, kExitUsage) << describe(f);
  EXPECT_TRUE(contains(f.err, "--start-at excludes --wait-start")) << describe(f);
}

}  // namespace
}  // namespace distlab::testing::launch_test
