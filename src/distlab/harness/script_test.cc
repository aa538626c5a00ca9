// The scripts in testdata/<algorithm>/*.txt (harness/script.h), each file a test:
// every block's command runs and its output is compared with the one written below
// it. After a change on purpose, rewrite the outputs and review them:
//
//   make golden          # DISTLAB_UPDATE_GOLDEN=1 distlab_tests --gtest_filter='Scripts.*'
//   git diff testdata
#include "distlab/harness/script.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "distlab/algo/registry.h"

namespace distlab::harness {
namespace {

namespace fs = std::filesystem;

const fs::path kTestdata = DISTLAB_TESTDATA_DIR;

bool updating() {
  const char* update = std::getenv("DISTLAB_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<fs::path> all_scripts() {
  try {
    return find_scripts(kTestdata);
  } catch (const std::exception&) {
    return {};  // TestdataDirectories below names the problem
  }
}

class Scripts : public ::testing::TestWithParam<fs::path> {};

TEST_P(Scripts, OutputsMatch) {
  const fs::path& path = GetParam();
  const std::string algorithm = path.parent_path().filename().string();
  const std::string relative = fs::relative(path, kTestdata.parent_path()).string();
  const ScriptFile file = parse_script(read_text(path), relative);
  ASSERT_FALSE(file.blocks.empty()) << relative << ": no commands";
  const std::vector<std::string> outputs = run_script(file, algorithm);
  if (updating()) {
    const std::string text = render_script(file, outputs);
    if (text != read_text(path)) {
      write_text(path, text);
      std::cout << "[script] wrote " << relative << "\n";
    }
    return;
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    EXPECT_EQ(outputs[i], file.blocks[i].expected)
        << file.blocks[i].command.where << ": " << file.blocks[i].command.text
        << "\n(rewrite on purpose with make golden, then review git diff testdata)";
  }
}

INSTANTIATE_TEST_SUITE_P(, Scripts, ::testing::ValuesIn(all_scripts()),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.parent_path().filename().string() + "_" +
                                              info.param.stem().string();
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ScriptWalker, TestdataDirectoriesAreRegisteredAlgorithmsWithScripts) {
  std::vector<fs::path> scripts;
  ASSERT_NO_THROW(scripts = find_scripts(kTestdata));
  // Every registered algorithm with hooks has at least one script.
  algorithms::for_each([&]<class D>() {
    if constexpr (HasScriptHooks<D>) {
      const bool found = std::any_of(scripts.begin(), scripts.end(), [](const fs::path& p) {
        return p.parent_path().filename() == D::kName;
      });
      EXPECT_TRUE(found) << "no script in testdata/" << D::kName;
    }
  });
}

class ScratchDir : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("distlab_script_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(ScratchDir, ADirectoryThatIsNoAlgorithmFails) {
  fs::create_directories(root_ / "bully");
  fs::create_directories(root_ / "paxos");
  write_text(root_ / "paxos" / "a.txt", "nodes 3\n----\nok\n");
  try {
    find_scripts(root_);
    FAIL() << "a directory named paxos was accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'paxos' is not a registered algorithm"));
  }
}

TEST(ScriptParse, ACommandWithoutSeparatorNamesFileAndLine) {
  try {
    parse_script("# a comment\nnodes 3\n----\nok\n\ntick 1s\nstatus\n", "testdata/bully/x.txt");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("testdata/bully/x.txt:7: expected a line '----'"));
  }
}

TEST(ScriptParse, RenderKeepsCommentsAndReplacesOutputs) {
  const std::string text = "# intro\n\nnodes 3\n----\nold\n\n# more\ncheck\n----\n# trailing\n";
  const ScriptFile file = parse_script(text, "f.txt");
  ASSERT_EQ(file.blocks.size(), 2u);
  EXPECT_EQ(file.blocks[0].expected, "old\n");
  EXPECT_EQ(file.blocks[1].expected, "# trailing\n");  // output runs to the blank line
  EXPECT_EQ(render_script(file, {"a\n", "b\n"}), "# intro\n\nnodes 3\n----\na\n\n# more\ncheck\n----\nb\n");
}

