#include "distlab/harness/real/launcher.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "distlab/core/assert.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/core/interrupt.h"
#include "distlab/harness/faults.h"
#include "distlab/harness/real/start.h"
#include "distlab/runtime/udp/cluster.h"
#include "distlab/trace/jsonl_reader.h"

extern char** environ;

namespace distlab::harness {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The first lives start together (start.h): each says when it listens, and time zero
// is set once all of them do, kStartLead later (time for each to read it). A process
// that had not been listening would lose what was sent to it before; one that reads
// time zero late loses nothing (its datagrams wait in its socket's buffer). A node
// not listening within kListenWait (a sanitizer build on a busy machine starts a
// process in 0.2-2 s) fails the launch.
constexpr auto kStartLead = std::chrono::milliseconds(50);
constexpr auto kListenWait = std::chrono::seconds(60);
// How long after the end a process may take to write its trace and exit.
constexpr auto kGrace = std::chrono::seconds(5);
// How long interrupted processes get to stop before SIGKILL.
constexpr auto kStopWait = std::chrono::seconds(2);
constexpr auto kPoll = std::chrono::milliseconds(2);
// --netns: node ID listens on port 5000 + ID of its own address, unless --base-port says otherwise.
constexpr int kNetnsBasePort = 5000;
// How often the running processes' traces are read for the observer (every 50 ms, or
// 200 us per process when more than 250 run), and at most how much of one at a time.
constexpr auto kFollow = std::chrono::milliseconds(50);
constexpr auto kFollowPerProcess = std::chrono::microseconds(200);
constexpr std::size_t kFollowBytes = std::size_t{1} << 20;

// Removes the launch's temporary folder once the launcher is gone, however it went:
// a shell in a process group of its own, ignoring the terminal's signals, reads a
// pipe that only the launcher holds open; SIGKILL closes it as surely as an exit.
// The launcher removes the folder itself when it can; then this finds nothing.
class FolderWatchdog {
 public:
  explicit FolderWatchdog(const std::string& dir) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw RuntimeFailure(fmt::format("cannot make a pipe: {}", std::strerror(errno)));
    write_end_ = fds[1];
    // A node may still be renaming its state file in there when it dies with the launcher: retry once.
    std::vector<std::string> args{"/bin/sh", "-c",
                                  "trap '' INT TERM HUP; cat >/dev/null; rm -rf -- \"$1\" 2>/dev/null || "
                                  "{ sleep 1; rm -rf -- \"$1\"; }",
                                  "distlab-launch-watchdog", dir};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_adddup2(&files, fds[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&files, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    const int error = posix_spawn(&pid_, argv[0], &files, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&files);
    ::close(fds[0]);
    if (error != 0) {
      ::close(write_end_);
      throw RuntimeFailure(fmt::format("cannot start the folder's watchdog (/bin/sh): {}", std::strerror(error)));
    }
  }
  // After the launcher's own cleanup: the watchdog finds nothing left, and ends.
  ~FolderWatchdog() {
    ::close(write_end_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  FolderWatchdog(const FolderWatchdog&) = delete;
  FolderWatchdog& operator=(const FolderWatchdog&) = delete;
  pid_t pid() const { return pid_; }

 private:
  int write_end_ = -1;
  pid_t pid_ = 0;
};

// Free UDP ports on 127.0.0.1, one per node: all held open until all are chosen, so
// no two are the same.
std::vector<std::uint16_t> free_ports(std::size_t count) {
  std::vector<int> sockets;
  std::vector<std::uint16_t> ports;
  auto close_all = [&] {
    for (int s : sockets) ::close(s);
  };
  for (std::size_t i = 0; i < count; ++i) {
    const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) {
      close_all();
      throw RuntimeFailure(fmt::format("cannot open a UDP socket: {}", std::strerror(errno)));
    }
    sockets.push_back(s);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      close_all();
      throw RuntimeFailure(fmt::format("cannot find a free UDP port on 127.0.0.1: {}", std::strerror(errno)));
    }
    ports.push_back(ntohs(address.sin_port));
  }
  close_all();
  return ports;
}

std::string self_path() {
  std::error_code ec;
  const fs::path path = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw RuntimeFailure(fmt::format("cannot find the distlab program: {}", ec.message()));
  return path.string();
}

std::string make_directory(const std::string& keep) {
  if (!keep.empty()) {
    std::error_code ec;
    fs::create_directories(keep, ec);
    if (ec || !fs::is_directory(keep)) {
      throw InputError(fmt::format("--keep {}: cannot make the directory: {}", keep,
                                   ec ? ec.message() : "not a directory"));
    }
    return keep;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/distlab-launch-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw RuntimeFailure(fmt::format("cannot make a temporary directory: {}", std::strerror(errno)));
  }
  return pattern;
}

// The last line a failed process wrote, without the program's prefix.
std::string last_error_line(const std::string& log_path) {
  std::ifstream in(log_path);
  std::string line;
  std::string last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  if (last.starts_with("distlab: ")) last.erase(0, 9);
  return last;
}

// A life's trace: the committed file, or what a killed process had written so far
// (every line whole; a torn last line, should a kill ever tear one, is dropped).
// The node writes it in place (run --live-trace), so a SIGKILL leaves it readable.
std::optional<trace::Trace> read_life_trace(const std::string& file) {
  if (!fs::exists(file)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const std::size_t end = text.rfind('\n');
  text.resize(end == std::string::npos ? 0 : end + 1);
  if (text.empty()) return std::nullopt;
  std::istringstream lines(text);
  return trace::read_trace(lines, file);
}

// Until time zero the launcher holds one socket per node: up to 1,000 of them, near
// the usual limit of 1,024 open files, which is raised (within the hard limit) when
// lower than what they need.
void make_room_for_files(std::size_t sockets) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  const rlim_t want = static_cast<rlim_t>(sockets) + 256;
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < want) {
    r.rlim_cur = r.rlim_max == RLIM_INFINITY ? want : std::min(want, r.rlim_max);
    (void)::setrlimit(RLIMIT_NOFILE, &r);  // if it cannot, socketpair says so (EMFILE)
  }
}

// A file descriptor, closed with its owner.
struct Socket {
  explicit Socket(int f) : fd(f) {}
  Socket(Socket&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  Socket& operator=(Socket&&) = delete;
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
};

class Launch {
 public:
  explicit Launch(const LaunchSpec& spec) : spec_(spec) {}

