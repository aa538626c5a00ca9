// Explorer: every schedule of one algorithm's nodes, breadth first, for `distlab explore`.
//
// A state is every node (its Stepper: the same node code the simulator and the UDP
// runtime step), whether it is up, the messages in flight with the window in which
// each may arrive, the armed timers, the time, and the fault budgets left. From a
// state the explorer may deliver any message that can arrive next, fire any timer that
// can go off next, and, while the budgets last, crash or recover a node, lose a
// message or duplicate one. Breadth first, so the first violation found is a shortest
// one; each state is kept as a 64-bit fingerprint (a compact visited set), with its
// parent and the choice that led to it, so the path to any state can be rebuilt and
// replayed with a trace sink attached.
//
// A node's random draws come from a stream seeded by its state and the input
// (Stepper::reseed; not by its id: equal nodes draw alike, and the explorer sees them
// race).
//
// Time is discrete and bounded: a message sent at t arrives within [t + min, t + max];
// an event may come next only if it can happen before every pending deadline (the
// latest arrival of each message, each timer's time), and happens at the earliest time
// it can. So every order of events the network allows is explored, each at one time:
// that is what the algorithms' timeouts assume (a message arrives within max).
// Fingerprints hash times relative to the present, so a state that recurs later (the
// next heartbeat round) is not new. The explorer covers schedules, the sweep covers
// random draws; a timer whose length is only a workload's (a think time) can be
// declared free, and then goes off at any moment, before or after anything else.
//
// Parallel (Settings::jobs): each level is expanded in batches of chunks, the chunks
// on every thread, each successor looked up in the visited set; one thread merges each
// batch's chunks in order, as a single thread would have met them, while the others
// expand the next batch. So the counts, the bounds and the counterexample are the same
// for any number of jobs.
//
// What an algorithm gives (its Model, in algo/<name>/explore.h):
//
//   struct Model {
//     using Node = BullyNode;
//     std::vector<NodeId> ids;                       // sorted
//     Node make(NodeId id) const;                    // a fresh node (start and recover)
//     void begin(Node&, Context<Message>&) const;    // optional: a stimulus after every on_start
//     bool free_timer(TimerTag) const;               // optional: a timer that may go off at any
//                                                    // time (a workload's think time), not when set
//     template <class View> std::optional<Violation> safety(const View& v) const;     // every state
//     template <class View> std::optional<Violation> quiescent(const View& v) const;  // when nothing is
//     pending
//     bool may_crash(NodeId) const;                  // optional: which nodes the budgets may crash
//     std::uint64_t message_key(const Message&) const;  // optional: what of a message counts for
//                                                       // its state (default: its wire encoding)
//     Nanos fault_memory_ns() const;                 // optional: keep when each node last crashed
//                                                    // or recovered, up to this long ago (View::changed_at)
//     // optional: judges each delivery, after the receiver handled it
//     template <class View> std::optional<Violation> delivered(const View& v, std::size_t to, NodeId from,
//                                                              const Message& m) const;
//   };
//
// and the node a member `void fingerprint(StateHasher&, Nanos now) const`, and optionally
// `void finish(Context<Message>&)`, called on every live node at the end of a traced
// replay (as a simulated run's end does).
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "distlab/algo/explore_model.h"
#include "distlab/core/assert.h"
#include "distlab/core/context.h"
#include "distlab/core/event.h"
#include "distlab/core/fingerprint.h"
#include "distlab/core/pages.h"
#include "distlab/core/stepper.h"
#include "distlab/core/types.h"
#include "distlab/harness/explore/arena.h"
#include "distlab/harness/explore/crew.h"
#include "distlab/harness/explore/sleep.h"
#include "distlab/harness/explore/visited.h"

namespace distlab::explore {

// Faults the explorer may inject on one path, at most this many of each.
struct Budgets {
  std::uint32_t crashes = 0;
  std::uint32_t recoveries = 0;
  std::uint32_t losses = 0;
  std::uint32_t duplicates = 0;
};

struct Settings {
  Nanos latency_min_ns = 1 * kMillisecond;  // a message arrives within [min, max] after its send
  Nanos latency_max_ns = 10 * kMillisecond;
  bool fifo = true;  // per channel, messages arrive in the order they were sent
  Budgets budgets;
  std::uint32_t max_depth = 0xffffffffU;  // steps from the start
  // Nothing happens after this time (0: no horizon). States then count the time too:
  // the same state later has less of the future left.
  Nanos until_ns = 0;
  std::uint64_t max_states = 10'000'000;  // distinct states
  double time_limit_s = 0;                // wall clock; 0: none
  std::uint64_t max_memory_bytes = 4ULL << 30;
  unsigned jobs = 1;  // threads; the result is the same for any number
  // A step whose handler draws from the node's random stream is tried with this many
  // streams (1: one stream, a function of the state and the input).
  unsigned draws = 1;
  // Sleep sets (with FIFO channels only): a transition is not taken where it would only
  // swap two independent ones (at different nodes, at the same time) already taken in
  // the other order. The states seen, the counts of distinct states and the
  // counterexamples are the same; fewer transitions are taken, but the bookkeeping costs
  // more than the transitions it saves here (docs/explore.md), so it is asked for.
  bool reduce = false;
};

enum class ChoiceKind : std::uint8_t { deliver, fire, crash, recover, lose, duplicate };
std::string_view to_string(ChoiceKind kind);

// One step of a path, as the schedule names it: `deliver:3.7` (message 7 of node 3),
// `fire:3:leader_timeout`, `crash:2`, `recover:2`, `lose:3.7`, `dup:3.7`; a step that
// drew from another random stream than the first says which: `fire:1:act#2`.
struct Step {
  ChoiceKind kind = ChoiceKind::deliver;
  Nanos t = 0;
  NodeId node = 0;         // who receives, whose timer, who crashes or recovers, who sent (lose, dup)
  NodeId peer = 0;         // deliver: the sender; lose, dup: the destination
  MsgId msg{};             // deliver, lose, dup
  std::string what;        // the message type or the timer's name
  std::uint32_t draw = 0;  // which random stream its handler drew from (Settings::draws)
  std::string token() const;
};

// Parses a schedule: tokens as Step::token() writes them, separated by commas or
// whitespace. Throws InputError naming the bad token.
struct Wanted {
  ChoiceKind kind;
  NodeId node = 0;
  MsgId msg{};
  std::string timer;
  std::uint32_t draw = 0;
};
std::vector<Wanted> parse_schedule(std::string_view text);
std::string token(const Wanted& w);
// Throws InputError: step n of a schedule is not possible in the state it reaches.
// Throws InputError: step n of a schedule names a random stream beyond --draws.
[[noreturn]] void throw_bad_draw(std::size_t n, const Wanted& w, unsigned draws);
[[noreturn]] void throw_impossible_step(std::size_t n, const Wanted& w,
                                        const std::vector<std::string>& possible);

// Settings::draws is below this.
inline constexpr unsigned kMaxDraws = 16;

namespace internal {
// A choice from a state: its kind, the index of the message, timer or node, and the
// random stream its handler draws from.
struct Choice {
  ChoiceKind kind;
  std::uint32_t index;
  std::uint32_t draw = 0;  // below 16
  std::uint32_t packed() const { return static_cast<std::uint32_t>(kind) << 28 | draw << 24 | index; }
  static Choice unpack(std::uint32_t p) {
    return {static_cast<ChoiceKind>(p >> 28), p & 0x00ffffffU, p >> 24 & 0xfU};
  }
};
std::uint64_t hash_bytes(std::span<const std::byte> bytes);
}  // namespace internal

enum class Stop : std::uint8_t { complete, depth, states, time, memory, violation };
std::string_view to_string(Stop stop);

struct Result {
  Stop stop = Stop::complete;
  std::uint64_t distinct = 0;     // states seen (fingerprints kept)
  std::uint64_t transitions = 0;  // steps taken, new state or not
  bool reduced = false;           // sleep sets were on (Settings::reduce, FIFO)
  std::uint64_t pruned = 0;       // transitions the sleep sets saved
  std::uint64_t reexpanded = 0;   // states expanded again for a transition asleep the first time
  std::uint64_t quiescent = 0;    // states with nothing pending (liveness judged there)
  std::uint32_t depth = 0;        // deepest level reached
  double seconds = 0;
  std::uint64_t memory_bytes = 0;  // the visited set, the paths and the largest two levels
  std::optional<Violation> violation;
  std::vector<Step> path;                 // to the violation
  std::vector<internal::Choice> choices;  // the same path, as replay() takes it
  // A bound on the probability that two distinct states shared a fingerprint, so
  // that one was never explored: n^2 / 2^65 for n distinct states.
  double collision_probability() const;
  bool complete() const { return stop == Stop::complete; }
};

// Called now and then on long runs (at most once per level and every ~65k states).
struct Progress {
  virtual ~Progress() = default;
  virtual void on_progress(const Result& so_far) = 0;
};

// 32 bytes for a message of up to 4 (every state packs its flights: the smaller, the
// less memory a level takes and the less of it is written and read).
template <class Node>
struct Flight {
  Nanos lo;            // earliest arrival; the latest is lo + the latency's spread (Explorer::latest)
  std::uint64_t hash;  // of the message's content (its wire encoding)
  NodeId from;
  NodeId to;
  std::uint32_t seq;  // its id is {from, seq}; a path sends fewer than 2^32 messages
  typename Node::Message message;
  MsgId id() const { return {from, seq}; }
};

struct Armed {         // 16 bytes: the widest field first
  Nanos at;            // a free timer: when it was set
  std::uint32_t node;  // index
  TimerTag tag;
  bool free;  // may go off at any time from `at` on (Model::free_timer)
};

// One state. The model's safety and quiescent checks see it through the accessors.
template <class Node>
class World {
 public:
  std::size_t size() const { return nodes_.size(); }
  NodeId id(std::size_t i) const { return ids_[i]; }
  bool up(std::size_t i) const { return up_[i] != 0; }
  const Node& node(std::size_t i) const { return nodes_[i].node(); }
  Nanos now() const { return now_; }
  // Crashes, recoveries, losses and duplicates on the path to this state.
  std::uint32_t faults() const { return faults_; }
  std::uint32_t crashes() const { return crashes_; }
  std::uint32_t losses() const { return losses_; }
  std::size_t in_flight() const { return flights_.size(); }
  // When node i last crashed or recovered; nullopt if it never did (kept only for a
  // model with fault_memory_ns()).
  std::optional<Nanos> changed_at(std::size_t i) const {
    return changed_[i] == kNever ? std::nullopt : std::optional<Nanos>(changed_[i]);
  }

