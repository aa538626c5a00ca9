// Scripted tests in etcd raft's manner: a text file drives the nodes of one algorithm
// step by step and holds, after each command, the output it must print.
//
// A script lives in testdata/<algorithm>/<name>.txt. Each block is a command line,
// a line "----", then the expected output up to a blank line; lines starting with
// '#' between blocks are comments. The walker (harness/script_test.cc) runs every
// file of every registered algorithm and compares; DISTLAB_UPDATE_GOLDEN=1 (make
// golden) rewrites the outputs instead, to be reviewed with git diff.
//
//   # Each `send` is a round of the seed's program: a local event, then a message.
//   nodes 3
//   ----
//   ok
//
//   send 1 2
//   ----
//   1: local lamport=1
//   1: send app 1.1 -> 2 lamport=2
//
//   deliver
//   ----
//   2: recv app 1.1 <- 1 lamport=3
//
// Nothing moves unless a command moves it: messages wait on their link (FIFO) until
// `deliver`, timers until `tick`. Generic commands, for every algorithm:
//
//   nodes N | nodes ID ID...  [seed=S] [key=value...]   create and start the nodes
//   deliver [from=ID] [to=ID] [N]   deliver the oldest matching message, N times, or
//                                   until none is left (with the replies they cause)
//   drop [from=ID] [to=ID] [N]      lose matching messages (traced as loss)
//   tick DURATION                   advance the clock, firing due timers in
//                                   (time, node, tag) order
//   run DURATION                    as tick, but every message is delivered at once
//                                   (a network without latency) before each timer
//   crash ID / recover ID           stop a node (its timers are void, messages to it
//                                   are dropped on arrival); restart it through
//                                   on_recover with its durable state
//   status                          each node's state, its timers, the messages in flight
//   check                           run every checker on the trace so far
//
// An algorithm adds its stimuli, its `nodes` options and a state printer with a
// ScriptHooks<Descriptor> specialisation (harness/<algo>/script.h, listed in
// script.cc). An algorithm without one gets the generic commands if its Node can be
// built as Node(id, {}).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "distlab/core/context.h"
#include "distlab/core/driver.h"
#include "distlab/core/durable.h"
#include "distlab/core/duration.h"
#include "distlab/core/error.h"
#include "distlab/core/event.h"
#include "distlab/core/types.h"
#include "distlab/trace/trace.h"

namespace distlab::harness {

// One command line of a script.
struct ScriptCommand {
  std::string where;  // "testdata/bully/election.txt:12", for errors
  std::string text;   // the line as written
  std::string name;
  std::vector<std::string> args;                            // positional, in order
  std::vector<std::pair<std::string, std::string>> options;  // key=value, in order

  // Malformed input: throws InputError naming where the command is.
  [[noreturn]] void fail(std::string_view what) const;
  // Refuses options other than `keys` and more than `max_args` positional arguments.
  void allow(std::initializer_list<std::string_view> keys, std::size_t max_args) const;
  std::optional<std::string> option(std::string_view key) const;
  std::uint64_t number(std::string_view text, std::string_view what) const;
  Nanos duration(std::string_view text, std::string_view what) const;
  std::optional<NodeId> node_option(std::string_view key) const;
  NodeId node_arg(std::size_t i) const;
  // The one argument of "crash ID", "elect ID" and the like.
  NodeId only_node() const;
};

// The node's state does not allow the command (request while already asking, crash a
// crashed node): printed as the command's output, "refused: ...", so a script can show it.
class ScriptRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The key=value options of `nodes`, read by the algorithm's hooks; finish() refuses
// any that nobody read.
class ScriptOptions {
 public:
  explicit ScriptOptions(const ScriptCommand& command) : command_(command) {}
  Nanos duration(std::string_view key, Nanos fallback);
  std::uint64_t number(std::string_view key, std::uint64_t fallback);
  bool flag(std::string_view key, bool fallback);
  std::string word(std::string_view key, std::string_view fallback);
  void finish() const;
  [[noreturn]] void fail(std::string_view what) const { command_.fail(what); }

