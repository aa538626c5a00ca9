// Real processes for the integration tests: start one in the background with its
// output in files, signal it, wait for it with a deadline, and never leave it behind.
//
//   Process monitor({DISTLAB_BINARY, "monitor", "--bind", "127.0.0.1:5600"}, dir / "monitor");
//   monitor.signal(SIGTERM);
//   int code = monitor.wait(std::chrono::seconds(5));
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace distlab::testing {

class Process {
 public:
  // Output goes to <prefix>.out and <prefix>.err; input comes from `input` (a file
  // descriptor of the caller's), or /dev/null.
  Process(const std::vector<std::string>& argv, const std::filesystem::path& prefix, int input = -1)
      : out_(prefix.string() + ".out"), err_(prefix.string() + ".err") {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (input >= 0) {
      posix_spawn_file_actions_adddup2(&actions, input, 0);
    } else {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  ~Process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }

  // The exit code (128 + signal if killed); kills the process after `deadline`.
  int wait(std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    int status = 0;
    while (true) {
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) break;
      if (std::chrono::steady_clock::now() > until) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
  }

  pid_t pid() const { return pid_; }
  std::string out() const { return read(out_); }
  std::string err() const { return read(err_); }

 private:
  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  pid_t pid_ = -1;
  std::string out_;
  std::string err_;
};

// A UDP port free right now on loopback (the system picks it).
inline int free_udp_port() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Polls `ready` every 10 ms until it holds or `deadline` passes.
template <class F>
bool eventually(F ready, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return ready();
}

// What a `distlab run --wait-start` process said on the caller's end of its input
// socket within 10 s ("listening\n" once it listens).
inline std::string said_by(int fd) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  if (::poll(&p, 1, 10000) != 1) return "(nothing within 10 s)";
  char buffer[64];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "(its end closed)";
}

// `distlab run --wait-start` processes started as `distlab launch` starts them: each
// gets one end of a socket pair as its input and says there when it listens; the test
// keeps the other ends and, once all listen, writes time zero (Unix ms) to each.
//
//   StartTogether start;
//   auto node = start.spawn({DISTLAB_BINARY, "run", ..., "--wait-start"}, dir / "node-1");
//   EXPECT_EQ(start.said(0), "listening\n");
//   const auto zero = start.go(100ms);
class StartTogether {
 public:
  StartTogether() = default;
  StartTogether(const StartTogether&) = delete;
  StartTogether& operator=(const StartTogether&) = delete;
  ~StartTogether() {
    for (const int fd : ours_) ::close(fd);
  }

  std::unique_ptr<Process> spawn(const std::vector<std::string>& argv, const std::filesystem::path& prefix) {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
      throw std::runtime_error("socketpair");
    auto process = std::make_unique<Process>(argv, prefix, pair[1]);
    ::close(pair[1]);
    ours_.push_back(pair[0]);
    return process;
  }
  // What the i-th process spawned said (said_by).
  std::string said(std::size_t i) const { return said_by(ours_.at(i)); }
  bool all_listening() const {
    return std::all_of(ours_.begin(), ours_.end(), [](int fd) { return said_by(fd) == "listening\n"; });
  }
  // The test's end of the i-th process's input.
  int end(std::size_t i) const { return ours_.at(i); }

  // Writes time zero `zero` to every process and closes the ends.
  void go_at(std::chrono::system_clock::time_point zero) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(zero.time_since_epoch()).count();
    const std::string line = std::to_string(ms) + "\n";
    for (const int fd : ours_) {
      if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        throw std::runtime_error("a node's input socket took no time zero");
      }
      ::close(fd);
    }
    ours_.clear();
  }
  // Time zero `ahead` from now, written to every process.
  std::chrono::system_clock::time_point go(std::chrono::milliseconds ahead) {
    const auto zero = std::chrono::system_clock::now() + ahead;
    go_at(zero);
    return zero;
  }

 private:
  std::vector<int> ours_;
};

}  // namespace distlab::testing