  static constexpr Nanos kNever = INT64_MIN;

 private:
  template <class Model>
  friend class Explorer;

  std::span<const NodeId> ids_;
  Nanos now_ = 0;
  std::vector<Stepper<Node>> nodes_;
  std::vector<std::uint8_t> up_;
  std::vector<Nanos> changed_;         // per node: last crash or recovery, or kNever
  std::vector<Flight<Node>> flights_;  // in send order
  std::vector<Armed> timers_;          // sorted by (node, tag)
  Budgets left_;
  std::uint32_t faults_ = 0;
  std::uint32_t crashes_ = 0;
  std::uint32_t losses_ = 0;
};

template <class Model>
class Explorer {
 public:
  using Node = typename Model::Node;
  using Message = typename Node::Message;
  using State = World<Node>;
  using Choice = internal::Choice;

  // A model that remembers when nodes crashed and recovered (Model::fault_memory_ns).
  static constexpr bool kTracksFaults = requires(const Model& m) { m.fault_memory_ns(); };
  static constexpr std::size_t kMaxTrackedNodes = 8;

  Explorer(Model model, Settings settings) : model_(std::move(model)), settings_(settings) {
    DISTLAB_ASSERT(std::is_sorted(model_.ids.begin(), model_.ids.end()));
    DISTLAB_ASSERT(!kTracksFaults || model_.ids.size() <= kMaxTrackedNodes);
    DISTLAB_ASSERT(settings_.latency_min_ns <= settings_.latency_max_ns);
    DISTLAB_ASSERT(model_.ids.empty() || model_.ids.back() <= 0xffffU,
                   "transition keys hold 16-bit node ids");
    if (settings_.jobs == 0) settings_.jobs = 1;
  }

  // Every state reachable within the settings' bounds, breadth first; stops at the
  // first violation (a shortest path to it is in the result).
  Result run(Progress* progress = nullptr) const {
    Result result;
    try {
      search(result, progress);
    } catch (const std::bad_alloc&) {  // the memory bound came too late: stop as at the bound
      result.stop = Stop::memory;
      result.violation.reset();
      result.path.clear();
      result.choices.clear();
    }
    return result;
  }

  // Replays `path` (choices as a run found them) from the start with `sink` attached
  // (may be null), returning the steps taken.
  std::vector<Step> replay(std::span<const Choice> path, EventSink* sink) const {
    Context<Message> ctx;
    State s = initial(sink, ctx);
    std::vector<Step> steps;
    for (const Choice c : path) steps.push_back(apply(s, c, sink, ctx, nullptr));
    finish(s, sink, ctx);
    return steps;
  }

  // Replays a schedule as parse_schedule reads it, judging every state on the way:
  // `verdict` gets the first violation (the replay goes on to the end). Throws
  // InputError at the first step the state does not allow, naming what was possible.
  // `verdict_step`: how many steps had been taken when it broke (0: at the start).
  std::vector<Step> replay(std::span<const Wanted> schedule, EventSink* sink,
                           std::optional<Violation>* verdict, State* end = nullptr,
                           std::size_t* verdict_step = nullptr) const {
    Context<Message> ctx;
    State s = initial(sink, ctx);
    std::optional<Violation> first = model_.safety(s);
    std::vector<Step> steps;
    std::vector<Choice> choices;
    for (std::size_t n = 0; n < schedule.size(); ++n) {
      enabled(s, choices);
      const Choice* found = nullptr;
      for (const Choice& c : choices) {
        if (matches(s, c, schedule[n])) {
          found = &c;
          break;
        }
      }
      if (found == nullptr) {
        std::vector<std::string> possible;
        for (const Choice& c : choices) possible.push_back(describe(s, c).token());
        throw_impossible_step(n, schedule[n], possible);
      }
      if (schedule[n].draw >= settings_.draws) {
        throw_bad_draw(n, schedule[n], settings_.draws);
      }
      Choice take = *found;
      take.draw = schedule[n].draw;
      std::optional<Violation> step_violation;
      steps.push_back(apply(s, take, sink, ctx, &step_violation));
      if (!first) {
        first = step_violation ? std::move(step_violation) : model_.safety(s);
        if (first && verdict_step != nullptr) *verdict_step = steps.size();
      }
    }
    if (!first && !pending(s)) {
      first = model_.quiescent(s);
      if (first && verdict_step != nullptr) *verdict_step = steps.size();
    }
    if (verdict != nullptr) *verdict = std::move(first);
    finish(s, sink, ctx);
    if (end != nullptr) *end = std::move(s);
    return steps;
  }

  // The step choice `c` would take in `s`, without taking it.
  Step describe(const State& s, Choice c) const {
    Step step = describe_choice(s, c);
    step.draw = c.draw;
    return step;
  }
  Step describe_choice(const State& s, Choice c) const {
    Step step;
    step.kind = c.kind;
    step.t = s.now_;
    switch (c.kind) {
      case ChoiceKind::deliver:
      case ChoiceKind::lose:
      case ChoiceKind::duplicate: {
        const Flight<Node>& f = s.flights_[c.index];
        step = message_step(c.kind, c.kind == ChoiceKind::deliver ? std::max(s.now_, f.lo) : s.now_, f);
        if (c.kind == ChoiceKind::deliver) {
          step.node = f.to;
          step.peer = f.from;
        }
        return step;
      }
      case ChoiceKind::fire:
        step.t = std::max(s.now_, s.timers_[c.index].at);
        step.node = s.ids_[s.timers_[c.index].node];
        step.what = Node::timer_name(s.timers_[c.index].tag);
        return step;
      case ChoiceKind::crash:
      case ChoiceKind::recover: step.node = s.ids_[c.index]; return step;
    }
    return step;
  }

