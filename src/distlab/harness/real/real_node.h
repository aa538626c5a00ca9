// Runs one node of a plan as a real process: `distlab run` uses it for every
// algorithm, and `distlab launch` starts one process per node running it.
//
// The node listens at its cluster address and sends to the others'; its clock counts
// from the run's epoch (shared by all processes of a launch); it carries out its own
// share of the plan's stimuli on time; it writes its trace; a restarted process
// (incarnation > 0) reloads its durable state and starts through on_recover; and it
// stops at the end of the run, or on SIGINT or SIGTERM (the host's), having carried
// out what the plan still records at the end (at_end).
//
//   RealOutcome out = run_real_node(lamport_plan(scenario), node, {.on_listening = print_address});
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>

#include "distlab/core/atomic_file.h"
#include "distlab/core/durable.h"
#include "distlab/core/error.h"
#include "distlab/harness/plan.h"
#include "distlab/runtime/udp/cluster.h"
#include "distlab/runtime/udp/udp_node.h"
#include "distlab/trace/jsonl_writer.h"

namespace distlab::harness {

struct RealNode {
  std::string algorithm;  // the trace header's
  NodeId self = 0;
  udp::Cluster cluster;
  std::uint64_t seed = 0;
  std::chrono::steady_clock::time_point epoch;
  // Set: the epoch is what this returns once the socket is bound (run --wait-start).
  std::function<std::chrono::steady_clock::time_point()> epoch_once_bound;
  std::uint64_t incarnation = 0;  // 0: first start; then each restart
  Nanos duration_ns = 0;          // from the epoch; 0: the plan's
  std::string trace_path;         // empty: no trace
  bool live_trace = false;        // written in place line by line (a launcher's), not into place at the end
  std::string state_path;         // durable state across restarts; empty: none
  int parent = 0;                 // a launcher's pid: go when it goes; 0: none
  std::optional<udp::Sealing> sealing;  // a cluster key; none: frames travel unsealed
};

struct RealHooks {
  EventSink* observer = nullptr;  // sees every event too (a diagram being recorded)
  // Called once the socket is bound, before the run starts.
  std::function<void(const udp::Address& listening)> on_listening;
  // Called after the run, before the trace is moved into place: the caller writes its
  // own outputs then, so that a full disk leaves none of them.
  std::function<void()> before_commit;
};

struct RealOutcome {
  udp::UdpCounters counters;
  bool interrupted = false;  // SIGINT or SIGTERM ended it
  bool orphaned = false;     // the launcher was gone before the node started
};

// The largest durable-state file a restarted node reads back (--state).
inline constexpr std::size_t kMaxStateBytes = 1 << 20;

// Message numbers of a restarted process start past the ones its earlier lives used.
inline constexpr int kIncarnationShift = 40;

// The trace header of a real run of `ids`.
inline trace::Header real_header(const RealNode& r, const std::vector<NodeId>& ids) {
  return trace::Header{.algorithm = r.algorithm, .mode = "real", .seed = r.seed, .nodes = ids};
}

// Throws InputError when the cluster does not fit the plan.
template <class Algo>
RealOutcome run_real_node(const Plan<Algo>& plan, const RealNode& r, const RealHooks& hooks = {}) {
  if (r.parent != 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the launcher, even if it is killed
    if (getppid() != r.parent) return {.orphaned = true};  // it went before prctl took effect
  }
  if (r.cluster.ids() != plan.ids) {
    throw InputError(fmt::format("{}: the cluster has nodes {}, but this {} run needs nodes {}", r.cluster.source,
                                 fmt::join(r.cluster.ids(), ","), r.algorithm, fmt::join(plan.ids, ",")));
  }
  const udp::ClusterNode* me = r.cluster.find(r.self);
  if (me == nullptr) {
    throw InputError(fmt::format("--id {}: no such node in {} (nodes are {})", r.self, r.cluster.source,
                                 fmt::join(r.cluster.ids(), ",")));
  }
  // A node that keeps durable state lets each step's trace lines out only once the
  // state is kept (on_settled below), so a line never shows a clock its next life
  // would not remember. Lines made between steps (the reliable layer's) go out with
  // the next step's, or at the end.
  const bool keeps_state = PersistsDurableState<Algo> && !r.state_path.empty();
  std::optional<trace::JsonlWriter> writer;
  if (!r.trace_path.empty()) {
    using Flush = trace::JsonlWriter::Flush;
    writer.emplace(r.trace_path, real_header(r, plan.ids),
                   !r.live_trace ? Flush::buffered
                   : keeps_state ? Flush::each_step
                                 : Flush::each_event);
  }
  trace::FanOut sinks;
  sinks.add(writer ? &*writer : nullptr);
  sinks.add(hooks.observer);

  typename udp::UdpNode<Algo>::Options options;
  options.self = r.self;
  options.bind = me->address;
  for (const udp::ClusterNode& n : r.cluster.nodes) {
    if (n.id != r.self) options.peers[n.id] = n.address;
  }
  options.nodes = plan.ids;
  options.closed_membership = true;  // a frame from outside the cluster is garbage
  options.seed = r.seed;
  options.sink = writer || hooks.observer != nullptr ? &sinks : nullptr;
  options.epoch = r.epoch;
  options.epoch_once_bound = r.epoch_once_bound;
  options.first_seq = r.incarnation << kIncarnationShift;
  options.incarnation = r.incarnation;
  options.sealing = r.sealing;
  if constexpr (PersistsDurableState<Algo>) {
    if (!r.state_path.empty()) {
      check_creatable(r.state_path);  // a bad path fails before the run
      // A state that cannot be kept (a full disk) ends the run: the exception leaves
      // the host's loop, and the process reports it in one line and exits 3.
      trace::JsonlWriter* live = writer && r.live_trace ? &*writer : nullptr;
      options.on_settled = [path = r.state_path, last = std::string(), live](const Algo& node) mutable {
        std::string text = Algo::durable_to_json(node.durable()).dump();
        if (text != last) {  // most handlers leave it as it was
          try {
            write_file_atomically(path, text);
          } catch (const Error& e) {
            throw RuntimeFailure(fmt::format("cannot keep the node's state: {}", e.what()));
          }
          last = std::move(text);
        }
        if (live != nullptr) live->end_step();
      };
    }
  }
  udp::UdpNode<Algo> node(plan.make(r.self), options);
  if constexpr (PersistsDurableState<Algo>) {
    if (r.incarnation > 0 && !r.state_path.empty()) {
      // Read at most kMaxStateBytes: a file larger than that is not one this node wrote,
      // and is ignored like a malformed one.
      std::ifstream in(r.state_path, std::ios::binary);
      std::string text(kMaxStateBytes + 1, '\0');
      in.read(text.data(), static_cast<std::streamsize>(text.size()));
      text.resize(static_cast<std::size_t>(in.gcount()));
      if (text.size() > kMaxStateBytes) text.clear();
      const auto json = nlohmann::ordered_json::parse(text, nullptr, false);
      if (!json.is_discarded()) {
        if (auto durable = Algo::durable_from_json(json)) node.algo().restore(*durable);
      }
    }
  }
  for (const Stimulus<Algo>& s : plan.stimuli) {
    if (s.node == r.self) node.schedule(s.at_ns, s.act);
  }
  const Nanos duration = r.duration_ns > 0 ? r.duration_ns : plan.duration_ns;
  udp::Host& host = node.host();
  RealOutcome outcome;
  bool started = false;
  // Every process of a launch starts at the epoch; datagrams that arrive earlier wait
  // in the socket's buffer. A restarted process starts at once.
  host.at(0, [&] {
    started = true;
    node.start(r.incarnation > 0);
  });
  auto finish = [&] {
    if (started && plan.at_end) node.act_now(plan.at_end);
    node.stop();
    host.stop();
  };
  host.on_interrupt([&] {
    outcome.interrupted = true;
    finish();
  });
  host.at(duration, finish);
  if (hooks.on_listening) hooks.on_listening(me->address);
  host.run();
  if (hooks.before_commit) hooks.before_commit();
  if (writer) writer->commit();
  outcome.counters = node.counters();
  return outcome;
}

}  // namespace distlab::harness
