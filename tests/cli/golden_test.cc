// Golden outputs of the seed scenarios, and parity with the seed assignment's transcript.
//
// A golden test runs a command and compares its stdout byte for byte with a file in
// tests/golden/. To change a golden on purpose, regenerate it and review the diff:
//
//   make golden          # DISTLAB_UPDATE_GOLDEN=1 distlab_cli_tests --gtest_filter='Golden*'
//   git diff tests/golden
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "run.h"

namespace distlab::testing {
namespace {

bool updating_goldens() {
  const char* update = std::getenv("DISTLAB_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

// Where two texts first differ, by line, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
  const auto want = split_lines(expected);
  const auto got = split_lines(actual);
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string w = i < want.size() ? "\"" + want[i] + "\"" : "(end of golden file)";
    const std::string g = i < got.size() ? "\"" + got[i] + "\"" : "(end of output)";
    if (w != g) return "first difference at line " + std::to_string(i + 1) + ":\n  golden: " + w + "\n  actual: " + g;
  }
  // Same lines: the difference is in a trailing newline.
  return "the texts differ only in the final newline (golden " + std::to_string(expected.size()) +
         " bytes, actual " + std::to_string(actual.size()) + " bytes)";
}

// Runs the command; compares its stdout with tests/golden/<name>, or rewrites that
// file when DISTLAB_UPDATE_GOLDEN=1.
void expect_golden(const std::string& name, const std::vector<std::string>& args) {
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
  ASSERT_EQ(r.err, "") << command_line(args);
  ASSERT_FALSE(r.out.empty()) << command_line(args);
  const std::filesystem::path golden = std::filesystem::path(DISTLAB_GOLDEN_DIR) / name;
  if (updating_goldens()) {
    write_file(golden, r.out);
    std::cout << "[golden] wrote " << golden.string() << " (" << command_line(args) << ")\n";
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden))
      << golden.string() << " is missing; create it with `make golden` and review it";
  const std::string expected = read_file(golden);
  EXPECT_TRUE(expected == r.out) << command_line(args) << " no longer matches " << golden.string() << "\n"
                                 << first_difference(expected, r.out)
                                 << "\nIf the change is intended: make golden, then review `git diff tests/golden`.";
}

TEST(Golden, LamportSeedScenarioPortuguese) {
  expect_golden("lamport_seed_pt.txt", {"lamport", "--seed", "2379", "--lang", "pt"});
}

TEST(Golden, LamportSeedScenarioEnglish) {
  expect_golden("lamport_seed_en.txt", {"lamport", "--seed", "2379"});
}

TEST(Golden, LamportRandomModeWithVectorClocks) {
  expect_golden("lamport_random_vector_seed7.txt",
                {"lamport", "--seed", "7", "--mode", "random", "--vector", "--nodes", "4", "--rounds", "4"});
}

// The output of the seed's lamport_simulation.py, as printed in the assignment
// (question 1). Between rounds it printed a blank line, the separator, a blank line.
const std::vector<std::string> kSeedTranscript = {
    "Nó 2 executou um evento local. Timestamp: 1",
    "Nó 2 enviou uma mensagem com timestamp 2",
    "Nó 1 recebeu uma mensagem. Novo relógio: 3",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 3 executou um evento local. Timestamp: 1",
    "Nó 3 enviou uma mensagem com timestamp 2",
    "Nó 1 recebeu uma mensagem. Novo relógio: 4",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 3 executou um evento local. Timestamp: 3",
    "Nó 3 enviou uma mensagem com timestamp 4",
    "Nó 2 recebeu uma mensagem. Novo relógio: 5",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 3 executou um evento local. Timestamp: 5",
    "Nó 3 enviou uma mensagem com timestamp 6",
    "Nó 2 recebeu uma mensagem. Novo relógio: 7",
    "",
    "----- (Aguardando nova mensagem ...) -----",
    "",
    "Nó 2 executou um evento local. Timestamp: 8",
    "Nó 2 enviou uma mensagem com timestamp 9",
    "Nó 1 recebeu uma mensagem. Novo relógio: 10",
};

// The transcript as one block of text, each line ending in '\n'.
std::string transcript_text() {
  std::string text;
  for (const std::string& line : kSeedTranscript) text += line + "\n";
  return text;
}

TEST(SeedParity, LamportPortugueseStartsWithTheSeedTranscript) {
  const std::vector<std::string> args = {"lamport", "--seed", "2379", "--lang", "pt"};
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), kSeedTranscript.size()) << r.out;
  for (std::size_t i = 0; i < kSeedTranscript.size(); ++i) {
    EXPECT_EQ(lines[i], kSeedTranscript[i]) << "line " << i + 1 << " of " << command_line(args);
  }
  // The seed ran five rounds and stopped: no further round follows the transcript.
  std::size_t separators = 0;
  for (const std::string& line : lines) separators += line == kSeedTranscript[4] ? 1 : 0;
  EXPECT_EQ(separators, 4u) << r.out;
}