  // The violation at the end of `path`, if any, as run() judges it: its last step, then
  // the state, then (nothing pending) liveness.
  template <class Path>
  std::optional<Violation> judge(const Path& path) const {
    Context<Message> ctx;
    State s = initial(nullptr, ctx);
    std::optional<Violation> last;
    for (const Choice c : path) {
      last.reset();
      apply(s, c, nullptr, ctx, &last);
    }
    if (last) return last;
    if (auto v = model_.safety(s)) return v;
    if (!pending(s)) return model_.quiescent(s);
    return std::nullopt;
  }

  const Model& model() const { return model_; }
  const Settings& settings() const { return settings_; }

  // The fingerprint of a state, as the visited set keeps it.
  std::uint64_t fingerprint(const State& s) const {
    StateHasher h;
    h.add(static_cast<std::uint64_t>(s.left_.crashes) | static_cast<std::uint64_t>(s.left_.recoveries) << 16 |
          static_cast<std::uint64_t>(s.left_.losses) << 32 |
          static_cast<std::uint64_t>(s.left_.duplicates) << 48);
    h.add(static_cast<std::uint64_t>(s.crashes_) << 32 | s.losses_);
    if (settings_.until_ns > 0) h.add_signed(s.now_);
    for (std::size_t i = 0; i < s.nodes_.size(); ++i) {
      h.add(s.up_[i]);
      s.nodes_[i].node().fingerprint(h, s.now_);
      if constexpr (kTracksFaults) {
        h.add_age(s.changed_at(i), s.now_, model_.fault_memory_ns());
      }
    }
    for (const Armed& a : s.timers_) {
      h.add(static_cast<std::uint64_t>(a.node) << 32 | a.tag);
      h.add_signed(a.free ? -1 : a.at - s.now_);
    }
    // Messages in flight as a multiset (FIFO: each with its place in its channel), so
    // that the order they were sent in across channels does not count.
    std::uint64_t sum = 0;
    for (std::size_t j = 0; j < s.flights_.size(); ++j) {
      const Flight<Node>& f = s.flights_[j];
      StateHasher m(f.hash);
      m.add(static_cast<std::uint64_t>(f.from) << 32 | f.to);
      m.add_signed(std::max<Nanos>(0, f.lo - s.now_));
      m.add_signed(latest(f) - s.now_);
      if (settings_.fifo) m.add(place_in_channel(s, j));
      sum += m.value();
    }
    h.add(sum);
    h.add(s.flights_.size());
    return h.value();
  }

  // Every choice the state allows, in a fixed order.
  void enabled(const State& s, std::vector<Choice>& out) const {
    out.clear();
    Nanos horizon = deadline(s);
    if (settings_.until_ns > 0) horizon = std::min(horizon, settings_.until_ns);
    for (std::size_t j = 0; j < s.flights_.size(); ++j) {
      if (s.flights_[j].lo <= horizon && (!settings_.fifo || place_in_channel(s, j) == 0)) {
        out.push_back({ChoiceKind::deliver, static_cast<std::uint32_t>(j)});
      }
    }
    for (std::size_t k = 0; k < s.timers_.size(); ++k) {
      if (s.timers_[k].at <= horizon) out.push_back({ChoiceKind::fire, static_cast<std::uint32_t>(k)});
    }
    if (s.left_.crashes > 0) {
      for (std::uint32_t i = 0; i < s.nodes_.size(); ++i) {
        if (s.up_[i] && may_crash(s.ids_[i])) out.push_back({ChoiceKind::crash, i});
      }
    }
    if (s.left_.recoveries > 0) {
      for (std::uint32_t i = 0; i < s.nodes_.size(); ++i) {
        if (!s.up_[i]) out.push_back({ChoiceKind::recover, i});
      }
    }
    if (s.left_.losses > 0) {
      for (std::uint32_t j = 0; j < s.flights_.size(); ++j) out.push_back({ChoiceKind::lose, j});
    }
    if (s.left_.duplicates > 0) {
      for (std::uint32_t j = 0; j < s.flights_.size(); ++j) out.push_back({ChoiceKind::duplicate, j});
    }
  }

  // The start: every node's on_start at time 0, in id order, then the model's stimulus.
  State initial(EventSink* sink) const {
    Context<Message> ctx;
    return initial(sink, ctx);
  }

  // Takes choice `c` in `s`; returns the step as a schedule names it.
  Step apply(State& s, Choice c, EventSink* sink) const {
    Context<Message> ctx;
    return apply(s, c, sink, ctx, nullptr);
  }

  // Something can still happen without a fault: a message in flight or a timer armed.
  static bool pending(const State& s) { return !s.flights_.empty() || !s.timers_.empty(); }

 private:
  // A state as a level keeps it (StateArena): this header, then its parts.
  struct NoTimes {};
  using Times = std::conditional_t<kTracksFaults, std::array<Nanos, kMaxTrackedNodes>, NoTimes>;
  struct Header {
    Nanos now;
    Budgets left;
    std::uint32_t faults;
    std::uint32_t crashes;
    std::uint32_t losses;
    std::uint64_t up;  // bit i: node i is up
    [[no_unique_address]] Times changed;
  };
  // A node as a level keeps it: without its random stream, which is reseeded before
  // every step anyway (32 bytes a node less).
  struct PackedNode {
    explicit PackedNode(const Stepper<Node>& s) : node(s.node()), sends(s.sends()) {}
    bool holds_memory() const { return needs_destroy(node); }
    Node node;
    std::uint64_t sends;
  };
  using Arena = StateArena<Header, PackedNode, Flight<Node>, Armed>;
  // Where a level's state is: which worker's arena packed it, and where in it.
  // With the reduction, its sleep set (in the SleepStore; 0: none) and, for a state
  // expanded again, the only transitions to take (only_size keys of the level's pool,
  // from only_offset).
  struct Place {
    static constexpr std::uint32_t kAll = UINT32_MAX;
    std::uint32_t worker;
    typename Arena::Ref ref;
    SleepStore::Ref sleep = 0;
    std::uint32_t only_offset = 0;
    std::uint32_t only_size = kAll;
  };
  using Places = HugePageVector<Place>;
  // A transition as the reduction sees it: its key (0: a fault, dependent on every
  // transition), the node it acts on, and when it happens.
  struct Transition {
    std::uint64_t key;
    std::uint32_t actor;
    Nanos at;
  };

  // A successor made from the state being expanded, with the choice that made it.
  struct Made {
    Choice choice{};
    State state;
    std::uint64_t fingerprint = 0;
    std::optional<Violation> violation;  // met by the step itself
  };

  // A state being expanded, with its successors made and not judged yet.
  struct Held {
    std::size_t k = 0;                   // its place in the level
    std::size_t bytes = 0;               // packed, as the level held it
    bool quiescent = false;              // nothing left to happen: judged for liveness
    std::optional<Violation> violation;  // the quiescent check's
    std::vector<Made> made;              // its first `count`
    std::size_t count = 0;
  };

  // What one thread keeps between the states it expands, and the states it packs:
  // arenas[p] holds the states of the levels of parity p. On cache lines of its own, as
  // a chunk is: neighbours written by two threads at once cost a tenth of the time with
  // two jobs.
  struct alignas(64) Worker {
    Context<Message> ctx;
    State base;
    Held held[2];  // by the parity of its place: the state expanded and the one before
    std::vector<Choice> choices;
    VisitedSet chunk_seen{1U << 10};
    VisitedSet chunk_index{1U << 10, true};  // with the reduction: each one's first candidate
    std::vector<Transition> info;      // per choice of the state being expanded
    std::vector<Transition> done;      // taken from it so far
    std::vector<std::uint64_t> sleep;  // the next successor's sleep set
    Arena arenas[2];
  };

