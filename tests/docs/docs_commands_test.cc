// Every command in the README and docs/ runs as written from the repository root:
// each ```sh block's commands are taken out of the Markdown and run, in document
// order, in a scratch copy of the root (its folders linked, `build/distlab` this
// build's program), each within a minute, and must exit as the text says (0, or
// the code of a trailing `# exit N`). A block preceded by
// `<!-- not run by the docs test: REASON -->` is skipped, and must give its reason.
//
// In a ```sh block holding `$ ` lines, only those are commands (the rest is their
// output); otherwise every line that is not blank or a # comment is one. A line
// ending in a backslash continues on the next.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "../integration/process.h"

namespace distlab::testing::docs_commands_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Command {
  std::string text;
  int line = 0;  // in the Markdown file
  int exit_code = 0;
  std::vector<std::string> shown;  // the output shown under a `$ ` command
};

struct Extracted {
  std::vector<Command> commands;
  std::vector<std::string> problems;  // malformed markers
  int skipped_blocks = 0;
};

constexpr std::string_view kSkip = "<!-- not run by the docs test:";

Extracted extract(const fs::path& markdown) {
  std::ifstream in(markdown);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  Extracted out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].starts_with("```")) continue;
    const std::string tag = lines[i].substr(3);
    std::size_t end = i + 1;
    while (end < lines.size() && !lines[end].starts_with("```")) ++end;
    const bool skip = i > 0 && lines[i - 1].starts_with(kSkip);
    if (skip) {
      const std::string reason = lines[i - 1].substr(kSkip.size());
      if (reason.find_first_not_of(" ->") == std::string::npos || !reason.ends_with("-->")) {
        out.problems.push_back(fmt::format("line {}: a skipped block gives no reason", i));
      }
    }
    if (tag == "sh" && skip) ++out.skipped_blocks;
    if (tag == "sh" && !skip) {
      bool dollar = false;
      for (std::size_t j = i + 1; j < end; ++j) dollar = dollar || lines[j].starts_with("$ ");
      for (std::size_t j = i + 1; j < end; ++j) {
        std::string l = lines[j];
        const int at = static_cast<int>(j + 1);
        if (dollar) {
          if (!l.starts_with("$ ")) {
            if (!out.commands.empty() && out.commands.back().line > static_cast<int>(i)) {
              out.commands.back().shown.push_back(l);
            }
            continue;
          }
          l.erase(0, 2);
        }
        if (l.find_first_not_of(' ') == std::string::npos || l.starts_with("#")) continue;
        while (l.ends_with("\\") && j + 1 < end) {
          l.pop_back();
          l += " " + lines[++j];
        }
        Command c{.text = l, .line = at};
        static const std::regex exit_comment(R"(#\s*exit\s+(\d+)\s*$)");
        std::smatch m;
        if (std::regex_search(l, m, exit_comment)) c.exit_code = std::stoi(m[1]);
        out.commands.push_back(std::move(c));
      }
    }
    i = end;
  }
  return out;
}

// Whether every line shown under a command appears in what it printed, in order
// (lines may be left out between them); "..." within a line stands for any text, and
// a line of "..." alone for lines left out. Returns the first shown line not found.
std::optional<std::string> missing_line(const std::vector<std::string>& shown, const std::string& printed) {
  std::vector<std::string> lines;
  std::istringstream in(printed);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::size_t at = 0;
  for (const std::string& want : shown) {
    if (want == "..." || want.find_first_not_of(' ') == std::string::npos) continue;
    std::vector<std::string> parts;  // the pieces between the "..."s, in order
    for (std::size_t from = 0;;) {
      const std::size_t dots = want.find("...", from);
      parts.push_back(want.substr(from, dots == std::string::npos ? std::string::npos : dots - from));
      if (dots == std::string::npos) break;
      from = dots + 3;
    }
    auto matches = [&](const std::string& line) {
      std::size_t pos = 0;
      for (std::size_t k = 0; k < parts.size(); ++k) {
        if (k == 0 && !line.starts_with(parts[0])) return false;
        const std::size_t found = line.find(parts[k], pos);
        if (found == std::string::npos) return false;
        pos = found + parts[k].size();
      }
      return parts.size() > 1 || line == want;
    };
    while (at < lines.size() && !matches(lines[at])) ++at;
    if (at == lines.size()) return want;
    ++at;
  }
  return std::nullopt;
}

// A scratch copy of the repository root: its entries linked, except build/, which
// holds a link to this build's program (and whatever the commands write there).
fs::path scratch_root(const fs::path& dir) {
  const fs::path root(DISTLAB_SOURCE_DIR);
  fs::create_directories(dir / "build");
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (name == "build" || name.starts_with("build-") || name == ".git") continue;
    fs::create_directory_symlink(entry.path(), dir / name);
  }
  fs::create_symlink(DISTLAB_BINARY, dir / "build" / "distlab");
  return dir;
}

std::string tail(const std::string& text, std::size_t lines) {
  std::size_t at = text.size();
  for (std::size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n) at = text.rfind('\n', at - 1);
  // Ends at the text's start (fewer lines than asked, or none at all): all of it.
  return at == std::string::npos || (at == 0 && text[0] != '\n') ? text : text.substr(at + 1);
}