ScriptCommand parse_one(const std::string& line) {
  return parse_script(line + "\n----\n", "t.txt").blocks.at(0).command;
}

TEST(ScriptRun, AnUnknownCommandOrOptionNamesFileAndLine) {
  auto runner = make_script_runner("bully");
  ASSERT_NE(runner, nullptr);
  EXPECT_THROW(runner->run(parse_one("tick 1s")), InputError);  // before nodes
  runner->run(parse_one("nodes 3"));
  try {
    runner->run(parse_one("teleport 3"));
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("t.txt:1: teleport 3: unknown command 'teleport'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("elect"));
  }
  EXPECT_THROW(runner->run(parse_one("deliver from=x")), InputError);
  EXPECT_THROW(runner->run(parse_one("deliver via=2")), InputError);
  EXPECT_THROW(runner->run(parse_one("tick soon")), InputError);
  EXPECT_THROW(make_script_runner("bully")->run(parse_one("nodes 3 colour=red")), InputError);
  EXPECT_EQ(make_script_runner("paxos"), nullptr);
}

TEST(ScriptRun, AStateThatForbidsACommandIsPrintedAsRefused) {
  auto runner = make_script_runner("ricart");
  runner->run(parse_one("nodes 2 think=1h"));
  EXPECT_EQ(runner->run(parse_one("crash 2")), "2: crash\n");
  EXPECT_EQ(runner->run(parse_one("crash 2")), "refused: node 2 is crashed\n");
  EXPECT_EQ(runner->run(parse_one("request 7")), "refused: no node 7\n");
}

TEST(ScriptRun, DeliveryToACrashedNodeIsADrop) {
  auto runner = make_script_runner("lamport");
  runner->run(parse_one("nodes 2"));
  runner->run(parse_one("send 1 2"));
  runner->run(parse_one("crash 2"));
  EXPECT_EQ(runner->run(parse_one("deliver")), "2: drop app 1.1 -> 2 (crashed)\n");
  EXPECT_EQ(runner->run(parse_one("deliver")), "no message to deliver\n");
}

TEST(ScriptRun, DropLosesTheOldestMatchingMessagesAtTheSender) {
  auto runner = make_script_runner("lamport");
  runner->run(parse_one("nodes 3"));
  runner->run(parse_one("send 1 2"));
  runner->run(parse_one("send 1 3"));
  runner->run(parse_one("send 1 2"));
  EXPECT_EQ(runner->run(parse_one("drop to=2 1")), "1: drop app 1.1 -> 2 (loss)\n");
  EXPECT_EQ(runner->run(parse_one("deliver to=2")), "2: recv app 1.3 <- 1 lamport=7\n");
  EXPECT_EQ(runner->run(parse_one("drop from=2")), "no message to drop\n");
}

// An algorithm without hooks still gets the generic commands, its nodes built as
// Node(id, {}).
TEST(ScriptRun, DefaultHooksDriveANodeWithTheGenericCommands) {
  ScriptEnv<DefaultScriptHooks<ricart::RicartNode>> env("ricart");
  const std::string started = env.run(parse_one("nodes 2"));
  EXPECT_THAT(started, ::testing::HasSubstr("1: set think in "));
  EXPECT_THROW(env.run(parse_one("request 1")), InputError);  // no hooks, no stimuli
  // The default think time is short: the first timer makes a request.
  EXPECT_THAT(env.run(parse_one("run 1s")), ::testing::HasSubstr("note {\"mutex\":\"enter\""));
  EXPECT_THAT(env.run(parse_one("check")), ::testing::HasSubstr("mutual_exclusion: pass"));
}

}  // namespace
}  // namespace distlab::harness
