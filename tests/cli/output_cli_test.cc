// Where the commands write (core/atomic_file.h): a bad output path is refused before
// anything runs, devices and FIFOs are streamed to and stay what they are, a symlink
// planted in a shared directory is not followed, no temporary file has a name anyone
// could guess, and a failed output leaves none of a command's outputs behind.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "run.h"

namespace distlab::testing::output_cli_test {
namespace {

namespace fs = std::filesystem;

mode_t file_type(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & S_IFMT;
}

// One line on stderr, "distlab: ..." naming `says`, and exit `code`.
void expect_one_line_error(const RunResult& r, int code, const std::string& says, const std::vector<std::string>& args) {
  EXPECT_EQ(r.exit_code, code) << command_line(args) << "\n" << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << command_line(args) << " printed:\n" << r.err;
  EXPECT_EQ(r.err.rfind("distlab: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << command_line(args) << ": " << r.err;
}

TEST(OutputPaths, ADirectoryIsRefusedAtOnceByEveryCommandWithAnOutput) {
  TempDir inputs("outputs_inputs");
  const std::string trace = make_trace(inputs, "l.jsonl", {"lamport", "--seed", "7"});
  const std::string cluster = inputs.file("cluster.toml");
  // Never listened on: the runs are refused before they bind.
  write_file(cluster, "[[node]]\nid = 1\naddress = \"127.0.0.1:9\"\n[[node]]\nid = 2\naddress = \"127.0.0.1:10\"\n");
  TempDir dir("outputs_dir");
  const std::string d = dir.path().string();
  const std::vector<std::vector<std::string>> commands{
      {"lamport", "--seed", "7", "--trace", d},
      {"lamport", "--seed", "7", "--trace", inputs.file("fine.jsonl"), "--html", d},
      {"bully", "--seed", "7", "--trace", d},
      {"heartbeat", "--seed", "1", "--html", d},
      {"render", trace, "-o", d},
      {"export", "--shiviz", trace, "-o", d},
      {"merge", trace, "-o", d},
      {"demo", "--html", d},
      // Real processes that would otherwise run for 30 s: refused before they start.
      {"monitor", "--bind", "127.0.0.1:9", "--duration", "30s", "--trace", d},
      {"node", "1", "--monitor", "127.0.0.1:9", "--duration", "30s", "--html", d},
      {"run", "lamport", "--id", "1", "--cluster", cluster, "--duration", "30s", "--trace", d},
      {"run", "lamport", "--id", "1", "--cluster", cluster, "--duration", "30s", "--state", d},
      {"launch", "lamport", "--duration", "30s", "--trace", d},
  };
  for (const auto& args : commands) {
    const auto start = std::chrono::steady_clock::now();
    expect_refused(args, "is a directory", dir);
    // Refused, not run for its 30 s (the bound leaves room for a loaded machine).
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << command_line(args);
  }
  EXPECT_FALSE(fs::exists(inputs.file("fine.jsonl")));  // the other output was not written either
}

TEST(OutputPaths, DevFullIsExit3AndStaysADevice) {
  TempDir dir("outputs_full");
  const std::string trace = make_trace(dir, "l.jsonl", {"lamport", "--seed", "7"});
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lamport", "--seed", "7", "--trace", "/dev/full"},
        std::vector<std::string>{"render", trace, "-o", "/dev/full"},
        std::vector<std::string>{"merge", trace, "-o", "/dev/full"}}) {
    expect_one_line_error(run_distlab(args), 3, "No space left on device", args);
  }
  EXPECT_EQ(file_type("/dev/full"), S_IFCHR);
}

TEST(OutputPaths, DevNullStaysADevice) {
  const RunResult r = run_distlab({"lamport", "--seed", "7", "--quiet", "--trace", "/dev/null", "--html", "/dev/null"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(file_type("/dev/null"), S_IFCHR);
}

TEST(OutputPaths, AFifoIsStreamedToAndStaysAFifo) {
  TempDir dir("outputs_fifo");
  const std::string fifo = dir.file("trace.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string read;
  std::thread reader([&] { read = read_file(fifo); });
  const RunResult r = run_distlab({"lamport", "--seed", "7", "--quiet", "--trace", fifo});
  reader.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read.rfind("{\"format\":\"distlab-trace\"", 0), 0u) << read;
  EXPECT_EQ(std::count(read.begin(), read.end(), '\n'), 16);  // the header and 15 events
  EXPECT_EQ(file_type(fifo), S_IFIFO);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"trace.fifo"});
}

TEST(OutputPaths, StdoutIsWrittenInOrder) {
  const RunResult r = run_distlab({"lamport", "--seed", "7", "--quiet", "--trace", "/dev/stdout"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("{\"format\":\"distlab-trace\""), std::string::npos) << r.out;
}

TEST(OutputPaths, TheOldTemporaryNameIsNotFollowed) {
  TempDir dir("outputs_tmpname");
  const std::string victim = dir.file("victim");
  write_file(victim, "precious");
  const std::string trace = dir.file("run.jsonl");
  ASSERT_EQ(::symlink(victim.c_str(), (trace + ".tmp").c_str()), 0);
  ASSERT_EQ(::symlink(victim.c_str(), (trace + ".events.tmp").c_str()), 0);
  const RunResult r = run_distlab({"lamport", "--seed", "7", "--quiet", "--trace", trace});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_EQ(read_file(trace).rfind("{\"format\":\"distlab-trace\"", 0), 0u);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"run.jsonl", "run.jsonl.events.tmp", "run.jsonl.tmp", "victim"}));
}

