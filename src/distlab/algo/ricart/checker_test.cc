#include "distlab/algo/ricart/checker.h"

#include <gtest/gtest.h>

#include "distlab/trace/internal/test_records.h"

namespace distlab::ricart {
namespace {

using trace::CheckResult;
using trace::CheckStatus;
using trace::Record;
using trace::testing::ev;

Record note(NodeId node, Nanos t, nlohmann::ordered_json data) {
  Record r = ev(node, t, EventKind::state, {}, 0, {});
  r.data = std::move(data);
  return r;
}
Record request(NodeId node, Nanos t, std::int64_t ts) {
  return note(node, t, {{"mutex", "request"}, {"ts", ts}});
}
Record enter(NodeId node, Nanos t, std::int64_t ts) {
  return note(node, t, {{"mutex", "enter"}, {"ts", ts}});
}
Record leave(NodeId node, Nanos t) { return note(node, t, {{"mutex", "exit"}}); }

trace::Trace make(std::vector<Record> events) {
  trace::Trace t;
  t.header = {.algorithm = "ricart", .mode = "sim", .seed = 1, .nodes = {1, 2, 3}};
  for (std::size_t i = 0; i < events.size(); ++i) events[i].line = i + 2;  // the header is line 1
  t.events = std::move(events);
  return t;
}

const CheckResult& result(const std::vector<CheckResult>& results, std::string_view name) {
  for (const auto& r : results) {
    if (r.name == name) return r;
  }
  static const CheckResult kMissing{"missing", CheckStatus::skipped, ""};
  ADD_FAILURE() << "no " << name;
  return kMissing;
}

void expect_status(const std::vector<CheckResult>& results, std::string_view name, CheckStatus status) {
  const CheckResult& r = result(results, name);
  EXPECT_EQ(r.status, status) << name << ": " << r.detail;
}

// Node 1 then node 2, each requested, granted, and left; node 3 only answered.
std::vector<Record> two_turns() {
  return {request(1, 0, 3),
          request(2, 1 * kMillisecond, 4),
          enter(1, 10 * kMillisecond, 3),
          leave(1, 20 * kMillisecond),
          enter(2, 25 * kMillisecond, 4),
          leave(2, 35 * kMillisecond)};
}

TEST(MutexCheckTest, ATraceWithoutMutexNotesHasNoResults) {
  EXPECT_TRUE(check_mutex(make({ev(1, 0, EventKind::local), note(2, 5, {{"leader", 2}})})).empty());
}

TEST(MutexCheckTest, TurnsInTimestampOrderPass) {
  const auto results = check_mutex(make(two_turns()));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].name, "mutual_exclusion");
  EXPECT_EQ(results[1].name, "requests_granted");
  EXPECT_EQ(results[2].name, "entry_order");
  for (const auto& r : results) EXPECT_EQ(r.status, CheckStatus::pass) << r.name << ": " << r.detail;
  EXPECT_EQ(results[0].detail, "2 critical sections, never two at once");
  EXPECT_EQ(results[1].detail, "2 requests, each followed by an entry");
  EXPECT_EQ(results[2].detail, "2 entries in (timestamp, node) order");
}

TEST(MutexCheckTest, TheCheckerAppendsTheSameResults) {
  const trace::Trace t = make(two_turns());
  std::vector<CheckResult> results{{"causality", CheckStatus::pass, ""}};
  check(t, trace::CausalGraph(t), results);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[1].name, "mutual_exclusion");
}

TEST(MutexCheckTest, TwoNodesInsideAtOnceFail) {
  const auto results = check_mutex(
      make({request(1, 0, 3), request(2, 0, 3), enter(1, 10 * kMillisecond, 3),
            enter(2, 15 * kMillisecond, 3), leave(1, 20 * kMillisecond), leave(2, 25 * kMillisecond)}));
  const CheckResult& r = result(results, "mutual_exclusion");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("nodes 1 and 2 were both inside the critical section from 15ms to 20ms"),
            std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("node 1 entered at 10ms, line 4"), std::string::npos) << r.detail;
}

TEST(MutexCheckTest, ANodeIsInsideUntilItCrashes) {
  const std::vector<Record> crashed{request(1, 0, 1),  enter(1, 10, 1), ev(1, 12, EventKind::crash),
                                    request(2, 13, 3), enter(2, 15, 3), leave(2, 20)};
  expect_status(check_mutex(make(crashed)), "mutual_exclusion", CheckStatus::pass);
  // The same without the crash: node 1 never left.
  std::vector<Record> stayed = crashed;
  stayed.erase(stayed.begin() + 2);
  const auto results = check_mutex(make(stayed));
  const CheckResult& r = result(results, "mutual_exclusion");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("nodes 1 and 2"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("from 15ns to 20ns"), std::string::npos) << r.detail;
}

TEST(MutexCheckTest, ANodeThatNeverLeavesIsInsideUntilTheEnd) {
  const auto results =
      check_mutex(make({enter(1, 10, 1), enter(2, 50, 3), ev(3, 90 * kMillisecond, EventKind::local)}));
  const CheckResult& r = result(results, "mutual_exclusion");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("from 50ns to 90ms, the end of the trace"), std::string::npos) << r.detail;
}