TEST(SeedParity, DemoPortugueseContainsTheSeedTranscript) {
  const RunResult r = run_distlab({"demo", "--lang", "pt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find(transcript_text()), std::string::npos)
      << "distlab demo --lang pt does not contain the seed transcript:\n"
      << r.out;
}

// ---- Question 2: Chandy-Lamport snapshots ----

TEST(Golden, SnapshotSeedScenarioPortuguese) {
  expect_golden("snapshot_seed6_pt.txt", {"snapshot", "--seed", "6", "--lang", "pt"});
}

TEST(Golden, SnapshotSeedScenarioEnglish) {
  expect_golden("snapshot_seed6_en.txt", {"snapshot", "--seed", "6"});
}

TEST(Golden, SnapshotBankThreeOverlappingSnapshots) {
  expect_golden("snapshot_bank_seed3_3snapshots.txt",
                {"snapshot", "--seed", "3", "--scenario", "bank", "--snapshots", "3"});
}

TEST(Golden, SnapshotBankRandomTopologyQuiet) {
  expect_golden("snapshot_bank_random6_seed5_quiet.txt", {"snapshot", "--seed", "5", "--scenario", "bank",
                                                          "--topology", "random", "--nodes", "6", "--snapshots",
                                                          "2", "--quiet"});
}

const std::vector<std::string> kSnapshotSeedArgs = {"snapshot", "--seed", "6", "--lang", "pt"};

// The first moves of the seed's chandy_lamport_snapshot_sim.py, as printed in the
// assignment (question 2), word for word.
const std::vector<std::string> kSnapshotSeedOpening = {
    "Jogador 1 enviou 'Ataque' para Jogador 2",
    "Jogador 2 recebeu 'Ataque' de Jogador 1",
    "Jogador 2 enviou 'Defesa' para Jogador 3",
    "Jogador 3 recebeu 'Defesa' de Jogador 2",
};

TEST(SeedParity, SnapshotPortugueseHasTheAssignmentsLines) {
  const RunResult r = run_distlab(kSnapshotSeedArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), kSnapshotSeedOpening.size()) << r.out;
  for (std::size_t i = 0; i < kSnapshotSeedOpening.size(); ++i) {
    EXPECT_EQ(lines[i], kSnapshotSeedOpening[i]) << "line " << i + 1 << " of " << command_line(kSnapshotSeedArgs);
  }

  // "\n[SNAPSHOT] Jogador 2 iniciou a captura de estado global\n", once.
  const std::string started = "[SNAPSHOT] Jogador 2 iniciou a captura de estado global";
  const auto at = std::find(lines.begin(), lines.end(), started);
  ASSERT_NE(at, lines.end()) << r.out;
  EXPECT_EQ(std::count(lines.begin(), lines.end(), started), 1) << r.out;
  ASSERT_TRUE(at != lines.begin() && at + 1 != lines.end()) << r.out;
  EXPECT_EQ(*(at - 1), "") << "a blank line before the [SNAPSHOT] line";
  EXPECT_EQ(*(at + 1), "") << "a blank line after the [SNAPSHOT] line";
  EXPECT_NE(std::find(at, lines.end(), "Jogador 2 enviou MARCADOR para Jogador 1"), lines.end()) << r.out;

  // The moves of the seed's second batch, after the snapshot started, in its order.
  auto next = at;
  for (const char* move : {"Jogador 1 enviou 'Toma Poção' para Jogador 3", "Jogador 2 enviou 'Defesa' para Jogador 3",
                           "Jogador 3 enviou 'Vida baixa. Use a poção!' para Jogador 2",
                           "Jogador 3 enviou 'Ataque' para Jogador 1"}) {
    next = std::find(next, lines.end(), move);
    ASSERT_NE(next, lines.end()) << "'" << move << "' missing or out of order:\n" << r.out;
  }

  // Each player but the initiator saves its state on its first marker; each player's
  // global state shows the state it saved and the channels into it.
  const std::string state = R"(\{'vida': \d+, 'pontuacao': \d+, 'itens': \[)"
                            R"('(?:espada|escudo|poção|arco|flecha)', '(?:espada|escudo|poção|arco|flecha)'\]\})";
  const std::regex saved("^Jogador ([123]) recebeu MARCADOR de ([123]) e salvou estado: (" + state + ")$");
  const std::regex global(R"(^\[ESTADO GLOBAL\] Jogador ([123]): Estado = ()" + state +
                          R"(), Canais = \{([123]): \[.*\], ([123]): \[.*\]\}$)");
  std::map<std::string, std::string> saved_states;
  std::map<std::string, std::string> global_states;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, saved)) {
      EXPECT_NE(m[1].str(), m[2].str()) << lines[i];
      EXPECT_TRUE(saved_states.emplace(m[1].str(), m[3].str()).second) << "saved twice: " << lines[i];
    }
    if (std::regex_match(lines[i], m, global)) {
      EXPECT_TRUE(global_states.emplace(m[1].str(), m[2].str()).second) << "twice: " << lines[i];
      std::set<std::string> others{"1", "2", "3"};
      others.erase(m[1].str());
      EXPECT_EQ(m[3].str(), *others.begin()) << lines[i];
      EXPECT_EQ(m[4].str(), *others.rbegin()) << lines[i];
      EXPECT_EQ(lines.at(i - 1), "") << "the seed prints a blank line before each global state";
    }
  }
  EXPECT_EQ(saved_states.size(), 2u) << "players 1 and 3 save their state on a marker:\n" << r.out;
  EXPECT_FALSE(saved_states.contains("2")) << "player 2 initiated; it saves no state on a marker";
  ASSERT_EQ(global_states.size(), 3u) << "one [ESTADO GLOBAL] line per player:\n" << r.out;
  for (const auto& [player, saved_state] : saved_states) {
    EXPECT_EQ(global_states[player], saved_state) << "player " << player << "'s global state is the one it saved";
  }
}