// The attack from issue 16: another user's symlink in sticky /tmp, pointing at a
// root-owned 0600 file; a root run aimed at the link must not overwrite the file.
TEST(OutputPaths, AnotherUsersSymlinkInAStickyDirectoryIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (lchown)";
  TempDir dir("outputs_sticky");
  const std::string victim = dir.file("secret");
  write_file(victim, "root only");
  ASSERT_EQ(::chmod(victim.c_str(), 0600), 0);
  const std::string shared = dir.file("tmp");
  ASSERT_EQ(::mkdir(shared.c_str(), 01777), 0);
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);
  const std::string link = shared + "/run.html";
  ASSERT_EQ(::symlink(victim.c_str(), link.c_str()), 0);
  ASSERT_EQ(::lchown(link.c_str(), 65534, 65534), 0);  // nobody's
  TempDir inputs("outputs_sticky_inputs");
  const std::string trace = make_trace(inputs, "l.jsonl", {"lamport", "--seed", "7"});
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lamport", "--seed", "7", "--trace", link},
        std::vector<std::string>{"lamport", "--seed", "7", "--html", link},
        std::vector<std::string>{"render", trace, "-o", link},
        std::vector<std::string>{"merge", trace, "-o", link},
        std::vector<std::string>{"export", "--shiviz", trace, "-o", link}}) {
    expect_one_line_error(run_distlab(args), 2, "refusing to follow the symlink", args);
  }
  EXPECT_EQ(read_file(victim), "root only");
  EXPECT_EQ(file_type(link), S_IFLNK);
}

// Both outputs are written before either is moved into place: a page that cannot be
// written leaves no trace either.
TEST(OutputPaths, AFailedOutputLeavesNoneOfTheOthers) {
  TempDir dir("outputs_both");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"lamport", "--seed", "7", "--trace", dir.file("t.jsonl"), "--html", "/dev/full"},
        std::vector<std::string>{"bully", "--seed", "7", "--trace", dir.file("t.jsonl"), "--html", "/dev/full"}}) {
    expect_one_line_error(run_distlab(args), 3, "No space left on device", args);
    EXPECT_TRUE(dir.entries().empty()) << command_line(args) << " left " << dir.entries().front();
  }
}

}  // namespace
}  // namespace distlab::testing::output_cli_test
