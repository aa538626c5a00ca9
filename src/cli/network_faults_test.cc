// Network faults in the trace, the narrative and the diagram: a run's partitions and
// one-way cuts are listed in its trace's header ("network"), told in the narrative as
// the run reaches them (with the messages they cost when they heal), and drawn.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/cli_test_support.h"
#include "cli/output.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::cli {
namespace {

using Output = test::CliOutput;
constexpr auto cli = &test::capture_cli;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(NetworkFaults, AreInTheHeaderToldInTheNarrativeAndDrawn) {
  const test::TempDir dir;
  const Output r = cli({"bully", "--seed", "214", "--partition", "1,2,3/4,5@1.5s..2.5s", "--partition", "2>1@2s..",
                        "--timestamps", "--trace", dir / "t.jsonl", "--html", dir / "t.html"});
  ASSERT_EQ(r.code, 0) << r.err;
  const trace::Trace t = trace::read_trace_file(dir / "t.jsonl");
  ASSERT_EQ(t.header.network.size(), 2u);
  EXPECT_EQ(t.header.network[0],
            (trace::NetworkFault{.groups = {{1, 2, 3}, {4, 5}}, .from_ns = 1'500'000'000, .to_ns = 2'500'000'000}));
  EXPECT_EQ(t.header.network[1],
            (trace::NetworkFault{.one_way = true, .groups = {{2}, {1}}, .from_ns = 2'000'000'000, .to_ns = std::nullopt}));

  // Told at their times, among the algorithm's own lines; the heal counts the messages
  // the partition dropped.
  std::size_t lost = 0;
  for (const trace::Record& e : t.events) {
    lost += e.kind == EventKind::drop && e.label == "partition" && e.t >= 1'500'000'000 && e.t < 2'500'000'000 ? 1 : 0;
  }
  ASSERT_GT(lost, 0u);
  const auto split = r.out.find("   1.500000s  The network splits: {1,2,3} | {4,5}; messages across are lost.\n");
  const auto cut = r.out.find("   2.000000s  The network cuts one way: messages {2} -> {1} are lost; replies pass.\n");
  const auto heal = r.out.find(fmt::format("   2.500000s  The network heals: {{1,2,3}} | {{4,5}} talk again ({} messages lost).\n", lost));
  ASSERT_NE(split, std::string::npos) << r.out;
  ASSERT_NE(cut, std::string::npos) << r.out;
  ASSERT_NE(heal, std::string::npos) << r.out;
  EXPECT_LT(split, cut);
  EXPECT_LT(cut, heal);
  EXPECT_EQ(r.out.find("cut {2} -> {1} heals"), std::string::npos) << "the cut never heals";
  // Before the split, the crash at 1s is told; after the heal, the recovery at 3s.
  EXPECT_LT(r.out.find("Node 5 failed!"), split);
  EXPECT_GT(r.out.find("Node 5 is back up."), heal);

  // In Portuguese too.
  EXPECT_EQ(NetworkNarrator::lines(t, Lang::pt),
            fmt::format("A rede se divide: {{1,2,3}} | {{4,5}}; mensagens entre os lados se perdem.\n"
                        "Corte de mão única na rede: mensagens {{2}} -> {{1}} se perdem; as respostas passam.\n"
                        "A rede se recompõe: {{1,2,3}} | {{4,5}} voltam a se falar ({} mensagens perdidas).\n",
                        lost));

  // Drawn: a band for each, a wall between lanes 3 and 4 for the partition and between
  // lanes 1 and 2 for the cut, and the legend's entries.
  std::ifstream in(dir / "t.html");
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(count_of(html, "<rect class=\"net partition\""), 1u);
  EXPECT_EQ(count_of(html, "<rect class=\"net oneway\""), 1u);
  EXPECT_EQ(count_of(html, "<line class=\"wall partition\""), 1u);
  EXPECT_EQ(count_of(html, "<line class=\"wall oneway\""), 1u);
  EXPECT_NE(html.find("data-story=\"partition {1,2,3} | {4,5} begins\""), std::string::npos);
  EXPECT_NE(html.find("one-way cut (messages from the first side to the second are lost)"), std::string::npos);

  // Without a network fault the header has no "network" (traces stay as they were).
  const Output plain = cli({"bully", "--seed", "214", "--quiet", "--trace", dir / "p.jsonl"});
  ASSERT_EQ(plain.code, 0) << plain.err;
  std::ifstream p(dir / "p.jsonl");
  std::string header;
  std::getline(p, header);
  EXPECT_EQ(header.find("network"), std::string::npos) << header;
}

// The reader takes "network" as the writer writes it, and refuses a malformed one
// with one line naming the trace's line.
TEST(NetworkFaults, AMalformedNetworkHeaderIsRefused) {
  const test::TempDir dir;
  const std::string head =
      R"({"format":"distlab-trace","version":1,"algorithm":"bully","mode":"sim","seed":1,"nodes":[1,2,3],"time_unit":"ns","network":)";
  const std::string event = "\n{\"t\":0,\"node\":1,\"kind\":\"local\"}\n";
  const trace::Trace ok = trace::read_trace_file(
      dir.write("ok.jsonl", head + R"([{"cut":"one-way","groups":[[3],[2,1]],"from_ns":5}]})" + event));
  ASSERT_EQ(ok.header.network.size(), 1u);
  EXPECT_EQ(ok.header.network[0].groups, (std::vector<std::vector<NodeId>>{{3}, {1, 2}}));
  EXPECT_FALSE(ok.header.network[0].to_ns.has_value());
  for (const std::string& bad : {
           std::string(R"({"cut":"sideways","groups":[[1],[2]],"from_ns":0})"),
           std::string(R"({"cut":"partition","groups":[[1]],"from_ns":0})"),
           std::string(R"({"cut":"partition","groups":[[1],[9]],"from_ns":0})"),
           std::string(R"({"cut":"partition","groups":[[1],[2]],"from_ns":5,"to_ns":4})"),
           std::string(R"({"cut":"one-way","groups":[[1],[2],[3]],"from_ns":0})"),
           std::string(R"({"cut":"partition","groups":[[1],[2]],"from_ns":-1})"),
           std::string(R"({"cut":"partition","groups":[[1],[2]]})"),
       }) {
    const std::string path = dir.write("bad.jsonl", head + "[" + bad + "]}" + event);
    try {
      trace::read_trace_file(path);
      ADD_FAILURE() << bad << " was read";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(":1: "), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("network"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace distlab::cli