 private:
  std::optional<std::string> take(std::string_view key);
  const ScriptCommand& command_;
  std::vector<std::string> read_;
};

// A script file, parsed: blocks with what precedes each (comments, blank lines) kept
// verbatim so that a rewrite changes only the outputs.
struct ScriptBlock {
  std::string leading;   // comment and blank lines before the command
  ScriptCommand command;
  std::string expected;  // each line ends with '\n'
};
struct ScriptFile {
  std::string path;
  std::vector<ScriptBlock> blocks;
  std::string trailing;  // comment and blank lines after the last block
};

// Throws InputError naming path:line for a command without "----" after it.
ScriptFile parse_script(std::string_view text, const std::string& path);
// The file's text with `outputs` (one per block) in place of the expected ones.
std::string render_script(const ScriptFile& file, const std::vector<std::string>& outputs);

// Runs a script's commands, in order, on one set of nodes.
class ScriptRunner {
 public:
  virtual ~ScriptRunner() = default;
  // The command's output, each line ending with '\n'. Throws InputError (naming
  // file:line) for a malformed command.
  virtual std::string run(const ScriptCommand& command) = 0;
};

// A runner for a registered algorithm; nullptr when `algorithm` is not one, or has
// neither hooks nor a Node that can be built as Node(id, {}).
std::unique_ptr<ScriptRunner> make_script_runner(std::string_view algorithm);

// Every script under `root`: root/<algorithm>/*.txt, sorted by path. Throws
// InputError for a directory that is not a registered algorithm's name.
std::vector<std::filesystem::path> find_scripts(const std::filesystem::path& root);

// Runs every block of `file`; the outputs, one per block.
std::vector<std::string> run_script(const ScriptFile& file, std::string_view algorithm);

// How a script prints a trace event: "2: send election 2.1 -> 3".
std::string format_script_record(const trace::Record& record);

// `check`'s output: each check that applies, "name: pass" or "name: fail: detail".
std::string check_report(const trace::Trace& trace);

// The hooks of algorithm descriptor D (specialised in harness/<algo>/script.h):
//
//   template <> struct ScriptHooks<bully::Descriptor> {
//     using Node = bully::BullyNode;
//     void configure(ScriptOptions& options, std::span<const NodeId> ids);  // `nodes` key=value
//     Node make(NodeId id) const;                                            // a fresh node
//     static constexpr std::array<std::string_view, 1> kCommands{"elect"};  // optional:
//     void command(ScriptEnv<ScriptHooks>& env, const ScriptCommand& c);    //   stimuli
//     std::string state(const Node& node) const;                            // optional
//   };
template <class Descriptor>
struct ScriptHooks {
  static constexpr bool kNone = true;
};

template <class D>
concept HasScriptHooks = !requires { ScriptHooks<D>::kNone; };

// The hooks of an algorithm that has none: nodes built as Node(id, {}).
template <class N>
struct DefaultScriptHooks {
  using Node = N;
  void configure(ScriptOptions&, std::span<const NodeId>) {}
  Node make(NodeId id) const { return Node(id, {}); }
};

template <class Hooks>
class ScriptEnv final : public ScriptRunner {
 public:
  using Node = typename Hooks::Node;
  using Message = typename Node::Message;
  using Action = std::function<void(Node&, Context<Message>&)>;

  // A bound on one `deliver`: a protocol that never goes quiet is refused there.
  static constexpr std::size_t kMaxDeliveries = 100'000;
  // A bound on the timers one `tick` fires.
  static constexpr std::size_t kMaxFirings = 100'000;

  explicit ScriptEnv(std::string algorithm) : algorithm_(std::move(algorithm)) {}

