// `distlab render TRACE -o FILE.html`, `--html FILE` on the run commands and the demo's
// report page: a page appears whole or not at all, and bad input is one line, exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing::render_cli_test {
namespace {

using Args = std::vector<std::string>;

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

class RenderCli : public ::testing::Test {
 protected:
  std::string make_trace(const std::string& name, const Args& args) const {
    return testing::make_trace(dir_, name, args);
  }

  TempDir dir_{"render"};
};

TEST_F(RenderCli, DrawsATraceAndSaysWhatItDrew) {
  const std::string trace = make_trace("l.jsonl", {"lamport", "--seed", "1", "--vector"});
  const std::string html = dir_.file("l.html");
  const RunResult r = run_distlab({"render", trace, "-o", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, html + ": " + trace + " drawn, 15 events (15 in detail), 5 messages, 3 lanes\n");
  const std::string page = read_file(html);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_EQ(count(page, "<svg class=\"diagram\""), 1u);
  EXPECT_EQ(count(page, "<g class=\"ev k-"), 15u);
  EXPECT_NE(page.find("[0,0,1]"), std::string::npos) << "vector times label the events";
}

TEST_F(RenderCli, SeveralTracesGoOnOnePageAndTheOutputIsTheSameEachTime) {
  const std::string a = make_trace("a.jsonl", {"bully", "--seed", "3"});
  const std::string b = make_trace("b.jsonl", {"snapshot", "--seed", "3"});
  ASSERT_EQ(run_distlab({"render", a, b, "-o", dir_.file("1.html")}).exit_code, 0);
  ASSERT_EQ(run_distlab({"render", a, b, "-o", dir_.file("2.html")}).exit_code, 0);
  const std::string page = read_file(dir_.file("1.html"));
  EXPECT_EQ(count(page, "<svg class=\"diagram\""), 2u);
  EXPECT_EQ(page, read_file(dir_.file("2.html")));
}

// Two runs of one scenario compared: drawn together, linked; fewer than two, more
// than four, or runs of two algorithms are refused before anything is written.
TEST_F(RenderCli, CompareDrawsRunsOfOneAlgorithmTogether) {
  const std::string a = make_trace("a.jsonl", {"bully", "--seed", "3"});
  const std::string b = make_trace("b.jsonl", {"bully", "--seed", "4"});
  const std::string html = dir_.file("c.html");
  const RunResult r = run_distlab({"render", a, b, "--compare", "-o", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count(r.out, " drawn, "), 2u) << r.out;
  const std::string page = read_file(html);
  EXPECT_EQ(count(page, "<svg class=\"diagram\""), 2u);
  EXPECT_EQ(count(page, "data-link=\"c1\""), 2u);
  EXPECT_NE(page.find("<h2>2 runs of bully compared</h2>"), std::string::npos);

  const std::string h = make_trace("h.jsonl", {"heartbeat", "--seed", "1"});
  const std::vector<std::pair<Args, std::string>> refused = {
      {{"render", a, "--compare", "-o", dir_.file("x.html")}, "got 1"},
      {{"render", a, b, a, b, a, "--compare", "-o", dir_.file("x.html")}, "got 5"},
      {{"render", a, h, "--compare", "-o", dir_.file("x.html")}, "is heartbeat"},
  };
  for (const auto& [args, says] : refused) {
    const RunResult bad = run_distlab(args);
    EXPECT_EQ(bad.exit_code, 2) << command_line(args) << ": " << bad.err;
    EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
    EXPECT_NE(bad.err.find(says), std::string::npos) << bad.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.file("x.html")));
}

TEST_F(RenderCli, ALongTraceIsThinnedAndThePageSaysSo) {
  const std::string trace = make_trace("h.jsonl", {"heartbeat", "--seed", "1"});
  const RunResult r = run_distlab({"render", trace, "-o", dir_.file("h.html"), "--max-events", "100"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(100 in detail, the rest as counts)"), std::string::npos) << r.out;
  const std::string page = read_file(dir_.file("h.html"));
  EXPECT_EQ(count(page, "<g class=\"ev k-"), 100u);
  EXPECT_NE(page.find("the first 100"), std::string::npos);
}

TEST_F(RenderCli, AMalformedOrTruncatedTraceIsExit2AndWritesNothing) {
  const std::string good = make_trace("g.jsonl", {"lamport", "--seed", "1"});
  const std::string text = read_file(good);
  const std::string truncated = dir_.file("truncated.jsonl");
  write_file(truncated, text.substr(0, text.size() - 20));  // the last line cut short
  const std::string garbage = dir_.file("garbage.jsonl");
  write_file(garbage, "not a trace\n");
  const TempDir out("render-out");
  for (const std::string& bad : {truncated, garbage, dir_.file("missing.jsonl")}) {
    // The good trace first: nothing is written until every input has been read.
    const RunResult r = run_distlab({"render", good, bad, "-o", out.file("page.html")});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(out.entries(), std::vector<std::string>{}) << "a file was left behind";
  }
}

TEST_F(RenderCli, BadOptionsAreExit2) {
  const std::string trace = make_trace("g.jsonl", {"lamport", "--seed", "1"});
  const std::vector<std::pair<Args, std::string>> cases = {
      {{"render"}, "TRACE is required"},
      {{"render", trace, "-o", dir_.file("x.html"), "--from", "soon"}, "soon"},
      {{"render", trace, "-o", dir_.file("x.html"), "--from", "2s", "--to", "1s"}, "before"},
      {{"render", trace, "-o", dir_.file("x.html"), "--max-events", "0"}, "--max-events"},
      {{"render", trace, "-o", dir_.file("no/such/dir/x.html")}, "cannot create"},
  };
  for (const auto& [args, says] : cases) {
    const RunResult r = run_distlab(args);
    EXPECT_EQ(r.exit_code, 2) << command_line(args) << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(says), std::string::npos) << command_line(args) << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.file("x.html")));
}

TEST_F(RenderCli, EveryRunCommandDrawsItsRunWithHtml) {
  for (const std::string command : {"lamport", "snapshot", "bully", "heartbeat"}) {
    const std::string html = dir_.file(command + ".html");
    const std::string trace = dir_.file(command + ".jsonl");
    const RunResult r = run_distlab({command, "--seed", "2", "--json", "--html", html, "--trace", trace});
    ASSERT_EQ(r.exit_code, 0) << command << ": " << r.err;
    EXPECT_EQ(r.out.front(), '{') << "--json output stays one object: " << r.out;
    // The same diagram as rendering the run's trace afterwards, heading aside.
    const RunResult rendered = run_distlab({"render", trace, "-o", dir_.file(command + "-rendered.html")});
    ASSERT_EQ(rendered.exit_code, 0) << rendered.err;
    const std::string page = read_file(html);
    const std::string again = read_file(dir_.file(command + "-rendered.html"));
    EXPECT_EQ(count(page, "<g class=\"ev k-"), count(again, "<g class=\"ev k-")) << command;
    EXPECT_EQ(count(page, "<line class=\"msg "), count(again, "<line class=\"msg ")) << command;
    EXPECT_GT(count(page, "<g class=\"ev k-"), 10u) << command;
  }
}

TEST_F(RenderCli, ABadHtmlPathFailsBeforeTheRun) {
  const RunResult r =
      run_distlab({"bully", "--seed", "2", "--html", dir_.file("no/such/dir/b.html"), "--trace", dir_.file("b.jsonl")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "") << "nothing ran";
  EXPECT_NE(r.err.find("cannot create"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("b.jsonl")));
}

TEST_F(RenderCli, TheDemoWritesOneReportWithEveryAlgorithmsScene) {
  const std::string html = dir_.file("demo.html");
  const RunResult r = run_distlab({"demo", "--html", html});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("The 5 runs, drawn as space-time diagrams: " + html), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("--trace"), std::string::npos) << "the report's traces are not shown in replay lines";
  const std::string page = read_file(html);
  EXPECT_EQ(count(page, "<svg class=\"diagram\""), 5u);
  const std::vector<std::string> titles{"Question 1: Lamport clocks", "Question 2: Chandy-Lamport global snapshot",
                                        "Question 3: Bully leader election", "Question 4: failure detection",
                                        "And one more: Ricart-Agrawala mutual exclusion"};
  std::size_t at = 0;
  for (const std::string& title : titles) {
    const std::size_t found = page.find(title, at);
    EXPECT_NE(found, std::string::npos) << title << " (in registry order)";
    if (found != std::string::npos) at = found;
  }
  EXPECT_EQ(count(page, "<table class=\"snapshot\""), 1u);

  const RunResult none = run_distlab({"demo", "--no-html"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_EQ(none.out.find("drawn as space-time diagrams"), std::string::npos);
}

}  // namespace
}  // namespace distlab::testing::render_cli_test