// The assignment's output got two channel states right: 'Ataque' in flight 3->1 and
// 'Vida baixa. Use a poção!' in flight 3->2. Seed 6 reproduces them.
TEST(SeedParity, SnapshotSeed6HasTheAssignmentsRightChannelStates) {
  const RunResult r = run_distlab(kSnapshotSeedArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> ends;
  for (const std::string& line : split_lines(r.out)) {
    const std::string prefix = "[ESTADO GLOBAL] Jogador ";
    if (line.rfind(prefix, 0) == 0) ends[line.substr(prefix.size(), 1)] = line.substr(line.find(", Canais = "));
  }
  EXPECT_EQ(ends["1"], ", Canais = {2: [], 3: ['Ataque']}") << r.out;
  EXPECT_EQ(ends["2"], ", Canais = {1: [], 3: ['Vida baixa. Use a poção!']}") << r.out;
  // The seed put 'Toma Poção' on 1->3 and 'Defesa' on 2->3: both were received before
  // player 3 recorded, or sent after player 2 did. Chandy-Lamport records neither.
  EXPECT_EQ(ends["3"], ", Canais = {1: [], 2: []}") << r.out;
}

TEST(SeedParity, DemoPortugueseContainsTheSnapshotScenario) {
  const RunResult demo = run_distlab({"demo", "--lang", "pt"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const RunResult snapshot = run_distlab(kSnapshotSeedArgs);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.err;
  EXPECT_NE(demo.out.find(snapshot.out), std::string::npos)
      << "distlab demo --lang pt does not contain the whole output of " << command_line(kSnapshotSeedArgs) << ":\n"
      << demo.out;
}

// ---- Question 3: Bully leader election ----

TEST(Golden, BullySeedScenarioPortuguese) {
  expect_golden("bully_seed214_pt.txt", {"bully", "--seed", "214", "--lang", "pt"});
}

TEST(Golden, BullySeedScenarioEnglish) { expect_golden("bully_seed214_en.txt", {"bully", "--seed", "214"}); }

TEST(Golden, BullyHealedPartitionQuiet) {
  expect_golden("bully_partition_seed3_quiet.txt",
                {"bully", "--seed", "3", "--partition", "1,2,3/4,5@1.5s..2.5s", "--quiet"});
}

TEST(Golden, BullyEightNodesLowestStartsNoHeartbeat) {
  expect_golden("bully_8nodes_starter1_seed2.txt",
                {"bully", "--nodes", "8", "--starter", "1", "--fail-leader", "off", "--no-heartbeat", "--seed", "2"});
}

const std::vector<std::string> kBullySeedArgs = {"bully", "--seed", "214", "--lang", "pt"};

// One step of the seed's story: a line, or several lines in any order (each after the
// previous step; the next step comes after all of them). `blank_around`: the seed
// printed an empty line before and after it.
struct StoryStep {
  std::vector<std::string> lines;
  bool blank_around = false;
  bool prefix = false;  // match lines starting with the text
};

// Walks `lines` through `steps` in order; other lines may come in between. Returns
// what went wrong, or "".
std::string follow_story(const std::vector<std::string>& lines, const std::vector<StoryStep>& steps) {
  std::size_t at = 0;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    std::size_t next = at;
    for (const std::string& want : steps[s].lines) {
      auto found = std::find_if(lines.begin() + static_cast<std::ptrdiff_t>(at), lines.end(),
                                [&](const std::string& l) { return steps[s].prefix ? l.rfind(want, 0) == 0 : l == want; });
      if (found == lines.end()) {
        return "step " + std::to_string(s + 1) + ": '" + want + "' not found after line " + std::to_string(at);
      }
      const std::size_t i = static_cast<std::size_t>(found - lines.begin());
      if (steps[s].blank_around && (i == 0 || i + 1 >= lines.size() || !lines[i - 1].empty() || !lines[i + 1].empty())) {
        return "step " + std::to_string(s + 1) + ": '" + want + "' (line " + std::to_string(i + 1) +
               ") needs an empty line before and after it";
      }
      next = std::max(next, i + 1);
    }
    at = next;
  }
  return "";
}

// The seed's transcript of question 3 (bully_sim.py), in distlab's words: the same
// sentences and the same story, with the messages a real network adds in between.
TEST(SeedParity, BullyPortugueseTellsTheSeedsStory) {
  const RunResult r = run_distlab(kBullySeedArgs);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto recognise = [](const std::string& leader, std::vector<int> nodes) {
    StoryStep step;
    for (int n : nodes) step.lines.push_back("Nó " + std::to_string(n) + " reconhece o " + leader + " como líder.");
    return step;
  };
  const std::vector<StoryStep> story = {
      {{"Nó 3 iniciou uma eleição."}},
      {{"Nó 3 -> Nó 4: Você tem um ID maior?"}},
      {{"Nó 4 iniciou uma eleição."}},
      {{"Nó 4 -> Nó 5: Você tem um ID maior?"}},
      {{"Nó 5 tornou-se o novo líder!"}, true},
      recognise("5", {1, 2, 3, 4}),
      {{"Nó 5 falhou!"}, true},
      {{"Nó 3 detectou a falha de 5"}, false, true},
      {{"Nó 3 iniciou uma eleição."}},
      {{"Nó 3 -> Nó 4: Você tem um ID maior?"}},
      {{"Nó 4 iniciou uma eleição."}},
      {{"Nó 4 tornou-se o novo líder!"}, true},
      recognise("4", {1, 2, 3}),
      {{"Nó 5 voltou a funcionar."}, true},
      {{"Nó 5 iniciou uma eleição."}},
      {{"Nó 5 tornou-se o novo líder!"}, true},
      recognise("5", {1, 2, 3, 4}),
      {{"Líder final: 5."}},
  };
  const std::string problem = follow_story(split_lines(r.out), story);
  EXPECT_EQ(problem, "") << command_line(kBullySeedArgs) << ":\n" << r.out;

  // Each leader is announced once per election it wins: 5, 4, then 5 again.
  const auto lines = split_lines(r.out);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "Nó 5 tornou-se o novo líder!"), 2) << r.out;
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "Nó 4 tornou-se o novo líder!"), 1) << r.out;
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "Nó 5 falhou!"), 1) << r.out;
  // Only node 3 noticed, as in the seed's run.
  std::size_t noticed = 0;
  for (const std::string& l : lines) noticed += l.find("detectou a falha") != std::string::npos ? 1 : 0;
  EXPECT_EQ(noticed, 1u) << r.out;
  // A dead node recognises nobody: 5 is down while 4 leads.
  EXPECT_EQ(std::find(lines.begin(), lines.end(), "Nó 5 reconhece o 4 como líder."), lines.end()) << r.out;
}

