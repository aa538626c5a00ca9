// Golden outputs, walked from tests/golden/, and parity with the seed assignment's
// transcript.
//
// A golden file holds a command and what it must print. Its first line is the command,
// `$ distlab` and its arguments separated by single spaces (no shell quoting: each
// space separates two arguments, passed as they are); every byte after that line is
// the expected output. Each file is one test, named after the file:
//
//   tests/golden/NAME.txt            the command's stdout, byte for byte
//                                    (Golden/GoldenStdout.MatchesTheFile/NAME)
//   tests/golden/traces/NAME.jsonl   the trace the command writes; the test adds
//                                    `--trace FILE --quiet`, so the first line names
//                                    neither (Golden/GoldenTrace.MatchesTheFile/NAME)
//   tests/golden/digests/NAME.sha256 the SHA-256 of the trace the command writes, as
//                                    `sha256sum` prints it, for runs too large to keep
//                                    their trace; the test adds `--trace FILE`, and the
//                                    command's binary trace must convert to the same
//                                    bytes (Golden/GoldenTraceDigest.MatchesTheFile/NAME)
//
// The command must exit 0 and print nothing on stderr. To add a golden, write the
// first line alone, e.g. `$ distlab ricart --seed 5`, into a new file; to change one
// on purpose, edit its first line or the program. Then regenerate the outputs and
// review them:
//
//   make golden          # DISTLAB_UPDATE_GOLDEN=1 distlab_cli_tests --gtest_filter='Golden*'
//   git diff tests/golden
//
// Regenerating keeps each file's first line and rewrites the rest. The SeedParity
// tests below check more than bytes; they run the commands of the seed goldens.
#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "run.h"