  // What a chunk of a level gives the merge, in the order a single thread meets it. 48
  // bytes: one thread writes a batch's candidates and another reads them, so they are
  // kept small (a chunk's one violation is beside them, in the Chunk).
  struct Candidate {
    enum class Kind : std::uint8_t { successor, step_violation, quiescent, depth_cut };
    std::uint64_t fingerprint = 0;
    typename Arena::Ref state{};  // successor only: in its worker's arena of the next level
    std::uint32_t parent = 0;     // index in the level
    std::uint32_t choice = 0;     // Choice::packed()
    // Counted within the chunk (its states' choices, times --draws: far below 2^32):
    std::uint32_t transitions = 0;   // taken since the chunk's previous candidate, this one's included
    std::uint32_t pruned = 0;        // skipped (asleep) since the chunk's previous candidate
    std::uint32_t sleep_offset = 0;  // its sleep set: the chunk's pool from here
    std::uint32_t sleep_size = 0;
    std::uint32_t bytes = 0;  // what `state` takes; 0: `state` is not set (a packed state takes some)
    Kind kind = Kind::successor;
    bool violated = false;  // the chunk's violation is this candidate's (the chunk ends with it)
  };
  static_assert(sizeof(Candidate) <= 48);
  struct alignas(64) Chunk {
    std::uint32_t worker = 0;  // who expanded it (and packed its successors)
    std::vector<Candidate> candidates;
    std::optional<Violation> violation;  // of its last candidate, if that one is violated
    std::uint64_t tail_transitions = 0;  // after the last candidate
    std::uint64_t tail_pruned = 0;
    std::uint64_t expanded_bytes = 0;  // what the chunk's states took in their arenas
    std::vector<std::uint64_t> sleep_pool;
  };

  static typename Arena::Ref pack(Arena& arena, const State& s) {
    std::uint64_t up = 0;
    for (std::size_t i = 0; i < s.up_.size(); ++i) up |= static_cast<std::uint64_t>(s.up_[i] != 0) << i;
    Header header{s.now_, s.left_, s.faults_, s.crashes_, s.losses_, up, {}};
    if constexpr (kTracksFaults) std::copy(s.changed_.begin(), s.changed_.end(), header.changed.begin());
    return arena.pack(header, s.nodes_, s.flights_, s.timers_);
  }
  void unpack(const Arena& arena, typename Arena::Ref ref, State& into) const {
    const auto v = arena.view(ref);
    into.ids_ = model_.ids;
    into.now_ = v.header->now;
    into.left_ = v.header->left;
    into.faults_ = v.header->faults;
    into.crashes_ = v.header->crashes;
    into.losses_ = v.header->losses;
    if (into.nodes_.size() == v.node_count) {
      for (std::size_t i = 0; i < v.node_count; ++i) into.nodes_[i].load(v.nodes[i].node, v.nodes[i].sends);
    } else {
      into.nodes_.clear();
      for (std::size_t i = 0; i < v.node_count; ++i) {
        into.nodes_.emplace_back(v.nodes[i].node, model_.ids[i], 0, v.nodes[i].sends);
      }
    }
    into.up_.resize(v.node_count);
    for (std::size_t i = 0; i < v.node_count; ++i)
      into.up_[i] = static_cast<std::uint8_t>(v.header->up >> i & 1U);
    if constexpr (kTracksFaults) {
      into.changed_.assign(v.header->changed.begin(), v.header->changed.begin() + v.node_count);
    } else {
      into.changed_.assign(v.node_count, State::kNever);
    }
    into.flights_.assign(v.flights, v.flights + v.flight_count);
    into.timers_.assign(v.timers, v.timers + v.timer_count);
  }

  static constexpr std::size_t kChunkStates = 64;
  static constexpr std::size_t kBatchChunks = 256;
  // The merge asks for the visited set's slot of the candidate this many ahead.
  static constexpr std::size_t kMergeAhead = 8;

  State initial(EventSink* sink, Context<Message>& ctx) const {
    State s;
    s.ids_ = model_.ids;
    s.left_ = settings_.budgets;
    s.nodes_.reserve(model_.ids.size());
    for (NodeId id : model_.ids) s.nodes_.emplace_back(model_.make(id), id, 0);
    s.up_.assign(model_.ids.size(), 1);
    s.changed_.assign(model_.ids.size(), State::kNever);
    for (std::uint32_t i = 0; i < s.nodes_.size(); ++i) {
      reseed(s, i, 0x5354415254ULL);  // "START"
      s.nodes_[i].start(ctx, frame(s, i, sink));
      settle(s, i, ctx);
    }
    if constexpr (requires(Node & n, Context<Message> & c) { model_.begin(n, c); }) {
      for (std::uint32_t i = 0; i < s.nodes_.size(); ++i) {
        reseed(s, i, 0x424547494eULL);  // "BEGIN"
        s.nodes_[i].act(ctx, frame(s, i, sink), [this](Node& n, Context<Message>& c) { model_.begin(n, c); });
        settle(s, i, ctx);
      }
    }
    return s;
  }

  // A traced replay ends as a simulated run does: every live node with a
  // `finish(Context&)` (say, a snapshot still recording) reports what it holds.
  void finish(State& s, EventSink* sink, Context<Message>& ctx) const {
    if constexpr (requires(Node& n) { n.finish(ctx); }) {
      if (sink == nullptr) return;
      for (std::uint32_t i = 0; i < s.nodes_.size(); ++i) {
        if (!s.up_[i]) continue;
        s.nodes_[i].act(ctx, frame(s, i, sink), [](Node& n, Context<Message>& c) { n.finish(c); });
        settle(s, i, ctx);
      }
    }
  }

  // Takes choice `c` in `s`. A delivery the model judges (Model::delivered) puts its
  // verdict in `step_violation`, if given.
  Step apply(State& s, Choice c, EventSink* sink, Context<Message>& ctx,
             std::optional<Violation>* step_violation, bool want_step = true) const {
    Step step = apply_choice(s, c, sink, ctx, step_violation, want_step);
    step.draw = c.draw;
    return step;
  }
  Step apply_choice(State& s, Choice c, EventSink* sink, Context<Message>& ctx,
                    std::optional<Violation>* step_violation, bool want_step) const {
    const std::uint64_t stream = c.draw * 0x9e3779b97f4a7c15ULL;
    Step step;
    switch (c.kind) {
      case ChoiceKind::deliver: {
        Flight<Node> f = std::move(s.flights_[c.index]);
        s.flights_.erase(s.flights_.begin() + c.index);
        s.now_ = std::max(s.now_, f.lo);
        if (want_step) {
          step = message_step(c.kind, s.now_, f);
          step.node = f.to;
          step.peer = f.from;
        }
        const std::uint32_t to = index_of(s, f.to);
        if (!s.up_[to]) {
          if (sink != nullptr) trace_drop(sink, s.now_, f.to, f, DropReason::crashed);
          return step;
        }
        reseed(s, to, f.hash ^ (static_cast<std::uint64_t>(f.from) << 40) ^ stream);
        s.nodes_[to].deliver(ctx, frame(s, to, sink), f.from, f.id(), f.message);
        settle(s, to, ctx);
        if constexpr (requires { model_.delivered(s, std::size_t{}, NodeId{}, f.message); }) {
          if (step_violation != nullptr) *step_violation = model_.delivered(s, to, f.from, f.message);
        }
        return step;
      }
      case ChoiceKind::fire: {
        const Armed a = s.timers_[c.index];
        s.timers_.erase(s.timers_.begin() + c.index);
        s.now_ = std::max(s.now_, a.at);
        step.kind = c.kind;
        step.t = s.now_;
        step.node = s.ids_[a.node];
        if (want_step) step.what = Node::timer_name(a.tag);
        if (sink != nullptr) {
          Event e;
          e.t = s.now_;
          e.node = step.node;
          e.kind = EventKind::timer;
          e.label = Node::timer_name(a.tag);
          sink->on_event(e);
        }
        reseed(s, a.node, (0x54494d4552ULL + a.tag) ^ stream);  // "TIMER"
        s.nodes_[a.node].fire(ctx, frame(s, a.node, sink), a.tag);
        settle(s, a.node, ctx);
        return step;
      }
      case ChoiceKind::crash: {
        const std::uint32_t i = c.index;
        s.up_[i] = 0;
        s.changed_[i] = s.now_;
        std::erase_if(s.timers_, [i](const Armed& a) { return a.node == i; });
        --s.left_.crashes;
        ++s.faults_;
        ++s.crashes_;
        step.kind = c.kind;
        step.t = s.now_;
        step.node = s.ids_[i];
        if (sink != nullptr) {
          Event e;
          e.t = s.now_;
          e.node = step.node;
          e.kind = EventKind::crash;
          sink->on_event(e);
        }
        return step;
      }
      case ChoiceKind::recover: {
        const std::uint32_t i = c.index;
        s.up_[i] = 1;
        s.changed_[i] = s.now_;
        --s.left_.recoveries;
        ++s.faults_;
        step.kind = c.kind;
        step.t = s.now_;
        step.node = s.ids_[i];
        s.nodes_[i].restart(model_.make(s.ids_[i]));
        reseed(s, i, 0x5245434f564552ULL ^ stream);  // "RECOVER"
        s.nodes_[i].recover(ctx, frame(s, i, sink));
        settle(s, i, ctx);
        return step;
      }
      case ChoiceKind::lose: {
        Flight<Node> f = std::move(s.flights_[c.index]);
        s.flights_.erase(s.flights_.begin() + c.index);
        --s.left_.losses;
        ++s.faults_;
        ++s.losses_;
        step = message_step(c.kind, s.now_, f);
        if (sink != nullptr) trace_drop(sink, s.now_, f.from, f, DropReason::loss);
        return step;
      }
      case ChoiceKind::duplicate: {
        Flight<Node> copy = s.flights_[c.index];
        step = message_step(c.kind, s.now_, copy);
        s.flights_.push_back(std::move(copy));
        --s.left_.duplicates;
        ++s.faults_;
        return step;
      }
    }
    return step;
  }

