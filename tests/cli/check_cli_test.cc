// `distlab check TRACE`: exit 0 when every property holds, 1 on a violation (naming
// both events), 2 on a file that is not a well-formed v1 trace (one line naming the
// file and the line).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing::check_cli_test {
namespace {

using Args = std::vector<std::string>;

// A header for hand-written traces: two nodes, simulated.
const std::string kHeader =
    R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":1,"nodes":[1,2],"time_unit":"ns"})";

std::string trace_of(const std::string& header, const std::vector<std::string>& events) {
  std::string text = header + "\n";
  for (const std::string& e : events) text += e + "\n";
  return text;
}

std::string sim_trace(const std::vector<std::string>& events) { return trace_of(kHeader, events); }

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("'" + from + "' not in '" + text + "'");
  return text.replace(at, from.size(), to);
}

class CheckCli : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& contents) const {
    const std::string path = dir_.file(name);
    write_file(path, contents);
    return path;
  }

  // A valid trace written by the binary itself.
  std::string make_trace(const std::string& name, const Args& args) const {
    return testing::make_trace(dir_, name, args);
  }

  TempDir dir_{"check"};
};

// exit 2, nothing on stdout, one stderr line naming the file (and the line, when > 0).
void expect_bad_trace(const RunResult& r, const std::string& path, std::size_t line, const std::string& says) {
  const std::string name = std::filesystem::path(path).filename();
  EXPECT_EQ(r.exit_code, 2) << name << ": " << r.out << r.err;
  EXPECT_EQ(r.out, "") << name;
  ASSERT_FALSE(r.err.empty()) << name;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << name << ": " << r.err;
  EXPECT_EQ(r.err.back(), '\n');
  EXPECT_NE(r.err.find(path), std::string::npos) << "the message does not name the file " << path << ": " << r.err;
  if (line > 0) {
    const std::regex names_line("(:|line )" + std::to_string(line) + "\\b");
    EXPECT_TRUE(std::regex_search(r.err, names_line)) << "the message does not name line " << line << ": " << r.err;
  }
  EXPECT_NE(r.err.find(says), std::string::npos) << "expected '" << says << "' in: " << r.err;
}

// ---- Valid traces ----

TEST_F(CheckCli, LamportTracePasses) {
  const std::string path = make_trace("lamport.jsonl", {"lamport", "--seed", "3"});
  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(path), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Check causality: pass"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Check clock condition: pass"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("vector clocks"), std::string::npos) << "no vector clocks in this trace:\n" << r.out;
}

TEST_F(CheckCli, VectorTracePassesTheVectorClockCheck) {
  const std::string path =
      make_trace("vector.jsonl", {"lamport", "--seed", "3", "--mode", "random", "--vector", "--nodes", "4"});
  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Check causality: pass"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Check clock condition: pass"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Check vector clocks: pass"), std::string::npos) << r.out;
}

TEST_F(CheckCli, TraceWithFaultsPasses) {
  const std::string path =
      make_trace("faults.jsonl", {"lamport", "--seed", "11", "--mode", "random", "--vector", "--nodes", "4",
                                  "--loss", "0.2", "--dup", "0.1", "--latency", "exp:20ms", "--no-fifo", "--crash",
                                  "2@1s", "--recover", "2@2.5s", "--partition", "1/3@0s..2s", "--faults", "2"});
  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
}

TEST_F(CheckCli, JsonPrintsOneObjectWithChecks) {
  const std::string path =
      make_trace("vector.jsonl", {"lamport", "--seed", "3", "--mode", "random", "--vector"});
  const RunResult r = run_distlab({"check", "--json", path});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(split_lines(r.out).size(), 1u) << r.out;
  const auto out = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object()) << r.out;
  ASSERT_TRUE(out.contains("checks") && out["checks"].is_object()) << r.out;
  EXPECT_EQ(out["checks"].value("causality", ""), "pass") << r.out;
  EXPECT_EQ(out["checks"].value("clock_condition", ""), "pass") << r.out;
  EXPECT_EQ(out["checks"].value("vector_clocks", ""), "pass") << r.out;
}

// In a real run each process has its own clock: `t` is not compared across nodes.
TEST_F(CheckCli, RealTraceMayReceiveAtAnEarlierTime) {
  const std::string header = replace_once(kHeader, R"("mode":"sim")", R"("mode":"real")");
  const std::string path = write(
      "real.jsonl",
      trace_of(header, {R"({"t":10,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app","lamport":1})",
                        R"({"t":5,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app","lamport":2})"}));
  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// ---- Malformed traces: exit 2 ----

struct BadTraceCase {
  std::string name;
  std::string contents;
  std::size_t line;  // 0: the message names no line
  std::string says;
};

void PrintTo(const BadTraceCase& c, std::ostream* os) { *os << c.name; }