TEST(SeedParity, DemoPortugueseContainsTheBullyScenario) {
  const RunResult demo = run_distlab({"demo", "--lang", "pt"});
  ASSERT_EQ(demo.exit_code, 0) << demo.err;
  const RunResult bully = run_distlab(kBullySeedArgs);
  ASSERT_EQ(bully.exit_code, 0) << bully.err;
  EXPECT_NE(demo.out.find(bully.out), std::string::npos)
      << "distlab demo --lang pt does not contain the whole output of " << command_line(kBullySeedArgs) << ":\n"
      << demo.out;
}


// ---- Question 4: heartbeat failure detection and failover ----
//
// Hand-checked against --trace: with --seed 1 the script's crashes (3 at 20 s, 1 at
// 40 s, 2 at 80 s, 4 at 100 s, 1 at 120 s) are suspected at 27, 46, 90, 110 and 126 s
// (fixed timeout) and at 25, 45, 88, 107 and 126 s (phi), and every redirect names the
// lowest-id node the monitor trusts at that moment.

TEST(Golden, HeartbeatSeedScenarioPortuguese) {
  expect_golden("heartbeat_seed1_pt.txt", {"heartbeat", "--seed", "1", "--lang", "pt"});
}

TEST(Golden, HeartbeatSeedScenarioEnglish) { expect_golden("heartbeat_seed1_en.txt", {"heartbeat", "--seed", "1"}); }

