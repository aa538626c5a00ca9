// distlab monitor and distlab node as real processes on loopback: detection time
// after SIGKILL, robustness against garbage, Ctrl+C, and the seed's own programs in
// both directions.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "distlab/core/random.h"
#include "process.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::testing::heartbeat_real_test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct Dir {
  Dir() : path(fs::temp_directory_path() / fmt::format("distlab_real_{}_{}", getpid(), counter++)) {
    fs::create_directories(path);
  }
  ~Dir() { fs::remove_all(path); }
  fs::path path;
  static inline int counter = 0;
};

std::string address(int port) { return fmt::format("127.0.0.1:{}", port); }

void send_datagram(int port, const void* data, std::size_t size) {
  static const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd, data, size, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
}

// From the monitor's trace: for each node, the time of its last heartbeat before
// the suspicion, and the suspicion's time (monitor clock).
std::map<NodeId, std::pair<Nanos, Nanos>> detections(const fs::path& trace_path) {
  const trace::Trace t = trace::read_trace_file(trace_path.string());
  std::map<NodeId, Nanos> last;
  std::map<NodeId, std::pair<Nanos, Nanos>> out;
  for (const auto& r : t.events) {
    if (r.kind == EventKind::recv) last[r.peer] = r.t;
    if (r.kind == EventKind::state && r.data.contains("suspect")) {
      const auto n = r.data["suspect"].get<NodeId>();
      if (!out.contains(n)) out[n] = {last[n], r.t};
    }
  }
  return out;
}

// The bar: with --interval 100ms --timeout 500ms --check-every 50ms, a node killed
// with SIGKILL is reported within timeout + check interval + 100 ms of its last
// heartbeat. DISTLAB_KILLS=50 measures more kills and prints p50 and p99.
TEST(HeartbeatReal, KilledNodesAreReportedWithinTimeoutPlusCheckPlus100ms) {
  const char* env = std::getenv("DISTLAB_KILLS");
  const int kills = env != nullptr ? std::atoi(env) : 8;
  ASSERT_GT(kills, 0);
  Dir dir;
  const int port = free_udp_port();
  Process monitor({DISTLAB_BINARY, "monitor", "--bind", address(port), "--timeout", "500ms", "--check-every", "50ms",
                   "--quiet", "--trace", (dir.path / "monitor.jsonl").string()},
                  dir.path / "monitor");
  std::this_thread::sleep_for(200ms);
  std::vector<std::unique_ptr<Process>> nodes;
  for (int i = 1; i <= kills; ++i) {
    nodes.push_back(std::make_unique<Process>(
        std::vector<std::string>{DISTLAB_BINARY, "node", std::to_string(i), "--monitor", address(port), "--interval",
                                 "100ms", "--jitter", "20ms"},
        dir.path / fmt::format("node{}", i)));
  }
  // Every node has sent a few heartbeats before the kills, however long the
  // processes took to start (a sanitizer build on a loaded machine takes a second).
  for (const auto& node : nodes) {
    ASSERT_TRUE(eventually(
        [&] {
          const std::string out = node->out();
          std::size_t beats = 0;
          for (auto at = out.find("Heartbeat sent"); at != std::string::npos; at = out.find("Heartbeat sent", at + 1)) {
            ++beats;
          }
          return beats >= 4;
        },
        10s))
        << node->out() << node->err();
  }
  for (auto& node : nodes) {
    node->signal(SIGKILL);
    node->wait(2s);
    std::this_thread::sleep_for(70ms);  // spread the kills over time
  }
  std::this_thread::sleep_for(900ms);
  monitor.signal(SIGTERM);
  ASSERT_EQ(monitor.wait(5s), 0) << monitor.err();
  const auto found = detections(dir.path / "monitor.jsonl");
  ASSERT_EQ(found.size(), static_cast<std::size_t>(kills)) << monitor.out();
  std::vector<Nanos> latencies;
  for (const auto& [node, times] : found) {
    const Nanos latency = times.second - times.first;
    latencies.push_back(latency);
    EXPECT_LE(latency, 650 * kMillisecond) << "node " << node;
    EXPECT_GE(latency, 500 * kMillisecond) << "node " << node << " suspected before the timeout";
  }
  std::sort(latencies.begin(), latencies.end());
  auto at = [&](double q) { return latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(q * latencies.size()))]; };
  std::printf("detection after the last heartbeat over %d kills: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", kills,
              at(0.5) / 1e6, at(0.99) / 1e6, latencies.back() / 1e6);
}