  LaunchResult run() {
    result_.dir = make_directory(spec_.keep_dir);
    try {
      if (spec_.keep_dir.empty()) watchdog_.emplace(result_.dir);
      prepare();
      InterruptGuard guard;
      start_all();
      loop();
      if (InterruptGuard::signal() != 0) {
        result_.interrupted = true;
        result_.interrupted_at = std::max<Nanos>(since_epoch(), 0);
        stop_all();
      } else {
        next_follow_ = {};
        follow();  // the lines written since the last read
      }
      if (network_) {
        take_logged();
        result_.dropped = network_->drops();
      }
      collect();
    } catch (...) {
      stop_all();
      network_.reset();
      cleanup();
      throw;
    }
    network_.reset();  // after its processes: the namespaces go with the last of them
    cleanup();
    return std::move(result_);
  }

 private:
  struct Running {
    std::size_t outcome;  // index in result_.processes
  };

  void prepare() {
    exe_ = self_path();
    std::vector<std::uint16_t> ports;
    if (spec_.base_port != 0) {
      if (spec_.base_port < 1 || spec_.base_port + static_cast<std::int64_t>(spec_.ids.back()) > 65535) {
        throw InputError(fmt::format("--base-port {}: ports {}..{} must lie within 1..65535", spec_.base_port,
                                     spec_.base_port + spec_.ids.front(), spec_.base_port + spec_.ids.back()));
      }
      for (NodeId id : spec_.ids) ports.push_back(static_cast<std::uint16_t>(spec_.base_port + id));
    } else if (spec_.netns) {
      for (NodeId id : spec_.ids) ports.push_back(static_cast<std::uint16_t>(kNetnsBasePort + id));
    } else {
      ports = free_ports(spec_.ids.size());
    }
    if (spec_.netns) network_.emplace(spec_.ids, spec_.network);
    std::vector<udp::ClusterNode> nodes;
    for (std::size_t i = 0; i < spec_.ids.size(); ++i) {
      const std::string host = network_ ? network_->address(spec_.ids[i]) : "127.0.0.1";
      nodes.push_back({.id = spec_.ids[i], .address = {host, ports[i]}});
    }
    cluster_path_ = (fs::path(result_.dir) / "cluster.toml").string();
    write_file_atomically(cluster_path_, udp::cluster_text(nodes));
    first_port_ = ports.front();
    last_port_ = ports.back();
  }

