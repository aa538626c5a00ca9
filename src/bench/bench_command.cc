// `distlab bench`: measurements that need more than a micro-benchmark.
//
// bench heartbeat: a real `distlab monitor` process, and this process offering it
// heartbeats over loopback from many distinct node ids at a given rate (sendmmsg
// batches). Reports what was offered, what the monitor counted, the loss, and the
// monitor's CPU time: heartbeats processed per CPU second is its one-core speed.
// With --key-file, the monitor runs with that cluster key and every heartbeat is
// sealed (seal.h) as a node would seal it, each id with its own counter.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "distlab/algo/detect/heartbeat.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/runtime/udp/cluster.h"
#include "distlab/runtime/udp/codec.h"
#include "distlab/runtime/udp/seal.h"

extern char** environ;

namespace distlab::cli {
namespace {

struct HeartbeatBenchOptions {
  std::int64_t rate = 500'000;  // per second; 0: as fast as possible
  std::int64_t nodes = 100'000;
  std::string duration = "5s";
  std::int64_t port = 0;  // 0: a free one
  std::int64_t senders = 1;  // threads offering the load
  std::int64_t repeat = 1;
  bool json = false;
  std::string key_file;  // empty: unsealed frames
};

int free_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

struct Measurement {
  std::uint64_t sent = 0;
  double send_s = 0;
  std::uint64_t received = 0;
  std::uint64_t lost = 0;
  std::uint64_t tracked = 0;
  double cpu_s = 0;
  double user_s = 0;
  double per_cpu_s = 0;
  double batch = 0;  // datagrams per read
};

Measurement measure(const HeartbeatBenchOptions& o, Nanos duration) {
  const int port = o.port != 0 ? static_cast<int>(o.port) : free_port();

  // The monitor, in its own process; it reports its counts and CPU time as JSON.
  // A fresh directory of this run's own (mkdtemp): a predictable name in /tmp could be
  // someone's symlink, followed by root.
  std::string made = (std::filesystem::temp_directory_path() / "distlab_bench.XXXXXX").string();
  if (::mkdtemp(made.data()) == nullptr) {
    throw RuntimeFailure(fmt::format("cannot make a temporary directory: {}", std::strerror(errno)));
  }
  const std::filesystem::path dir = made;
  const std::string out_path = (dir / "monitor.json").string();
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string run_for = format_duration(duration + 2 * kSecond);
  std::vector<std::string> args{self, "monitor", "--bind", fmt::format("127.0.0.1:{}", port), "--quiet", "--json",
                                "--duration", run_for, "--timeout", "1h", "--max-nodes", std::to_string(o.nodes)};
  std::shared_ptr<const udp::Keyring> keyring;
  if (!o.key_file.empty()) {
    keyring = std::make_shared<const udp::Keyring>(udp::Keyring::read_file(o.key_file));
    args.insert(args.end(), {"--key-file", o.key_file});
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  if (posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
    throw RuntimeFailure("cannot start the monitor process");
  }
  posix_spawn_file_actions_destroy(&actions);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it bind

  // Frames for every node id, made once; then sent in batches at the asked rate by
  // each sender thread, over its own socket and its own share of the ids.
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  constexpr std::size_t kFrame = udp::kHeaderBytes + 8;
  constexpr unsigned kBatch = 64;
  std::vector<std::byte> frames;
  frames.reserve(static_cast<std::size_t>(o.nodes) * kFrame);
  for (std::int64_t id = 1; id <= o.nodes; ++id) {
    std::vector<std::byte> payload;
    detect::wire_encode(detect::Heartbeat{1}, payload);
    udp::encode_frame({.type = detect::kHeartbeatWireType, .sender = static_cast<NodeId>(id), .seq = 1}, payload, frames);
  }
  const auto threads = static_cast<std::size_t>(o.senders);
  std::vector<std::uint64_t> sent_by(threads, 0);
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::nanoseconds(duration);
  auto offer = [&](std::size_t thread) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iov{};
    const double rate = static_cast<double>(o.rate) / static_cast<double>(threads);
    std::uint64_t sent = 0;
    std::size_t next = thread;
    // With a key: one sealer per node id of this thread's share (ids thread+1, thread+1+threads, ...),
    // and the batch's frames sealed afresh, as every sealed frame is good once.
    std::vector<udp::Sealer> sealers;
    std::array<std::vector<std::byte>, kBatch> sealed;
    std::vector<std::byte> payload;
    detect::wire_encode(detect::Heartbeat{1}, payload);
    if (keyring) {
      for (std::size_t index = thread; index < static_cast<std::size_t>(o.nodes); index += threads) {
        sealers.emplace_back(udp::Sealer::Options{
            .cluster = std::string(udp::kDefaultClusterName), .self = static_cast<NodeId>(index + 1), .epoch = 1, .keyring = keyring});
      }
    }
    while (true) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= end) break;
      if (o.rate > 0 && static_cast<double>(sent) >= std::chrono::duration<double>(now - start).count() * rate) {
        // Ahead of the rate: sleep rather than spin, to leave the monitor its core.
        std::this_thread::sleep_for(std::chrono::microseconds(50));
        continue;
      }
      for (unsigned i = 0; i < kBatch; ++i) {
        if (keyring) {
          sealed[i].clear();
          sealers[next / threads].seal({.type = detect::kHeartbeatWireType, .sender = static_cast<NodeId>(next + 1), .seq = 1},
                                       0, payload, sealed[i]);
          iov[i] = {sealed[i].data(), sealed[i].size()};
        } else {
          iov[i] = {&frames[next * kFrame], kFrame};
        }
        msgs[i].msg_hdr = {};
        msgs[i].msg_hdr.msg_name = &to;
        msgs[i].msg_hdr.msg_namelen = sizeof to;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        next = (next + threads) % static_cast<std::size_t>(o.nodes);
      }
      const int n = sendmmsg(fd, msgs.data(), kBatch, 0);
      if (n > 0) sent += static_cast<std::uint64_t>(n);
    }
    close(fd);
    sent_by[thread] = sent;
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(offer, t);
  for (auto& t : pool) t.join();
  std::uint64_t sent = 0;
  for (std::uint64_t n : sent_by) sent += n;
  const double send_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int status = 0;
  waitpid(pid, &status, 0);
  std::ifstream in(out_path);
  nlohmann::json monitor;
  try {
    monitor = nlohmann::json::parse(in);
  } catch (const std::exception&) {
    std::filesystem::remove_all(dir);
    throw RuntimeFailure("the monitor process did not report its counts");
  }
  std::filesystem::remove_all(dir);
  Measurement m;
  m.sent = sent;
  m.send_s = send_s;
  m.received = monitor["heartbeats"].get<std::uint64_t>();
  m.lost = sent > m.received ? sent - m.received : 0;
  m.tracked = monitor["nodes"].get<std::uint64_t>();
  m.cpu_s = monitor["cpu_s"].get<double>();
  m.user_s = monitor["user_s"].get<double>();
  m.per_cpu_s = m.cpu_s > 0 ? static_cast<double>(m.received) / m.cpu_s : 0;
  const auto batches = monitor["batches"].get<std::uint64_t>();
  m.batch = batches > 0 ? static_cast<double>(m.received) / static_cast<double>(batches) : 0;
  return m;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int run_heartbeat_bench(const HeartbeatBenchOptions& o) {
  require_at_least("--rate", o.rate, 0);
  require_at_least("--nodes", o.nodes, 1);
  require_at_least("--senders", o.senders, 1);
  require_at_least("--repeat", o.repeat, 1);
  if (o.senders > 64) throw InputError("--senders is at most 64");
  if (o.repeat > 100) throw InputError("--repeat is at most 100");
  if (o.nodes > 10'000'000) throw InputError("--nodes is at most 10000000");
  const Nanos duration = parse_duration_option("--duration", o.duration);
  if (duration <= 0 || duration > 10 * kMinute) throw InputError("--duration must be between 0 and 10m");

  std::vector<Measurement> runs;
  ProgressLine progress("bench heartbeat", std::chrono::milliseconds(0));
  for (std::int64_t i = 0; i < o.repeat; ++i) {
    progress.show(fmt::format("run {} of {}, {} each", i + 1, o.repeat, format_duration(duration)));
    runs.push_back(measure(o, duration));
    progress.clear();
    const Measurement& m = runs.back();
    if (o.json) continue;
    fmt::print("run {}: offered {} heartbeats from {} ids in {:.2f} s ({:.0f}/s); monitor received {} ({} lost), "
               "{:.2f} s of CPU ({:.2f} s user, the rest in the kernel's UDP receive path), {:.1f} per read: "
               "{:.0f} heartbeats per CPU second\n",
               i + 1, m.sent, o.nodes, m.send_s, static_cast<double>(m.sent) / m.send_s, m.received, m.lost, m.cpu_s,
               m.user_s, m.batch, m.per_cpu_s);
    std::fflush(stdout);
  }
  std::vector<double> offered, lost, per_cpu;
  for (const Measurement& m : runs) {
    offered.push_back(static_cast<double>(m.sent) / m.send_s);
    lost.push_back(static_cast<double>(m.lost));
    per_cpu.push_back(m.per_cpu_s);
  }
  if (o.json) {
    nlohmann::ordered_json out;
    out["algorithm"] = "heartbeat";
    out["seed"] = 0;
    out["nodes"] = o.nodes;
    out["offered_per_s_target"] = o.rate == 0 ? nullptr : nlohmann::ordered_json(o.rate);
    out["senders"] = o.senders;
    auto& list = out["runs"] = nlohmann::ordered_json::array();
    for (const Measurement& m : runs) {
      list.push_back({{"sent", m.sent}, {"sent_per_s", static_cast<double>(m.sent) / m.send_s},
                      {"received", m.received}, {"lost", m.lost}, {"tracked", m.tracked}, {"cpu_s", m.cpu_s},
                      {"user_s", m.user_s}, {"per_read", m.batch}, {"processed_per_cpu_s", m.per_cpu_s}});
    }
    out["median_offered_per_s"] = median(offered);
    out["median_lost"] = median(lost);
    out["median_processed_per_cpu_s"] = median(per_cpu);
    out["checks"] = nlohmann::ordered_json::object();
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("median of {}: offered {:.0f}/s, lost {:.0f}, {:.0f} heartbeats per CPU second of the monitor, "
               "tracking {} node ids\n",
               runs.size(), median(offered), median(lost), median(per_cpu), runs.back().tracked);
  }
  return kExitOk;
}

}  // namespace

void add_bench_command(CLI::App& app, Action& run) {
  CLI::App* bench = app.add_subcommand("bench", "Measurements: the monitor's throughput, real bully failover");
  bench->require_subcommand(1);
  auto o = std::make_shared<HeartbeatBenchOptions>();
  CLI::App* hb = bench->add_subcommand("heartbeat", "Offer a real monitor heartbeats over loopback; count and time them");
  hb->add_option("--rate", o->rate, "Heartbeats per second to offer; 0: as fast as possible (default 500000)");
  hb->add_option("--nodes", o->nodes, "Distinct node ids (default 100000)");
  hb->add_option("--duration", o->duration, "How long to offer (default 5s)")->type_name("DURATION");
  hb->add_option("--port", o->port, "Port for the monitor (default: a free one)");
  hb->add_option("--senders", o->senders, "Sender threads offering the load (default 1)");
  hb->add_option("--repeat", o->repeat, "Measure this many times and print the medians (default 1)");
  hb->add_flag("--json", o->json, "One JSON object");
  hb->add_option("--key-file", o->key_file,
                 "Run the monitor with this cluster key and seal every heartbeat (distlab keygen makes one)")
      ->type_name("FILE");
  hb->callback([o, &run] { run = [o] { return run_heartbeat_bench(*o); }; });
  add_failover_bench(*bench, run);
  add_storm_bench(*bench, run);
}

}  // namespace distlab::cli