  std::string run(const ScriptCommand& c) override {
    out_.clear();
    try {
      dispatch(c);
    } catch (const ScriptRefused& refused) {
      out_ += fmt::format("refused: {}\n", refused.what());
    }
    if (out_.empty()) out_ = "ok\n";
    return std::move(out_);
  }

  // ---- for hooks ----

  // A stimulus: `action` runs on node `id` as a handler; its effects are carried out.
  void act(NodeId id, const Action& action) {
    Slot& s = up_slot(id);
    carry_out(s, s.driver->act(now_, action));
  }
  // The node, up. Refuses a crashed or unknown one.
  Node& node(NodeId id) { return up_slot(id).driver->node(); }
  // The pending timer `tag` of node `id` is taken over by a stimulus.
  void forget_timer(NodeId id, TimerTag tag) { timers_[id].erase(tag); }
  Hooks& hooks() { return hooks_; }
  std::span<const NodeId> ids() const { return ids_; }

 private:
  struct Slot {
    NodeId id;
    std::optional<Driver<Node>> driver;
    bool up = true;
  };
  struct InFlight {
    std::uint64_t order;  // global send order: the oldest message goes first
    MsgId id;
    Message message;
  };
  using Link = std::pair<NodeId, NodeId>;  // (from, to)

  void dispatch(const ScriptCommand& c) {
    if (c.name == "nodes") return cmd_nodes(c);
    if (slots_.empty()) c.fail("the first command must be `nodes`");
    if (c.name == "deliver") return cmd_deliver(c, false);
    if (c.name == "drop") return cmd_deliver(c, true);
    if (c.name == "tick") return cmd_tick(c, false);
    if (c.name == "run") return cmd_tick(c, true);
    if (c.name == "crash") return cmd_crash(c);
    if (c.name == "recover") return cmd_recover(c);
    if (c.name == "status") return cmd_status(c);
    if (c.name == "check") return cmd_check(c);
    if constexpr (requires { Hooks::kCommands; }) {
      for (std::string_view name : Hooks::kCommands) {
        if (c.name == name) return hooks_.command(*this, c);
      }
    }
    std::string known = "nodes, deliver, drop, tick, run, crash, recover, status, check";
    if constexpr (requires { Hooks::kCommands; }) {
      for (std::string_view name : Hooks::kCommands) known += fmt::format(", {}", name);
    }
    c.fail(fmt::format("unknown command '{}' (commands: {})", c.name, known));
  }

  void cmd_nodes(const ScriptCommand& c) {
    if (!slots_.empty()) c.fail("the nodes exist already");
    if (c.args.empty()) c.fail("nodes N, or nodes ID ID...");
    if (c.args.size() == 1) {
      const std::uint64_t n = c.number(c.args[0], "a node count");
      if (n < 1 || n > 64) c.fail("a script runs 1 to 64 nodes");
      ids_ = node_ids(static_cast<std::uint32_t>(n));
    } else {
      for (std::size_t i = 0; i < c.args.size(); ++i) ids_.push_back(c.node_arg(i));
      std::sort(ids_.begin(), ids_.end());
      if (std::adjacent_find(ids_.begin(), ids_.end()) != ids_.end()) c.fail("a node id appears twice");
    }
    ScriptOptions options(c);
    const std::uint64_t seed = options.number("seed", 1);
    hooks_.configure(options, ids_);
    options.finish();
    recorder_ = std::make_unique<trace::Recorder>(
        trace::Header{.algorithm = algorithm_, .mode = "sim", .seed = seed, .nodes = ids_},
        [this](const trace::Record& r) { out_ += format_script_record(r) + "\n"; });
    slots_.reserve(ids_.size());
    for (NodeId id : ids_) {
      Slot& s = slots_.emplace_back(Slot{id, std::nullopt, true});
      s.driver.emplace(hooks_.make(id),
                       typename Driver<Node>::Options{.self = id, .nodes = ids_, .seed = seed, .sink = recorder_.get()});
    }
    for (Slot& s : slots_) carry_out(s, s.driver->start(now_));
  }

