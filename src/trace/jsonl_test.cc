#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "trace/jsonl_reader.h"
#include "trace/jsonl_writer.h"

namespace distlab::trace {
namespace {

constexpr const char* kHeader =
    R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":7,"nodes":[1,2,3],"time_unit":"ns"})";

Trace parse(const std::string& text) {
  std::istringstream in(text);
  return read_trace(in, "t.jsonl");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(JsonlTest, HeaderLineIsTheContractsExactly) {
  Header h{.algorithm = "snapshot", .mode = "sim", .seed = 7, .nodes = {1, 2, 3}};
  EXPECT_EQ(header_line(h),
            R"({"format":"distlab-trace","version":1,"algorithm":"snapshot","mode":"sim","seed":7,"nodes":[1,2,3],"time_unit":"ns"})");
}

TEST(JsonlTest, EveryKindRoundTrips) {
  const std::string text = std::string(kHeader) + "\n" +
                           R"({"t":0,"node":2,"kind":"local","label":"tick \"x\"","lamport":1,"vc":{"2":1}}
{"t":0,"node":2,"kind":"send","msg":"2.1","to":1,"type":"app","body":{"amount":5},"lamport":2}
{"t":5,"node":1,"kind":"recv","msg":"2.1","from":2,"type":"app","lamport":3,"vc":{"1":1,"2":2}}
{"t":6,"node":1,"kind":"send","msg":"1.1","to":3,"type":"app"}
{"t":6,"node":1,"kind":"drop","msg":"1.1","to":3,"type":"app","reason":"loss"}
{"t":7,"node":3,"kind":"timer","tag":"act"}
{"t":8,"node":3,"kind":"crash"}
{"t":9,"node":3,"kind":"recover"}
{"t":9,"node":3,"kind":"state","data":{"leader":3}}
)";
  const Trace trace = parse(text);
  ASSERT_EQ(trace.events.size(), 9u);
  EXPECT_EQ(trace.header.seed, 7u);
  EXPECT_EQ(trace.events[0].label, "tick \"x\"");
  EXPECT_EQ(trace.events[1].data["amount"], 5);
  EXPECT_EQ(trace.events[2].vc->get(2), 2u);
  EXPECT_EQ(trace.events[4].label, "loss");
  EXPECT_EQ(trace.events[8].data["leader"], 3);
  EXPECT_EQ(trace.events[2].line, 4u);
  std::ostringstream out;
  write_trace(out, trace);
  EXPECT_EQ(out.str(), text);  // the writer's format is the reader's input, byte for byte
}

TEST(JsonlTest, RejectsBrokenTracesNamingTheLine) {
  const std::string h = std::string(kHeader) + "\n";
  struct Case {
    std::string text;
    std::string expect;
  };
  const Case cases[] = {
      {"", "empty trace"},
      {"\n\n", "empty trace"},
      {"not json\n", "t.jsonl:1: not valid JSON"},
      {R"({"format":"other","version":1})", "not a distlab trace"},
      {R"({"format":"distlab-trace","version":2,"algorithm":"x","mode":"sim","seed":1,"nodes":[1],"time_unit":"ns"})",
       "unsupported trace version 2"},
      {R"({"format":"distlab-trace","version":1,"algorithm":"x","mode":"sim","seed":1,"nodes":[],"time_unit":"ns"})",
       "\"nodes\""},
      {h + R"({"t":0,"node":1,"kind":"warp"})", "t.jsonl:2: unknown event kind \"warp\""},
      {h + R"({"t":0,"node":9,"kind":"local"})", "node 9 is not listed"},
      {h + R"({"t":-1,"node":1,"kind":"local"})", "\"t\" must be at least 0"},
      {h + R"({"node":1,"kind":"local"})", "missing field \"t\""},
      {h + R"({"t":0,"node":1,"kind":"send","to":2,"type":"app"})", "missing field \"msg\""},
      {h + R"({"t":0,"node":1,"kind":"drop","msg":"1.1","to":2,"type":"app","reason":"gremlins"})",
       "unknown drop reason"},
      {h + R"({"t":5,"node":1,"kind":"local"})" + "\n" + R"({"t":4,"node":1,"kind":"local"})",
       "t.jsonl:3: time goes back at node 1"},
      {h + R"({"t":0,"node":1,"kind":"local","vc":{"x":1}})", "vc key \"x\""},
      {h + R"({"t":0,"node":1,"kind":"lo)", "t.jsonl:2: not valid JSON"},  // truncated
      {h + "\n" + R"({"t":0,"node":1,"kind":"local"})", "t.jsonl:2: empty line"},
      {h + "[1,2]", "expected a JSON object"},
  };
  for (const Case& c : cases) {
    const std::string error = error_of(c.text);
    EXPECT_NE(error.find(c.expect), std::string::npos) << "input:\n" << c.text << "\nerror: " << error;
  }
}

TEST(JsonlTest, MissingFileIsAnInputError) {
  EXPECT_THROW(read_trace_file("/nonexistent/distlab/trace.jsonl"), InputError);
}

TEST(JsonlWriterTest, FileAppearsOnlyOnCommit) {
  const auto dir = std::filesystem::temp_directory_path() / "distlab_writer_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "run.jsonl").string();
  std::filesystem::remove(path);
  const Header header{.algorithm = "lamport", .mode = "sim", .seed = 1, .nodes = {1, 2}};
  {
    JsonlWriter writer(path, header);
    Event e;
    e.kind = EventKind::local;
    e.node = 1;
    writer.on_event(e);
    EXPECT_FALSE(std::filesystem::exists(path));
  }  // destroyed without commit: nothing left behind
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  {
    JsonlWriter writer(path, header);
    Event e;
    e.kind = EventKind::send;
    e.node = 1;
    e.msg = {1, 1};
    e.peer = 2;
    e.type = "app";
    writer.on_event(e);
    writer.commit();
  }
  const Trace trace = read_trace_file(path);
  ASSERT_EQ(trace.events.size(), 1u);
  EXPECT_EQ(trace.events[0].msg, "1.1");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove_all(dir);
}

TEST(JsonlWriterTest, UnwritablePathIsAnInputError) {
  EXPECT_THROW(JsonlWriter("/nonexistent/dir/run.jsonl", Header{}), InputError);
}

}  // namespace
}  // namespace distlab::trace
