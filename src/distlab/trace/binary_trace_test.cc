#include "distlab/trace/binary_trace.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "distlab/clock/vector_clock.h"
#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::trace {
namespace {

class BinaryTraceTest : public ::testing::Test {
 protected:
  BinaryTraceTest() {
    dir_ = std::filesystem::temp_directory_path() / ("distlab-binary-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~BinaryTraceTest() override { std::filesystem::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static std::string slurp(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  // The same events through both writers: the JSONL trace, and the binary one's
  // conversion.
  std::pair<std::string, std::string> both(const std::vector<Event>& events) {
    {
      JsonlWriter jsonl(path("t.jsonl"), header_);
      BinaryTraceWriter binary(path("t.dltrace"), header_);
      for (const Event& e : events) {
        jsonl.on_event(e);
        binary.on_event(e);
      }
      jsonl.commit();
      binary.commit();
    }
    std::ifstream in(path("t.dltrace"), std::ios::binary);
    convert_binary_trace(in, "t.dltrace", path("converted.jsonl"));
    return {slurp(path("t.jsonl")), slurp(path("converted.jsonl"))};
  }

  // A binary trace with this header and these record bytes, read by read_trace.
  Trace read_bytes(const std::string& records, const ReadLimits& limits = {}) {
    std::string bytes(kBinaryTraceMagic);
    bytes += static_cast<char>(kBinaryTraceVersion);
    const std::string h = header_line(header_);
    for (std::size_t n = h.size();; n >>= 7) {  // LEB128
      bytes += static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      if (n < 0x80) break;
    }
    bytes += h;
    bytes += records;
    std::istringstream in(bytes);
    return read_trace(in, "x.dltrace", limits);
  }

  static Event event(Nanos t, NodeId node, EventKind kind) {
    Event e;
    e.t = t;
    e.node = node;
    e.kind = kind;
    return e;
  }

  std::filesystem::path dir_;
  Header header_{.algorithm = "lamport", .mode = "sim", .seed = 7, .nodes = {1, 2, 3}};
};

TEST_F(BinaryTraceTest, EveryKindAndFieldConvertsToTheJsonlTraceByteForByte) {
  const nlohmann::ordered_json body = {{"z", 1}, {"a", {1.5, -2, "x\ny"}}, {"n", nullptr}};
  const nlohmann::ordered_json null_body;
  const nlohmann::ordered_json state = {{"leader", 3}, {"term", 18446744073709551615ULL}};
  VectorClock vc(2);
  vc.set(1, 4);
  vc.set(2, 9);
  vc.set(4'000'000'000U, 1);
  const VectorClock empty_vc;
  const std::string long_label(300, 'q');  // past kMaxKeptStringBytes: written each time
  std::vector<Event> events;
  Event send = event(5, 1, EventKind::send);
  send.msg = {1, 1};
  send.peer = 2;
  send.type = "token";
  send.stamp.lamport = 1;
  events.push_back(send);
  send.data = &body;
  send.msg.seq = 2;
  send.stamp.vc = &vc;
  events.push_back(send);
  send.data = &null_body;  // a null body is not written
  send.msg.seq = 3;
  send.stamp = {};
  events.push_back(send);
  Event recv = event(3, 2, EventKind::recv);  // time goes back: the writer does not judge
  recv.msg = {1, 1};
  recv.peer = 1;
  recv.type = "token";
  recv.stamp.lamport = -5;
  recv.stamp.vc = &empty_vc;
  events.push_back(recv);
  Event drop = event(1'000'000'000'000, 3, EventKind::drop);
  drop.msg = {9, 18446744073709551615ULL};  // another sender than the node
  drop.peer = 1;
  drop.type = "ty\"pe\\\x01";
  drop.label = "loss";
  events.push_back(drop);
  Event local = event(-7, 1, EventKind::local);
  events.push_back(local);
  local.label = long_label;
  events.push_back(local);
  local.label = "deposit";
  local.stamp.lamport = 1LL << 62;
  events.push_back(local);
  Event timer = event(8, 2, EventKind::timer);
  timer.label = "heartbeat";
  events.push_back(timer);
  events.push_back(event(9, 3, EventKind::crash));
  events.push_back(event(10, 3, EventKind::recover));
  Event note = event(11, 2, EventKind::state);
  events.push_back(note);  // no data: "data":{}
  note.data = &state;
  events.push_back(note);
  note.data = &null_body;
  events.push_back(note);
  const auto [jsonl, converted] = both(events);
  EXPECT_EQ(converted, jsonl);
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), static_cast<long>(events.size()) + 1);
  EXPECT_LT(std::filesystem::file_size(path("t.dltrace")), jsonl.size());
}

TEST_F(BinaryTraceTest, ARecordThatGivesTwoNewStringsKeepsBoth) {
  // Found by the fuzzer (under ASan): the type, kept first, was a view into a vector
  // of strings that keeping the reason moved.
  Event send = event(1, 1, EventKind::send);
  send.msg = {1, 1};
  send.peer = 2;
  send.type = "t";
  Event drop = event(2, 1, EventKind::drop);
  drop.msg = {1, 1};
  drop.peer = 2;
  drop.type = "a type that is not short";
  drop.label = "a reason that is not short";
  const auto [jsonl, converted] = both({drop, send});
  EXPECT_EQ(converted, jsonl);
}

TEST_F(BinaryTraceTest, StringsBeyondWhatATraceKeepsAreWrittenEachTime) {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < kMaxKeptStrings + 500; ++i) labels.push_back("label-" + std::to_string(i));
  std::vector<Event> events;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& label : labels) {
      Event e = event(round, 1, EventKind::local);
      e.label = label;
      events.push_back(e);
    }
  }
  const auto [jsonl, converted] = both(events);
  EXPECT_EQ(converted, jsonl);
}