  void search(Result& result, Progress* progress) const {
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
    VisitedSet visited(1U << 16, reducing(), VisitedSet::Growth::by_owner);
    // On huge pages, as the visited set is: these grow to a word or so per state, and on
    // small pages filling them took two thirds of the run's page faults.
    HugePageVector<std::uint64_t> trail;  // per state: parent index << 32 | packed choice
    Places level;
    HugePageVector<std::uint32_t> level_index;
    Places next;
    HugePageVector<std::uint32_t> next_index;
    std::vector<Worker> workers(settings_.jobs);
    Crew crew(workers.size() - 1);          // worker 0 is this thread
    std::vector<Chunk> chunks[2];           // the batch being expanded, the batch being merged
    SleepStore store;                       // the reduction's sleep sets
    std::vector<std::uint64_t> level_only;  // keys of the level's states expanded again
    std::vector<std::uint64_t> next_only;
    std::vector<std::uint64_t> kept, woken;  // a revisited state's sleep set, split
    const bool reduce = reducing();
    result.reduced = reduce;
    std::uint32_t depth = 0;
    std::size_t parity = 0;  // the current level's states are in each worker's arenas[parity]
    // Per batch of the level and per worker: the first block of that worker's arena
    // still read after the batch (blocks before it are given to the next level's arenas).
    std::vector<std::uint32_t> keep;
    std::vector<Pages> spares;
    const std::size_t batch_states = kChunkStates * kBatchChunks;

    // What the run holds: the states not expanded yet of the level, and what the next
    // level's arenas hold so far (what the states take, not their whole blocks: the blocks
    // each thread fills depend on which chunks it happened to take), so that the memory
    // bound stops every --jobs at the same state.
    std::uint64_t level_bytes = 0;  // the level's states not expanded yet
    std::uint64_t next_bytes = 0;   // the next level's states
    std::uint64_t peak = 0;
    const auto held = [&] {
      std::uint64_t bytes = visited.bytes() + store.bytes() + trail.capacity() * sizeof(std::uint64_t) +
                            (level_only.capacity() + next_only.capacity()) * sizeof(std::uint64_t) +
                            (level.capacity() + next.capacity()) * sizeof(Place) +
                            (level_index.capacity() + next_index.capacity()) * sizeof(std::uint32_t);
      return bytes + level_bytes + next_bytes;
    };
    const auto memory = [&] {
      peak = std::max(peak, held());
      return peak;
    };
    const auto stop = [&](Stop why) {
      result.stop = why;
      result.depth = depth;
      result.memory_bytes = memory();
      result.seconds = elapsed();
    };
    const auto violated = [&](Violation v, std::uint32_t index) {
      std::vector<Choice> path;
      for (std::uint32_t at = index; at != 0; at = static_cast<std::uint32_t>(trail[at] >> 32)) {
        path.push_back(Choice::unpack(static_cast<std::uint32_t>(trail[at])));
      }
      std::reverse(path.begin(), path.end());
      stop(Stop::violation);
      result.violation = std::move(v);
      result.path = replay(path, nullptr);
      result.depth = static_cast<std::uint32_t>(path.size());
      result.choices = std::move(path);
    };

    {
      Context<Message> ctx;
      State first = initial(nullptr, ctx);
      visited.insert(fingerprint(first));
      trail.push_back(0);
      result.distinct = 1;
      if (auto v = model_.safety(first)) return violated(std::move(*v), 0);
      level.push_back(Place{0, pack(workers[0].arenas[parity], first)});
      level_bytes = workers[0].arenas[parity].packed_bytes(level.back().ref);
      level_index.push_back(0);
    }

    // The merge of a batch's chunks: chunk by chunk, candidate by candidate, as one thread
    // meets them. True: the search stops there.
    const auto merge = [&](std::vector<Chunk>& merging, std::size_t batch) -> bool {
      for (Chunk& chunk : merging) {
        // The visited set's slots of the candidates a few ahead are asked for early.
        const std::size_t n = chunk.candidates.size();
        for (std::size_t i = 0; i < std::min(n, kMergeAhead); ++i) {
          visited.prefetch(chunk.candidates[i].fingerprint);
        }
        for (std::size_t i = 0; i < n; ++i) {
          if (i + kMergeAhead < n) visited.prefetch(chunk.candidates[i + kMergeAhead].fingerprint);
          Candidate& cand = chunk.candidates[i];
          result.transitions += cand.transitions;
          result.pruned += cand.pruned;
          const std::uint32_t parent = level_index[batch + cand.parent];
          switch (cand.kind) {
            case Candidate::Kind::quiescent:
              ++result.quiescent;
              if (cand.violated) {
                violated(std::move(*chunk.violation), parent);
                return true;
              }
              continue;
            case Candidate::Kind::depth_cut: stop(Stop::depth); return true;
            case Candidate::Kind::step_violation:
              trail.push_back(static_cast<std::uint64_t>(parent) << 32 | cand.choice);
              violated(std::move(*chunk.violation), static_cast<std::uint32_t>(trail.size() - 1));
              return true;
            case Candidate::Kind::successor: break;
          }
          const std::span<const std::uint64_t> sleep(chunk.sleep_pool.data() + cand.sleep_offset,
                                                     cand.sleep_size);
          bool added = false;
          const std::size_t slot = visited.insert(cand.fingerprint, added);
          if (!added) {
            // Met again: transitions asleep in its sleep set but awake on this path are
            // woken; if it was expanded already, it is expanded again for them alone.
            const SleepStore::Ref ref = reduce ? visited.value(slot) : 0;
            if (ref == 0 || sorted_subset(store.keys(ref), sleep)) continue;
            const auto old = store.keys(ref);
            kept.clear();
            woken.clear();
            std::set_intersection(old.begin(), old.end(), sleep.begin(), sleep.end(),
                                  std::back_inserter(kept));
            std::set_difference(old.begin(), old.end(), sleep.begin(), sleep.end(),
                                std::back_inserter(woken));
            store.shrink(ref, kept);
            if (!store.expanded(ref)) continue;
            DISTLAB_ASSERT(cand.bytes != 0, "a state expanded before is met again with its state");
            ++result.reexpanded;
            next.push_back(Place{chunk.worker, cand.state, ref, static_cast<std::uint32_t>(next_only.size()),
                                 static_cast<std::uint32_t>(woken.size())});
            next_bytes += cand.bytes;
            next_only.insert(next_only.end(), woken.begin(), woken.end());
            next_index.push_back(store.index(ref));
            continue;
          }
          const auto index = static_cast<std::uint32_t>(trail.size());
          trail.push_back(static_cast<std::uint64_t>(parent) << 32 | cand.choice);
          ++result.distinct;
          if (cand.violated) {
            violated(std::move(*chunk.violation), index);
            return true;
          }
          SleepStore::Ref ref = 0;
          if (!sleep.empty()) {
            ref = store.add(index, sleep);
            visited.set_value(slot, ref);
          }
          next.push_back(Place{chunk.worker, cand.state, ref});
          next_bytes += cand.bytes;
          next_index.push_back(index);
          if (result.distinct >= settings_.max_states) {
            stop(Stop::states);
            return true;
          }
          if ((result.distinct & 0xffff) == 0) {
            result.depth = depth + 1;
            result.memory_bytes = memory();
            result.seconds = elapsed();
            if (progress != nullptr) progress->on_progress(result);
            if (settings_.time_limit_s > 0 && result.seconds >= settings_.time_limit_s) {
              stop(Stop::time);
              return true;
            }
            if (held() >= settings_.max_memory_bytes) {
              stop(Stop::memory);
              return true;
            }
          }
        }
        result.transitions += chunk.tail_transitions;
        result.pruned += chunk.tail_pruned;
        level_bytes -= chunk.expanded_bytes;
      }
      return false;
    };

    while (!level.empty()) {
      plan_give_back(level, batch_states, workers.size(), keep);
      // Phase k expands batch k and merges batch k - 1. Without the reduction, thread 0
      // merges while the other threads expand, then joins them: a thread expanding reads
      // the visited set while the merge adds to it, and may take a state added a moment
      // ago for new (the merge drops it: the outcome is the same). With the reduction
      // the expansion reads the sleep sets the merge changes, so it waits for the merge.
      const std::size_t batches = (level.size() + batch_states - 1) / batch_states;
      for (std::size_t k = 0; k <= batches; ++k) {
        std::vector<Chunk>& expanding = chunks[k % 2];
        std::vector<Chunk>& merging = chunks[(k + 1) % 2];
        const std::size_t batch = k * batch_states;
        const auto merge_previous = [&] { return k > 0 && merge(merging, batch - batch_states); };
        bool stopped = false;
        if (k == batches) {
          stopped = merge_previous();
        } else {
          const std::size_t batch_end = std::min(level.size(), batch + batch_states);
          expanding.resize((batch_end - batch + kChunkStates - 1) / kChunkStates);
          if (reduce) {
            stopped = merge_previous();
            // Met again by a successor of the batch, a state of it has been expanded.
            for (std::size_t i = batch; i < batch_end && !stopped; ++i) store.mark_expanded(level[i].sleep);
          }
          if (!stopped) {
            stopped =
                expand_batch(level, batch, batch_end, depth, parity, visited, store, level_only, workers,
                             expanding, reduce ? std::function<bool()>() : merge_previous, crew);
          }
        }
        if (stopped) return;
        // Grown here, with nothing else running, by every thread: grown in the merge, it
        // kept the other threads waiting once they had expanded their batch.
        visited.grow_if_due(workers.size(), [&](const auto& copy) {
          crew.start(copy);
          copy(0);
          crew.wait();
        });
        visited.release_retired();
        if (k < batches) {
          // The blocks no state after the batch is in go to the arenas filling the next
          // level, shared out evenly.
          for (std::size_t t = 0; t < workers.size(); ++t) {
            workers[t].arenas[parity].give_back(keep[k * workers.size() + t], spares);
          }
          for (std::size_t t = 0; t < workers.size() && !spares.empty(); ++t) {
            workers[t].arenas[parity ^ 1U].take_spares(
                spares, (spares.size() + workers.size() - t - 1) / (workers.size() - t));
          }
        }
        if (k == 0) continue;  // nothing merged yet
        if (settings_.time_limit_s > 0 && elapsed() >= settings_.time_limit_s) return stop(Stop::time);
        memory();
        if (held() >= settings_.max_memory_bytes) return stop(Stop::memory);
      }
      for (Worker& w : workers) w.arenas[parity].clear();
      parity ^= 1U;
      level.swap(next);
      level_index.swap(next_index);
      level_only.swap(next_only);
      level_bytes = next_bytes;
      next_bytes = 0;
      next.clear();
      next_index.clear();
      next_only.clear();
      if (!level.empty()) ++depth;
      if (progress != nullptr) {
        result.depth = depth;
        result.seconds = elapsed();
        progress->on_progress(result);
      }
    }
    stop(Stop::complete);
  }