  std::string life_path(NodeId node, std::uint64_t incarnation, const char* ext) const {
    return (fs::path(result_.dir) / fmt::format("node-{}.{}.{}", node, incarnation, ext)).string();
  }

  std::string state_path(NodeId node) const {
    return (fs::path(result_.dir) / fmt::format("node-{}.state", node)).string();
  }

  // A first life (`start` is its end of a socket) waits to be told time zero; a
  // restart starts at once, with the time zero the others were told.
  void spawn(NodeId node, std::uint64_t incarnation, int start = -1) {
    std::vector<std::string> args{exe_,
                                  "run",
                                  spec_.algorithm,
                                  "--id",
                                  std::to_string(node),
                                  "--cluster",
                                  cluster_path_,
                                  "--seed",
                                  std::to_string(spec_.seed),
                                  "--duration",
                                  fmt::format("{}ns", spec_.duration_ns),
                                  "--trace",
                                  life_path(node, incarnation, "jsonl"),
                                  "--live-trace",
                                  "--state",
                                  state_path(node),
                                  "--incarnation",
                                  std::to_string(incarnation),
                                  "--parent",
                                  std::to_string(::getpid()),
                                  "--quiet"};
    if (start >= 0) {
      args.emplace_back("--wait-start");
    } else {
      args.insert(args.end(), {"--start-at", std::to_string(start_at_ms_)});
    }
    args.insert(args.end(), spec_.process_args.begin(), spec_.process_args.end());
    args.insert(args.end(), spec_.algo_args.begin(), spec_.algo_args.end());
    if (network_) {
      std::vector<std::string> enter = network_->enter(node);
      args.insert(args.begin(), enter.begin(), enter.end());
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    const std::string log = life_path(node, incarnation, "log");
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
    if (start >= 0) posix_spawn_file_actions_adddup2(&files, start, STDIN_FILENO);
    pid_t pid = 0;
    const int error = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (error != 0) {
      throw RuntimeFailure(fmt::format("cannot start the process of node {}: {}", node, std::strerror(error)));
    }
    result_.processes.push_back({.node = node, .incarnation = incarnation});
    running_[pid] = {result_.processes.size() - 1};
    pid_of_[node] = pid;
    logs_[result_.processes.size() - 1] = log;
  }

  void start_all() {
    if (spec_.observer != nullptr) spec_.observer->launching(spec_, first_port_, last_port_);
    if (network_) {  // a partition from time zero is in place before the first datagram
      for (const NamespaceNetwork::Change& c : network_->advance(0)) {
        if (spec_.observer != nullptr) spec_.observer->partitioned(0, *c.partition, c.heals);
      }
    }
    std::map<NodeId, Socket> waiting;  // the launcher's ends
    make_room_for_files(spec_.ids.size());
    for (NodeId id : spec_.ids) {
      lives_[id] = 0;
      // Empty until the node first settles: a restart always finds its --state file
      // (and a missing one is an error), even when the first life died at once.
      write_file_atomically(state_path(id), "");
      int ends[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        throw RuntimeFailure(fmt::format("cannot start node {}: socketpair: {}", id, std::strerror(errno)));
      }
      waiting.emplace(id, Socket(ends[0]));
      const Socket theirs(ends[1]);
      spawn(id, 0, theirs.fd);
    }
    // Every node listening, or gone (its exit is reported as a crash at time zero).
    std::vector<Socket> listening;
    const auto deadline = Clock::now() + kListenWait;
    while (!waiting.empty() && InterruptGuard::signal() == 0) {
      for (auto it = waiting.begin(); it != waiting.end();) {
        const Listening l = poll_listening(it->second.fd);
        if (l == Listening::garbled) {
          throw RuntimeFailure(fmt::format("node {} said something else than that it listens", it->first));
        }
        if (l == Listening::yes) listening.push_back(std::move(it->second));
        it = l == Listening::not_yet ? std::next(it) : waiting.erase(it);
      }
      if (waiting.empty()) break;
      if (Clock::now() > deadline) {
        throw RuntimeFailure(fmt::format("node {} was not listening {} s after it was started",
                                         waiting.begin()->first, kListenWait.count()));
      }
      std::this_thread::sleep_for(kPoll);
    }
    const auto system_start = std::chrono::system_clock::now() + kStartLead;
    start_at_ms_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(system_start.time_since_epoch()).count();
    epoch_ = steady_time_of(start_at_ms_);  // the conversion the processes make
    for (const Socket& s : listening) {
      (void)send_time_zero(s.fd, start_at_ms_);  // one gone meanwhile is reaped as a crash
    }
  }

  Nanos since_epoch() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - epoch_).count();
  }

