// trace::Recorder: what it keeps of each event, and a buffer reused across runs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "distlab/core/event.h"
#include "distlab/trace/trace.h"

namespace distlab::trace {
namespace recorder_test {

Event send_event(Nanos t, NodeId from, NodeId to, std::uint64_t seq, const nlohmann::ordered_json* body) {
  Event e;
  e.t = t;
  e.node = from;
  e.kind = EventKind::send;
  e.msg = MsgId{from, seq};
  e.peer = to;
  e.type = "ELECTION";
  e.data = body;
  e.stamp.lamport = static_cast<std::int64_t>(seq);
  return e;
}

TEST(Recorder, KeepsEachEventAsToRecordMakesItNumberedByItsLine) {
  const nlohmann::ordered_json body = {{"from", 2}};
  Recorder recorder(Header{});
  recorder.on_event(send_event(5, 2, 3, 1, &body));
  recorder.on_event(send_event(9, 3, 1, 4, nullptr));
  const auto& events = recorder.trace().events;
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].line, 2u);  // the header is line 1
  EXPECT_EQ(events[1].line, 3u);
  EXPECT_EQ(events[0].msg, "2.1");
  EXPECT_EQ(events[0].peer, 3);
  EXPECT_EQ(events[0].type, "ELECTION");
  EXPECT_EQ(events[0].data, body);
  EXPECT_EQ(events[0].lamport, 1);
  EXPECT_TRUE(events[1].data.is_null());
  const Record direct = to_record(send_event(9, 3, 1, 4, nullptr));
  EXPECT_EQ(events[1].msg, direct.msg);
  EXPECT_EQ(events[1].t, direct.t);
  EXPECT_EQ(recorder.sent_by_type().at("ELECTION"), 2u);
}

// A note passed as a temporary (Context::note with an rvalue) is moved into the last
// sink's record; every earlier sink still sees it whole.
Event note_event(nlohmann::ordered_json& data) {
  Event e;
  e.t = 3;
  e.node = 1;
  e.kind = EventKind::state;
  e.data = &data;
  e.spare_data = &data;
  return e;
}

TEST(Recorder, TakesASpareNoteWithoutLeavingItsCopy) {
  const nlohmann::ordered_json expected = {{"leader", 5}, {"why", "a note long enough to live on the heap"}};
  nlohmann::ordered_json data = expected;
  Recorder recorder(Header{});
  recorder.on_event(note_event(data));
  ASSERT_EQ(recorder.trace().events.size(), 1u);
  EXPECT_EQ(recorder.trace().events[0].data, expected);
}

TEST(FanOut, GivesASpareNoteToTheLastSinkOnlyAndEverySinkSeesItWhole) {
  const nlohmann::ordered_json expected = {{"leader", 5}, {"why", "a note long enough to live on the heap"}};
  nlohmann::ordered_json data = expected;
  Recorder first(Header{});
  Recorder second(Header{});
  Recorder third(Header{});
  FanOut sinks;
  sinks.add(&first);
  sinks.add(&second);
  sinks.add(&third);
  sinks.on_event(note_event(data));
  for (const Recorder* r : {&first, &second, &third}) {
    ASSERT_EQ(r->trace().events.size(), 1u);
    EXPECT_EQ(r->trace().events[0].data, expected);
  }
}

TEST(Recorder, CountsSendsByTypeFromTheTraceOrAsTheyComeWhenItKeepsOnlyAnnotations) {
  Recorder everything(Header{});
  Recorder annotations(Header{}, {}, Recorder::Keep::annotations);
  for (Recorder* r : {&everything, &annotations}) {
    r->on_event(send_event(1, 1, 2, 1, nullptr));
    Event other = send_event(2, 1, 3, 2, nullptr);
    other.type = "OK";
    r->on_event(other);
    r->on_event(send_event(3, 2, 3, 1, nullptr));
  }
  EXPECT_TRUE(annotations.trace().events.empty());
  for (const Recorder* r : {&everything, &annotations}) {
    const auto counts = r->sent_by_type();
    ASSERT_EQ(counts.size(), 2u);
    EXPECT_EQ(counts.at("ELECTION"), 2u);
    EXPECT_EQ(counts.at("OK"), 1u);
  }
}

TEST(Recorder, AReusedBufferStartsEmptyAndKeepsItsCapacity) {
  Recorder first(Header{});
  for (std::uint64_t i = 1; i <= 100; ++i) first.on_event(send_event(static_cast<Nanos>(i), 1, 2, i, nullptr));
  std::vector<Record> buffer = first.release();
  ASSERT_EQ(buffer.size(), 100u);
  const std::size_t capacity = buffer.capacity();

  Recorder second(Header{});
  second.reuse(std::move(buffer));
  EXPECT_TRUE(second.trace().events.empty()) << "the first run's events must not leak into the second";
  second.on_event(send_event(7, 4, 5, 1, nullptr));
  ASSERT_EQ(second.trace().events.size(), 1u);
  EXPECT_EQ(second.trace().events[0].msg, "4.1");
  EXPECT_EQ(second.trace().events[0].line, 2u);
  const std::vector<Record> back = second.release();
  EXPECT_EQ(back.size(), 1u);
  EXPECT_EQ(back.capacity(), capacity);
}

}  // namespace recorder_test
}  // namespace distlab::trace