TEST_F(BinaryTraceTest, CommandsReadABinaryTraceAsTheJsonlOne) {
  std::vector<Event> events;
  Event send = event(0, 1, EventKind::send);
  send.msg = {1, 1};
  send.peer = 2;
  send.type = "m";
  send.stamp.lamport = 1;
  events.push_back(send);
  Event recv = event(4, 2, EventKind::recv);
  recv.msg = {1, 1};
  recv.peer = 1;
  recv.type = "m";
  recv.stamp.lamport = 2;
  events.push_back(recv);
  both(events);
  const Trace from_jsonl = read_trace_file(path("t.jsonl"));
  const Trace from_binary = read_trace_file(path("t.dltrace"));
  std::ostringstream a;
  std::ostringstream b;
  write_trace(a, from_jsonl);
  write_trace(b, from_binary);
  EXPECT_EQ(b.str(), a.str());
  ASSERT_EQ(from_binary.events.size(), 2U);
  EXPECT_EQ(from_binary.events[1].line, 3U);  // as in the JSONL form
  EXPECT_EQ(from_binary.header.algorithm, "lamport");
}

TEST_F(BinaryTraceTest, ATraceThatWouldBeRefusedAsJsonlIsRefusedAsBinary) {
  // A receive of a message never sent: the reader's checks apply to binary traces too.
  Event recv = event(4, 2, EventKind::recv);
  recv.msg = {1, 1};
  recv.peer = 1;
  recv.type = "m";
  both({recv});
  EXPECT_THROW(read_trace_file(path("t.jsonl")), InputError);
  EXPECT_THROW(read_trace_file(path("t.dltrace")), InputError);
}