std::size_t shapes_in(const fs::path& html) {
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t n = 0;
  for (auto at = page.find("<g class=\"ev k-"); at != std::string::npos; at = page.find("<g class=\"ev k-", at + 1)) ++n;
  return n;
}

// Both real heartbeat processes write --trace and --html: the node's sends, the
// monitor's receipts and verdicts, one diagram shape per traced event.
TEST(HeartbeatReal, NodeAndMonitorWriteTheirTracesAndDiagrams) {
  Dir dir;
  const int port = free_udp_port();
  Process monitor({DISTLAB_BINARY, "monitor", "--bind", address(port), "--timeout", "300ms", "--check-every", "50ms",
                   "--duration", "2s", "--quiet", "--trace", (dir.path / "m.jsonl").string(), "--html",
                   (dir.path / "m.html").string()},
                  dir.path / "monitor");
  std::this_thread::sleep_for(200ms);
  Process node({DISTLAB_BINARY, "node", "4", "--monitor", address(port), "--interval", "100ms", "--jitter", "10ms",
                "--duration", "800ms", "--seed", "3", "--quiet", "--trace", (dir.path / "n.jsonl").string(), "--html",
                (dir.path / "n.html").string()},
               dir.path / "node");
  ASSERT_EQ(node.wait(5s), 0) << node.err();
  ASSERT_EQ(monitor.wait(5s), 0) << monitor.err();
  const trace::Trace sent = trace::read_trace_file((dir.path / "n.jsonl").string());
  EXPECT_EQ(sent.header.nodes, (std::vector<NodeId>{0, 4}));
  EXPECT_EQ(sent.header.seed, 3u);
  ASSERT_GE(sent.events.size(), 5u);
  for (const auto& r : sent.events) EXPECT_EQ(r.kind, EventKind::send);
  const trace::Trace heard = trace::read_trace_file((dir.path / "m.jsonl").string());
  EXPECT_EQ(shapes_in(dir.path / "n.html"), sent.events.size());
  EXPECT_EQ(shapes_in(dir.path / "m.html"), heard.events.size());
  EXPECT_EQ(heard.header.nodes, (std::vector<NodeId>{0, 4}));
  // The node stopped: the monitor suspected it.
  EXPECT_EQ(detections(dir.path / "m.jsonl").count(4), 1u);
}

