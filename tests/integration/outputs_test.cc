// What real processes leave behind when they end (core/atomic_file.h): SIGHUP ends a
// monitor, a node or a launch as SIGTERM does, with its outputs whole; SIGKILL leaves
// no temporary file and no /tmp/distlab-launch-* folder; a full disk is exit 3 with
// one line, and leaves no output half made.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "../cli/run.h"  // TempDir
#include "process.h"

namespace distlab::testing::outputs_test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// $TMPDIR set for the processes this test starts.
class TmpDirFor {
 public:
  explicit TmpDirFor(const fs::path& dir) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", dir.c_str(), 1);
  }
  ~TmpDirFor() {
    if (old_.empty()) {
      ::unsetenv("TMPDIR");
    } else {
      ::setenv("TMPDIR", old_.c_str(), 1);
    }
  }

 private:
  std::string old_;
};

// A monitor and a node with --trace and --html, running until `sig`.
void signal_monitor_and_node(int sig) {
  TempDir dir("outputs");
  TempDir logs("outputs_logs");
  const std::string bind = fmt::format("127.0.0.1:{}", free_udp_port());
  Process monitor({DISTLAB_BINARY, "monitor", "--bind", bind, "--quiet", "--trace", dir.file("monitor.jsonl"),
                   "--html", dir.file("monitor.html")},
                  logs.path() / "monitor");
  Process node({DISTLAB_BINARY, "node", "3", "--monitor", bind, "--interval", "50ms", "--jitter", "5ms", "--quiet",
                "--trace", dir.file("node.jsonl"), "--html", dir.file("node.html")},
               logs.path() / "node");
  ASSERT_TRUE(eventually([&] { return has(monitor.out(), "redirected to node 3"); }, 5s)) << monitor.err();
  EXPECT_TRUE(dir.entries().empty()) << "visible before the end: " << dir.entries().front();
  node.signal(sig);
  monitor.signal(sig);
  if (sig == SIGKILL) {
    EXPECT_EQ(node.wait(5s), 128 + SIGKILL);
    EXPECT_EQ(monitor.wait(5s), 128 + SIGKILL);
    EXPECT_TRUE(dir.entries().empty()) << "left behind: " << dir.entries().front();
    return;
  }
  EXPECT_EQ(node.wait(5s), 0) << node.err();
  EXPECT_EQ(monitor.wait(5s), 0) << monitor.err();
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"monitor.html", "monitor.jsonl", "node.html", "node.jsonl"}));
  for (const char* trace : {"monitor.jsonl", "node.jsonl"}) {
    Process check({DISTLAB_BINARY, "check", dir.file(trace)}, logs.path() / trace);
    EXPECT_EQ(check.wait(10s), 0) << trace << ": " << check.out() << check.err();
  }
}

TEST(OutputsOnSignals, SighupEndsMonitorAndNodeWithTheirOutputsWhole) { signal_monitor_and_node(SIGHUP); }
TEST(OutputsOnSignals, SigtermEndsMonitorAndNodeWithTheirOutputsWhole) { signal_monitor_and_node(SIGTERM); }
TEST(OutputsOnSignals, SigkillOfMonitorAndNodeLeavesNoFile) { signal_monitor_and_node(SIGKILL); }

// A launch with its temporary folder in a directory of the test's own; `sig` once
// it runs. Every ending leaves no folder: SIGKILL's is removed by its watchdog. A
// signal the launcher handles keeps what was traced, whole; SIGKILL leaves no trace.
void signal_launch(int sig, int expected_code) {
  TempDir tmp("outputs_tmp");
  TempDir logs("outputs_logs");
  TmpDirFor env(tmp.path());
  Process launch({DISTLAB_BINARY, "launch", "bully", "--duration", "20s", "--seed", "7", "--trace",
                  logs.file("launch.jsonl")},
                 logs.path() / "launch");
  ASSERT_TRUE(eventually([&] { return has(launch.out(), "node 5 killed"); }, 8s)) << launch.out() << launch.err();
  ASSERT_EQ(tmp.entries().size(), 1u);
  EXPECT_TRUE(fs::exists(tmp.path() / tmp.entries().front() / "node-1.0.jsonl"));
  launch.signal(sig);
  EXPECT_EQ(launch.wait(5s), expected_code) << launch.err();
  EXPECT_TRUE(eventually([&] { return tmp.entries().empty(); }, 3s)) << "left: " << tmp.entries().front();
  if (sig == SIGKILL) {
    EXPECT_FALSE(fs::exists(logs.file("launch.jsonl")));
  } else {
    std::ifstream in(logs.file("launch.jsonl"), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(text.starts_with("{\"format\":\"distlab-trace\"") && text.ends_with("\n"))
        << text.substr(0, 200);
    EXPECT_NE(text.find("\"kind\":\"crash\""), std::string::npos) << "the kill at 1 s is kept";
  }
}

TEST(OutputsOnSignals, SighupStopsALaunchAndRemovesItsFolder) { signal_launch(SIGHUP, 130); }
TEST(OutputsOnSignals, SigkillOfALaunchLeavesNoFolder) { signal_launch(SIGKILL, 128 + SIGKILL); }

TEST(OutputsOnErrors, ALaunchWhosePageCannotBeWrittenLeavesNoTraceNorFolder) {
  TempDir tmp("outputs_tmp");
  TempDir dir("outputs");
  TmpDirFor env(tmp.path());
  Process launch({DISTLAB_BINARY, "launch", "lamport", "--seed", "7", "--duration", "1s", "--quiet", "--trace", dir.file("x.jsonl"),
                  "--html", "/dev/full"},
                 tmp.path() / "launch");
  EXPECT_EQ(launch.wait(15s), 3) << launch.out() << launch.err();
  EXPECT_EQ(launch.err(), "distlab: cannot write /dev/full: No space left on device\n");
  EXPECT_TRUE(dir.entries().empty()) << "left: " << dir.entries().front();
  EXPECT_EQ(tmp.entries(), (std::vector<std::string>{"launch.err", "launch.out"}));
}

// A full disk, as a small tmpfs (root only), unmounted in every case.
class FullDisk {
 public:
  // Filled to the last page, or to `free_pages` pages short of it.
  explicit FullDisk(int free_pages = 0)
      : dir_(fs::temp_directory_path() / fmt::format("distlab_fulldisk_{}", getpid())) {
    fs::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, fmt::format("size={}k", 16 + 4 * free_pages).c_str()) == 0;
    if (!mounted_) return;
    std::FILE* fill = std::fopen((dir_ / "fill").c_str(), "wb");
    const std::string page(4096, 'x');
    for (int i = 0; i < 4 && fill != nullptr; ++i) {
      if (std::fwrite(page.data(), 1, page.size(), fill) != page.size() || std::fflush(fill) != 0) break;
    }
    if (fill != nullptr) std::fclose(fill);
  }
  ~FullDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  bool mounted() const { return mounted_; }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path dir_;
  bool mounted_ = false;
};