  void crash_event(NodeId node, Nanos t) {
    trace::Record r;
    r.t = std::max<Nanos>(t, 0);
    r.node = node;
    r.kind = EventKind::crash;
    crashes_.push_back(std::move(r));
  }

  // A process ended: planned (a kill), at the end of the run, or early (a crash, a busy port).
  void ended(pid_t pid, int status, bool planned) {
    const auto it = running_.find(pid);
    if (it == running_.end()) return;
    ProcessOutcome& p = result_.processes[it->second.outcome];
    if (WIFEXITED(status)) p.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) p.signal = WTERMSIG(status);
    p.killed_as_planned = planned;
    if (!p.ok()) {
      p.error = last_error_line(logs_[it->second.outcome]);
      const Nanos t = since_epoch();
      if (t < spec_.duration_ns) crash_event(p.node, t);  // the others carry on without it
      if (spec_.observer != nullptr) spec_.observer->failed(std::max<Nanos>(t, 0), p);
    }
    if (pid_of_[p.node] == pid) pid_of_.erase(p.node);
    ended_since_follow_.push_back(it->second.outcome);
    running_.erase(it);
  }

  // Only the nodes: the folder's watchdog ends after the launcher.
  void reap() {
    for (auto it = running_.begin(); it != running_.end();) {
      const pid_t pid = it->first;
      ++it;  // ended() erases pid's entry
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) ended(pid, status, false);
    }
  }

  void apply(const PlannedFault& f) {
    if (f.kind == PlannedFault::Kind::kill) {
      const auto it = pid_of_.find(f.node);
      if (it == pid_of_.end()) return;  // it already ended, and that was reported
      const pid_t pid = it->second;
      const Nanos t = since_epoch();
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      crash_event(f.node, t);
      ended(pid, status, true);
      if (spec_.observer != nullptr) spec_.observer->killed(t, f.node);
    } else if (f.kind == PlannedFault::Kind::restart) {
      spawn(f.node, ++lives_[f.node]);
      if (spec_.observer != nullptr) spec_.observer->restarted(since_epoch(), f.node);
    } else {
      const auto it = pid_of_.find(f.node);
      if (it == pid_of_.end()) return;  // it already ended, and that was reported
      const bool pause = f.kind == PlannedFault::Kind::pause;
      ::kill(it->second, pause ? SIGSTOP : SIGCONT);
      if (spec_.observer != nullptr) {
        pause ? spec_.observer->paused(since_epoch(), f.node)
              : spec_.observer->resumed(since_epoch(), f.node);
      }
    }
  }

  // Reads what the running lives traced since the last read and tells the observer:
  // every kFollow, complete lines only (a line being written waits for the next read).
  void follow() {
    if (spec_.observer == nullptr || Clock::now() < next_follow_) return;
    // A file opened per process each time: less often for many processes.
    next_follow_ = Clock::now() + std::max<Clock::duration>(kFollow, kFollowPerProcess * running_.size());
    std::vector<std::size_t> lives = std::move(ended_since_follow_);  // their last lines too
    ended_since_follow_.clear();
    for (const auto& [pid, r] : running_) lives.push_back(r.outcome);
    std::vector<trace::Record> fresh;
    for (const std::size_t life : lives) {
      Followed& f = followed_[life];
      const ProcessOutcome& p = result_.processes[life];
      std::ifstream in(life_path(p.node, p.incarnation, "jsonl"), std::ios::binary);
      if (!in) continue;
      in.seekg(0, std::ios::end);
      const auto size = static_cast<std::uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
      if (size <= f.offset) continue;
      in.seekg(static_cast<std::streamoff>(f.offset));
      std::string chunk(std::min<std::uint64_t>(size - f.offset, kFollowBytes), '\0');
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      chunk.resize(static_cast<std::size_t>(in.gcount()));
      const std::size_t end = chunk.rfind('\n');
      if (end == std::string::npos) continue;
      chunk.resize(end + 1);
      f.offset += chunk.size();
      if (f.header.empty()) {  // the first line is the trace's header
        const std::size_t first = chunk.find('\n');
        f.header = chunk.substr(0, first + 1);
        chunk.erase(0, first + 1);
      }
      if (chunk.empty()) continue;
      try {
        std::istringstream lines(f.header + chunk);
        for (trace::Record& e : trace::read_trace(lines, "a running process's trace").events) {
          fresh.push_back(std::move(e));
        }
      } catch (const Error&) {
        // Told when the run ends, if the finished trace still has it (read_life_trace).
      }
    }
    std::stable_sort(fresh.begin(), fresh.end(),
                     [](const trace::Record& a, const trace::Record& b) { return a.t < b.t; });
    for (const trace::Record& e : fresh) spec_.observer->traced(e);
    followed_events_ += fresh.size();
    spec_.observer->advanced(std::max<Nanos>(since_epoch(), 0), running_.size(), followed_events_);
  }

  void loop() {
    const auto end = epoch_ + std::chrono::nanoseconds(spec_.duration_ns);
    std::size_t next = 0;
    while (InterruptGuard::signal() == 0) {
      follow();
      reap();
      while (next < spec_.faults.size() && since_epoch() >= spec_.faults[next].at_ns) apply(spec_.faults[next++]);
      take_logged();
      if (network_ && since_epoch() >= network_->next_change()) {
        for (const NamespaceNetwork::Change& c : network_->advance(since_epoch())) {
          if (spec_.observer != nullptr) spec_.observer->partitioned(since_epoch(), *c.partition, c.heals);
        }
      }
      if (running_.empty() && next == spec_.faults.size()) return;
      if (Clock::now() > end + kGrace) {
        for (const auto& [pid, r] : running_) {
          result_.processes[r.outcome].stopped_late = true;
          ::kill(pid, SIGKILL);
        }
        while (!running_.empty()) {
          int status = 0;
          const pid_t pid = ::waitpid(running_.begin()->first, &status, 0);
          ended(pid > 0 ? pid : running_.begin()->first, status, false);
        }
        return;
      }
      std::this_thread::sleep_for(kPoll);
    }
  }

  // Interrupted, or failing: SIGTERM, a moment to finish, then SIGKILL; none is left behind.
  void stop_all() {
    for (const auto& [pid, r] : running_) {
      ::kill(pid, SIGCONT);  // a paused one could not stop
      ::kill(pid, SIGTERM);
    }
    const auto deadline = Clock::now() + kStopWait;
    while (!running_.empty() && Clock::now() < deadline) {
      for (auto it = running_.begin(); it != running_.end();) {
        int status = 0;
        it = ::waitpid(it->first, &status, WNOHANG) == it->first ? running_.erase(it) : std::next(it);
      }
      if (!running_.empty()) std::this_thread::sleep_for(kPoll);
    }
    for (const auto& [pid, r] : running_) {
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    running_.clear();
  }

  void take_logged() {
    if (!network_) return;
    for (const LoggedDrop& d : network_->take_logged()) logged_.push_back(d);
  }

  // The datagrams the network's rules dropped, traced as the simulator traces a drop:
  // at the sender, when it sent the message, with the reason. A message that still
  // arrived (the reliable layer sent it again) or that its node traced as dropped
  // already is left out; so is a datagram that was no message of the trace.
  void network_drops() {
    if (logged_.empty()) return;
    std::map<std::pair<std::string, NodeId>, const trace::Record*> sent;
    std::set<std::pair<std::string, NodeId>> done;  // received or dropped
    for (const trace::Trace& part : result_.parts) {
      for (const trace::Record& r : part.events) {
        if (r.kind == EventKind::send) sent.try_emplace({r.msg, r.peer}, &r);
        if (r.kind == EventKind::recv) done.insert({r.msg, r.node});
        if (r.kind == EventKind::drop) done.insert({r.msg, r.peer});
      }
    }
    for (const LoggedDrop& d : logged_) {
      std::pair<std::string, NodeId> key{fmt::format("{}.{}", d.from, d.seq), d.to};
      const auto it = sent.find(key);
      if (it == sent.end() || !done.insert(key).second) continue;
      trace::Record r;
      r.t = it->second->t;
      r.node = d.from;
      r.kind = EventKind::drop;
      r.msg = key.first;
      r.peer = d.to;
      r.type = it->second->type;
      r.label = d.partition ? "partition" : "loss";
      crashes_.push_back(std::move(r));
    }
  }

  void collect() {
    for (const ProcessOutcome& p : result_.processes) {
      if (auto part = read_life_trace(life_path(p.node, p.incarnation, "jsonl"))) {
        result_.parts.push_back(std::move(*part));
      }
    }
    network_drops();
    std::stable_sort(crashes_.begin(), crashes_.end(),
                     [](const trace::Record& a, const trace::Record& b) { return a.t < b.t; });
    trace::Trace launcher;
    launcher.header = {.algorithm = spec_.algorithm, .mode = "real", .seed = spec_.seed, .nodes = spec_.ids};
    launcher.source = "the launcher";
    launcher.events = std::move(crashes_);
    result_.parts.push_back(std::move(launcher));
  }

  void cleanup() {
    if (!spec_.keep_dir.empty()) return;
    std::error_code ignored;
    fs::remove_all(result_.dir, ignored);
  }

  const LaunchSpec& spec_;
  LaunchResult result_;
  std::optional<FolderWatchdog> watchdog_;  // a temporary folder's; none for --keep
  std::optional<NamespaceNetwork> network_;  // --netns
  std::string exe_;
  std::string cluster_path_;
  std::uint16_t first_port_ = 0;
  std::uint16_t last_port_ = 0;
  std::int64_t start_at_ms_ = 0;
  Clock::time_point epoch_;
  std::map<pid_t, Running> running_;
  std::map<NodeId, pid_t> pid_of_;
  std::map<NodeId, std::uint64_t> lives_;
  std::map<std::size_t, std::string> logs_;
  std::vector<trace::Record> crashes_;  // and the network's drops: the launcher's part of the trace
  std::vector<LoggedDrop> logged_;
  struct Followed {
    std::uint64_t offset = 0;  // bytes of the life's trace already read
    std::string header;
  };
  std::map<std::size_t, Followed> followed_;  // by outcome index
  std::uint64_t followed_events_ = 0;
  std::vector<std::size_t> ended_since_follow_;
  Clock::time_point next_follow_{};
};

}  // namespace

