// `distlab export --shiviz TRACE... -o FILE`: a ShiViz log of one or more runs; bad
// input is exit 2 with one line on stderr and no file left behind. That ShiViz
// accepts the log is checked on the same exports in src/distlab/harness/shiviz_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing::export_cli_test {
namespace {

using Args = std::vector<std::string>;

const std::string kParserLine = R"((?<host>\S+) (?<clock>\{[^}]*\}) (?<event>.*))";
const std::string kDelimiterLine = R"(^=== (?<trace>.*) ===$)";

class ExportCli : public ::testing::Test {
 protected:
  std::string make_trace(const std::string& name, const Args& args) const {
    return testing::make_trace(dir_, name, args);
  }

  // exit 2, one line on stderr that names `names`, nothing written.
  void expect_refused(const Args& args, const std::string& names) const {
    const std::vector<std::string> before = dir_.entries();
    const RunResult r = run_distlab(args);
    EXPECT_EQ(r.exit_code, 2) << command_line(args) << "\n" << r.out << r.err;
    EXPECT_EQ(r.out, "") << command_line(args);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(names), std::string::npos) << "expected '" << names << "' in: " << r.err;
    EXPECT_EQ(dir_.entries(), before) << command_line(args) << " left a file behind";
  }

  TempDir dir_{"export"};
};

TEST_F(ExportCli, ASimulatedRunBecomesAShivizLog) {
  const std::string trace = make_trace("l.jsonl", {"lamport", "--seed", "1"});
  const std::string out = dir_.file("run.log");
  const RunResult r = run_distlab({"export", "--shiviz", trace, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, out + ": ShiViz log of 1 run, 3 hosts, 15 events\n");
  const auto lines = split_lines(read_file(out));
  ASSERT_GE(lines.size(), 5u);
  EXPECT_EQ(lines[0], kParserLine);
  EXPECT_EQ(lines[1], kDelimiterLine);
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "=== l.jsonl: lamport sim, seed 1 ===");
  EXPECT_EQ(lines[4], R"(n3 {"n3":1} local [t=0s lamport=1])");
  EXPECT_EQ(
      std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return l.starts_with("n"); }), 15);
  EXPECT_EQ(dir_.entries(), (std::vector<std::string>{"l.jsonl", "run.log"}));
}

TEST_F(ExportCli, SameTraceSameLog) {
  const std::string trace =
      make_trace("l.jsonl", {"lamport", "--seed", "4", "--mode", "random", "--loss", "0.2"});
  const RunResult a = run_distlab({"export", "--shiviz", trace, "-o", "-"});
  const RunResult b = run_distlab({"export", "--shiviz", trace, "-o", "-"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_TRUE(a.out.starts_with(kParserLine + "\n")) << a.out;
  // On stdout the log is the output; the summary goes to stderr.
  EXPECT_NE(a.err.find("stdout: ShiViz log of 1 run"), std::string::npos) << a.err;
}

TEST_F(ExportCli, TwoRunsGoInOneFileEachUnderItsDelimiter) {
  const std::string sim = make_trace("sim.jsonl", {"lamport", "--seed", "2"});
  const std::string other = make_trace("other.jsonl", {"bully", "--seed", "2", "--nodes", "4"});
  const std::string out = dir_.file("both.log");
  const RunResult r = run_distlab({"export", "--shiviz", sim, other, "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ShiViz log of 2 runs, 4 hosts,"), std::string::npos) << r.out;
  std::vector<std::string> delimiters;
  for (const std::string& line : split_lines(read_file(out))) {
    if (line.starts_with("=== ")) delimiters.push_back(line);
  }
  EXPECT_EQ(delimiters, (std::vector<std::string>{"=== sim.jsonl: lamport sim, seed 2 ===",
                                                  "=== other.jsonl: bully sim, seed 2 ==="}));
}

TEST_F(ExportCli, BadInputIsExitTwoAndNoFile) {
  const std::string good = make_trace("good.jsonl", {"lamport", "--seed", "1"});
  const std::string truncated = dir_.file("truncated.jsonl");
  const std::string text = read_file(good);
  write_file(truncated, text.substr(0, text.find('\n', text.size() / 2) - 5));  // a line cut short
  const std::string out = dir_.file("out.log");
  expect_refused({"export", "--shiviz", good, truncated, "-o", out}, "truncated.jsonl");
  expect_refused({"export", "--shiviz", dir_.file("missing.jsonl"), "-o", out}, "missing.jsonl");
  const std::string garbage = dir_.file("garbage.jsonl");
  write_file(garbage, "not json\n");
  expect_refused({"export", "--shiviz", garbage, "-o", out}, "garbage.jsonl");
  // A header and no events: nothing ShiViz could show.
  const std::string empty = dir_.file("empty.jsonl");
  write_file(empty, split_lines(text)[0] + "\n");
  expect_refused({"export", "--shiviz", empty, "-o", out}, "empty.jsonl");
  // An existing file is left as it was.
  write_file(out, "before\n");
  const RunResult r = run_distlab({"export", "--shiviz", garbage, "-o", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(read_file(out), "before\n");
}

TEST_F(ExportCli, FormatAndOutputAreRequired) {
  const std::string trace = make_trace("l.jsonl", {"lamport", "--seed", "1"});
  expect_refused({"export", trace, "-o", dir_.file("out.log")}, "--shiviz");
  expect_refused({"export", "--shiviz", trace}, "--output");
}

TEST_F(ExportCli, HelpNamesTheFormatAndTheOptions) {
  const RunResult top = run_distlab({"--help"});
  EXPECT_NE(top.out.find("export"), std::string::npos) << top.out;
  const RunResult r = run_distlab({"export", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* text : {"--shiviz", "the only format", "-o,--output", "TRACE", "ShiViz"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << "export --help does not say " << text << ":\n" << r.out;
  }
}

}  // namespace
}  // namespace distlab::testing::export_cli_test
