// The trace reader's bounds: no input crashes it, stalls it or makes it hold more
// than a line's worth of text (issue 16).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>
#include <streambuf>
#include <string>

#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"

namespace distlab::trace {
namespace reader_limits_test {

constexpr const char* kLimitsHeader =
    R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":7,"nodes":[1,2],"time_unit":"ns"})";

std::string limits_error(const std::string& text, const ReadLimits& limits = {}) {
  std::istringstream in(text);
  try {
    read_trace(in, "t.jsonl", limits);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// A state event whose data nests `depth` arrays: the event's object is level 1, its
// data object level 2, so the line nests depth + 2 levels.
std::string nested_line(std::size_t depth) {
  return R"({"t":0,"node":1,"kind":"state","data":{"x":)" + std::string(depth, '[') + std::string(depth, ']') + "}}";
}

TEST(TraceReaderLimits, DeepNestingIsAnErrorNotACrash) {
  // 50,000 levels in 100 KB crashed check, render, merge and export (a stack overflow).
  const std::string deep = nested_line(50'000);
  EXPECT_LE(deep.size(), 100'100u);
  EXPECT_EQ(limits_error(std::string(kLimitsHeader) + "\n" + deep + "\n"),
            "t.jsonl:2: nested deeper than 64 levels");
  // The bound itself is accepted; one more level is not.
  EXPECT_EQ(limits_error(std::string(kLimitsHeader) + "\n" + nested_line(kMaxDepth - 2) + "\n"), "(no error)");
  EXPECT_EQ(limits_error(std::string(kLimitsHeader) + "\n" + nested_line(kMaxDepth - 1) + "\n"),
            "t.jsonl:2: nested deeper than 64 levels");
  // The header too.
  EXPECT_EQ(limits_error(std::string(60'000, '[') + "\n"), "t.jsonl:1: nested deeper than 64 levels");
}

std::string object_of(std::size_t keys, bool descending = false) {
  std::string text = "{";
  for (std::size_t i = 0; i < keys; ++i) {
    const std::size_t k = descending ? keys - i : i + 1;
    text += fmt::format("{}\"{}\":{}", i == 0 ? "" : ",", k, k);
  }
  return text + "}";
}

// 200,000 keys took 20 s and 400,000 took 105 s (the ordered map's linear search per
// key). At the bound, an object's keys and a vector clock in any order are read whole
// and in order; that it takes time linear in the keys is measured, not asserted here
// (BM_ReadTraceManyKeys in jsonl_reader_benchmark.cc, `make bench`).
TEST(TraceReaderLimits, ManyKeysAreReadWholeAndInOrder) {
  const std::string data = R"({"t":0,"node":1,"kind":"state","data":)" + object_of(kMaxObjectKeys) + "}";
  const std::string vc = R"({"t":1,"node":1,"kind":"local","vc":)" + object_of(kMaxObjectKeys, true) + "}";
  std::istringstream in(std::string(kLimitsHeader) + "\n" + data + "\n" + vc + "\n");
  const Trace trace = read_trace(in, "t.jsonl");
  ASSERT_EQ(trace.events.size(), 2u);
  EXPECT_EQ(trace.events[0].data.size(), kMaxObjectKeys);
  EXPECT_EQ(trace.events[0].data.begin().key(), "1");  // keys keep their order
  EXPECT_EQ(trace.events[1].vc->entries().size(), kMaxObjectKeys);
  EXPECT_EQ(trace.events[1].vc->get(kMaxObjectKeys), kMaxObjectKeys);
}

TEST(TraceReaderLimits, TooManyKeysAndDuplicateKeysAreErrors) {
  const std::string many = R"({"t":0,"node":1,"kind":"state","data":)" + object_of(kMaxObjectKeys + 1) + "}";
  EXPECT_EQ(limits_error(std::string(kLimitsHeader) + "\n" + many + "\n"), "t.jsonl:2: an object has more than 100000 keys");
  EXPECT_EQ(limits_error(std::string(kLimitsHeader) + "\n" + R"({"t":0,"node":1,"kind":"local","t":5})" + "\n"),
            "t.jsonl:2: key \"t\" appears twice in an object");
  EXPECT_EQ(limits_error(std::string(kLimitsHeader) + "\n" + R"({"t":0,"node":1,"kind":"local","vc":{"1":1,"01":2}})" + "\n"),
            "t.jsonl:2: field \"vc\" names node 1 twice");
}

// An endless line made on demand: `{"x":"aaaa...` without end, counting what it gives.
class EndlessLine : public std::streambuf {
 public:
  explicit EndlessLine(std::string head) : head_(std::move(head)), block_(kReadBlockBytes, 'a') {}
  std::size_t given() const { return given_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (given_ >= std::size_t{1} << 30) return traits_type::eof();  // 1 GiB, were it all read
    char* data = block_.data();
    std::size_t size = block_.size();
    if (!head_sent_) {
      head_sent_ = true;
      data = head_.data();
      size = head_.size();
    }
    setg(data, data, data + size);
    given_ += size;
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::string head_;
  std::string block_;
  bool head_sent_ = false;
  std::size_t given_ = 0;
};

TEST(TraceReaderLimits, LongLineIsRefusedWhileReadingIt) {
  // A 1 GiB line was read whole (2 GB of memory) before the limit refused it.
  EndlessLine source(std::string(kLimitsHeader) + "\n" + R"({"t":0,"node":1,"kind":"local","label":")");
  std::istream in(&source);
  try {
    read_trace(in, "t.jsonl");
    FAIL() << "an endless line was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "t.jsonl:2: line longer than 16777216 bytes");
  }
  EXPECT_LE(source.given(), kMaxLineBytes + 2 * kReadBlockBytes + 200);
  // The same with a small limit, and a line just at it is fine.
  const ReadLimits small{.line_bytes = 200};
  const std::string at_limit = R"({"t":0,"node":1,"kind":"local","label":")" + std::string(200 - 42, 'a') + "\"}";
  ASSERT_EQ(at_limit.size(), 200u);
  EXPECT_EQ(limits_error(R"({"format":"distlab-trace","version":1,"algorithm":"x","mode":"sim","seed":7,"nodes":[1],"time_unit":"ns"})"
                     "\n" + at_limit + "\n", small),
            "(no error)");
  EXPECT_EQ(limits_error(R"({"format":"distlab-trace","version":1,"algorithm":"x","mode":"sim","seed":7,"nodes":[1],"time_unit":"ns"})"
                     "\n" + at_limit + " \n", small),
            "t.jsonl:2: line longer than 200 bytes");
}

TEST(TraceReaderLimits, EventsAreBounded) {
  std::string text = std::string(kLimitsHeader) + "\n";
  for (int i = 0; i < 4; ++i) text += fmt::format(R"({{"t":{},"node":1,"kind":"local"}})", i) + "\n";
  EXPECT_EQ(limits_error(text, {.events = 4}), "(no error)");
  EXPECT_EQ(limits_error(text, {.events = 3}), "t.jsonl:5: more than 3 events");
  EXPECT_EQ(kMaxTraceEvents, 10'000'000u);
}

// What `check` refused and `render` and `merge` took: every command reads through
// read_trace, which now refuses them all, naming the line.
TEST(TraceReaderLimits, MessageStructureIsValidatedForEveryCommand) {
  const std::string h = std::string(kLimitsHeader) + "\n";
  const std::string send = R"({"t":0,"node":1,"kind":"send","msg":"m","to":2,"type":"app"})";
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {h + send + "\n" + send + "\n", "t.jsonl:3: message \"m\" is sent twice"},
      {h + R"({"t":0,"node":2,"kind":"recv","msg":"m","from":1,"type":"app"})" + "\n",
       "t.jsonl:2: recv of message \"m\", which is never sent"},
      {h + R"({"t":0,"node":1,"kind":"drop","msg":"m","to":2,"type":"app","reason":"loss"})" + "\n",
       "t.jsonl:2: drop of message \"m\", which is never sent"},
      {h + send + "\n" + R"({"t":1,"node":1,"kind":"recv","msg":"m","from":2,"type":"app"})" + "\n",
       "t.jsonl:3: message \"m\" was sent by 1 to 2, but is received by 1 from 2"},
  };
  for (const Case& c : cases) EXPECT_EQ(limits_error(c.text), c.error) << c.text;
}

}  // namespace reader_limits_test
}  // namespace distlab::trace