TEST(HeartbeatReal, GarbageDatagramsDoNotStopDetection) {
  Dir dir;
  const int port = free_udp_port();
  Process monitor({DISTLAB_BINARY, "monitor", "--bind", address(port), "--timeout", "500ms", "--check-every", "50ms",
                   "--quiet", "--json", "--trace", (dir.path / "monitor.jsonl").string()},
                  dir.path / "monitor");
  std::this_thread::sleep_for(200ms);
  Process node({DISTLAB_BINARY, "node", "5", "--monitor", address(port), "--interval", "100ms", "--jitter", "20ms",
                "--quiet"},
               dir.path / "node");
  // 100,000 datagrams: random bytes, truncated and corrupted frames, oversized ones,
  // invalid UTF-8, and texts that almost look like the seed's heartbeat.
  Rng rng(7);
  // One buffer of random bytes; each datagram is a slice of it, sometimes with a frame
  // header patched in (filling 100,000 datagrams byte by byte is slow under sanitizers).
  std::vector<unsigned char> noise(140'000);
  for (auto& b : noise) b = static_cast<unsigned char>(rng.next());
  std::vector<unsigned char> buffer(70'000);
  const std::vector<std::string> near_misses = {"Heartbeat from Node ", "Heartbeat from Node x", "Heartbeat from Node -3",
                                                "Heartbeat from Node 99999999999", "heartbeat from node 5", "DL"};
  int sent = 0;
  for (int i = 0; i < 100'000; ++i) {
    std::size_t size = 0;
    switch (rng.uniform(5)) {
      case 0: size = rng.uniform(40); break;                  // short
      case 1: size = 18 + rng.uniform(2000); break;           // frame-sized
      case 2: size = 1400 + rng.uniform(60'000); break;       // oversized
      case 3: {                                               // a near miss
        const std::string& text = near_misses[rng.uniform(near_misses.size())];
        send_datagram(port, text.data(), text.size());
        ++sent;
        continue;
      }
      default: size = rng.uniform(200); break;
    }
    std::copy_n(noise.begin() + static_cast<std::ptrdiff_t>(rng.uniform(noise.size() - size)), size, buffer.begin());
    if (size >= 4 && rng.chance(0.5)) {  // a frame header with a lie inside
      buffer[0] = 'D';
      buffer[1] = 'L';
      buffer[2] = 1;
    }
    send_datagram(port, buffer.data(), size);
    ++sent;
    if (i % 2000 == 0) std::this_thread::sleep_for(1ms);  // let the monitor keep up
  }
  std::this_thread::sleep_for(300ms);
  node.signal(SIGKILL);
  node.wait(2s);
  const fs::path trace = dir.path / "monitor.jsonl";
  std::this_thread::sleep_for(900ms);
  monitor.signal(SIGTERM);
  ASSERT_EQ(monitor.wait(5s), 0) << monitor.err();
  const auto found = detections(trace);
  ASSERT_TRUE(found.contains(5)) << "the killed node was not reported\n" << monitor.err();
  EXPECT_LE(found.at(5).second - found.at(5).first, 650 * kMillisecond);
  const auto summary = nlohmann::json::parse(monitor.out());
  EXPECT_GT(summary["malformed"].get<int>(), sent / 2) << summary.dump();  // most got through loopback
  EXPECT_GE(summary["heartbeats"].get<int>(), 5);
  // Reported, but rate-limited: a handful of lines, not 100,000.
  const std::string err = monitor.err();
  EXPECT_LT(std::count(err.begin(), err.end(), '\n'), 20) << err;
}

TEST(HeartbeatReal, CtrlCEndsANodeQuietlyAndTheMonitorReportsIt) {
  Dir dir;
  const int port = free_udp_port();
  Process monitor({DISTLAB_BINARY, "monitor", "--bind", address(port), "--timeout", "300ms", "--check-every", "50ms",
                   "--lang", "pt"},
                  dir.path / "monitor");
  std::this_thread::sleep_for(200ms);
  Process node({DISTLAB_BINARY, "node", "13", "--monitor", address(port), "--interval", "100ms", "--jitter", "10ms",
                "--lang", "pt"},
               dir.path / "node");
  // Ctrl+C only after the node is up: its first heartbeat is sent after the handler
  // is in place (a fixed 500 ms was too short under AddressSanitizer on a busy machine).
  ASSERT_TRUE(eventually([&] { return node.out().find("Heartbeat enviado") != std::string::npos; }, 5s))
      << node.out() << node.err();
  node.signal(SIGINT);
  EXPECT_EQ(node.wait(2s), 0);
  EXPECT_EQ(node.err(), "");  // no stack trace, nothing on stderr
  EXPECT_NE(node.out().find("Heartbeat enviado"), std::string::npos);
  EXPECT_NE(node.out().find("Nó 13 encerrado"), std::string::npos) << node.out();
  ASSERT_TRUE(eventually([&] { return monitor.out().find("No 13 falhou!") != std::string::npos; }, 2s))
      << monitor.out();
  monitor.signal(SIGINT);
  EXPECT_EQ(monitor.wait(2s), 0);
  const std::string out = monitor.out();
  EXPECT_NE(out.find("Aguardando Heartbeats..."), std::string::npos);
  EXPECT_NE(out.find("Recebido heartbeat de Node 13"), std::string::npos);
  EXPECT_NE(out.find("No 13 falhou! Nenhum heartbeat recebido.\nO servidor do nó 13 foi interrompido.\n"
                     "Crítico: nenhum nó disponível para redirecionamento."),
            std::string::npos)
      << out;
}

// The seed's programs, with their constants shortened so a run takes a second.
fs::path seed_program(const fs::path& dir, const std::string& name, int port) {
  std::ifstream in(fs::path(DISTLAB_SEED_DIR) / name);
  std::stringstream text;
  text << in.rdbuf();
  std::string code = text.str();
  auto set = [&](const std::string& from, const std::string& to) {
    const auto at = code.find(from);
    if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in " + name);
    code.replace(at, from.size(), to);
  };
  set("PORT = 5000", fmt::format("PORT = {}", port));
  if (name == "node.py") {
    set("INTERVAL = 5", "INTERVAL = 1.2");  // 1.2 s +- 1 s
  } else {
    set("TIMEOUT = 10", "TIMEOUT = 3");
  }
  const fs::path out = dir / name;
  std::ofstream(out) << code;
  return out;
}

bool have_python() { return std::system("python3 -c 'import socket' >/dev/null 2>&1") == 0; }

TEST(HeartbeatReal, TheSeedsNodeTalksToDistlabsMonitor) {
  if (!have_python()) GTEST_SKIP() << "python3 is not installed: the seed's programs cannot run";
  Dir dir;
  const int port = free_udp_port();
  Process monitor({DISTLAB_BINARY, "monitor", "--bind", address(port), "--timeout", "3s", "--check-every", "100ms",
                   "--lang", "pt"},
                  dir.path / "monitor");
  std::this_thread::sleep_for(200ms);
  Process node({"python3", "-u", seed_program(dir.path, "node.py", port).string(), "77777777"}, dir.path / "node");
  ASSERT_TRUE(eventually([&] { return monitor.out().find("Recebido heartbeat de Node 77777777") != std::string::npos; },
                         3s))
      << monitor.out() << monitor.err();
  node.signal(SIGKILL);
  node.wait(2s);
  EXPECT_TRUE(eventually([&] { return monitor.out().find("No 77777777 falhou!") != std::string::npos; }, 6s))
      << monitor.out();
  monitor.signal(SIGTERM);
  EXPECT_EQ(monitor.wait(2s), 0);
}

TEST(HeartbeatReal, DistlabsNodeTalksToTheSeedsMonitor) {
  if (!have_python()) GTEST_SKIP() << "python3 is not installed: the seed's programs cannot run";
  Dir dir;
  const int port = free_udp_port();
  Process monitor({"python3", "-u", seed_program(dir.path, "monitor.py", port).string()}, dir.path / "monitor");
  ASSERT_TRUE(eventually([&] { return monitor.out().find("Aguardando Heartbeats...") != std::string::npos; }, 3s))
      << monitor.err();
  Process node({DISTLAB_BINARY, "node", "13", "--monitor", address(port), "--interval", "300ms", "--jitter", "50ms",
                "--text", "--quiet"},
               dir.path / "node");
  ASSERT_TRUE(eventually([&] { return monitor.out().find("Recebido heartbeat de Node 13") != std::string::npos; }, 3s))
      << monitor.out() << monitor.err();
  node.signal(SIGINT);
  EXPECT_EQ(node.wait(2s), 0);
  EXPECT_TRUE(eventually([&] { return monitor.out().find("No 13 falhou! Nenhum heartbeat recebido.") != std::string::npos; },
                         6s))
      << monitor.out();
  EXPECT_EQ(monitor.err(), "");  // the seed's monitor understood every datagram
}

TEST(HeartbeatReal, TheSeedsMonitorDiesOfOneBadDatagramAndDistlabsDoesNot) {
  if (!have_python()) GTEST_SKIP() << "python3 is not installed: the seed's programs cannot run";
  Dir dir;
  const int seed_port = free_udp_port();
  Process seed({"python3", "-u", seed_program(dir.path, "monitor.py", seed_port).string()}, dir.path / "seed");
  const int port = free_udp_port();
  Process ours({DISTLAB_BINARY, "monitor", "--bind", address(port), "--timeout", "3s"}, dir.path / "ours");
  ASSERT_TRUE(eventually([&] { return seed.out().find("Aguardando") != std::string::npos; }, 3s));
  std::this_thread::sleep_for(200ms);
  const std::string bad = "hello";
  send_datagram(seed_port, bad.data(), bad.size());
  send_datagram(port, bad.data(), bad.size());
  const std::string good = "Heartbeat from Node 4";
  std::this_thread::sleep_for(200ms);
  send_datagram(seed_port, good.data(), good.size());
  send_datagram(port, good.data(), good.size());
  // The seed's receiving thread died on the first datagram: it never hears node 4.
  EXPECT_TRUE(eventually([&] { return ours.out().find("Received heartbeat from node 4") != std::string::npos; }, 2s));
  // Python writes the traceback line by line, the exception's name last: wait for it rather than read it
  // once.
  EXPECT_TRUE(eventually([&] { return seed.err().find("ValueError") != std::string::npos; }, 2s))
      << seed.err();
  EXPECT_EQ(seed.out().find("Recebido heartbeat de Node 4"), std::string::npos) << seed.out();
  seed.signal(SIGKILL);
  ours.signal(SIGTERM);
  EXPECT_EQ(ours.wait(2s), 0);
}

}  // namespace
}  // namespace distlab::testing::heartbeat_real_test