namespace distlab::testing::golden_test {
namespace {

namespace fs = std::filesystem;

const fs::path kGoldenDir = DISTLAB_GOLDEN_DIR;
const fs::path kTraceGoldenDir = kGoldenDir / "traces";
const fs::path kDigestGoldenDir = kGoldenDir / "digests";
constexpr std::string_view kCommandPrefix = "$ distlab ";

bool updating_goldens() {
  const char* update = std::getenv("DISTLAB_UPDATE_GOLDEN");
  return update != nullptr && std::string(update) == "1";
}

// A golden file, read: the command on its first line and the output that follows.
struct Golden {
  std::string first_line;         // without its '\n'; kept as is when regenerating
  std::vector<std::string> args;  // after "distlab"
  std::string expected;           // every byte after the first line
  std::string error;              // why the file cannot be used; "" when it can
};

// Splits a golden file's text; a missing or malformed first line sets `error`.
Golden parse_golden(const std::string& text) {
  Golden g;
  const std::size_t end = text.find('\n');
  g.first_line = text.substr(0, end);
  if (end != std::string::npos) g.expected = text.substr(end + 1);
  const auto malformed = [&g](const std::string& why) {
    g.error = "malformed first line \"" + g.first_line + "\": " + why +
              ". A golden file starts with the command it runs: `$ distlab ARG ARG ...`, arguments separated by "
              "single spaces; the expected output follows.";
    g.args.clear();
    return g;
  };
  if (text.empty()) return malformed("the file is empty");
  if (g.first_line.rfind(kCommandPrefix, 0) != 0) return malformed("it does not start with \"$ distlab \"");
  const std::string rest = g.first_line.substr(kCommandPrefix.size());
  for (std::size_t at = 0; at <= rest.size();) {
    const std::size_t space = std::min(rest.find(' ', at), rest.size());
    g.args.push_back(rest.substr(at, space - at));
    at = space + 1;
  }
  std::string why;
  for (const std::string& arg : g.args) {
    if (arg.empty()) {
      why = "an empty argument (two spaces in a row, or a space at either end)";
    } else if (arg.find_first_of("\t\r") != std::string::npos) {
      why = "a tab or a carriage return";
    } else if (arg.find_first_of("'\"\\") != std::string::npos) {
      why = "a quote or a backslash in \"" + arg + "\" (no shell quoting: arguments are passed as written)";
    }
    if (!why.empty()) break;
  }
  return why.empty() ? g : malformed(why);
}

// Reads and splits `path`; `error` names the file when it cannot be used.
Golden read_golden(const fs::path& path) {
  Golden g;
  if (!fs::is_regular_file(path)) {
    g.error = path.string() + " is missing";
    return g;
  }
  g = parse_golden(read_file(path));
  if (!g.error.empty()) g.error = path.string() + ": " + g.error;
  return g;
}

// The arguments of tests/golden/<name>'s command, for the tests that check more than
// its output. Throws (failing the test) when the file cannot be used.
std::vector<std::string> golden_args(const std::string& name) {
  const Golden g = read_golden(kGoldenDir / name);
  if (!g.error.empty()) throw std::runtime_error(g.error);
  return g.args;
}

// The files directly in `dir` whose names end in `extension`, sorted: one test each.
std::vector<std::string> golden_files(const fs::path& dir, const std::string& extension) {
  std::vector<std::string> names;
  std::error_code error;  // a missing folder lists nothing; GoldenFiles says so
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// "bully_seed214_en.txt" -> "bully_seed214_en": gtest names allow letters, digits and '_'.
std::string test_name_of(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// Where two texts first differ, by line, for a readable failure. The expected text
// starts on line 2 of its golden file, after the command.
std::string first_difference(const std::string& expected, const std::string& actual) {
  const auto want = split_lines(expected);
  const auto got = split_lines(actual);
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string w = i < want.size() ? "\"" + want[i] + "\"" : "(end of golden file)";
    const std::string g = i < got.size() ? "\"" + got[i] + "\"" : "(end of output)";
    if (w != g) {
      return "first difference at line " + std::to_string(i + 1) + " of the output (line " + std::to_string(i + 2) +
             " of the golden file):\n  golden: " + w + "\n  actual: " + g;
    }
  }
  // Same lines: the difference is in a trailing newline.
  return "the texts differ only in the final newline (golden " + std::to_string(expected.size()) +
         " bytes, actual " + std::to_string(actual.size()) + " bytes)";
}

// Compares `actual` with the golden's expected bytes; with DISTLAB_UPDATE_GOLDEN=1
// rewrites the file instead, keeping its first line. Line numbers in a failure count
// from the line after the command.
void expect_golden(const fs::path& path, const Golden& golden, const std::string& actual, const std::string& what) {
  if (updating_goldens()) {
    if (golden.expected != actual) {
      write_file(path, golden.first_line + "\n" + actual);
      std::cout << "[golden] wrote " << path.string() << " (" << what << ")\n";
    }
    return;
  }
  if (golden.expected.empty()) {
    ADD_FAILURE() << path.string() << " holds only its command, no expected output yet: run `make golden`, then "
                  << "review what it wrote (`git diff tests/golden`, or read the new file).";
    return;
  }
  EXPECT_TRUE(golden.expected == actual)
      << what << " no longer matches " << path.string() << "\n"
      << first_difference(golden.expected, actual)
      << "\nIf the change is intended: make golden, then review `git diff tests/golden`.";
}

class GoldenStdout : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenStdout, MatchesTheFile) {
  const fs::path path = kGoldenDir / GetParam();
  const Golden golden = read_golden(path);
  ASSERT_TRUE(golden.error.empty()) << golden.error;
  const RunResult r = run_distlab(golden.args);
  ASSERT_EQ(r.exit_code, 0) << golden.first_line << "\n" << r.err;
  ASSERT_EQ(r.err, "") << golden.first_line;
  ASSERT_FALSE(r.out.empty()) << golden.first_line << " printed nothing";
  expect_golden(path, golden, r.out, "the stdout of " + command_line(golden.args));
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenStdout, ::testing::ValuesIn(golden_files(kGoldenDir, ".txt")),
                         test_name_of);

// Why the golden read from `path` cannot be run with `adds` added to its command: the
// file is malformed, or its first line names one of `flags` itself. "" when it can.
std::string unusable_with(const fs::path& path, const Golden& golden,
                          std::initializer_list<const char*> flags, const std::string& adds) {
  if (!golden.error.empty()) return golden.error;
  for (const char* flag : flags) {
    if (std::count(golden.args.begin(), golden.args.end(), flag) > 0) {
      return path.string() + ": the first line names " + flag + "; the test adds " + adds + " itself";
    }
  }
  return "";
}

TEST(GoldenFormat, ACommandThatNamesWhatTheTestAddsIsRefusedSayingWhich) {
  const std::string names = unusable_with("t.jsonl", parse_golden("$ distlab bully --quiet\n"),
                                          {"--trace", "--quiet"}, "--trace FILE --quiet");
  EXPECT_EQ(names, "t.jsonl: the first line names --quiet; the test adds --trace FILE --quiet itself");
  EXPECT_EQ(unusable_with("t.jsonl", parse_golden("$ distlab bully --seed 3\n"), {"--trace", "--quiet"},
                          "--trace FILE"),
            "");
  const Golden malformed = parse_golden("distlab bully\n");
  EXPECT_EQ(unusable_with("t.jsonl", malformed, {"--trace"}, "--trace FILE"), malformed.error);
}

// Runs the golden's command with `added` after its arguments: "" when it exits 0 and
// prints nothing on stderr, else what went wrong, naming the command as `shown`.
std::string run_failure(const Golden& golden, const std::vector<std::string>& added,
                        const std::string& shown) {
  std::vector<std::string> args = golden.args;
  args.insert(args.end(), added.begin(), added.end());
  const RunResult r = run_distlab(args);
  if (r.exit_code != 0) return shown + " exited " + std::to_string(r.exit_code) + "\n" + r.err;
  if (!r.err.empty()) return shown + " printed on stderr:\n" + r.err;
  return "";
}

TEST(GoldenFormat, ARunThatFailsIsReportedWithItsExitCodeAndStderr) {
  EXPECT_EQ(run_failure(parse_golden("$ distlab lamport --seed 7\n"), {"--quiet"}, "lamport"), "");
  const std::string failed =
      run_failure(parse_golden("$ distlab bully --nodes 1\n"), {"--quiet"}, "bully --nodes 1");
  EXPECT_EQ(failed.rfind("bully --nodes 1 exited 2\ndistlab: ", 0), 0u) << failed;
}

class GoldenTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTrace, MatchesTheFile) {
  const fs::path path = kTraceGoldenDir / GetParam();
  const Golden golden = read_golden(path);
  const std::string unusable = unusable_with(path, golden, {"--trace", "--quiet"}, "--trace FILE --quiet");
  ASSERT_TRUE(unusable.empty()) << unusable;
  TempDir dir("golden_trace");
  const std::string shown = command_line(golden.args) + " --trace FILE --quiet";
  const std::string failed = run_failure(golden, {"--trace", dir.file("run.jsonl"), "--quiet"}, shown);
  ASSERT_TRUE(failed.empty()) << failed;
  ASSERT_TRUE(fs::exists(dir.file("run.jsonl"))) << shown << " wrote no trace";
  expect_golden(path, golden, read_file(dir.file("run.jsonl")), "the trace FILE of " + shown);
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTrace, ::testing::ValuesIn(golden_files(kTraceGoldenDir, ".jsonl")),
                         test_name_of);

// The SHA-256 of a file's bytes in lowercase hex, as `sha256sum` prints it.
std::string sha256_of_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::vector<char> block(std::size_t{1} << 20);
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(block.data()),
                              static_cast<unsigned long long>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  char hex[2 * crypto_hash_sha256_BYTES + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

TEST(GoldenFormat, TheDigestIsTheOneSha256sumPrints) {
  TempDir dir("golden_digest_format");
  write_file(dir.file("empty"), "");
  write_file(dir.file("abc"), "abc");
  // FIPS 180-2's examples.
  EXPECT_EQ(sha256_of_file(dir.file("empty")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_of_file(dir.file("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Longer than the 1 MiB read at a time: the blocks are hashed as one stream.
  const std::string big((std::size_t{1} << 20) + 3, 'a');
  write_file(dir.file("big"), big);
  write_file(dir.file("big_but_one"), big.substr(1) + "b");
  EXPECT_NE(sha256_of_file(dir.file("big")), sha256_of_file(dir.file("big_but_one")));
  EXPECT_THROW(sha256_of_file(dir.file("missing")), std::runtime_error);
}

// The runs whose traces are too large to keep whole: the paths a large or
// random-latency run takes (the queue's look-ahead, the radix heap's batches, the FIFO
// table and its rows, faults among many pending events), pinned by their digest so
// that an optimisation that changes one event shows. The JSONL trace is hashed, and
// the binary trace of the same command must convert to exactly those bytes.
class GoldenTraceDigest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTraceDigest, MatchesTheFile) {
  const fs::path path = kDigestGoldenDir / GetParam();
  const Golden golden = read_golden(path);
  const std::string unusable = unusable_with(path, golden, {"--trace", "--trace-format"}, "--trace FILE");
  ASSERT_TRUE(unusable.empty()) << unusable;
  TempDir dir("golden_digest");
  const std::string shown = command_line(golden.args) + " --trace FILE";
  const std::string failed = run_failure(golden, {"--trace", dir.file("run.jsonl")}, shown);
  ASSERT_TRUE(failed.empty()) << failed;
  const std::string digest = sha256_of_file(dir.file("run.jsonl"));
  fs::remove(dir.file("run.jsonl"));

  std::vector<std::string> args = golden.args;
  args.insert(args.end(), {"--trace", dir.file("run.dltrace"), "--trace-format", "binary"});
  const RunResult binary = run_distlab(args);
  ASSERT_EQ(binary.exit_code, 0) << shown << " --trace-format binary\n" << binary.err;
  const RunResult converted =
      run_distlab({"trace", "convert", dir.file("run.dltrace"), "-o", dir.file("back.jsonl")});
  ASSERT_EQ(converted.exit_code, 0) << converted.err;
  EXPECT_EQ(sha256_of_file(dir.file("back.jsonl")), digest)
      << "the binary trace of " << shown << " converts to other bytes than its JSONL trace";
  expect_golden(path, golden, digest + "\n", "the SHA-256 of the trace FILE of " + shown);
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTraceDigest,
                         ::testing::ValuesIn(golden_files(kDigestGoldenDir, ".sha256")), test_name_of);

// An empty listing would instantiate no test at all; say why instead.
TEST(GoldenFiles, EveryFolderHoldsGoldens) {
  EXPECT_FALSE(golden_files(kGoldenDir, ".txt").empty()) << "no *.txt golden in " << kGoldenDir.string();
  EXPECT_FALSE(golden_files(kTraceGoldenDir, ".jsonl").empty()) << "no *.jsonl golden in " << kTraceGoldenDir.string();
  EXPECT_FALSE(golden_files(kDigestGoldenDir, ".sha256").empty())
      << "no *.sha256 golden in " << kDigestGoldenDir.string();
}

// A golden file whose first line is not a command is refused with a message that says
// what the first line must be.
TEST(GoldenFormat, TheFirstLineIsTheCommandAndTheRestTheOutput) {
  const Golden g = parse_golden("$ distlab bully --partition 1,2/3@1s..2s --quiet\nline 1\n\nline 3\n");
  EXPECT_EQ(g.error, "");
  EXPECT_EQ(g.args, (std::vector<std::string>{"bully", "--partition", "1,2/3@1s..2s", "--quiet"}));
  EXPECT_EQ(g.expected, "line 1\n\nline 3\n");
  const Golden only = parse_golden("$ distlab ricart --seed 5");  // a new golden, before `make golden`
  EXPECT_EQ(only.error, "");
  EXPECT_EQ(only.args, (std::vector<std::string>{"ricart", "--seed", "5"}));
  EXPECT_EQ(only.expected, "");
}

TEST(GoldenFormat, AMissingOrMalformedFirstLineIsRefusedSayingWhy) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "the file is empty"},
      {"Node 1 asks for the critical section (timestamp 2).\n", "does not start with \"$ distlab \""},
      {"distlab lamport --seed 7\nNode 2 ran a local event. Timestamp: 1\n", "does not start with \"$ distlab \""},
      {"$ distlab\n", "does not start with \"$ distlab \""},
      {"$ distlab \n", "an empty argument"},
      {"$ distlab lamport  --seed 7\n", "an empty argument"},
      {"$ distlab lamport --seed 7 \n", "an empty argument"},
      {"$ distlab lamport --seed 7\r\n", "a tab or a carriage return"},
      {"$ distlab bully --partition '1,2/3@1s..2s'\n", "no shell quoting"},
  };
  for (const auto& [text, says] : cases) {
    const Golden g = parse_golden(text);
    EXPECT_NE(g.error.find(says), std::string::npos) << "for \"" << text << "\": " << g.error;
    EXPECT_NE(g.error.find("`$ distlab ARG ARG ...`"), std::string::npos) << g.error;
    EXPECT_TRUE(g.args.empty()) << g.error;
  }
  EXPECT_NE(read_golden(kGoldenDir / "no_such_golden.txt").error.find("is missing"), std::string::npos);
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
  const std::vector<std::string> args = golden_args("lamport_seed_pt.txt");
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

// The seed scenario of question 2, as its Portuguese golden runs it.
constexpr const char* kSnapshotSeedGolden = "snapshot_seed6_pt.txt";

// The first moves of the seed's chandy_lamport_snapshot_sim.py, as printed in the
// assignment (question 2), word for word.
const std::vector<std::string> kSnapshotSeedOpening = {
    "Jogador 1 enviou 'Ataque' para Jogador 2",
    "Jogador 2 recebeu 'Ataque' de Jogador 1",
    "Jogador 2 enviou 'Defesa' para Jogador 3",
    "Jogador 3 recebeu 'Defesa' de Jogador 2",
};

TEST(SeedParity, SnapshotPortugueseHasTheAssignmentsLines) {
  const std::vector<std::string> args = golden_args(kSnapshotSeedGolden);
  const RunResult r = run_distlab(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), kSnapshotSeedOpening.size()) << r.out;
  for (std::size_t i = 0; i < kSnapshotSeedOpening.size(); ++i) {
    EXPECT_EQ(lines[i], kSnapshotSeedOpening[i]) << "line " << i + 1 << " of " << command_line(args);
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
  const RunResult r = run_distlab(golden_args(kSnapshotSeedGolden));
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
  const std::vector<std::string> args = golden_args(kSnapshotSeedGolden);
  const RunResult snapshot = run_distlab(args);
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.err;
  EXPECT_NE(demo.out.find(snapshot.out), std::string::npos)
      << "distlab demo --lang pt does not contain the whole output of " << command_line(args) << ":\n"
      << demo.out;
}

// ---- Question 3: Bully leader election ----

// The seed scenario of question 3, as its Portuguese golden runs it.
constexpr const char* kBullySeedGolden = "bully_seed214_pt.txt";

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
  const std::vector<std::string> args = golden_args(kBullySeedGolden);
  const RunResult r = run_distlab(args);
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
  EXPECT_EQ(problem, "") << command_line(args) << ":\n" << r.out;

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
  const std::vector<std::string> args = golden_args(kBullySeedGolden);
  const RunResult bully = run_distlab(args);
  ASSERT_EQ(bully.exit_code, 0) << bully.err;
  EXPECT_NE(demo.out.find(bully.out), std::string::npos)
      << "distlab demo --lang pt does not contain the whole output of " << command_line(args) << ":\n"
      << demo.out;
}

// ---- Question 4: heartbeat failure detection and failover ----
//
// Hand-checked against --trace: with --seed 1 the script's crashes (3 at 20 s, 1 at
// 40 s, 2 at 80 s, 4 at 100 s, 1 at 120 s) are suspected at 27, 46, 90, 110 and 126 s
// (fixed timeout) and at 25, 45, 88, 107 and 126 s (phi), and every redirect names the
// lowest-id node the monitor trusts at that moment.

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
  const std::vector<std::string> args = golden_args("heartbeat_seed1_pt.txt");
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
    expect_seed_failure_lines({"heartbeat", "--seed", std::to_string(seed), "--lang", "pt", "--detector", "phi"});
  }
}

// --quiet is the summary only, as on every command: none of the monitor's lines.
TEST(SeedParity, HeartbeatQuietPrintsOnlyTheSummary) {
  const RunResult r = run_distlab({"heartbeat", "--seed", "1", "--lang", "pt", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("Recebido heartbeat"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Aguardando Heartbeats"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Pedidos de compra"), std::string::npos) << r.out;
  EXPECT_TRUE(r.out.starts_with("Nó 3 caiu em 20s; suspeito em")) << r.out;
}

}  // namespace
}  // namespace distlab::testing::golden_test