class CheckBadTrace : public CheckCli, public ::testing::WithParamInterface<BadTraceCase> {};

TEST_P(CheckBadTrace, ExitsTwoNamingFileAndLine) {
  const BadTraceCase& c = GetParam();
  const std::string path = write(c.name + ".jsonl", c.contents);
  expect_bad_trace(run_distlab({"check", path}), path, c.line, c.says);
}

const std::string kLocal1 = R"({"t":0,"node":1,"kind":"local","lamport":1})";
const std::string kSend = R"({"t":0,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app","lamport":2})";

INSTANTIATE_TEST_SUITE_P(
    Cli, CheckBadTrace,
    ::testing::Values(
        BadTraceCase{"EmptyFile", "", 0, "empty"},
        BadTraceCase{"OnlyBlankLines", "\n  \n\n", 0, "empty"},
        BadTraceCase{"NotJson", "this is not json\n", 1, "JSON"},
        BadTraceCase{"EventNotJson", sim_trace({kLocal1, "{\"t\":1,"}), 3, "JSON"},
        BadTraceCase{"BlankLineAmongEvents", sim_trace({kLocal1, "", kSend}), 3, "empty line"},
        BadTraceCase{"Version2", trace_of(replace_once(kHeader, R"("version":1)", R"("version":2)"), {kLocal1}), 1,
                     "unsupported trace version 2"},
        BadTraceCase{"HeaderWithoutFormat",
                     trace_of(replace_once(kHeader, R"("format":"distlab-trace",)", ""), {kLocal1}), 1, "format"},
        BadTraceCase{"UnknownKind", sim_trace({kLocal1, R"({"t":1,"node":1,"kind":"teleport"})"}), 3, "teleport"},
        BadTraceCase{"NodeNotInHeader", sim_trace({R"({"t":0,"node":7,"kind":"local"})"}), 2, "node 7"},
        BadTraceCase{"RecvNeverSent",
                     sim_trace({kLocal1, R"({"t":5,"node":2,"kind":"recv","msg":"9.9","from":1,"type":"app"})"}), 3,
                     "never sent"},
        BadTraceCase{"MessageSentTwice",
                     sim_trace({kSend, R"({"t":1,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app"})"}), 3,
                     "sent twice"}),
    [](const ::testing::TestParamInfo<BadTraceCase>& info) { return info.param.name; });

TEST_F(CheckCli, MissingFileExitsTwo) {
  const std::string path = dir_.file("does_not_exist.jsonl");
  expect_bad_trace(run_distlab({"check", path}), path, 0, "cannot open");
}

TEST_F(CheckCli, TruncatedTraceExitsTwoAtTheCutLine) {
  const std::string valid = read_file(make_trace("full.jsonl", {"lamport", "--seed", "3"}));
  const auto lines = split_lines(valid);
  ASSERT_GT(lines.size(), 6u);
  // Keep five whole lines and half of the sixth, as a crash mid-write would.
  std::size_t cut = 0;
  for (std::size_t i = 0; i < 5; ++i) cut += lines[i].size() + 1;
  cut += lines[5].size() / 2;
  const std::string path = write("truncated.jsonl", valid.substr(0, cut));
  expect_bad_trace(run_distlab({"check", path}), path, 6, "JSON");
}

// ---- Violations: exit 1, both events named ----

struct ViolationCase {
  std::string name;
  std::string contents;
  std::string failing;  // the line of the failing check, e.g. "Check clock condition: FAIL"
  std::size_t first_line;
  std::size_t second_line;
  std::string json_name;  // the check's key in --json
};

void PrintTo(const ViolationCase& c, std::ostream* os) { *os << c.name; }

class CheckViolation : public CheckCli, public ::testing::WithParamInterface<ViolationCase> {};

bool names_line(const std::string& text, std::size_t line) {
  return std::regex_search(text, std::regex("line " + std::to_string(line) + "\\b"));
}