TEST_F(BinaryTraceTest, EveryTruncationIsRefusedInOneLineNeverAHalfTrace) {
  Event send = event(0, 1, EventKind::send);
  send.msg = {1, 1};
  send.peer = 2;
  send.type = "token";
  send.stamp.lamport = 300;
  both({});
  const std::size_t header_only = std::filesystem::file_size(path("t.dltrace"));
  both({send});
  const std::string whole = slurp(path("t.dltrace"));
  for (std::size_t n = 0; n < whole.size(); ++n) {
    std::istringstream in(whole.substr(0, n));
    if (n == header_only) {  // a trace of no events, as a JSONL header alone is
      EXPECT_EQ(read_trace(in, "empty.dltrace").events.size(), 0U);
      continue;
    }
    try {
      read_trace(in, "cut.dltrace");
      ADD_FAILURE() << "a trace cut at byte " << n << " was read";
    } catch (const InputError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
      EXPECT_TRUE(what.starts_with("cut.dltrace")) << what;
    }
  }
  std::istringstream in(whole);
  EXPECT_EQ(read_trace(in, "whole.dltrace").events.size(), 1U);
}

TEST_F(BinaryTraceTest, MalformedRecordsAreRefusedWithTheReason) {
  const auto refused = [&](const std::string& records, const std::string& why) {
    try {
      read_bytes(records);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  // flags, dt, node, ...: a local event at t=1 on node 1 with a label used once.
  EXPECT_EQ(read_bytes(std::string("\x00\x02\x01\x00\x01x", 6)).events.size(), 1U);
  refused(std::string("\x80\x02\x01\x00\x01x", 6), "unknown flags");
  refused(std::string("\x40\x02\x01\x00\x01x", 6), "sender flag");
  refused(std::string("\x00\x02\x01\x05", 4), "not yet given");               // string 3 of none
  refused(std::string("\x20\x02\x01\x00\x00\x02{}", 8), "data on an event");  // local with data
  refused(std::string("\x27\x02\x01\x03{\n}", 7), "not one line of JSON");    // state data with a newline
  refused(std::string("\x27\x02\x01\x02{x", 6), "not one line of JSON");
  refused(std::string("\x10\x02\x01\x00\x00\x02\x01\x01\x00\x01", 10), "ascending");  // vc nodes 1, 1
  refused(std::string("\x10\x02\x01\x00\x00\x01\x01\x00", 8), "counter of 0");
  refused(std::string("\x08\x02\x01\x00\x00\x01", 6), "-1");                  // lamport -1 marked present
  refused(std::string("\x05\x02\xff\xff\xff\xff\x7f", 7), "beyond 32 bits");  // crash at node 2^35-1
  refused(std::string("\x05", 1) + std::string(10, '\xff') + "\x01", "64-bit");
  std::string version(kBinaryTraceMagic);
  version += '\x02';
  std::istringstream in(version);
  EXPECT_THROW(read_trace(in, "v2.dltrace"), InputError);
}

TEST_F(BinaryTraceTest, BoundsHoldForStringsDataAndClocks) {
  ReadLimits small;
  small.line_bytes = 200;  // the header is shorter
  small.object_keys = 8;   // the header has 7
  const auto refused = [&](const std::string& records, const std::string& why) {
    try {
      read_bytes(records, small);
      ADD_FAILURE() << "accepted: " << why;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  refused(std::string("\x00\x02\x01\x00\xc9\x01", 6) + std::string(201, 'a'), "longer than 200 bytes");
  refused(std::string("\x10\x02\x01\x00\x00\x09", 6), "more than 8 entries");
  // A kept string longer than a kept string may be.
  refused(std::string("\x00\x02\x01\x01\x81\x02", 6) + std::string(257, 'a'),
          "a kept string past the bounds");
}

TEST_F(BinaryTraceTest, ConvertRefusesAJsonlInputAndLeavesNoFile) {
  std::istringstream jsonl(header_line(header_) + "\n");
  EXPECT_THROW(convert_binary_trace(jsonl, "t.jsonl", path("out.jsonl")), InputError);
  EXPECT_FALSE(std::filesystem::exists(path("out.jsonl")));
}

}  // namespace
}  // namespace distlab::trace