// A node that cannot keep its state or write its trace says so in one line and exits 3.
TEST(OutputsOnErrors, ANodeOnAFullDiskExits3WithOneLine) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount)";
  FullDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  TempDir dir("outputs");
  const std::string cluster = dir.file("cluster.toml");
  std::ofstream(cluster) << fmt::format("[[node]]\nid = 1\naddress = \"127.0.0.1:{}\"\n[[node]]\nid = 2\naddress = \"127.0.0.1:{}\"\n",
                                        free_udp_port(), free_udp_port());
  const std::vector<std::vector<std::string>> runs{
      {"--state", disk.file("node.state"), "--trace", dir.file("t.jsonl")},
      {"--trace", disk.file("t.jsonl")},
      {"--trace", disk.file("live.jsonl"), "--live-trace"},
  };
  for (const auto& extra : runs) {
    std::vector<std::string> argv{DISTLAB_BINARY, "run", "lamport", "--id", "1", "--cluster", cluster,
                                  "--duration", "300ms", "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Process node(argv, dir.path() / "node");
    const std::string command = fmt::format("{}", fmt::join(argv, " "));
    const int code = node.wait(10s);
    const std::string err = node.err();
    EXPECT_EQ(code, 3) << command << "\n" << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << command << "\n" << err;
    EXPECT_TRUE(has(err, "No space left on device")) << command << "\n" << err;
  }
  // The live trace is in place by request (a launcher reads what a killed node wrote); nothing else.
  EXPECT_EQ(disk.entries(), (std::vector<std::string>{"fill", "live.jsonl"}));
  EXPECT_FALSE(fs::exists(dir.file("t.jsonl")));
}

// A launch whose trace or --keep folder is on a full disk: exit 3 with one line, and
// no launch folder left in TMPDIR. The --keep folder itself stays (the user named it),
// with nothing half-written in it.
TEST(OutputsOnErrors, ALaunchOnAFullDiskExits3WithOneLineAndLeavesNoFolder) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount)";
  FullDisk disk;
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  TempDir tmp("outputs_tmp");
  TmpDirFor env(tmp.path());
  for (const auto& extra : std::vector<std::vector<std::string>>{{"--trace", disk.file("t.jsonl")},
                                                                  {"--keep", disk.file("kept")}}) {
    std::vector<std::string> argv{DISTLAB_BINARY, "launch", "lamport", "--seed", "7", "--duration", "1s", "--quiet"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Process launch(argv, tmp.path() / "launch");
    const std::string command = fmt::format("{}", fmt::join(argv, " "));
    EXPECT_EQ(launch.wait(15s), 3) << command << "\n" << launch.err();
    const std::string err = launch.err();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << command << "\n" << err;
    EXPECT_TRUE(has(err, "No space left on device")) << command << "\n" << err;
    EXPECT_EQ(tmp.entries(), (std::vector<std::string>{"launch.err", "launch.out"})) << command;
  }
  EXPECT_EQ(disk.entries(), (std::vector<std::string>{"fill", "kept"}));
  EXPECT_TRUE(fs::is_empty(disk.file("kept")));
}

// A --keep folder with room for the cluster file but not for the nodes' traces: the
// nodes exit 3 (they used to abort), and the launch reports it and fails its checks.
TEST(OutputsOnErrors, ALaunchWhoseNodesFillTheDiskReportsTheirExit) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount)";
  FullDisk disk(1);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  TempDir tmp("outputs_tmp");
  Process launch({DISTLAB_BINARY, "launch", "lamport", "--seed", "7", "--duration", "1s", "--quiet", "--keep",
                  disk.file("kept")},
                 tmp.path() / "launch");
  EXPECT_EQ(launch.wait(20s), 1) << launch.out() << launch.err();
  EXPECT_TRUE(has(launch.out(), "Check processes: FAIL")) << launch.out();
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(has(launch.out(), fmt::format("node {} exited with code 3", id))) << launch.out();
  }
  EXPECT_TRUE(fs::exists(disk.file("kept/cluster.toml")));
}

}  // namespace
}  // namespace distlab::testing::outputs_test