TEST_P(CheckViolation, ExitsOneNamingBothEvents) {
  const ViolationCase& c = GetParam();
  const std::string path = write(c.name + ".jsonl", c.contents);
  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  std::string failing_line;
  for (const std::string& line : split_lines(r.out)) {
    if (line.rfind(c.failing, 0) == 0) failing_line = line;
  }
  ASSERT_FALSE(failing_line.empty()) << "no '" << c.failing << "' in:\n" << r.out;
  EXPECT_TRUE(names_line(failing_line, c.first_line)) << "does not name line " << c.first_line << ": " << failing_line;
  EXPECT_TRUE(names_line(failing_line, c.second_line))
      << "does not name line " << c.second_line << ": " << failing_line;

  const RunResult json = run_distlab({"check", "--json", path});
  EXPECT_EQ(json.exit_code, 1) << json.out << json.err;
  const auto out = nlohmann::json::parse(json.out, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(out.is_object() && out.contains("checks")) << json.out;
  EXPECT_EQ(out["checks"].value(c.json_name, ""), "fail") << json.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cli, CheckViolation,
    ::testing::Values(
        ViolationCase{"RecvLamportNotAboveSend",
                      sim_trace({kLocal1, kSend, R"({"t":1,"node":2,"kind":"local","lamport":1})",
                                 R"({"t":5,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app","lamport":2})"}),
                      "Check clock condition: FAIL", 3, 5, "clock_condition"},
        ViolationCase{"LamportDecreasesAtANode",
                      sim_trace({kLocal1, R"({"t":0,"node":2,"kind":"local","lamport":1})",
                                 R"({"t":1,"node":1,"kind":"local","lamport":3})",
                                 R"({"t":1,"node":2,"kind":"local","lamport":2})",
                                 R"({"t":2,"node":1,"kind":"local","lamport":2})"}),
                      "Check clock condition: FAIL", 4, 6, "clock_condition"},
        ViolationCase{
            "RecvVectorClockMissesTheSender",
            sim_trace({R"({"t":0,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app","lamport":1,"vc":{"1":1}})",
                       R"({"t":1,"node":2,"kind":"local","lamport":1,"vc":{"2":1}})",
                       R"({"t":5,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app","lamport":2,"vc":{"2":2}})"}),
            "Check vector clocks: FAIL", 2, 4, "vector_clocks"},
        ViolationCase{"SimRecvBeforeItsSend",
                      sim_trace({kLocal1,
                                 R"({"t":10,"node":1,"kind":"send","msg":"1.1","to":2,"type":"app","lamport":2})",
                                 R"({"t":5,"node":2,"kind":"recv","msg":"1.1","from":1,"type":"app","lamport":3})"}),
                      "Check causality: FAIL", 3, 4, "causality"}),
    [](const ::testing::TestParamInfo<ViolationCase>& info) { return info.param.name; });

// A real run's trace with one recv's vector clock broken: the vector-clock check
// alone fails, and names that recv.
TEST_F(CheckCli, CorruptedVectorClockInARealTraceIsCaught) {
  const std::string valid = read_file(
      make_trace("vector.jsonl", {"lamport", "--seed", "5", "--mode", "random", "--vector", "--nodes", "4"}));
  auto lines = split_lines(valid);
  std::size_t recv_line = 0;
  for (std::size_t i = 1; i < lines.size() && recv_line == 0; ++i) {
    auto e = nlohmann::ordered_json::parse(lines[i]);
    if (e["kind"] != "recv") continue;
    const std::string sender = std::to_string(e["from"].get<int>());
    ASSERT_TRUE(e["vc"].contains(sender)) << "a correct recv vc includes its sender: " << lines[i];
    e["vc"].erase(sender);
    lines[i] = e.dump();
    recv_line = i + 1;
  }
  ASSERT_NE(recv_line, 0u) << "no recv in the trace";
  std::string corrupted;
  for (const std::string& line : lines) corrupted += line + "\n";
  const std::string path = write("corrupted.jsonl", corrupted);

  const RunResult r = run_distlab({"check", path});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("Check causality: pass"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Check clock condition: pass"), std::string::npos) << r.out;
  std::string failing;
  for (const std::string& line : split_lines(r.out)) {
    if (line.rfind("Check vector clocks: FAIL", 0) == 0) failing = line;
  }
  ASSERT_FALSE(failing.empty()) << r.out;
  EXPECT_TRUE(names_line(failing, recv_line)) << "the corrupted recv is line " << recv_line << ": " << failing;
}

}  // namespace
}  // namespace distlab::testing::check_cli_test

namespace distlab::testing::check_cli_test {
namespace {

// Runs distlab with stdout and stderr both on /dev/full: its exit code, or 128 + the
// signal that killed it.
int run_with_full_output(const std::vector<std::string>& args) {
  const std::string binary = DISTLAB_BINARY;
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/full", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/full", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Every error path aborted (exit 134) when stderr could not be written.
TEST(FullOutput, ErrorsExitWithTheirCodeNotAnAbort) {
  EXPECT_EQ(run_with_full_output({"check", "/nonexistent"}), 2);
  EXPECT_EQ(run_with_full_output({"no-such-command"}), 2);
  EXPECT_EQ(run_with_full_output({"lamport", "--nodes", "1"}), 2);
  EXPECT_EQ(run_with_full_output({"lamport", "--no-such-flag"}), 2);
  // Success whose output cannot be written: the output is lost, so exit 3.
  EXPECT_EQ(run_with_full_output({"lamport", "--seed", "1"}), 3);
}

}  // namespace
}  // namespace distlab::testing::check_cli_test