TEST(MutexCheckTest, LeavingAndEnteringInTheSameInstantFollowsTraceOrder) {
  // Exit first, then enter, both at 20ms: a hand-over, not an overlap.
  expect_status(check_mutex(make({enter(1, 10, 1), leave(1, 20), enter(2, 20, 3), leave(2, 30)})),
                "mutual_exclusion", CheckStatus::pass);
  expect_status(check_mutex(make({enter(1, 10, 1), enter(2, 20, 3), leave(1, 20), leave(2, 30)})),
                "mutual_exclusion", CheckStatus::fail);
}

TEST(MutexCheckTest, ARequestNeverGrantedOnAReliableRunFails) {
  std::vector<Record> events = two_turns();
  events.push_back(request(3, 40 * kMillisecond, 9));
  const auto results = check_mutex(make(events));
  const CheckResult& r = result(results, "requests_granted");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("node 3's request (ts 9) at 40ms was never granted (1 of 3 requests not granted)"),
            std::string::npos)
      << r.detail;
  EXPECT_NE(r.detail.find("reliable"), std::string::npos) << r.detail;
}

TEST(MutexCheckTest, ASecondRequestBeforeAnEntryLeavesTheFirstUngranted) {
  const auto results = check_mutex(make({request(1, 0, 1), request(1, 5, 2), enter(1, 6, 2), leave(1, 7)}));
  const CheckResult& r = result(results, "requests_granted");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("node 1's request (ts 1)"), std::string::npos) << r.detail;
}

TEST(MutexCheckTest, AMissingGrantIsSkippedWhenTheRunHadFaults) {
  for (EventKind fault : {EventKind::crash, EventKind::recover, EventKind::drop}) {
    std::vector<Record> events = two_turns();
    events.insert(events.begin(), ev(3, 0, fault, fault == EventKind::drop ? "3.1" : "", 1));
    events.push_back(request(1, 40 * kMillisecond, 9));
    const auto results = check_mutex(make(events));
    const CheckResult& r = result(results, "requests_granted");
    EXPECT_EQ(r.status, CheckStatus::skipped) << r.detail;
    EXPECT_NE(r.detail.find("known weakness"), std::string::npos) << r.detail;
  }
  const auto results = check_mutex(make({ev(3, 0, EventKind::crash), ev(3, 1, EventKind::recover),
                                         ev(2, 2, EventKind::drop, "2.1", 3), request(1, 3, 1)}));
  EXPECT_NE(result(results, "requests_granted").detail.find("1 crash, 1 recovery and 1 dropped message"),
            std::string::npos)
      << result(results, "requests_granted").detail;
}

TEST(MutexCheckTest, ARequestCutShortByItsOwnCrashIsNotOwedAGrant) {
  const auto results =
      check_mutex(make({request(1, 0, 1), ev(1, 5, EventKind::crash), ev(1, 9, EventKind::recover),
                        request(1, 10, 4), enter(1, 11, 4), leave(1, 12)}));
  const CheckResult& r = result(results, "requests_granted");
  EXPECT_EQ(r.status, CheckStatus::pass) << r.detail;
  EXPECT_EQ(r.detail, "2 requests (1 cut short by its node's crash), each followed by an entry");
}

TEST(MutexCheckTest, EntriesOutOfTimestampOrderFail) {
  const auto results = check_mutex(
      make({request(2, 0, 5), request(1, 1, 3), enter(2, 10 * kMillisecond, 5), leave(2, 20 * kMillisecond),
            enter(1, 30 * kMillisecond, 3), leave(1, 40 * kMillisecond)}));
  expect_status(results, "mutual_exclusion", CheckStatus::pass);
  expect_status(results, "requests_granted", CheckStatus::pass);
  const CheckResult& r = result(results, "entry_order");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(
      r.detail.find("node 1 entered with (ts 3, node 1) at 30ms (line 6), after node 2 had entered with "
                    "(ts 5, node 2) at 10ms (line 4)"),
      std::string::npos)
      << r.detail;
}

TEST(MutexCheckTest, EqualTimestampsAreOrderedByNode) {
  expect_status(check_mutex(make({enter(1, 10, 5), leave(1, 20), enter(2, 30, 5), leave(2, 40)})),
                "entry_order", CheckStatus::pass);
  expect_status(check_mutex(make({enter(2, 10, 5), leave(2, 20), enter(1, 30, 5), leave(1, 40)})),
                "entry_order", CheckStatus::fail);
  // The same pair twice is not strictly increasing either.
  expect_status(check_mutex(make({enter(1, 10, 5), leave(1, 20), enter(1, 30, 5), leave(1, 40)})),
                "entry_order", CheckStatus::fail);
}

TEST(MutexCheckTest, AnEntryWithoutATimestampFails) {
  const auto results = check_mutex(make({enter(1, 10, 1), leave(1, 20), note(2, 30, {{"mutex", "enter"}})}));
  const CheckResult& r = result(results, "entry_order");
  EXPECT_EQ(r.status, CheckStatus::fail);
  EXPECT_NE(r.detail.find("node 2 entered at 30ns (line 4) with no timestamp"), std::string::npos)
      << r.detail;
}

}  // namespace
}  // namespace distlab::ricart
