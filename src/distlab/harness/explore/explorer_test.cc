// The explorer on the algorithms' own models: complete where the state space closes,
// shortest counterexamples for the gallery's bugs, the same counts on every run, paths
// that replay into the violation, the bounds, and the schedule syntax.
#include "distlab/harness/explore/explorer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "distlab/algo/bully/explore.h"
#include "distlab/algo/detect/explore.h"
#include "distlab/algo/ricart/explore.h"
#include "distlab/algo/snapshot/explore.h"
#include "distlab/core/error.h"

namespace distlab::explore {
namespace {

bully::ExploreModel bully_model(std::uint32_t n, bully::Bug bug = bully::Bug::none) {
  bully::ExploreModel m;
  for (NodeId id = 1; id <= n; ++id) m.ids.push_back(id);
  m.options.bug = bug;
  return m;
}

ricart::ExploreModel ricart_model(std::uint32_t n, ricart::Bug bug = ricart::Bug::none) {
  ricart::ExploreModel m;
  for (NodeId id = 1; id <= n; ++id) m.ids.push_back(id);
  m.options.requests = 1;
  m.options.bug = bug;
  return m;
}

snapshot::ExploreModel snapshot_model(std::uint32_t n, snapshot::RecordingRule rule,
                                      std::uint32_t transfers) {
  snapshot::ExploreModel m;
  for (NodeId id = 1; id <= n; ++id) m.ids.push_back(id);
  m.topology = std::make_shared<const snapshot::Topology>(snapshot::Topology::complete(m.ids));
  m.rule = rule;
  m.transfers = transfers;
  return m;
}

std::vector<std::string> tokens(const Result& r) {
  std::vector<std::string> out;
  for (const Step& s : r.path) out.push_back(s.token());
  return out;
}

TEST(Explorer, CorrectBullyOnThreeNodesIsExploredCompletelyWithoutViolation) {
  Explorer ex(bully_model(3), {});
  const Result r = ex.run();
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(r.violation);
  // Elections, then heartbeat rounds that recur: thousands of states, not an endless run.
  EXPECT_GT(r.distinct, 1000u);
  EXPECT_GT(r.transitions, r.distinct);
  EXPECT_GT(r.depth, 10u);
}

TEST(Explorer, TheSameSettingsGiveTheSameCountsAndTheSameCounterexample) {
  Settings s;
  s.budgets.crashes = 1;
  s.budgets.recoveries = 1;
  const Result a = Explorer(bully_model(3, bully::Bug::follow_lower), s).run();
  const Result b = Explorer(bully_model(3, bully::Bug::follow_lower), s).run();
  ASSERT_TRUE(a.violation);
  EXPECT_EQ(a.distinct, b.distinct);
  EXPECT_EQ(a.transitions, b.transitions);
  EXPECT_EQ(tokens(a), tokens(b));
  EXPECT_EQ(a.violation->detail, b.violation->detail);
}

TEST(Explorer, AnyNumberOfJobsGivesTheSameCountsBoundsAndCounterexample) {
  struct Case {
    bully::Bug bug;
    std::uint32_t recoveries;
    std::uint64_t max_states;
    std::uint64_t max_memory = 4ULL << 30;
  };
  // Complete; cut by the state bound in the middle of a level; a violation; cut by the
  // memory bound (what the states take, not the blocks each thread happened to fill).
  for (const Case& c :
       {Case{bully::Bug::none, 0, 10'000'000}, Case{bully::Bug::none, 1, 40'000},
        Case{bully::Bug::follow_lower, 1, 10'000'000}, Case{bully::Bug::none, 1, 10'000'000, 3U << 20}}) {
    Settings one;
    one.reduce = true;  // its bookkeeping is the same for any number of jobs too
    one.budgets.crashes = 1;
    one.budgets.recoveries = c.recoveries;
    one.max_states = c.max_states;
    one.max_memory_bytes = c.max_memory;
    Settings three = one;
    three.jobs = 3;
    const Result a = Explorer(bully_model(3, c.bug), one).run();
    const Result b = Explorer(bully_model(3, c.bug), three).run();
    EXPECT_EQ(a.stop, b.stop);
    EXPECT_EQ(a.distinct, b.distinct);
    EXPECT_EQ(a.transitions, b.transitions);
    EXPECT_EQ(a.pruned, b.pruned);
    EXPECT_EQ(a.reexpanded, b.reexpanded);
    EXPECT_EQ(a.quiescent, b.quiescent);
    EXPECT_EQ(a.depth, b.depth);
    EXPECT_EQ(tokens(a), tokens(b));
    EXPECT_EQ(a.violation.has_value(), c.bug != bully::Bug::none);
    if (c.max_memory < Settings{}.max_memory_bytes) {
      EXPECT_EQ(a.stop, Stop::memory);
    }
  }
}

// Sleep sets skip transitions, never states: with and without them, the same states,
// quiescent states, depth and stop, and the same shortest counterexample.
template <class Model>
void expect_reduction_keeps_every_state(const Model& model, Settings s, bool expect_reexpanded = false) {
  s.reduce = true;
  const Result on = Explorer(model, s).run();
  s.reduce = false;
  const Result off = Explorer(model, s).run();
  EXPECT_TRUE(on.reduced);
  EXPECT_FALSE(off.reduced);
  EXPECT_EQ(on.distinct, off.distinct);
  EXPECT_EQ(on.quiescent, off.quiescent);
  EXPECT_EQ(on.depth, off.depth);
  EXPECT_EQ(on.stop, off.stop);
  EXPECT_EQ(tokens(on), tokens(off));
  EXPECT_GT(on.pruned, 0u);
  EXPECT_LT(on.transitions, off.transitions);
  EXPECT_EQ(off.pruned, 0u);
  if (expect_reexpanded) {
    EXPECT_GT(on.reexpanded, 0u);
  }
}

TEST(Explorer, TheReductionTakesFewerTransitionsAndSeesExactlyTheSameStates) {
  Settings s;
  expect_reduction_keeps_every_state(bully_model(3), s);
  expect_reduction_keeps_every_state(ricart_model(2), s);
  s.budgets.losses = 1;
  bully::ExploreModel election = bully_model(3);
  election.options.heartbeats = false;
  election.starter = 1;
  // Met again after its expansion with fewer transitions asleep: expanded again.
  expect_reduction_keeps_every_state(election, s, true);
  Settings draws;
  draws.draws = 2;
  expect_reduction_keeps_every_state(snapshot_model(3, snapshot::RecordingRule::chandy_lamport, 1), draws);
  Settings faults;
  faults.budgets.crashes = 1;
  faults.budgets.recoveries = 1;
  expect_reduction_keeps_every_state(bully_model(3, bully::Bug::follow_lower), faults);
}

TEST(Explorer, WithoutFifoChannelsThereIsNoReduction) {
  Settings s;
  s.fifo = false;
  const Result r = Explorer(bully_model(2), s).run();
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(r.reduced);
  EXPECT_EQ(r.pruned, 0u);
}

TEST(Explorer, CrownWithoutWaitingIsFoundAtTheShortestDepthAndNoShorterPathExists) {
  Explorer ex(bully_model(3, bully::Bug::crown_without_waiting), {});
  const Result r = ex.run();
  ASSERT_TRUE(r.violation);
  EXPECT_EQ(r.violation->check, "single_leader");
  ASSERT_FALSE(r.path.empty());
  EXPECT_EQ(r.depth, r.path.size());
  // Breadth first: with one step less allowed, nothing is found.
  Settings shorter;
  shorter.max_depth = static_cast<std::uint32_t>(r.path.size() - 1);
  const Result cut = Explorer(bully_model(3, bully::Bug::crown_without_waiting), shorter).run();
  EXPECT_FALSE(cut.violation);
  EXPECT_EQ(cut.stop, Stop::depth);
}

TEST(Explorer, TheCounterexampleReplaysIntoTheViolationByChoicesAndBySchedule) {
  Settings s;
  s.budgets.crashes = 1;
  s.budgets.recoveries = 1;
  Explorer ex(bully_model(3, bully::Bug::follow_lower), s);
  const Result r = ex.run();
  ASSERT_TRUE(r.violation);
  EXPECT_EQ(r.violation->check, "leader_agreement");
  const auto judged = ex.judge(r.choices);
  ASSERT_TRUE(judged);
  EXPECT_EQ(judged->detail, r.violation->detail);
  // A path one step shorter keeps every property: the violation is at its end.
  std::vector<internal::Choice> before(r.choices.begin(), r.choices.end() - 1);
  EXPECT_FALSE(ex.judge(before));

  std::string text;
  for (const std::string& t : tokens(r)) text += t + ",";
  std::optional<Violation> verdict;
  const std::vector<Step> steps = ex.replay(parse_schedule(text), nullptr, &verdict);
  EXPECT_EQ(steps.size(), r.path.size());
  ASSERT_TRUE(verdict);
  EXPECT_EQ(verdict->detail, r.violation->detail);
}

TEST(Explorer, FaultBudgetsWidenTheSearchAndAFaultFreeRunHasNone) {
  Settings with;
  with.budgets.crashes = 1;
  const Result none = Explorer(bully_model(3), {}).run();
  const Result crashes = Explorer(bully_model(3), with).run();
  EXPECT_TRUE(crashes.complete());
  EXPECT_FALSE(crashes.violation);
  EXPECT_GT(crashes.distinct, none.distinct);
}

TEST(Explorer, WithoutHeartbeatsTheElectionEndsAndQuiescentStatesAreJudged) {
  bully::ExploreModel m = bully_model(3);
  m.options.heartbeats = false;
  m.starter = 1;
  const Result r = Explorer(m, {}).run();
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(r.violation) << r.violation->detail;
  EXPECT_GT(r.quiescent, 0u);
  // One lost message is repaired (a coordinator timeout starts the election again), but
  // two can leave a node following no one when nothing is left to happen.
  Settings one;
  one.budgets.losses = 1;
  EXPECT_FALSE(Explorer(m, one).run().violation);
  Settings lossy;
  lossy.budgets.losses = 2;
  const Result lost = Explorer(m, lossy).run();
  ASSERT_TRUE(lost.violation);
  EXPECT_EQ(lost.violation->check, "leader_agreement");
  EXPECT_NE(lost.violation->detail.find("nothing is left to happen"), std::string::npos);
  bool lose = false;
  for (const Step& s : lost.path) lose = lose || s.kind == ChoiceKind::lose;
  EXPECT_TRUE(lose);
}

TEST(Explorer, RicartReplyInCsBreaksMutualExclusionAndTheCorrectOneKeepsIt) {
  const Result bad = Explorer(ricart_model(3, ricart::Bug::reply_in_cs), {}).run();
  ASSERT_TRUE(bad.violation);
  EXPECT_EQ(bad.violation->check, "mutual_exclusion");
  const Result good = Explorer(ricart_model(3), {}).run();
  EXPECT_TRUE(good.complete());
  EXPECT_FALSE(good.violation);
  EXPECT_GT(good.quiescent, 0u);  // every request granted where nothing is left
}

// Ricart's think and hold timers are free: without that, every node draws the same
// think time and no request ever reaches a node inside the critical section.
struct RicartTimedModel : ricart::ExploreModel {
  bool free_timer(TimerTag) const { return false; }
};
TEST(Explorer, FreeTimersAreWhatLetsARequestArriveDuringTheCriticalSection) {
  RicartTimedModel timed;
  static_cast<ricart::ExploreModel&>(timed) = ricart_model(3, ricart::Bug::reply_in_cs);
  const Result r = Explorer(timed, {}).run();
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(r.violation);
}

TEST(Explorer, ChandyLamportRecordsAConsistentCutWithExactChannelsInEveryOrder) {
  Settings s;
  s.draws = 2;
  const Result r = Explorer(snapshot_model(3, snapshot::RecordingRule::chandy_lamport, 2), s).run();
  EXPECT_TRUE(r.complete());
  EXPECT_FALSE(r.violation);
  EXPECT_GT(r.distinct, 1000u);
  EXPECT_GT(r.quiescent, 0u);  // the snapshot judged complete where nothing is left
}

TEST(Explorer, TheSeedsRecordingRuleKeepsTransfersSentAfterTheCut) {
  Settings s;
  s.draws = 2;
  const Explorer ex(snapshot_model(3, snapshot::RecordingRule::seed, 2), s);
  const Result r = ex.run();
  ASSERT_TRUE(r.violation);
  EXPECT_EQ(r.violation->check, "snapshot_channels");
  // A transfer sent after its sender recorded, received after its receiver did.
  std::size_t transfers_after_initiate = 0;
  bool initiated = false;
  for (const Step& step : r.path) {
    initiated = initiated || step.what == "initiate";
    transfers_after_initiate += initiated && step.kind == ChoiceKind::deliver && step.what == "transfer";
  }
  EXPECT_GE(transfers_after_initiate, 1u);
  EXPECT_EQ(ex.judge(r.choices)->check, "snapshot_channels");
}

// The bank draws its amounts inside the snapshot layer (a nested Context): the layer's
// Context must say so, or the explorer never tries the other streams.
TEST(Explorer, ARandomDrawInsideANestedContextCountsAsTheNodesOwn) {
  Settings one;
  one.draws = 1;
  Settings two;
  two.draws = 2;
  const auto model = snapshot_model(2, snapshot::RecordingRule::chandy_lamport, 1);
  EXPECT_GT(Explorer(model, two).run().distinct, Explorer(model, one).run().distinct);
}

detect::ExploreModel heartbeat_model(Nanos timeout_ns) {
  detect::ExploreModel m;
  m.ids = {0, 1, 2};
  m.monitor.fixed.timeout_ns = timeout_ns;
  m.latency_max_ns = Settings{}.latency_max_ns;
  return m;
}

TEST(Explorer, WithinATimeHorizonTheDetectorIsCompleteAndAccurateAndATooShortTimeoutIsNot) {
  Settings s;
  s.budgets.crashes = 1;
  s.budgets.recoveries = 1;
  s.until_ns = 30 * kSecond;
  const Result good = Explorer(heartbeat_model(10 * kSecond), s).run();
  EXPECT_TRUE(good.complete());
  EXPECT_FALSE(good.violation);
  // Heartbeats every 4 to 6 s against a 3 s timeout: a live sender is suspected.
  const Result bad = Explorer(heartbeat_model(3 * kSecond), s).run();
  ASSERT_TRUE(bad.violation);
  EXPECT_EQ(bad.violation->check, "detector_accuracy");
  // The horizon bounds time: no step of any path happens after it.
  Settings short_run = s;
  short_run.until_ns = 5 * kSecond;
  const Result cut = Explorer(heartbeat_model(10 * kSecond), short_run).run();
  EXPECT_TRUE(cut.complete());
  EXPECT_LT(cut.distinct, good.distinct);
}

TEST(Explorer, AModelKeepsItsNodesFromCrashingWhereItSaysSo) {
  Settings s;
  s.budgets.crashes = 1;
  s.until_ns = 2 * kSecond;
  Explorer ex(heartbeat_model(10 * kSecond), s);
  std::vector<internal::Choice> choices;
  ex.enabled(ex.initial(nullptr), choices);
  std::set<NodeId> crashable;
  for (const auto c : choices) {
    if (c.kind == ChoiceKind::crash) crashable.insert(ex.describe(ex.initial(nullptr), c).node);
  }
  EXPECT_EQ(crashable, (std::set<NodeId>{1, 2}));  // never the monitor, node 0
}

TEST(Explorer, TheStateBoundStopsTheSearchAtExactlyThatManyStates) {
  Settings s;
  s.max_states = 500;
  const Result r = Explorer(bully_model(3), s).run();
  EXPECT_EQ(r.stop, Stop::states);
  EXPECT_EQ(r.distinct, 500u);
  EXPECT_FALSE(r.complete());
}

// A plain breadth-first search over the explorer's own steps, one state at a time, each
// state's successors judged as they are made: what the explorer's batches, chunks,
// threads and overlapped lookups must add up to.
struct Plain {
  std::uint64_t distinct = 1;
  std::uint64_t transitions = 0;
  std::uint64_t quiescent = 0;
  std::uint32_t depth = 0;
  std::string check;  // the violation's, if one was met
  std::vector<std::string> path;
};

template <class Model>
Plain plain_search(const Model& model, const Settings& settings) {
  using State = typename Explorer<Model>::State;
  struct Reached {
    State state;
    std::vector<std::string> path;
  };
  const Explorer<Model> ex(model, settings);
  Plain p;
  std::vector<Reached> level{{ex.initial(nullptr), {}}};
  std::set<std::uint64_t> seen{ex.fingerprint(level[0].state)};
  std::vector<internal::Choice> choices;
  while (!level.empty()) {
    std::vector<Reached> next;
    for (const Reached& r : level) {
      if (!Explorer<Model>::pending(r.state)) {
        ++p.quiescent;
        if (const auto v = model.quiescent(r.state)) {
          p.check = v->check;
          p.path = r.path;
          return p;
        }
      }
      ex.enabled(r.state, choices);
      for (const internal::Choice c : choices) {
        ++p.transitions;
        Reached succ{r.state, r.path};
        succ.path.push_back(ex.apply(succ.state, c, nullptr).token());
        if (!seen.insert(ex.fingerprint(succ.state)).second) continue;
        ++p.distinct;
        p.depth = static_cast<std::uint32_t>(succ.path.size());
        if (const auto v = model.safety(succ.state)) {
          p.check = v->check;
          p.path = succ.path;
          return p;
        }
        next.push_back(std::move(succ));
      }
    }
    level = std::move(next);
  }
  return p;
}

TEST(Explorer, FindsWhatAPlainSearchOneStateAtATimeFinds) {
  bully::ExploreModel quiet = bully_model(3);
  quiet.options.heartbeats = false;
  quiet.starter = 1;
  Settings none;
  Settings two_losses;
  two_losses.budgets.losses = 2;
  Settings crash;
  crash.budgets.crashes = 1;
  struct Case {
    bully::ExploreModel model;
    Settings settings;
  };
  // Complete, with quiescent states; ends at a quiescent state; ends at a successor.
  for (const Case& c : {Case{quiet, none}, Case{quiet, two_losses},
                        Case{bully_model(3, bully::Bug::crown_without_waiting), crash}}) {
    for (const unsigned jobs : {1U, 2U}) {
      Settings s = c.settings;
      s.jobs = jobs;
      const Plain want = plain_search(c.model, s);
      const Result got = Explorer(c.model, s).run();
      EXPECT_EQ(got.violation ? got.violation->check : "", want.check);
      EXPECT_EQ(tokens(got), want.path);
      if (!got.violation) {
        EXPECT_TRUE(got.complete());
        EXPECT_EQ(got.distinct, want.distinct);
        EXPECT_EQ(got.transitions, want.transitions);
        EXPECT_EQ(got.quiescent, want.quiescent);
        EXPECT_EQ(got.depth, want.depth);
      }
    }
  }
}

TEST(Explorer, EverySuccessorOfAStateIsDistinctFromItWhenTimePasses) {
  // A timer firing moves time on; the state after it must not collide with the one before.
  Explorer ex(bully_model(3), {});
  auto s = ex.initial(nullptr);
  std::vector<internal::Choice> choices;
  ex.enabled(s, choices);
  ASSERT_FALSE(choices.empty());
  std::set<std::uint64_t> seen{ex.fingerprint(s)};
  for (const auto c : choices) {
    auto next = s;
    ex.apply(next, c, nullptr);
    EXPECT_TRUE(seen.insert(ex.fingerprint(next)).second) << ex.describe(s, c).token();
  }
}

// Every packed state holds its messages in flight: a small message's flight takes 32 bytes.
static_assert(sizeof(Flight<bully::BullyNode>) == 32);

TEST(Explorer, NothingHappensAfterAMessagesLatestArrivalBeforeItArrives) {
  // Every node's leader timeout goes off at once: 1 and 2 send ELECTION up and set their
  // answer timeout, 3 sends COORDINATOR down and sets its ack timeout (50 ms each). The
  // messages arrive 1 ms to `max` after their send: with a 10 ms window every one
  // arrives before any of those timers can go off; with a 60 ms window one may go off
  // first.
  for (const Nanos max : {10 * kMillisecond, 60 * kMillisecond}) {
    Settings settings;
    settings.latency_max_ns = max;
    const Explorer ex(bully_model(3), settings);
    auto s = ex.initial(nullptr);
    for (int fired = 0; fired < 3; ++fired) {
      std::vector<internal::Choice> choices;
      ex.enabled(s, choices);
      ASSERT_FALSE(choices.empty());
      ASSERT_EQ(choices.front().kind, ChoiceKind::fire) << ex.describe(s, choices.front()).token();
      ex.apply(s, choices.front(), nullptr);
    }
    ASSERT_EQ(s.in_flight(), 5U);  // ELECTION 1 -> 2, 1 -> 3, 2 -> 3; COORDINATOR 3 -> 1, 3 -> 2
    std::vector<internal::Choice> choices;
    ex.enabled(s, choices);
    std::vector<std::string> timers;
    for (const auto c : choices) {
      if (c.kind == ChoiceKind::fire) timers.push_back(ex.describe(s, c).token());
    }
    if (max < 50 * kMillisecond) {
      EXPECT_TRUE(timers.empty()) << timers.front();
    } else {
      EXPECT_FALSE(timers.empty());
    }
  }
}

TEST(Schedule, TokensRoundTripAndBadOnesAreRefusedInOneLine) {
  const auto steps = parse_schedule("deliver:3.7, fire:3:leader_timeout\ncrash:2,recover:2 lose:1.1,dup:2.5");
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(token(steps[0]), "deliver:3.7");
  EXPECT_EQ(token(steps[1]), "fire:3:leader_timeout");
  EXPECT_EQ(token(steps[2]), "crash:2");
  EXPECT_EQ(token(steps[3]), "recover:2");
  EXPECT_EQ(token(steps[4]), "lose:1.1");
  EXPECT_EQ(token(steps[5]), "dup:2.5");
  for (const char* bad : {"deliver", "deliver:3", "deliver:x.1", "fire:3", "fire::x", "crash:-1", "jump:2",
                          "deliver:99999999999.1"}) {
    try {
      parse_schedule(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    }
  }
  EXPECT_TRUE(parse_schedule(" , \n").empty());
}

TEST(Schedule, AStepTheStateDoesNotAllowIsRefusedNamingWhatIsPossible) {
  Explorer ex(bully_model(3), {});
  try {
    ex.replay(parse_schedule("deliver:1.1"), nullptr, nullptr);
    FAIL() << "replayed a message never sent";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("step 1 (deliver:1.1) is not possible"), std::string::npos) << what;
    EXPECT_NE(what.find("fire:1:leader_timeout"), std::string::npos) << what;
  }
}

TEST(VisitedSet, KeepsEveryFingerprintOnceThroughGrowth) {
  VisitedSet v;
  for (std::uint64_t i = 0; i < 200'000; ++i) EXPECT_TRUE(v.insert(mix64(i + 1)));
  for (std::uint64_t i = 0; i < 200'000; ++i) EXPECT_FALSE(v.insert(mix64(i + 1)));
  EXPECT_EQ(v.size(), 200'000u);
  EXPECT_TRUE(v.insert(0));  // 0 is stored as 1, which is then taken
  EXPECT_FALSE(v.insert(1));
  EXPECT_GE(v.bytes(), 2 * v.size() * sizeof(std::uint64_t));
}

// The merge adds to the set while the other threads expand and look fingerprints up:
// a reader finds everything added before it began, through every growth, and reads
// tables outgrown meanwhile (kept until release_retired) without fault (ASan checks it).
TEST(VisitedSet, ReadersFindWhatWasThereWhileItGrows) {
  VisitedSet v(16);
  constexpr std::uint64_t kBefore = 1'000;
  constexpr std::uint64_t kDuring = 100'000;
  for (std::uint64_t i = 1; i <= kBefore; ++i) v.insert(mix64(i));
  std::atomic<bool> done{false};
  std::uint64_t missed = 0;
  std::uint64_t rounds = 0;
  std::thread reader([&] {
    while (!done.load()) {
      for (std::uint64_t i = 1; i <= kBefore; ++i) missed += v.contains(mix64(i)) ? 0 : 1;
      v.prefetch(mix64(rounds));
      ++rounds;
    }
  });
  for (std::uint64_t i = kBefore + 1; i <= kBefore + kDuring; ++i) v.insert(mix64(i));
  done = true;
  reader.join();
  v.release_retired();
  EXPECT_EQ(missed, 0u);
  EXPECT_GT(rounds, 0u);
  EXPECT_EQ(v.size(), kBefore + kDuring);
  for (std::uint64_t i = 1; i <= kBefore + kDuring; ++i) ASSERT_TRUE(v.contains(mix64(i)));
}

TEST(VisitedSet, KeepsEachFingerprintsValueThroughGrowth) {
  VisitedSet v(16, true);  // grows from 16 slots past a huge page
  for (std::uint32_t i = 1; i <= 150'000; ++i) {
    bool added = false;
    v.set_value(v.insert(mix64(i), added), i);
    ASSERT_TRUE(added);
  }
  for (std::uint32_t i = 1; i <= 150'000; ++i) {
    const std::size_t slot = v.find(mix64(i));
    ASSERT_NE(slot, VisitedSet::kAbsent);
    ASSERT_EQ(v.value(slot), i);
  }
  EXPECT_EQ(v.find(mix64(150'001)), VisitedSet::kAbsent);
  v.clear();
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(v.find(mix64(1)), VisitedSet::kAbsent);
}

// Grown by its owner between batches, the copying shared among threads: every
// fingerprint and its value come through; without the owner, insert() still grows it
// past three quarters.
TEST(VisitedSet, GrownByItsOwnerOnSeveralThreadsKeepsEveryFingerprintAndValue) {
  VisitedSet v(16, true, VisitedSet::Growth::by_owner);
  const auto on_threads = [](const auto& copy) {
    std::vector<std::thread> threads;
    for (std::size_t part = 1; part < 3; ++part) threads.emplace_back([&copy, part] { copy(part); });
    copy(0);
    for (std::thread& t : threads) t.join();
  };
  std::size_t grown = 0;
  for (std::uint32_t i = 1; i <= 100'000; ++i) {
    bool added = false;
    v.set_value(v.insert(mix64(i), added), i);
    ASSERT_TRUE(added);
    EXPECT_LE(v.size() * 4, v.bytes() / 16 * 3);  // never past three quarters
    if (i % 1000 == 0 && v.grow_if_due(3, on_threads)) ++grown;
  }
  EXPECT_GT(grown, 3u);
  EXPECT_FALSE(v.grow_if_due(3, on_threads));  // at most half full after each
  for (std::uint32_t i = 1; i <= 100'000; ++i) {
    const std::size_t slot = v.find(mix64(i));
    ASSERT_NE(slot, VisitedSet::kAbsent);
    ASSERT_EQ(v.value(slot), i);
  }
  EXPECT_EQ(v.find(mix64(100'001)), VisitedSet::kAbsent);
  EXPECT_EQ(v.size(), 100'000u);

  VisitedSet alone(16, false, VisitedSet::Growth::by_owner);  // its owner never grows it
  for (std::uint64_t i = 1; i <= 1'200; ++i) ASSERT_TRUE(alone.insert(mix64(i)));
  EXPECT_LE(alone.size() * 4, alone.bytes() / 8 * 3);
  EXPECT_GT(alone.size() * 2, alone.bytes() / 8);  // more than half full: left to the owner
}

}  // namespace
}  // namespace distlab::explore
