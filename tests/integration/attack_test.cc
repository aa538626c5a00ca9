// Attacks on real processes over loopback (issue 16): spoofed and replayed heartbeats
// of a killed node, invented node ids, forged ALIVE/COORDINATOR from a dead Bully
// leader's own address, reused message numbers, a restarted sender, key rotation.
// With a cluster key none of the forged or replayed frames is accepted (the monitor's
// rejection counts and the traces show it) and detection and failover keep their
// times; one test shows what running without a key means.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "distlab/algo/bully/bully.h"
#include "distlab/algo/detect/heartbeat.h"
#include "distlab/trace/jsonl_reader.h"
#include "../cli/run.h"  // TempDir
#include "process.h"

namespace distlab::testing::attack_test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

std::string at_port(int port) { return fmt::format("127.0.0.1:{}", port); }

// A UDP socket on loopback: the attacker's, or a proxy's.
class Socket {
 public:
  explicit Socket(int port = 0) : fd_(socket(AF_INET, SOCK_DGRAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    bound_ = bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Socket() { close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  bool bound() const { return bound_; }
  int port() const { return port_; }
  void send(int port, const Bytes& d) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sendto(fd_, d.data(), d.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  // Sends `count` datagrams to one port fast (sendmmsg, 64 at a time): the i-th is
  // what make(i, out) leaves in `out`.
  template <class Make>
  void send_many(int port, std::size_t count, Make make) const {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::array<Bytes, 64> batch;
    for (std::size_t first = 0; first < count; first += 64) {
      std::array<mmsghdr, 64> msgs{};
      std::array<iovec, 64> iov{};
      const std::size_t n = std::min<std::size_t>(64, count - first);
      for (std::size_t i = 0; i < n; ++i) {
        make(first + i, batch[i]);
        iov[i] = {batch[i].data(), batch[i].size()};
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
      }
      sendmmsg(fd_, msgs.data(), static_cast<unsigned>(n), 0);
      if ((first / 64) % 32 == 31) std::this_thread::sleep_for(1ms);  // let the receiver keep up
    }
  }
  std::optional<Bytes> receive(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return std::nullopt;
    Bytes d(2048);
    const ssize_t n = recv(fd_, d.data(), d.size(), 0);
    if (n < 0) return std::nullopt;
    d.resize(static_cast<std::size_t>(n));
    return d;
  }

 private:
  int fd_;
  int port_ = 0;
  bool bound_ = false;
};

// Sits between a node and the monitor: forwards every datagram from its own socket
// (so the monitor sees the proxy's address as the node's) and keeps a copy of each.
class Proxy {
 public:
  explicit Proxy(int to) : to_(to), thread_([this] { loop(); }) {}
  ~Proxy() {
    stop_ = true;
    thread_.join();
  }
  int port() const { return socket_.port(); }
  const Socket& socket() const { return socket_; }
  std::vector<Bytes> captured() const {
    std::lock_guard lock(mutex_);
    return captured_;
  }
  std::size_t forwarded() const {
    std::lock_guard lock(mutex_);
    return captured_.size();
  }

 private:
  void loop() {
    while (!stop_) {
      if (auto d = socket_.receive(20)) {
        socket_.send(to_, *d);
        std::lock_guard lock(mutex_);
        captured_.push_back(std::move(*d));
      }
    }
  }
  int to_;
  Socket socket_;
  mutable std::mutex mutex_;
  std::vector<Bytes> captured_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void put_le(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<unsigned char>(v >> (8 * i)));
}

// An unsealed (version 1) frame: what anyone can write without the key.
Bytes plain_frame(std::uint8_t type, std::uint32_t sender, std::uint64_t seq, const Bytes& payload) {
  Bytes f{'D', 'L', 1, type};
  put_le(f, sender, 4);
  put_le(f, seq, 8);
  put_le(f, payload.size(), 2);
  f.insert(f.end(), payload.begin(), payload.end());
  return f;
}

Bytes heartbeat_payload(std::uint64_t seq) {
  Bytes p;
  put_le(p, seq, 8);
  return p;
}

// A sealed-looking (version 2) frame with a tag the attacker had to guess.
Bytes guessed_sealed_frame(std::uint8_t type, std::uint32_t sender, std::uint32_t receiver, std::uint64_t seq,
                           std::uint32_t key_id, std::uint64_t epoch, std::uint64_t counter) {
  Bytes f{'D', 'L', 2, type};
  put_le(f, sender, 4);
  put_le(f, receiver, 4);
  put_le(f, seq, 8);
  put_le(f, key_id, 4);
  put_le(f, epoch, 8);
  put_le(f, counter, 8);
  put_le(f, 8, 2);
  for (int i = 0; i < 8 + 16; ++i) f.push_back(static_cast<unsigned char>(i * 37 + seq));
  return f;
}

std::uint64_t get_le(const Bytes& d, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{d[at + i]} << (8 * i);
  return v;
}

fs::path make_key(const fs::path& dir, const std::string& name) {
  const fs::path key = dir / name;
  Process keygen({DISTLAB_BINARY, "keygen", key.string()}, dir / (name + ".keygen"));
  EXPECT_EQ(keygen.wait(5s), 0) << keygen.err();
  return key;
}

// The monitor's trace: for each node, its receptions and suspicions (monitor clock).
struct Heard {
  std::map<NodeId, std::vector<Nanos>> recv;
  std::map<NodeId, std::vector<Nanos>> suspect;
};
Heard heard(const fs::path& trace_path) {
  const trace::Trace t = trace::read_trace_file(trace_path.string());
  Heard h;
  for (const auto& r : t.events) {
    if (r.kind == EventKind::recv) h.recv[r.peer].push_back(r.t);
    if (r.kind == EventKind::state && r.data.contains("suspect")) {
      h.suspect[r.data["suspect"].get<NodeId>()].push_back(r.t);
    }
  }
  return h;
}

std::uint64_t rejected(const nlohmann::json& summary, const std::string& reason) {
  if (!summary.contains("rejected") || !summary["rejected"].contains(reason)) return 0;
  return summary["rejected"][reason].get<std::uint64_t>();
}

std::size_t resident_kib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stoul(line.substr(6));
  }
  return 0;
}

std::vector<std::string> monitor_args(int port, const fs::path& dir, const std::vector<std::string>& more) {
  std::vector<std::string> args{DISTLAB_BINARY, "monitor",   "--bind", at_port(port), "--timeout", "500ms",
                                "--check-every", "50ms",    "--quiet", "--json", "--trace",
                                (dir / "monitor.jsonl").string()};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::vector<std::string> node_args(NodeId id, int monitor_port, const std::vector<std::string>& more) {
  std::vector<std::string> args{DISTLAB_BINARY, "node", std::to_string(id), "--monitor", at_port(monitor_port),
                                "--interval", "100ms", "--jitter", "20ms", "--quiet"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A monitor with a fresh cluster key, on a free port, given a moment to bind.
struct KeyedMonitor {
  explicit KeyedMonitor(const fs::path& dir)
      : key(make_key(dir, "cluster.key")),
        port(free_udp_port()),
        process(monitor_args(port, dir, {"--key-file", key.string()}), dir / "monitor") {
    std::this_thread::sleep_for(200ms);
  }
  fs::path key;
  int port;
  Process process;
};

// The monitor's resident size once it has handled 20,000 frames of invented ids (ids
// above any the tests send later; sealed guesses too when `sealed`): what a run costs
// before any id counts, allocator pools and, under AddressSanitizer, their shadow
// memory included, so that growth after it is growth with the ids.
std::size_t warmed_up_resident_kib(Process& monitor, int port, Socket& attacker, bool sealed) {
  const Bytes plain = plain_frame(detect::kHeartbeatWireType, 0, 1, heartbeat_payload(1));
  const Bytes guessed = guessed_sealed_frame(detect::kHeartbeatWireType, 0, 0, 1, 0x1234, 1, 1);
  attacker.send_many(port, 20'000, [&](std::size_t i, Bytes& out) {
    out = sealed && i % 2 == 1 ? guessed : plain;
    const auto id = static_cast<std::uint32_t>(2'000'000 + i);
    std::memcpy(out.data() + 4, &id, 4);
  });
  std::this_thread::sleep_for(300ms);
  return resident_kib(monitor.pid());
}

nlohmann::json stop_monitor(Process& monitor) {
  monitor.signal(SIGTERM);
  EXPECT_EQ(monitor.wait(5s), 0) << monitor.err();
  return nlohmann::json::parse(monitor.out());
}

// Spoofed and replayed heartbeats of a SIGKILLed node, 1,000 of each kind, from the
// dead node's own address and from another port: none is accepted, the node is
// reported within the usual time and never heard from again.
TEST(Attack, SpoofedAndReplayedHeartbeatsOfAKilledNodeAreRejected) {
  TempDir dir("attack");
  KeyedMonitor keyed(dir.path());
  const fs::path& key = keyed.key;
  const int port = keyed.port;
  Process& monitor = keyed.process;
  Proxy proxy(port);  // the node's address, as the monitor sees it
  Process node(node_args(5, proxy.port(), {"--key-file", key.string()}), dir.path() / "node");
  ASSERT_TRUE(eventually([&] { return proxy.forwarded() >= 8; }, 10s)) << node.err();
  node.signal(SIGKILL);
  node.wait(2s);
  std::this_thread::sleep_for(20ms);
  const std::vector<Bytes> captured = proxy.captured();
  const std::size_t genuine = captured.size();
  const Bytes& last = captured.back();
  ASSERT_EQ(last[2], 2) << "the node's frames are sealed";
  const auto key_id = static_cast<std::uint32_t>(get_le(last, 20, 4));
  const std::uint64_t epoch = get_le(last, 24, 8);
  const std::uint64_t counter = get_le(last, 32, 8);
  const std::uint64_t seq = get_le(last, 12, 8);

  Socket other;
  for (int i = 0; i < 1000; ++i) {
    const Bytes& replay = captured[static_cast<std::size_t>(i) % captured.size()];
    proxy.socket().send(port, replay);  // a replay from the dead node's own address
    other.send(port, replay);           // and from another port
    // Forgeries: unsealed, and sealed-looking with the next counter and a guessed tag,
    // reusing the node's real message numbers.
    proxy.socket().send(port, plain_frame(detect::kHeartbeatWireType, 5, seq + 1 + i, heartbeat_payload(seq + 1 + i)));
    other.send(port, guessed_sealed_frame(detect::kHeartbeatWireType, 5, 0, seq + 1 + i, key_id, epoch,
                                          counter + 1 + static_cast<std::uint64_t>(i)));
    Bytes tampered = replay;  // a genuine frame with one ciphertext bit flipped, as new
    tampered[32] ^= 0x40;     // a counter never seen...
    tampered[tampered.size() - 1] ^= 1;  // ...and the tag no longer checks
    proxy.socket().send(port, tampered);
    std::this_thread::sleep_for(1ms);
  }
  std::this_thread::sleep_for(300ms);
  const nlohmann::json summary = stop_monitor(monitor);
  EXPECT_EQ(summary["heartbeats"].get<std::size_t>(), genuine) << summary.dump();
  EXPECT_GE(rejected(summary, "replayed") + rejected(summary, "stale"), 2000u) << summary.dump();
  EXPECT_GE(rejected(summary, "unsealed"), 1000u) << summary.dump();
  EXPECT_GE(rejected(summary, "forged"), 2000u) << summary.dump();
  const Heard h = heard(dir.path() / "monitor.jsonl");
  ASSERT_EQ(h.suspect.count(5), 1u) << "the killed node was not reported\n" << monitor.err();
  const Nanos last_heard = h.recv.at(5).back();
  const Nanos suspected = h.suspect.at(5).front();
  EXPECT_LE(suspected - last_heard, 650 * kMillisecond);
  EXPECT_GE(suspected - last_heard, 500 * kMillisecond);
  EXPECT_EQ(h.suspect.at(5).size(), 1u);
  const std::string err = monitor.err();
  EXPECT_LT(std::count(err.begin(), err.end(), '\n'), 20) << err;  // reported, rate-limited
}

// What running without a key means: the same forged heartbeat is accepted, and keeps
// a SIGKILLed node alive in the monitor's eyes.
TEST(Attack, WithoutAKeyAForgedHeartbeatIsAccepted) {
  TempDir dir("attack");
  const int port = free_udp_port();
  Process monitor(monitor_args(port, dir.path(), {}), dir.path() / "monitor");
  std::this_thread::sleep_for(200ms);
  Process node(node_args(5, port, {}), dir.path() / "node");
  std::this_thread::sleep_for(500ms);
  node.signal(SIGKILL);
  node.wait(2s);
  Socket other;
  for (int i = 0; i < 1000; ++i) {
    other.send(port, plain_frame(detect::kHeartbeatWireType, 5, 1'000'000 + i, heartbeat_payload(1000 + i)));
    std::this_thread::sleep_for(1ms);
  }
  const nlohmann::json summary = stop_monitor(monitor);
  EXPECT_GE(summary["heartbeats"].get<std::size_t>(), 1000u) << summary.dump();
  const Heard h = heard(dir.path() / "monitor.jsonl");
  EXPECT_EQ(h.suspect.count(5), 0u) << "the forged heartbeats kept the killed node alive";
}

// Invented ids (1, 4294967295 and 1,000,000 distinct ones) with a key: all refused,
// the monitor tracks only the real node, its memory and output stay small.
TEST(Attack, InventedIdsAreRefusedWithAKey) {
  TempDir dir("attack");
  KeyedMonitor keyed(dir.path());
  const fs::path& key = keyed.key;
  const int port = keyed.port;
  Process& monitor = keyed.process;
  Process node(node_args(7, port, {"--key-file", key.string()}), dir.path() / "node");
  Socket attacker;
  const std::size_t before_kib = warmed_up_resident_kib(monitor, port, attacker, true);
  attacker.send_many(port, 4000, [](std::size_t i, Bytes& out) {
    const std::uint32_t id = i % 2 == 0 ? 1u : 4294967295u;
    out = i % 4 < 2 ? plain_frame(detect::kHeartbeatWireType, id, 1 + i, heartbeat_payload(1 + i))
                    : guessed_sealed_frame(detect::kHeartbeatWireType, id, 0, 1 + i, 0x1234, 1, 1 + i);
  });
  const Bytes plain = plain_frame(detect::kHeartbeatWireType, 0, 1, heartbeat_payload(1));
  const Bytes guessed = guessed_sealed_frame(detect::kHeartbeatWireType, 0, 0, 1, 0x1234, 1, 1);
  attacker.send_many(port, 1'000'000, [&](std::size_t i, Bytes& out) {
    out = i % 2 == 0 ? plain : guessed;
    const auto id = static_cast<std::uint32_t>(i + 1);  // 1,000,000 distinct ids
    std::memcpy(out.data() + 4, &id, 4);               // little-endian, as on the wire
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(resident_kib(monitor.pid()), before_kib + 32u * 1024) << "the monitor's memory grew with invented ids";
  const nlohmann::json summary = stop_monitor(monitor);
  EXPECT_EQ(summary["nodes"].get<int>(), 1) << summary.dump();  // node 7 only
  EXPECT_GE(summary["heartbeats"].get<int>(), 3) << summary.dump();
  EXPECT_GE(rejected(summary, "unsealed") + rejected(summary, "unknown_key"), 500'000u) << summary.dump();
  const Heard h = heard(dir.path() / "monitor.jsonl");
  EXPECT_EQ(h.recv.size(), 1u);
  const std::string err = monitor.err();
  EXPECT_LT(std::count(err.begin(), err.end(), '\n'), 20) << err;
}

// Without a key the monitor takes all comers, but at most --max-nodes ids: 1,000,000
// distinct ids leave it tracking that many, saying so once.
TEST(Attack, InventedIdsAreCappedWithoutAKey) {
  TempDir dir("attack");
  const int port = free_udp_port();
  Process monitor(monitor_args(port, dir.path(), {"--max-nodes", "1000"}), dir.path() / "monitor");
  std::this_thread::sleep_for(200ms);
  Socket attacker;
  const std::size_t before_kib = warmed_up_resident_kib(monitor, port, attacker, false);
  const Bytes plain = plain_frame(detect::kHeartbeatWireType, 0, 1, heartbeat_payload(1));
  attacker.send_many(port, 1'000'000, [&](std::size_t i, Bytes& out) {
    out = plain;
    const auto id = static_cast<std::uint32_t>(i + 1);
    std::memcpy(out.data() + 4, &id, 4);
  });
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(resident_kib(monitor.pid()), before_kib + 32u * 1024) << "the monitor's memory grew with invented ids";
  const nlohmann::json summary = stop_monitor(monitor);
  EXPECT_EQ(summary["nodes"].get<int>(), 1000) << summary.dump();
  EXPECT_GE(rejected(summary, "too_many_senders"), 500'000u) << summary.dump();
  const std::string err = monitor.err();
  EXPECT_EQ(err.find("the most allowed"), err.rfind("the most allowed")) << err;  // said once
  EXPECT_NE(err.find("the most allowed"), std::string::npos) << err;
  EXPECT_LT(std::count(err.begin(), err.end(), '\n'), 20) << err;
}

// A restarted sender: its new epoch is accepted at once, and its earlier life's
// frames, replayed 1,000 times, are not.
TEST(Attack, ARestartedSendersNewEpochIsAcceptedAndItsOldFramesAreNot) {
  TempDir dir("attack");
  KeyedMonitor keyed(dir.path());
  const fs::path& key = keyed.key;
  const int port = keyed.port;
  Process& monitor = keyed.process;
  const fs::path epoch = dir.path() / "node5.epoch";
  Proxy proxy(port);
  const std::vector<std::string> sealed{"--key-file", key.string(), "--epoch-file", epoch.string()};
  std::vector<Bytes> old_life;
  {
    Process node(node_args(5, proxy.port(), sealed), dir.path() / "node1");
    ASSERT_TRUE(eventually([&] { return proxy.forwarded() >= 5; }, 10s)) << node.err();
    node.signal(SIGKILL);
    node.wait(2s);
    std::this_thread::sleep_for(20ms);
    old_life = proxy.captured();
  }
  Process node(node_args(5, proxy.port(), sealed), dir.path() / "node2");
  ASSERT_TRUE(eventually([&] { return proxy.forwarded() >= old_life.size() + 5; }, 10s)) << node.err();
  const std::vector<Bytes> all = proxy.captured();
  EXPECT_GT(get_le(all.back(), 24, 8), get_le(old_life.back(), 24, 8)) << "the restart has a greater epoch";
  for (int i = 0; i < 1000; ++i) {
    proxy.socket().send(port, old_life[static_cast<std::size_t>(i) % old_life.size()]);
    if (i % 10 == 0) std::this_thread::sleep_for(1ms);
  }
  std::this_thread::sleep_for(300ms);
  node.signal(SIGTERM);
  node.wait(2s);
  std::this_thread::sleep_for(50ms);
  const std::size_t genuine = proxy.forwarded();
  const nlohmann::json summary = stop_monitor(monitor);
  EXPECT_EQ(summary["heartbeats"].get<std::size_t>(), genuine) << summary.dump();
  EXPECT_GE(rejected(summary, "old_epoch"), 1000u) << summary.dump();
  // Suspected once, when killed (if the restart came after the timeout), never after.
  const Heard h = heard(dir.path() / "monitor.jsonl");
  EXPECT_LE(h.suspect.count(5) > 0 ? h.suspect.at(5).size() : 0u, 1u);
}

// Key rotation during a run: add a key, make it primary, drop the old one (and a
// broken file in between): no heartbeat is lost and nothing is suspected.
TEST(Attack, KeysRotateWithoutLosingAHeartbeat) {
  TempDir dir("attack");
  auto key_line = [](int seed) {
    std::string hex;
    for (int i = 0; i < 32; ++i) hex += fmt::format("{:02x}", (seed * 131 + i * 7) & 0xff);
    return hex + "\n";
  };
  const fs::path key = dir.path() / "cluster.key";
  auto install = [&](const std::string& text) {  // as an operator would: write aside, rename over
    const fs::path aside = dir.path() / "cluster.key.new";
    {
      std::ofstream out(aside);
      out << text;
    }
    fs::permissions(aside, fs::perms::owner_read | fs::perms::owner_write);
    fs::rename(aside, key);
  };
  install(key_line(1));
  const int port = free_udp_port();
  Process monitor(monitor_args(port, dir.path(), {"--key-file", key.string()}), dir.path() / "monitor");
  std::this_thread::sleep_for(200ms);
  Process node(node_args(5, port, {"--key-file", key.string()}), dir.path() / "node");
  std::this_thread::sleep_for(500ms);
  for (const std::string& step : {key_line(1) + key_line(2), std::string("not a key\n"), key_line(2) + key_line(1),
                                  key_line(2)}) {
    install(step);
    std::this_thread::sleep_for(1300ms);
  }
  node.signal(SIGTERM);
  ASSERT_EQ(node.wait(2s), 0) << node.err();
  std::this_thread::sleep_for(50ms);
  const nlohmann::json summary = stop_monitor(monitor);
  EXPECT_EQ(summary["rejected"].size(), 0u) << summary.dump();
  EXPECT_GE(summary["heartbeats"].get<int>(), 40) << summary.dump();
  const Heard h = heard(dir.path() / "monitor.jsonl");
  EXPECT_TRUE(h.suspect.empty()) << monitor.err();
  const std::string err = monitor.err();
  EXPECT_NE(err.find("cannot be used"), std::string::npos) << err;  // the broken file, said once
  EXPECT_EQ(err.find("cannot be used"), err.rfind("cannot be used")) << err;
  std::size_t installed = 0;
  for (auto at = err.find("installed"); at != std::string::npos; at = err.find("installed", at + 1)) ++installed;
  EXPECT_EQ(installed, 3u) << err;
}

// A dead Bully leader's own address, taken by an attacker who sends ALIVE and
// COORDINATOR (1,000 each, unsealed and with guessed tags, reusing real message
// numbers) to the others: with a key the failover happens as usual and the launch's
// checks pass; nothing from the dead leader is received after its crash.
TEST(Attack, ForgedAliveAndCoordinatorFromADeadLeadersAddressAreRejected) {
  TempDir dir("attack");
  const fs::path key = make_key(dir.path(), "cluster.key");
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int base = 20000 + (getpid() * 7 + attempt * 101) % 20000;
    const fs::path trace = dir.path() / fmt::format("merged{}.jsonl", attempt);
    Process launch({DISTLAB_BINARY, "launch", "bully", "--nodes", "3", "--kill", "3@1s", "--duration", "4s",
                    "--base-port", std::to_string(base), "--seed", "7", "--key-file", key.string(), "--trace",
                    trace.string(), "--json"},
                   dir.path() / fmt::format("launch{}", attempt));
    // The leader (3) listens, then is killed at 1 s: its port is free from then on.
    eventually([&] { return !Socket(base + 3).bound(); }, 3s);
    std::unique_ptr<Socket> taken;
    eventually(
        [&] {
          taken = std::make_unique<Socket>(base + 3);
          return taken->bound();
        },
        4s);
    if (!taken->bound()) {
      launch.wait(10s);
      continue;  // someone else has the port
    }
    const Socket& leader = *taken;
    const auto coordinator = static_cast<std::uint8_t>(bully::kFirstWireType + 2);
    const auto alive = static_cast<std::uint8_t>(bully::kFirstWireType + 4);
    for (int i = 0; i < 1000; ++i) {
      for (int to : {1, 2}) {
        for (std::uint8_t type : {coordinator, alive}) {
          leader.send(base + to, plain_frame(type, 3, 1 + i % 8, {}));
          leader.send(base + to, guessed_sealed_frame(type, 3, static_cast<std::uint32_t>(to), 1 + i % 8, 0, 1, 1 + i));
        }
      }
      if (i % 5 == 0) std::this_thread::sleep_for(1ms);
    }
    const int code = launch.wait(15s);
    if (launch.out().find("Address already in use") != std::string::npos) continue;
    ASSERT_EQ(code, 0) << launch.out() << launch.err();
    const nlohmann::json summary = nlohmann::json::parse(launch.out());
    for (const auto& [name, status] : summary["checks"].items()) EXPECT_EQ(status, "pass") << name;
    ASSERT_GE(summary["failovers"].size(), 1u) << summary.dump();
    const auto& failover = summary["failovers"][0];
    EXPECT_EQ(failover["leader"], 2) << summary.dump();
    ASSERT_FALSE(failover["latency_ns"].is_null()) << summary.dump();
    EXPECT_LT(failover["latency_ns"].get<Nanos>(), 2 * kSecond) << summary.dump();
    const trace::Trace t = trace::read_trace_file(trace.string());
    Nanos crashed = -1;
    for (const auto& r : t.events) {
      if (r.kind == EventKind::crash && r.node == 3) crashed = r.t;
      if (crashed >= 0 && r.kind == EventKind::recv && r.peer == 3) ADD_FAILURE() << "received from the dead leader";
    }
    EXPECT_GE(crashed, 0);
    return;
  }
  GTEST_SKIP() << "no free ports for the launch";
}

}  // namespace
}  // namespace distlab::testing::attack_test