std::vector<PlannedFault> validate_faults(const std::vector<std::string>& kills,
                                          const std::vector<std::string>& restarts, const std::vector<NodeId>& ids,
                                          Nanos duration_ns, const std::vector<NodeId>& unkillable,
                                          const std::string& why) {
  return validate_faults(kills, restarts, {}, ids, duration_ns,
                         {.unkillable = unkillable, .unkillable_why = why});
}

std::vector<PlannedFault> validate_faults(const std::vector<std::string>& kills,
                                          const std::vector<std::string>& restarts,
                                          const std::vector<std::string>& pauses,
                                          const std::vector<NodeId>& ids, Nanos duration_ns,
                                          const FaultRules& rules) {
  const std::vector<NodeId>& unkillable = rules.unkillable;
  const std::string& why = rules.unkillable_why;
  struct Entry {
    PlannedFault fault;
    std::string option;
  };
  std::vector<Entry> entries;
  for (const auto& [option, values, kind] :
       {std::tuple{"--kill", &kills, PlannedFault::Kind::kill},
        std::tuple{"--restart", &restarts, PlannedFault::Kind::restart}}) {
    for (const std::string& value : *values) {
      const auto [node, at] = parse_node_at_option(option, value, ids);
      const std::string named = fmt::format("{} {}", option, value);
      if (kind == PlannedFault::Kind::kill && std::find(unkillable.begin(), unkillable.end(), node) != unkillable.end()) {
        throw InputError(fmt::format("{}: {}", named, why));
      }
      if (at >= duration_ns) {
        throw InputError(fmt::format("{}: the run ends at {} (--duration)", named, format_duration(duration_ns)));
      }
      entries.push_back({{kind, node, at}, named});
    }
  }
  for (const std::string& value : pauses) {
    const std::string named = fmt::format("--pause {}", value);
    const std::size_t plus = value.find('+');
    if (plus == std::string::npos)
      throw InputError(fmt::format("{}: expected ID@TIME+DURATION, e.g. 3@1s+500ms", named));
    const auto [node, at] = parse_node_at_option("--pause", value.substr(0, plus), ids);
    const Nanos length = parse_duration_option("--pause", value.substr(plus + 1));
    if (length <= 0) throw InputError(fmt::format("{}: the pause must last longer than 0", named));
    if (std::find(rules.unpausable.begin(), rules.unpausable.end(), node) != rules.unpausable.end()) {
      throw InputError(fmt::format("{}: {}", named, rules.unpausable_why));
    }
    if (at + length >= duration_ns) {
      throw InputError(fmt::format("{}: the pause must end before the run does, at {} (--duration)", named,
                                   format_duration(duration_ns)));
    }
    entries.push_back({{PlannedFault::Kind::pause, node, at}, named});
    entries.push_back({{PlannedFault::Kind::resume, node, at + length}, named});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.fault.at_ns < b.fault.at_ns; });
  std::map<NodeId, std::pair<bool, Nanos>> alive;  // node -> (running, since)
  std::map<NodeId, bool> stopped;                  // node -> paused now
  for (const Entry& e : entries) {
    using Kind = PlannedFault::Kind;
    if (e.fault.kind == Kind::pause || e.fault.kind == Kind::resume) {
      const auto it = alive.find(e.fault.node);
      if (it != alive.end() && !it->second.first) {
        throw InputError(fmt::format("{}: node {} is not running then (killed at {})", e.option, e.fault.node,
                                     format_duration(it->second.second)));
      }
      bool& paused = stopped[e.fault.node];
      if (e.fault.kind == Kind::pause && paused) {
        throw InputError(fmt::format("{}: node {} is paused then already", e.option, e.fault.node));
      }
      paused = e.fault.kind == Kind::pause;
      continue;
    }
    if (e.fault.kind == Kind::kill && stopped[e.fault.node]) {
      throw InputError(fmt::format("{}: node {} is paused then (--pause)", e.option, e.fault.node));
    }
    auto [state, inserted] = alive.try_emplace(e.fault.node, true, 0);
    auto& [running, since] = state->second;
    if (e.fault.kind == PlannedFault::Kind::kill && !running) {
      throw InputError(fmt::format("{}: node {} is not running then (killed at {}; --restart it first)", e.option,
                                   e.fault.node, format_duration(since)));
    }
    if (e.fault.kind == PlannedFault::Kind::restart && running) {
      throw InputError(fmt::format("{}: node {} is running then (--kill it first)", e.option, e.fault.node));
    }
    if (!inserted && e.fault.at_ns == since) {
      throw InputError(fmt::format("{}: node {} changes at that very time already", e.option, e.fault.node));
    }
    running = e.fault.kind == PlannedFault::Kind::restart;
    since = e.fault.at_ns;
  }
  std::vector<PlannedFault> faults;
  for (const Entry& e : entries) faults.push_back(e.fault);
  return faults;
}

LaunchResult launch(const LaunchSpec& spec) {
  DISTLAB_ASSERT(!spec.ids.empty(), "a launch needs nodes");
  return Launch(spec).run();
}

}  // namespace distlab::harness