  // For every batch of `level` and every worker: the first block of the worker's arena
  // that a state after the batch is in (UINT32_MAX: none). A worker packs the states it
  // makes in the order the merge puts them in the next level, so each worker's blocks
  // are read in order and a block before that one is read no more.
  static void plan_give_back(const Places& level, std::size_t batch_states, std::size_t workers,
                             std::vector<std::uint32_t>& keep) {
    const std::size_t batches = (level.size() + batch_states - 1) / batch_states;
    keep.assign(batches * workers, UINT32_MAX);
    std::vector<std::uint32_t> first(workers, UINT32_MAX);  // from position p on
    for (std::size_t p = level.size(); p-- > 0;) {
      DISTLAB_ASSERT(level[p].ref.block <= first[level[p].worker], "a worker's blocks are read in order");
      first[level[p].worker] = level[p].ref.block;
      if (p % batch_states == 0 && p > 0) {
        std::copy(first.begin(), first.end(),
                  keep.begin() + static_cast<std::ptrdiff_t>((p / batch_states - 1) * workers));
      }
    }
  }

  // Expands level[begin, end) into `chunks` (kChunkStates states each), on every worker.
  // Thread 0 first runs `first` (if any: the previous batch's merge) while the others
  // expand; true from it stops the batch, and is returned (the batch's errors then do
  // not count: the search ended before it).
  bool expand_batch(const Places& level, std::size_t begin, std::size_t end, std::uint32_t depth,
                    std::size_t parity, const VisitedSet& visited, const SleepStore& store,
                    const std::vector<std::uint64_t>& only, std::vector<Worker>& workers,
                    std::vector<Chunk>& chunks, const std::function<bool()>& first, Crew& crew) const {
    std::atomic<std::size_t> claimed{0};
    const auto work = [&](std::uint32_t t) {
      for (std::size_t i = claimed.fetch_add(1); i < chunks.size(); i = claimed.fetch_add(1)) {
        const std::size_t from = begin + i * kChunkStates;
        chunks[i].worker = t;
        expand_chunk(level, from, std::min(end, from + kChunkStates), begin, depth, parity, visited, store,
                     only, workers, t, chunks[i]);
      }
    };
    if (crew.size() == 0 || chunks.size() <= 1) {
      if (first && first()) return true;
      work(0);
      return false;
    }
    bool stopped = false;
    std::vector<std::exception_ptr> errors(crew.size() + 1);
    crew.start([&](std::size_t t) {
      try {
        work(static_cast<std::uint32_t>(t));
      } catch (...) {
        errors[t] = std::current_exception();
        claimed = chunks.size();  // the others stop soon
      }
    });
    try {
      stopped = first && first();
      if (stopped) {
        claimed = chunks.size();
      } else {
        work(0);
      }
    } catch (...) {
      errors[0] = std::current_exception();
      claimed = chunks.size();
    }
    crew.wait();
    if (errors[0]) std::rethrow_exception(errors[0]);  // the merge's, or thread 0's
    if (stopped) return true;
    for (const std::exception_ptr& e : errors) {
      if (e) std::rethrow_exception(e);
    }
    return false;
  }