std::vector<std::string> documents() {
  std::vector<std::string> docs{"README.md"};
  std::vector<std::string> more;
  for (const auto& e : fs::directory_iterator(fs::path(DISTLAB_SOURCE_DIR) / "docs")) {
    if (e.path().extension() == ".md") more.push_back("docs/" + e.path().filename().string());
  }
  std::sort(more.begin(), more.end());
  docs.insert(docs.end(), more.begin(), more.end());
  return docs;
}

class DocsCommands : public ::testing::TestWithParam<std::string> {};

TEST_P(DocsCommands, RunAsWritten) {
  const fs::path markdown = fs::path(DISTLAB_SOURCE_DIR) / GetParam();
  const Extracted e = extract(markdown);
  for (const std::string& p : e.problems) ADD_FAILURE() << GetParam() << ": " << p;
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("distlab_docs_{}_{}", ::getpid(), markdown.stem().string());
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  const fs::path root = scratch_root(dir / "root");
  for (std::size_t i = 0; i < e.commands.size(); ++i) {
    const Command& c = e.commands[i];
    try {
      const auto start = std::chrono::steady_clock::now();
      Process shell({"/bin/sh", "-c", "cd \"$0\" && " + c.text, root.string()},
                    dir / fmt::format("command-{}", i));
      const int code = shell.wait(60s);
      EXPECT_EQ(code, c.exit_code) << GetParam() << ":" << c.line << ": " << c.text << "\n"
                                   << tail(shell.out(), 8) << tail(shell.err(), 8);
      if (const auto missing = missing_line(c.shown, shell.out() + shell.err())) {
        ADD_FAILURE() << GetParam() << ":" << c.line << ": " << c.text
                      << "\nshows a line it does not print:\n"
                      << *missing << "\nit printed:\n"
                      << tail(shell.out(), 20) << tail(shell.err(), 8);
      }
      const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (took > 2) fmt::print("{}:{}: {:.1f}s: {}\n", GetParam(), c.line, took, c.text);
    } catch (const std::exception& error) {
      ADD_FAILURE() << GetParam() << ":" << c.line << ": " << c.text << ": " << error.what();
    }
  }
  RecordProperty("commands", static_cast<int>(e.commands.size()));
  // A command's background process may still be writing there: never an exception.
  fs::remove_all(dir, ignored);
}

INSTANTIATE_TEST_SUITE_P(Docs, DocsCommands, ::testing::ValuesIn(documents()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& ch : name) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return name;
                         });

// The extraction itself, on a document written for it.
TEST(DocsExtraction, TakesTheCommandsTheRulesSayAndNothingElse) {
  const fs::path md = fs::temp_directory_path() / fmt::format("distlab_docs_rules_{}.md", ::getpid());
  std::ofstream(md) << "Text\n"
                       "```sh\n"
                       "# a comment\n"
                       "build/distlab lamport   # the seed's run\n"
                       "build/distlab bully --nodes 0   # exit 2\n"
                       "build/distlab check \\\n"
                       "  run.jsonl\n"
                       "```\n"
                       "```sh\n"
                       "$ build/distlab lamport --seed 1\n"
                       "Node 1 ...\n"
                       "```\n"
                       "```text\n"
                       "build/distlab never\n"
                       "```\n"
                       "<!-- not run by the docs test: it builds everything -->\n"
                       "```sh\n"
                       "make test\n"
                       "```\n"
                       "<!-- not run by the docs test: -->\n"
                       "```sh\n"
                       "make demo\n"
                       "```\n";
  const Extracted e = extract(md);
  fs::remove(md);
  ASSERT_EQ(e.commands.size(), 4u);
  EXPECT_EQ(e.commands[0].text, "build/distlab lamport   # the seed's run");
  EXPECT_EQ(e.commands[0].exit_code, 0);
  EXPECT_EQ(e.commands[1].exit_code, 2);
  EXPECT_EQ(e.commands[2].text, "build/distlab check    run.jsonl");
  EXPECT_EQ(e.commands[2].line, 6);
  EXPECT_EQ(e.commands[3].text, "build/distlab lamport --seed 1");
  EXPECT_EQ(e.commands[3].shown, std::vector<std::string>{"Node 1 ..."});
  EXPECT_TRUE(e.commands[0].shown.empty());
  EXPECT_EQ(e.skipped_blocks, 2);
  ASSERT_EQ(e.problems.size(), 1u) << "the second skip gives no reason";
}

TEST(DocsExtraction, ShownOutputMustBePrintedInOrder) {
  const std::string printed =
      "Exploring bully: 3 nodes, messages in order\nNo violation in 12 states\nMemory: 1 MiB\n";
  EXPECT_EQ(missing_line({"Exploring bully: ...", "...", "Memory: 1 MiB"}, printed), std::nullopt);
  EXPECT_EQ(missing_line({"No violation in ... states"}, printed), std::nullopt);
  EXPECT_EQ(missing_line({"Memory: 1 MiB", "Exploring bully: ..."}, printed), "Exploring bully: ...")
      << "order";
  EXPECT_EQ(missing_line({"No violation in 13 states"}, printed), "No violation in 13 states");
  EXPECT_EQ(missing_line({"No violation"}, printed), "No violation") << "a whole line, not a prefix";
}

}  // namespace
}  // namespace distlab::testing::docs_commands_test
