// --trace-format binary and `distlab trace convert`: every algorithm's binary trace
// converts to the JSONL trace of the same run, byte for byte, and reads as it does.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"
#include "cli/cli_test_support.h"

namespace distlab::cli {
namespace {

using test::capture_cli;
using test::CliOutput;
using test::TempDir;

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(TraceFormat, EveryAlgorithmsBinaryTraceConvertsToItsJsonlTraceByteForByte) {
  const std::vector<std::vector<std::string>> runs{
      {"lamport", "--seed", "4", "--vector", "--mode", "random", "--latency", "uniform:1ms:9ms"},
      {"snapshot", "--seed", "5", "--scenario", "bank", "--snapshots", "2"},
      {"bully", "--seed", "6", "--nodes", "5", "--loss", "0.1"},
      {"heartbeat", "--seed", "7", "--dup", "0.2"},
      {"ricart", "--seed", "8", "--crash", "2@40ms", "--recover", "2@90ms"},
  };
  for (const auto& args : runs) {
    TempDir dir;
    std::vector<std::string> jsonl = args;
    jsonl.insert(jsonl.end(), {"--quiet", "--trace", dir / "run.jsonl"});
    std::vector<std::string> binary = args;
    binary.insert(binary.end(), {"--quiet", "--trace", dir / "run.dltrace", "--trace-format", "binary"});
    const CliOutput a = capture_cli(jsonl);
    const CliOutput b = capture_cli(binary);
    ASSERT_EQ(a.code, b.code) << args[0] << ": " << a.err << b.err;
    const CliOutput converted =
        capture_cli({"trace", "convert", dir / "run.dltrace", "-o", dir / "back.jsonl"});
    ASSERT_EQ(converted.code, 0) << converted.err;
    const std::string original = file_bytes(dir / "run.jsonl");
    EXPECT_GT(original.size(), 1000U) << args[0];
    EXPECT_EQ(file_bytes(dir / "back.jsonl"), original) << args[0];
    EXPECT_LT(file_bytes(dir / "run.dltrace").size() * 2, original.size()) << args[0];
    // Every command that reads a trace reads the binary one as it does the JSONL one.
    const CliOutput check_jsonl = capture_cli({"check", dir / "run.jsonl"});
    const CliOutput check_binary = capture_cli({"check", dir / "run.dltrace"});
    EXPECT_EQ(check_binary.code, check_jsonl.code) << args[0] << ": " << check_binary.err;
    std::string expected = check_jsonl.out;
    for (std::size_t at; (at = expected.find("run.jsonl")) != std::string::npos;) {
      expected.replace(at, 9, "run.dltrace");
    }
    EXPECT_EQ(check_binary.out, expected) << args[0];
  }
}

TEST(TraceFormat, TheStormBenchmarksBinaryTraceIsItsJsonlTrace) {
  TempDir dir;
  const std::vector<std::string> storm{"bench", "storm", "--nodes", "40", "--messages", "20000", "--json"};
  std::vector<std::string> jsonl = storm;
  jsonl.insert(jsonl.end(), {"--trace", dir / "storm.jsonl"});
  std::vector<std::string> binary = storm;
  binary.insert(binary.end(), {"--trace", dir / "storm.dltrace", "--trace-format", "binary"});
  ASSERT_EQ(capture_cli(jsonl).code, 0);
  const CliOutput b = capture_cli(binary);
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_NE(b.out.find("\"trace_format\":\"binary\""), std::string::npos) << b.out;
  const CliOutput converted =
      capture_cli({"trace", "convert", dir / "storm.dltrace", "-o", dir / "back.jsonl"});
  ASSERT_EQ(converted.code, 0) << converted.err;
  EXPECT_NE(converted.out.find("JSONL trace of 40000 events"), std::string::npos) << converted.out;
  EXPECT_EQ(file_bytes(dir / "back.jsonl"), file_bytes(dir / "storm.jsonl"));
}

TEST(TraceFormat, BadUseIsOneLineAndExitTwo) {
  TempDir dir;
  const CliOutput no_trace = capture_cli({"lamport", "--seed", "1", "--trace-format", "binary"});
  EXPECT_EQ(no_trace.code, 2);
  EXPECT_NE(no_trace.err.find("--trace"), std::string::npos) << no_trace.err;
  const CliOutput unknown =
      capture_cli({"lamport", "--seed", "1", "--trace", dir / "t", "--trace-format", "xml"});
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("expected jsonl or binary"), std::string::npos) << unknown.err;
  ASSERT_EQ(capture_cli({"lamport", "--seed", "1", "--quiet", "--trace", dir / "t.jsonl"}).code, 0);
  const CliOutput jsonl = capture_cli({"trace", "convert", dir / "t.jsonl", "-o", dir / "out.jsonl"});
  EXPECT_EQ(jsonl.code, 2);
  EXPECT_NE(jsonl.err.find("needs no converting"), std::string::npos) << jsonl.err;
  const CliOutput missing = capture_cli({"trace", "convert", dir / "none.dltrace", "-o", dir / "out.jsonl"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("cannot open trace"), std::string::npos) << missing.err;
  ASSERT_EQ(capture_cli({"lamport", "--seed", "1", "--quiet", "--trace", dir / "t.dltrace", "--trace-format",
                         "binary"})
                .code,
            0);
  const std::string whole = file_bytes(dir / "t.dltrace");
  const std::string half = dir.write("half.dltrace", whole.substr(0, whole.size() - 3));
  const CliOutput truncated = capture_cli({"trace", "convert", half, "-o", dir / "out.jsonl"});
  EXPECT_EQ(truncated.code, 2);
  EXPECT_NE(truncated.err.find("truncated"), std::string::npos) << truncated.err;
  EXPECT_EQ(std::count(truncated.err.begin(), truncated.err.end(), '\n'), 1) << truncated.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.jsonl"));
}

}  // namespace
}  // namespace distlab::cli