TEST(Golden, HeartbeatPhiQuiet) {
  expect_golden("heartbeat_phi_seed1_quiet.txt", {"heartbeat", "--seed", "1", "--detector", "phi", "--quiet"});
}

TEST(Golden, HeartbeatLossQuiet) {
  expect_golden("heartbeat_loss_seed3_quiet.txt", {"heartbeat", "--seed", "3", "--loss", "0.1", "--quiet"});
}

TEST(Golden, HeartbeatTable) {
  expect_golden("heartbeat_table_seed1.txt", {"heartbeat", "--table", "--runs", "5", "--seed", "1"});
}

TEST(Golden, HeartbeatTablePhiWithLoss) {
  expect_golden("heartbeat_table_phi_loss_seed1.txt",
                {"heartbeat", "--table", "--runs", "5", "--seed", "1", "--detector", "phi", "--loss", "0.05"});
}

// The seed's monitor.py, line for line: on each failure "No N falhou! Nenhum heartbeat
// recebido.", "O servidor do nó N foi interrompido.", then the redirect to the lowest
// node still alive, or the critical alert, each followed by an empty line. Who is
// alive is read from the narrative's own "[T] nó N caiu/voltou (simulado)" lines.
void expect_seed_failure_lines(const std::vector<std::string>& args) {
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << command_line(args) << "\n" << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = split_lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "Aguardando Heartbeats...") << command_line(args);
  std::set<int> live = {1, 2, 3, 4};
  const std::regex crashed(R"(\[\d+s\] nó (\d+) caiu \(simulado\))");
  const std::regex back(R"(\[\d+s\] nó (\d+) voltou \(simulado\))");
  const std::regex failed(R"(No (\d+) falhou! Nenhum heartbeat recebido\.)");
  std::vector<int> failures;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, crashed)) live.erase(std::stoi(m[1]));
    if (std::regex_match(lines[i], m, back)) live.insert(std::stoi(m[1]));
    if (!std::regex_match(lines[i], m, failed)) continue;
    const std::string n = m[1];
    failures.push_back(std::stoi(n));
    ASSERT_LT(i + 3, lines.size()) << command_line(args);
    EXPECT_EQ(lines[i + 1], "O servidor do nó " + n + " foi interrompido.") << command_line(args);
    const std::string redirect = live.empty() ? "Crítico: nenhum nó disponível para redirecionamento."
                                              : "Pedidos de compra redirecionados para o nó " +
                                                    std::to_string(*live.begin()) + ".";
    EXPECT_EQ(lines[i + 2], redirect) << command_line(args) << ", line " << i + 3;
    EXPECT_EQ(lines[i + 3], "") << "the seed prints an empty line after the redirect";
  }
  EXPECT_EQ(failures, (std::vector<int>{3, 1, 2, 4, 1})) << command_line(args) << ":\n" << r.out;
  const std::string critical = "Crítico: nenhum nó disponível para redirecionamento.";
  EXPECT_EQ(std::count(lines.begin(), lines.end(), critical), 1) << r.out;
}