  // Reads the level's states from every worker's arenas[parity] (only read while
  // expanding) and packs successors into its own arenas[parity ^ 1].
  void expand_chunk(const Places& level, std::size_t from, std::size_t to, std::size_t batch,
                    std::uint32_t depth, std::size_t parity, const VisitedSet& visited,
                    const SleepStore& store, const std::vector<std::uint64_t>& only_pool,
                    std::vector<Worker>& workers, std::uint32_t self, Chunk& out) const {
    Worker& w = workers[self];
    const bool reduce = reducing();
    out.candidates.clear();
    out.violation.reset();
    out.sleep_pool.clear();
    out.tail_transitions = 0;
    out.tail_pruned = 0;
    out.expanded_bytes = 0;
    if (reduce) {
      w.chunk_index.clear();
    } else {
      w.chunk_seen.clear();
    }
    std::uint64_t transitions = 0;
    std::uint64_t pruned = 0;
    const auto add = [&](typename Candidate::Kind kind, std::size_t k, Choice c) -> Candidate& {
      Candidate& cand = out.candidates.emplace_back();
      cand.kind = kind;
      cand.parent = static_cast<std::uint32_t>(k - batch);
      cand.choice = c.packed();
      cand.transitions = static_cast<std::uint32_t>(transitions);
      cand.pruned = static_cast<std::uint32_t>(pruned);
      transitions = 0;
      pruned = 0;
      return cand;
    };
    // Each choice is taken in two halves: `step` makes the successor and its fingerprint
    // (and asks the memory for the fingerprint's slot in the visited set), `judge` then
    // decides, in the order the choices come, whether it is new.
    const auto step = [&](Held& h, Choice c) {
      if (h.made.size() == h.count) h.made.emplace_back();
      Made& m = h.made[h.count++];
      m.choice = c;
      m.state = w.base;
      m.violation.reset();
      apply(m.state, c, nullptr, w.ctx, &m.violation, false);
      if (!m.violation) {
        m.fingerprint = fingerprint(m.state);
        visited.prefetch(m.fingerprint);
      }
      return w.ctx.drew();
    };
    // True: the chunk has met a violation and ends there.
    const auto judge = [&](Made& m, std::size_t k) {
      const Choice c = m.choice;
      ++transitions;
      if (m.violation) {
        add(Candidate::Kind::step_violation, k, c).violated = true;
        out.violation = std::move(m.violation);
        return true;
      }
      const std::uint64_t fp = m.fingerprint;
      bool seen = false;
      bool state_needed = true;
      if (!reduce) {
        if (visited.contains(fp) || !w.chunk_seen.insert(fp)) return false;
      } else {
        // Seen already: only worth the merge's while it would wake something asleep there.
        const std::size_t slot = visited.find(fp);
        seen = slot != VisitedSet::kAbsent;
        if (seen) {
          const SleepStore::Ref ref = visited.value(slot);
          if (ref == 0 || sorted_subset(store.keys(ref), w.sleep)) return false;
          // Not expanded yet: the merge only narrows its sleep set, and needs no state.
          if (!store.expanded(ref)) state_needed = false;
        }
        bool added = false;
        const std::size_t at = w.chunk_index.insert(fp, added);
        if (added) {
          w.chunk_index.set_value(at, static_cast<std::uint32_t>(out.candidates.size()));
        } else {  // met in this chunk: keep what both paths let sleep
          Candidate& earlier = out.candidates[w.chunk_index.value(at)];
          const auto begin = out.sleep_pool.begin() + earlier.sleep_offset;
          const auto end =
              std::set_intersection(begin, begin + earlier.sleep_size, w.sleep.begin(), w.sleep.end(), begin);
          earlier.sleep_size = static_cast<std::uint32_t>(end - begin);
          return false;
        }
      }
      Candidate& cand = add(Candidate::Kind::successor, k, c);
      cand.fingerprint = fp;
      if (reduce) {
        cand.sleep_offset = static_cast<std::uint32_t>(out.sleep_pool.size());
        cand.sleep_size = static_cast<std::uint32_t>(w.sleep.size());
        out.sleep_pool.insert(out.sleep_pool.end(), w.sleep.begin(), w.sleep.end());
      }
      if (!seen) {
        out.violation = model_.safety(m.state);
        if (out.violation) {
          cand.violated = true;
          return true;
        }
      }
      if (state_needed) {
        cand.state = pack(w.arenas[parity ^ 1U], m.state);
        cand.bytes = static_cast<std::uint32_t>(w.arenas[parity ^ 1U].packed_bytes(cand.state));
      }
      return false;
    };
    // Without the reduction, a state's successors are judged only once the next state's
    // are made: the visited set's slots, almost never in the cache, are asked for as each
    // successor is made (prefetch) and arrive meanwhile. Judged in the order a single
    // thread meets them, as before, so the candidates come out the same.
    const bool overlap = !reduce && depth < settings_.max_depth;
    // The level's places and the workers, read once: the vectors themselves may share a
    // cache line with what the merge writes for every state it adds.
    const std::span<const Place> places(level.data(), level.size());
    const Worker* const all = workers.data();
    // A held state's own part: its bytes (expanded now) and, when nothing is left to
    // happen, its liveness check. True: a violation, the chunk ends there.
    const auto judge_state = [&](Held& h) {
      out.expanded_bytes += h.bytes;
      if (!h.quiescent) return false;
      Candidate& cand = add(Candidate::Kind::quiescent, h.k, {});
      if (!h.violation) return false;
      cand.violated = true;
      out.violation = std::move(h.violation);
      return true;
    };
    // Its successors made so far, in order; they are then done with.
    const auto judge_made = [&](Held& h) {
      for (std::size_t j = 0; j < h.count; ++j) {
        if (judge(h.made[j], h.k)) return true;
      }
      h.count = 0;
      return false;
    };
    const auto judge_held = [&](Held& h) { return judge_state(h) || judge_made(h); };
    for (std::size_t k = from; k < to; ++k) {
      const Arena& from_arena = all[places[k].worker].arenas[parity];
      unpack(from_arena, places[k].ref, w.base);
      Held& h = w.held[k % 2];
      h.k = k;
      h.bytes = from_arena.packed_bytes(places[k].ref);
      h.count = 0;
      enabled(w.base, w.choices);
      const bool again = places[k].only_size != Place::kAll;  // expanded again, for `only`
      h.quiescent = !again && !pending(w.base);
      if (h.quiescent) h.violation = model_.quiescent(w.base);
      if (overlap) {
        for (Choice c : w.choices) {
          // When its handler drew random numbers, the same choice with the other streams.
          const bool drew = step(h, c);
          for (c.draw = 1; drew && c.draw < settings_.draws; ++c.draw) step(h, c);
        }
        if (k > from && judge_held(w.held[(k - 1) % 2])) return;
        continue;
      }
      if (judge_state(h)) return;
      if (depth >= settings_.max_depth) {
        if (!w.choices.empty()) {
          add(Candidate::Kind::depth_cut, k, {});
          return;
        }
        continue;
      }
      // The reduction: each successor judged at once, since the next choice's sleep set
      // depends on it.
      const std::span<const std::uint64_t> asleep = store.keys(places[k].sleep);
      std::span<const std::uint64_t> only;
      if (again) only = {only_pool.data() + places[k].only_offset, places[k].only_size};
      w.info.clear();
      for (const Choice c : w.choices) w.info.push_back(transition(w.base, c));
      w.done.clear();
      for (std::size_t i = 0; i < w.choices.size(); ++i) {
        Choice c = w.choices[i];
        const Transition& t = w.info[i];
        if (t.key != 0 && sorted_contains(asleep, t.key)) {
          ++pruned;
          continue;
        }
        if (again && (t.key == 0 || !sorted_contains(only, t.key))) continue;
        w.sleep.clear();
        if (t.key != 0) sleep_after(t, asleep, w);
        const bool drew = step(h, c);
        for (c.draw = 1; drew && c.draw < settings_.draws; ++c.draw) step(h, c);
        if (judge_made(h)) return;
        if (t.key != 0) w.done.push_back(t);
      }
    }
    if (overlap && to > from && judge_held(w.held[(to - 1) % 2])) return;
    out.tail_transitions = transitions;
    out.tail_pruned = pruned;
  }