  // deliver/drop [from=ID] [to=ID] [N]
  void cmd_deliver(const ScriptCommand& c, bool drop) {
    c.allow({"from", "to"}, 1);
    std::size_t limit = drop ? kNoLimit : kMaxDeliveries + 1;
    if (!c.args.empty()) limit = static_cast<std::size_t>(c.number(c.args[0], "a message count"));
    if (deliver_matching(c, c.node_option("from"), c.node_option("to"), limit, drop) == 0) {
      out_ += fmt::format("no message to {}\n", drop ? "drop" : "deliver");
    }
  }

  // Delivers (or drops) the oldest matching message, `limit` times or until none is
  // left; returns how many.
  std::size_t deliver_matching(const ScriptCommand& c, std::optional<NodeId> from, std::optional<NodeId> to,
                               std::size_t limit, bool drop) {
    std::size_t done = 0;
    for (; done < limit; ++done) {
      auto link = oldest(from, to);
      if (link == links_.end()) break;
      if (!drop && done == kMaxDeliveries) c.fail(fmt::format("still delivering after {} messages", kMaxDeliveries));
      InFlight m = std::move(link->second.front());
      link->second.pop_front();
      const auto [sender, receiver] = link->first;
      if (link->second.empty()) links_.erase(link);
      Slot& r = slot(receiver);
      if (drop || !r.up) {
        trace_drop(drop ? sender : receiver, receiver, m, drop ? DropReason::loss : DropReason::crashed);
        continue;
      }
      carry_out(r, r.driver->deliver(now_, sender, m.id, m.message));
    }
    return done;
  }

  // tick DURATION: timers only; messages stay where they are.
  // run DURATION: as tick, but every message is delivered as soon as it is sent (a
  // network with no latency), before the next timer fires.
  void cmd_tick(const ScriptCommand& c, bool deliver) {
    c.allow({}, 1);
    if (c.args.size() != 1) c.fail(fmt::format("{} DURATION, such as {} 100ms", c.name, c.name));
    const Nanos until = now_ + c.duration(c.args[0], "a duration");
    Nanos shown = -1;
    for (std::size_t fired = 0;; ++fired) {
      if (deliver) deliver_matching(c, std::nullopt, std::nullopt, kMaxDeliveries + 1, false);
      if (fired == kMaxFirings) c.fail(fmt::format("more than {} timers in one {}", kMaxFirings, c.name));
      // The next due timer in (time, node, tag) order.
      std::optional<std::tuple<Nanos, NodeId, TimerTag>> next;
      for (const auto& [id, timers] : timers_) {
        for (const auto& [tag, due] : timers) {
          if (due <= until && (!next || std::tuple(due, id, tag) < *next)) next = std::tuple(due, id, tag);
        }
      }
      if (!next) break;
      const auto [due, id, tag] = *next;
      timers_[id].erase(tag);
      now_ = due;
      if (due != shown) out_ += fmt::format("at {}\n", format_duration(due));
      shown = due;
      Event e;
      e.t = now_;
      e.node = id;
      e.kind = EventKind::timer;
      e.label = Node::timer_name(tag);
      recorder_->on_event(e);
      Slot& s = slot(id);
      carry_out(s, s.driver->fire(now_, tag));
    }
    now_ = until;
    out_ += fmt::format("now {}\n", format_duration(now_));
  }

  void cmd_crash(const ScriptCommand& c) {
    Slot& s = up_slot(c.only_node());
    s.up = false;
    timers_.erase(s.id);
    Event e;
    e.t = now_;
    e.node = s.id;
    e.kind = EventKind::crash;
    recorder_->on_event(e);
  }