TEST(SeedParity, HeartbeatPortugueseHasTheSeedMonitorsLines) {
  const std::vector<std::string> args = {"heartbeat", "--seed", "1", "--lang", "pt"};
  expect_seed_failure_lines(args);
  const RunResult r = run_distlab(args);
  const auto lines = split_lines(r.out);
  EXPECT_NE(std::find(lines.begin(), lines.end(), "Recebido heartbeat de Node 3"), lines.end()) << r.out;
  for (const std::string& line : lines) {
    if (line.rfind("Recebido heartbeat", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, std::regex(R"(Recebido heartbeat de Node [1-4])"))) << line;
    }
  }
  // Node 1 comes back at 60 s and gets the orders back.
  const auto returned = std::find(lines.begin(), lines.end(), "Nó 1 voltou: heartbeat recebido de novo.");
  ASSERT_NE(returned, lines.end()) << r.out;
  ASSERT_NE(returned + 1, lines.end());
  EXPECT_EQ(*(returned + 1), "Pedidos de compra redirecionados para o nó 1.");
  // The critical alert is the last thing the monitor says.
  const auto critical =
      std::find(lines.begin(), lines.end(), "Crítico: nenhum nó disponível para redirecionamento.");
  ASSERT_NE(critical, lines.end());
  for (auto it = critical + 1; it != lines.end(); ++it) {
    EXPECT_FALSE(it->rfind("Pedidos de compra", 0) == 0 || it->rfind("Recebido", 0) == 0) << *it;
  }
}

TEST(SeedParity, HeartbeatPortugueseFailureLinesForSeeds1To10) {
  for (int seed = 1; seed <= 10; ++seed) {
    expect_seed_failure_lines({"heartbeat", "--seed", std::to_string(seed), "--lang", "pt"});
    expect_seed_failure_lines({"heartbeat", "--seed", std::to_string(seed), "--lang", "pt", "--quiet"});
    expect_seed_failure_lines({"heartbeat", "--seed", std::to_string(seed), "--lang", "pt", "--detector", "phi"});
  }
}

TEST(SeedParity, HeartbeatQuietDropsTheReceivedLines) {
  const RunResult r = run_distlab({"heartbeat", "--seed", "1", "--lang", "pt", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("Recebido heartbeat"), std::string::npos) << r.out;
  EXPECT_EQ(split_lines(r.out).front(), "Aguardando Heartbeats...");
}

}  // namespace
}  // namespace distlab::testing