  // The reduction is on: sleep sets need FIFO channels, where the transition that
  // delivers a channel's head keeps its identity while other nodes act.
  bool reducing() const { return settings_.reduce && settings_.fifo; }

  // Two transitions commute when they act on different nodes at the same time: neither
  // changes what the other does, or when, and both orders end in the same state.
  static bool independent(const Transition& a, const Transition& b) {
    return a.key != 0 && b.key != 0 && a.actor != b.actor && a.at == b.at;
  }

  // Its key (the same in every state where it is the same transition), the node it acts
  // on and when. A delivery is its channel's head (FIFO) with that content; a timer, its
  // node and tag. Faults have no key.
  Transition transition(const State& s, Choice c) const {
    switch (c.kind) {
      case ChoiceKind::deliver: {
        const Flight<Node>& f = s.flights_[c.index];
        return {1ULL << 63 | static_cast<std::uint64_t>(f.from & 0xffffU) << 47 |
                    static_cast<std::uint64_t>(f.to & 0xffffU) << 31 | (f.hash & 0x7fffffffULL),
                index_of(s, f.to), std::max(s.now_, f.lo)};
      }
      case ChoiceKind::fire: {
        const Armed& a = s.timers_[c.index];
        return {1ULL << 62 | static_cast<std::uint64_t>(a.node) << 8 | a.tag, a.node, std::max(s.now_, a.at)};
      }
      default: return {0, 0, 0};
    }
  }

  // The sleep set of the state `t` leads to: what sleeps here, and what was taken here
  // before `t`, that is independent of `t` (sorted, in w.sleep).
  void sleep_after(const Transition& t, std::span<const std::uint64_t> asleep, Worker& w) const {
    for (const std::uint64_t z : asleep) {
      for (const Transition& other : w.info) {
        if (other.key == z) {
          if (independent(other, t)) w.sleep.push_back(z);
          break;
        }
      }
    }
    for (const Transition& d : w.done) {
      if (independent(d, t)) w.sleep.push_back(d.key);
    }
    std::sort(w.sleep.begin(), w.sleep.end());
    w.sleep.erase(std::unique(w.sleep.begin(), w.sleep.end()), w.sleep.end());
  }

  bool matches(const State& s, Choice c, const Wanted& w) const {
    if (c.kind != w.kind) return false;
    switch (c.kind) {
      case ChoiceKind::deliver:
      case ChoiceKind::lose:
      case ChoiceKind::duplicate: return s.flights_[c.index].id() == w.msg;
      case ChoiceKind::fire:
        return s.ids_[s.timers_[c.index].node] == w.node &&
               Node::timer_name(s.timers_[c.index].tag) == w.timer;
      case ChoiceKind::crash:
      case ChoiceKind::recover: return s.ids_[c.index] == w.node;
    }
    return false;
  }

  static std::uint32_t index_of(const State& s, NodeId id) {
    return static_cast<std::uint32_t>(std::lower_bound(s.ids_.begin(), s.ids_.end(), id) - s.ids_.begin());
  }

  StepFrame frame(const State& s, std::uint32_t i, EventSink* sink) const {
    return {.self = s.ids_[i], .now = s.now_, .nodes = s.ids_, .sink = sink};
  }

  // The node's random stream for one step: from its state and the input.
  void reseed(State& s, std::uint32_t i, std::uint64_t input) const {
    StateHasher h(input, StateHasher::Kind::seed);
    s.nodes_[i].node().fingerprint(h, s.now_);
    s.nodes_[i].reseed(h.value());
  }

  std::uint64_t message_key(const Message& m) const {
    if constexpr (requires { model_.message_key(m); }) {
      return model_.message_key(m);
    } else {
      return message_hash(m);
    }
  }

  bool may_crash(NodeId id) const {
    if constexpr (requires { model_.may_crash(id); }) {
      return model_.may_crash(id);
    } else {
      return true;
    }
  }

  bool is_free(TimerTag tag) const {
    if constexpr (requires { model_.free_timer(tag); }) {
      return model_.free_timer(tag);
    } else {
      return false;
    }
  }

  // The latest a message in flight may arrive.
  Nanos latest(const Flight<Node>& f) const {
    return f.lo + (settings_.latency_max_ns - settings_.latency_min_ns);
  }

  // The earliest of every pending deadline: nothing may happen after it first.
  Nanos deadline(const State& s) const {
    Nanos t = INT64_MAX;
    for (const Flight<Node>& f : s.flights_) t = std::min(t, latest(f));
    for (const Armed& a : s.timers_) {
      if (!a.free) t = std::min(t, a.at);
    }
    return t;
  }

  // How many messages of flight j's channel were sent before it and are still in flight.
  static std::uint64_t place_in_channel(const State& s, std::size_t j) {
    std::uint64_t place = 0;
    for (std::size_t i = 0; i < j; ++i) {
      place += s.flights_[i].from == s.flights_[j].from && s.flights_[i].to == s.flights_[j].to;
    }
    return place;
  }

  static std::uint64_t message_hash(const Message& m) {
    thread_local std::vector<std::byte> payload;
    payload.clear();
    const std::uint8_t type = wire_encode(m, payload);
    StateHasher h(type, StateHasher::Kind::seed);  // feeds the reseed of its receiver
    h.add(internal::hash_bytes(payload));
    return h.value();
  }

  // Carry out what node i's handler queued: its sends, then its timer changes.
  void settle(State& s, std::uint32_t i, Context<Message>& ctx) const {
    for (auto& out : ctx.outbox()) {
      const std::uint64_t hash = message_key(out.message);
      DISTLAB_ASSERT(out.id.sender == s.ids_[i], "a node sends with its own id");
      DISTLAB_ASSERT(out.id.seq <= UINT32_MAX, "a path sends fewer than 2^32 messages");
      s.flights_.push_back(Flight<Node>{s.now_ + settings_.latency_min_ns, hash, s.ids_[i], out.to,
                                        static_cast<std::uint32_t>(out.id.seq), std::move(out.message)});
    }
    for (const TimerOp& op : ctx.timer_ops()) {
      auto it = std::lower_bound(s.timers_.begin(), s.timers_.end(), std::pair{i, op.tag},
                                 [](const Armed& a, std::pair<std::uint32_t, TimerTag> key) {
                                   return std::pair{a.node, a.tag} < key;
                                 });
      const bool found = it != s.timers_.end() && it->node == i && it->tag == op.tag;
      const bool free = is_free(op.tag);
      const Armed armed{.at = free ? s.now_ : s.now_ + op.after_ns, .node = i, .tag = op.tag, .free = free};
      if (op.cancel) {
        if (found) s.timers_.erase(it);
      } else if (found) {
        *it = armed;
      } else {
        s.timers_.insert(it, armed);
      }
    }
    ctx.outbox().clear();
    ctx.timer_ops().clear();
  }

  static Step message_step(ChoiceKind kind, Nanos t, const Flight<Node>& f) {
    Step step;
    step.kind = kind;
    step.t = t;
    step.node = f.from;
    step.peer = f.to;
    step.msg = f.id();
    step.what = std::string(trace_type(f.message));
    return step;
  }

  static void trace_drop(EventSink* sink, Nanos t, NodeId at, const Flight<Node>& f, DropReason reason) {
    Event e;
    e.t = t;
    e.node = at;
    e.kind = EventKind::drop;
    e.msg = f.id();
    e.peer = f.to;
    e.type = trace_type(f.message);
    e.label = to_string(reason);
    sink->on_event(e);
  }

  Model model_;
  Settings settings_;
};

}  // namespace distlab::explore
