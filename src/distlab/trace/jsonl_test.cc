#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::trace {
namespace {

constexpr const char* kJsonlHeader =
    R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":7,"nodes":[1,2,3],"time_unit":"ns"})";

Trace read_text(const std::string& text) {
  std::istringstream in(text);
  return read_trace(in, "t.jsonl");
}

std::string error_of(const std::string& text) {
  try {
    read_text(text);
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
  const std::string text = std::string(kJsonlHeader) + "\n" +
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
  const Trace trace = read_text(text);
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
  const std::string h = std::string(kJsonlHeader) + "\n";
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

// A scratch directory of this test's own (mkdtemp: a fresh name, so tests running at
// the same time, in this process or another, never share it), removed at the end.
struct TempDir {
  explicit TempDir(const std::string& name) {
    std::string pattern = (std::filesystem::temp_directory_path() / (name + ".XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path = pattern;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path path;
};

TEST(JsonlWriterTest, FileAppearsOnlyOnCommit) {
  const TempDir dir("distlab_writer_test");
  const std::string path = (dir.path / "run.jsonl").string();
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
}


std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Threads of this process now (Linux): /proc/self/task has one entry per thread.
std::size_t thread_count() {
  const auto tasks = std::filesystem::directory_iterator("/proc/self/task");
  return static_cast<std::size_t>(std::distance(std::filesystem::begin(tasks), std::filesystem::end(tasks)));
}

// Events of every kind, for the writer's fast path and its slow one: strings of every
// length up to past the fast path's limit, some needing escapes, integers at their
// extremes and at every width, bodies, vector clocks, and one state line longer than
// the writer's block (1 MiB). About 9 MiB of lines: several blocks.
class EventMix {
 public:
  static constexpr std::size_t kCount = 100'000;
  static constexpr std::size_t kHugeAt = 50'000;

  EventMix() {
    for (std::size_t n = 0; n <= 70; ++n) strings_.push_back(std::string(n, static_cast<char>('a' + n % 26)));
    strings_.push_back("tick \"x\"\\\n\t\x01");
    body_ = {{"amount", 5}, {"note", "a \"quoted\" body"}};
    state_ = {{"leader", 3}, {"term", 7}};
    huge_ = {{"blob", std::string(std::size_t{3} << 20, 'z')}};
    vc_.set(1, 4);
    vc_.set(3, 12345678901);
  }

  Event at(std::size_t i) const {
    Event e;
    e.t = static_cast<Nanos>(i) * 999'999'937;
    e.node = static_cast<NodeId>(i % 17);
    e.msg = MsgId{static_cast<NodeId>(i % 23), i * 7919};
    e.peer = static_cast<NodeId>(i % 13 + 1);
    e.type = strings_[i % 21];
    e.label = strings_[(i / 3) % strings_.size()];
    static constexpr EventKind kKinds[] = {EventKind::send,  EventKind::recv,  EventKind::send, EventKind::recv,
                                           EventKind::drop,  EventKind::local, EventKind::timer,
                                           EventKind::crash, EventKind::recover};
    e.kind = kKinds[i % std::size(kKinds)];
    e.stamp.lamport = i % 5 == 0 ? kNoLamport : static_cast<std::int64_t>(i * i);
    if (i % 101 == 0) e.stamp.vc = &vc_;
    if (i % 103 == 0 && e.kind == EventKind::send) e.data = &body_;
    if (i % 1009 == 0) {
      e.kind = EventKind::state;
      e.data = &state_;
    }
    if (i == kHugeAt) {
      e.kind = EventKind::state;
      e.data = &huge_;
    }
    switch (i % 997) {  // integers at their extremes
      case 1: e.t = std::numeric_limits<Nanos>::max(); break;
      case 2: e.t = std::numeric_limits<Nanos>::min(); break;
      case 3: e.stamp.lamport = std::numeric_limits<std::int64_t>::min(); break;
      case 4: e.node = std::numeric_limits<NodeId>::max(); break;
      case 5: e.msg = MsgId{std::numeric_limits<NodeId>::max(), std::numeric_limits<std::uint64_t>::max()}; break;
      case 6: e.t = 0; e.stamp.lamport = 0; break;
      default: break;
    }
    return e;
  }

  // What the writer must produce: the header, then each event as the slow path
  // (record_line) writes it.
  std::string expected(const Header& header) const {
    std::string text = header_line(header) + "\n";
    for (std::size_t i = 0; i < kCount; ++i) text += record_line(to_record(at(i))) + "\n";
    return text;
  }

 private:
  std::vector<std::string> strings_;
  nlohmann::ordered_json body_;
  nlohmann::ordered_json state_;
  nlohmann::ordered_json huge_;
  VectorClock vc_{1};
};

const Header kMixHeader{.algorithm = "mix", .mode = "sim", .seed = 3, .nodes = {1, 2, 3}};

TEST(JsonlWriterTest, ManyBlocksRoundTripByteForByteInEveryMode) {
  const TempDir dir("distlab_writer_blocks");
  const EventMix mix;
  const std::string expected = mix.expected(kMixHeader);
  ASSERT_GT(expected.size(), std::size_t{8} << 20);
  const std::size_t threads_before = thread_count();
  for (const auto flush :
       {JsonlWriter::Flush::buffered, JsonlWriter::Flush::each_event, JsonlWriter::Flush::each_step}) {
    const std::string path = (dir.path / "run.jsonl").string();
    JsonlWriter writer(path, kMixHeader, flush);
    for (std::size_t i = 0; i < EventMix::kCount; ++i) writer.on_event(mix.at(i));
    // buffered: the blocks are written by a thread of the writer's; each_event, each_step: by none.
    EXPECT_EQ(thread_count(), threads_before + (flush == JsonlWriter::Flush::buffered ? 1 : 0));
    writer.commit();
    EXPECT_EQ(thread_count(), threads_before);
    EXPECT_TRUE(read_file(path) == expected) << "flush mode " << static_cast<int>(flush);
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  }
  {  // the header known only at the end
    const std::string path = (dir.path / "deferred.jsonl").string();
    JsonlWriter writer(path);
    for (std::size_t i = 0; i < EventMix::kCount; ++i) writer.on_event(mix.at(i));
    writer.commit(kMixHeader);
    EXPECT_TRUE(read_file(path) == expected);
  }
  {  // records, as merge and launch write them
    const std::string path = (dir.path / "records.jsonl").string();
    JsonlWriter writer(path, kMixHeader);
    for (std::size_t i = 0; i < EventMix::kCount; ++i) writer.write(to_record(mix.at(i)));
    writer.commit();
    EXPECT_TRUE(read_file(path) == expected);
  }
}

// A live trace is in place from the start, header first. each_event: a line is in the
// file as soon as it is made; each_step: only at end_step (a real node with durable
// state keeps the state first).
TEST(JsonlWriterTest, ALiveTraceShowsEachEventAtOnceOrEachStepAtItsEnd) {
  const TempDir dir("distlab_writer_live");
  const Header header{.algorithm = "lamport", .mode = "real", .seed = 1, .nodes = {1, 2}};
  Event e;
  e.kind = EventKind::local;
  e.node = 1;
  auto lines = [](const std::string& path) {
    const std::string text = read_file(path);
    return std::count(text.begin(), text.end(), '\n');
  };
  {
    const std::string path = (dir.path / "event.jsonl").string();
    JsonlWriter writer(path, header, JsonlWriter::Flush::each_event);
    EXPECT_EQ(lines(path), 1);
    writer.on_event(e);
    EXPECT_EQ(lines(path), 2);
    writer.commit();
  }
  const std::string path = (dir.path / "step.jsonl").string();
  JsonlWriter writer(path, header, JsonlWriter::Flush::each_step);
  EXPECT_EQ(lines(path), 1);
  writer.on_event(e);
  writer.on_event(e);
  EXPECT_EQ(lines(path), 1);
  writer.end_step();
  EXPECT_EQ(lines(path), 3);
  writer.on_event(e);
  writer.commit();
  EXPECT_EQ(lines(path), 4);
  EXPECT_EQ(read_trace_file(path).events.size(), 3u);
}

// The trace goes to /dev/full, where every write fails (ENOSPC); a device is written
// directly (core/atomic_file.h), and stays a device.
void expect_write_error_at_commit(std::size_t events, JsonlWriter::Flush flush) {
  const std::size_t threads_before = thread_count();
  const EventMix mix;
  JsonlWriter writer("/dev/full", kMixHeader, flush);
  for (std::size_t i = 0; i < events; ++i) writer.on_event(mix.at(i));
  try {
    writer.commit();
    ADD_FAILURE() << "commit succeeded writing to /dev/full";
  } catch (const RuntimeFailure& e) {
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
  EXPECT_EQ(thread_count(), threads_before);
}

TEST(JsonlWriterTest, WriteErrorIsARuntimeFailureAtCommitAndLeavesNoFile) {
  {
    SCOPED_TRACE("many blocks, written by the writer's thread");
    expect_write_error_at_commit(EventMix::kCount, JsonlWriter::Flush::buffered);
  }
  {
    SCOPED_TRACE("one block, written at commit");
    expect_write_error_at_commit(10, JsonlWriter::Flush::buffered);
  }
  {
    SCOPED_TRACE("each event");
    expect_write_error_at_commit(10, JsonlWriter::Flush::each_event);
  }
  {
    SCOPED_TRACE("header at the end");
    const EventMix mix;
    JsonlWriter writer("/dev/full");
    for (std::size_t i = 0; i < EventMix::kCount; ++i) writer.on_event(mix.at(i));
    EXPECT_THROW(writer.commit(kMixHeader), RuntimeFailure);
    EXPECT_TRUE(std::filesystem::is_character_file("/dev/full"));
  }
}

TEST(JsonlWriterTest, DestroyedMidStreamLeavesNoFileAndNoThread) {
  const TempDir dir("distlab_writer_abandoned");
  const std::string path = (dir.path / "run.jsonl").string();
  const std::size_t threads_before = thread_count();
  const EventMix mix;
  for (const std::size_t events : {std::size_t{10}, EventMix::kCount / 2, EventMix::kCount}) {
    {
      JsonlWriter writer(path, kMixHeader);
      for (std::size_t i = 0; i < events; ++i) writer.on_event(mix.at(i));
      EXPECT_FALSE(std::filesystem::exists(path));  // written, but not yet in place
    }  // a run that threw: no commit
    EXPECT_TRUE(std::filesystem::is_empty(dir.path)) << std::filesystem::directory_iterator(dir.path)->path();
    EXPECT_EQ(thread_count(), threads_before) << events << " events";
  }
}

TEST(JsonlWriterTest, UnwritablePathIsAnInputError) {
  EXPECT_THROW(JsonlWriter("/nonexistent/dir/run.jsonl", Header{}), InputError);
}

}  // namespace
}  // namespace distlab::trace