  // Fresh volatile state, the durable part kept, as the simulator restarts a node.
  void cmd_recover(const ScriptCommand& c) {
    Slot& s = slot(c.only_node());
    if (s.up) throw ScriptRefused(fmt::format("node {} is up", s.id));
    s.up = true;
    s.driver->restart(hooks_.make(s.id));  // a fresh node that keeps the durable part
    carry_out(s, s.driver->recover(now_));
  }

  void cmd_status(const ScriptCommand& c) {
    c.allow({}, 0);
    out_ += fmt::format("now {}\n", format_duration(now_));
    for (Slot& s : slots_) {
      std::string line = fmt::format("{}: {}", s.id, s.up ? "up" : "crashed");
      if constexpr (requires { hooks_.state(s.driver->node()); }) {
        if (s.up) line += " " + hooks_.state(s.driver->node());
      }
      for (const auto& [tag, due] : timers_[s.id]) line += fmt::format(" {}@{}", Node::timer_name(tag), format_duration(due));
      out_ += line + "\n";
    }
    for (const auto& [link, queue] : links_) {
      for (const InFlight& m : queue) out_ += fmt::format("in flight: {}->{} {} {}\n", link.first, link.second,
                                                        trace_type(m.message), to_string(m.id));
    }
  }

  void cmd_check(const ScriptCommand& c) {
    c.allow({}, 0);
    out_ += check_report(recorder_->trace());
  }

  // The oldest message at the head of a link that matches the filter.
  typename std::map<Link, std::deque<InFlight>>::iterator oldest(std::optional<NodeId> from, std::optional<NodeId> to) {
    auto best = links_.end();
    for (auto it = links_.begin(); it != links_.end(); ++it) {
      if ((from && it->first.first != *from) || (to && it->first.second != *to)) continue;
      if (best == links_.end() || it->second.front().order < best->second.front().order) best = it;
    }
    return best;
  }

  // Sends join their links; timer changes are printed and kept.
  void carry_out(Slot& s, typename Driver<Node>::Ready ready) {
    for (auto& out : ready.sends) links_[{s.id, out.to}].push_back(InFlight{++order_, out.id, std::move(out.message)});
    for (const TimerOp& op : ready.timers) {
      const std::string_view name = Node::timer_name(op.tag);
      if (op.cancel) {
        if (timers_[s.id].erase(op.tag) != 0) out_ += fmt::format("{}: cancel {}\n", s.id, name);
      } else {
        timers_[s.id][op.tag] = now_ + op.after_ns;
        out_ += fmt::format("{}: set {} in {}\n", s.id, name, format_duration(op.after_ns));
      }
    }
    s.driver->advance();
  }

  void trace_drop(NodeId at, NodeId to, const InFlight& m, DropReason reason) {
    Event e;
    e.t = now_;
    e.node = at;
    e.kind = EventKind::drop;
    e.msg = m.id;
    e.peer = to;
    e.type = trace_type(m.message);
    e.label = to_string(reason);
    recorder_->on_event(e);
  }

  Slot& slot(NodeId id) {
    for (Slot& s : slots_) {
      if (s.id == id) return s;
    }
    throw ScriptRefused(fmt::format("no node {}", id));
  }
  Slot& up_slot(NodeId id) {
    Slot& s = slot(id);
    if (!s.up) throw ScriptRefused(fmt::format("node {} is crashed", id));
    return s;
  }

  static constexpr std::size_t kNoLimit = static_cast<std::size_t>(-1);

  std::string algorithm_;
  Hooks hooks_;
  std::vector<NodeId> ids_;
  std::vector<Slot> slots_;  // sorted by id; a Driver holds the sink, so slots never move once made
  std::map<Link, std::deque<InFlight>> links_;
  std::map<NodeId, std::map<TimerTag, Nanos>> timers_;  // tag -> due time
  Nanos now_ = 0;
  std::uint64_t order_ = 0;
  std::unique_ptr<trace::Recorder> recorder_;
  std::string out_;
};

}  // namespace distlab::harness
