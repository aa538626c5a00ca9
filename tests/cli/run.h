// Runs the built `distlab` binary the way a user would, for the CLI tests.
//
// `run_distlab` spawns the program (posix_spawn, no shell) with the given arguments,
// collects stdout and stderr through pipes and returns them with the exit code. The
// other helpers give a test a private temporary directory and whole-file reads.
//
//   const RunResult r = run_distlab({"lamport", "--seed", "7"});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
//   TempDir dir("determinism");  // removed with everything in it at scope exit
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace distlab::testing {

struct RunResult {
  std::string out;
  std::string err;
  int exit_code = -1;  // 128 + signal number when the program was killed by a signal
};

// A run that takes longer than this is killed, so a hang fails one test instead of
// stalling the suite. Every command the tests run finishes in well under a second
// in an optimized build; sanitizer builds are ten to twenty times slower.
#ifdef DISTLAB_SLOW_BUILD
inline constexpr std::chrono::seconds kRunTimeout{240};
#else
inline constexpr std::chrono::seconds kRunTimeout{30};
#endif

// Runs DISTLAB_BINARY with `args` (the arguments after the program name), stdin from
// /dev/null. Throws std::runtime_error when the program cannot be started at all.
// `argv0`: the name it is invoked by, which its replay lines repeat.
inline RunResult run_distlab(const std::vector<std::string>& args, const std::string& argv0 = "distlab") {
  const std::string binary = DISTLAB_BINARY;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(argv0.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error(std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error(std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);  // dup2 clears O_CLOEXEC
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawned != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(spawned));
  }

  // Drain both pipes together: a child blocked on a full stderr pipe would never
  // close stdout.
  RunResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  const auto deadline = std::chrono::steady_clock::now() + kRunTimeout;
  bool killed = false;
  char buffer[65536];
  while (open_count > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    const int ready = poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_count;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  if (killed) result.err += "\n[run_distlab: killed after the timeout]\n";
  return result;
}

// "distlab lamport --seed 7": how failure messages show a command.
inline std::string command_line(const std::vector<std::string>& args) {
  std::string out = "distlab";
  for (const std::string& a : args) out += " " + a;
  return out;
}

// The lines of `text` without their '\n'; a final line without '\n' counts too.
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The whole file, byte for byte. Throws std::runtime_error when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::filesystem::path& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// A fresh directory under the system temp directory, removed with its contents when
// the object goes out of scope. Names are unique per process and per object.
class TempDir {
 public:
  explicit TempDir(const std::string& label) {
    static std::atomic<int> counter{0};
    const auto ticks = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::temp_directory_path() /
            ("distlab_cli_" + label + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++) +
             "_" + std::to_string(ticks));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // The names of the entries in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path path_;
};

// A trace written by the binary itself: `distlab ARGS --quiet --trace DIR/NAME`.
// Returns its path; throws (failing the test) when the run fails.
inline std::string make_trace(const TempDir& dir, const std::string& name, std::vector<std::string> args) {
  const std::string path = dir.file(name);
  args.insert(args.end(), {"--quiet", "--trace", path});
  const RunResult r = run_distlab(args);
  if (r.exit_code != 0 || !std::filesystem::exists(path)) {
    throw std::runtime_error(command_line(args) + " wrote no trace (exit " + std::to_string(r.exit_code) + "): " + r.err);
  }
  return path;
}

// Bad input, refused as the contract says: exit 2, nothing on stdout, one line
// "distlab: ..." on stderr that mentions `says`, and nothing written into `dir`.
inline void expect_refused(const std::vector<std::string>& args, const std::string& says, const TempDir& dir) {
  const RunResult r = run_distlab(args);
  EXPECT_EQ(r.exit_code, 2) << command_line(args) << "\n" << r.err;
  EXPECT_EQ(r.out, "") << command_line(args) << " printed on stdout";
  ASSERT_FALSE(r.err.empty()) << command_line(args) << " printed no error";
  EXPECT_EQ(r.err.back(), '\n') << command_line(args);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << command_line(args) << " printed:\n" << r.err;
  EXPECT_EQ(r.err.rfind("distlab: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos)
      << command_line(args) << ": expected the message to mention '" << says << "', got: " << r.err;
  const auto left = dir.entries();
  EXPECT_TRUE(left.empty()) << command_line(args) << " left behind: " << left.front();
}

}  // namespace distlab::testing
