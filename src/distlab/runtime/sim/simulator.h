// The deterministic discrete-event simulator: runs N copies of one algorithm.
//
// Events are handled in (time, sequence) order and every random draw comes from a
// child of the run's seed, so a seed replays a run exactly. The simulator is a
// template on the algorithm: handlers are called directly, messages live in a slab
// (no allocation per event once warm), and with no sink attached nothing is traced.
//
//   SimConfig config{.seed = 7, .first_id = 1, .node_count = 3};
//   Simulator<LamportNode> sim(config, [](NodeId id) { return LamportNode(id, options); });
//   sim.inject(0, 2, [](LamportNode& n, auto& ctx) { n.send_round(ctx, 1); });
//   sim.run();
//
// An algorithm provides a `Message` type, `on_start`, `on_message`, `on_timer`,
// `on_recover`, `kTimerTags` (how many timer tags it uses) and `timer_name(tag)`. If it
// has durable state (core/durable.h), that part survives crashes; everything else is
// rebuilt by the factory.
//
// With NetworkModel::reliable, the nodes' messages go through the reliable layer
// (runtime/reliable.h), one per node, whose frames the network loses, duplicates and
// reorders as it would the messages; the trace shows the messages as the node sent
// and received them (a frame lost and sent again is not a drop), and a drop only for a
// message the layer gave up. A message's first transmission draws from the network
// stream as it would without the layer, acks and retransmissions from a stream of
// their own, so a run the network spares is the same with the layer or without.
//
// Nodes are stepped through Stepper (core/stepper.h), as Driver and so the real
// runtime step them: the simulator holds one Stepper per node (the node, its random
// stream, its send counter) and one Context that every handler runs on.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/context.h"
#include "distlab/core/error.h"
#include "distlab/core/event.h"
#include "distlab/core/pages.h"
#include "distlab/core/random.h"
#include "distlab/core/stepper.h"
#include "distlab/core/types.h"
#include "distlab/runtime/reliable.h"
#include "distlab/runtime/sim/event_queue.h"
#include "distlab/runtime/sim/faults.h"
#include "distlab/runtime/sim/fifo_links.h"
#include "distlab/runtime/sim/network.h"

namespace distlab::sim {

template <class A>
concept Algorithm = requires(A& a, Context<typename A::Message>& ctx, NodeId from,
                             const typename A::Message& m, TimerTag tag) {
  a.on_start(ctx);
  a.on_message(ctx, from, m);
  a.on_timer(ctx, tag);
  a.on_recover(ctx);
  { A::kTimerTags } -> std::convertible_to<std::size_t>;
  { A::timer_name(tag) } -> std::convertible_to<std::string_view>;
};


struct SimConfig {
  std::uint64_t seed = 0;
  NodeId first_id = 1;          // nodes are first_id .. first_id + node_count - 1
  std::uint32_t node_count = 0;
  NetworkModel network;
  FaultPlan faults;
  Nanos until_ns = kNanosMax;   // no event after this time is handled
  EventSink* sink = nullptr;    // null: unobserved, nothing is built for tracing
};

struct SimStats {
  std::uint64_t events = 0;      // handled events of every kind
  std::uint64_t sent = 0;
  std::uint64_t delivered = 0;
  std::uint64_t dropped_loss = 0;
  std::uint64_t dropped_partition = 0;
  std::uint64_t dropped_crashed = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t timers_fired = 0;
  std::uint64_t deferred = 0;    // events held back by a pause
  // With the reliable layer: its frames that the network lost or cut, or whose
  // receiver was down (the layer sends them again).
  std::uint64_t frames_lost = 0;
  reliable::Counters reliable;  // filled by harness::simulate (Simulator::reliable_counters)
};

// Pending events beyond this count stop the run with a RuntimeFailure: a protocol
// that floods the network faster than it drains would otherwise eat all memory.
inline constexpr std::size_t kMaxPendingEvents = std::size_t{1} << 31;

template <Algorithm Algo>
class Simulator {
 public:
  using Message = typename Algo::Message;
  using Factory = std::function<Algo(NodeId)>;
  using Injection = std::function<void(Algo&, Context<Message>&)>;

  Simulator(SimConfig config, Factory factory)
      : config_(std::move(config)),
        factory_(std::move(factory)),
        net_rng_(derive_seed(config_.seed, kStreamNetwork)),
        fifo_tracking_(config_.network.fifo && !config_.network.constant_latency()),
        fifo_(config_.first_id, fifo_tracking_ ? config_.node_count : 0),
        frame_rng_(derive_seed(config_.seed, kStreamReliable)),
        reliable_settings_(reliable::Settings::for_latency(config_.network.latency_high_ns())) {
    DISTLAB_ASSERT(config_.node_count >= 1);
    const std::uint32_t n = config_.node_count;
    ids_.reserve(n);
    nodes_.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const NodeId id = config_.first_id + i;
      ids_.push_back(id);
      nodes_.emplace_back(factory_(id), id, config_.seed);
    }
    up_.assign(n, 1);
    paused_until_.assign(n, 0);
    timer_gen_.assign(std::size_t{n} * Algo::kTimerTags, 0);
    if (config_.network.reliable) {
      links_.reserve(n);
      for (std::uint32_t i = 0; i < n; ++i) links_.emplace_back(1, reliable_settings_);
      resend_gen_.assign(n, 0);
      resend_at_.assign(n, kNanosMax);
    }
    for (std::uint32_t i = 0; i < n; ++i) push(0, kStart, i);
    for (std::size_t f = 0; f < config_.faults.faults.size(); ++f) {
      const Fault& fault = config_.faults.faults[f];
      DISTLAB_ASSERT(contains(fault.node), "fault for an unknown node");
      push(fault.at_ns, kFault, static_cast<std::uint32_t>(f));
    }
  }

  // At time `at_ns`, call `fn` on node `id` as if an outside client asked it to act.
  // Skipped when the node is down then; held back while it is paused.
  void inject(Nanos at_ns, NodeId id, Injection fn) {
    DISTLAB_ASSERT(contains(id) && at_ns >= now_);
    injections_.push_back({id, std::move(fn)});
    push(at_ns, kInject, static_cast<std::uint32_t>(injections_.size() - 1));
  }

  // Handle events until none is left or the next is past `until_ns`.
  void run() {
    while (step()) {
    }
  }

  // Handle one event; false when the run is over.
  bool step() {
    // With the reliable layer, the run is over once every message is delivered (or
    // given up) and only the layer's frames and timers are left (acks, copies of
    // delivered messages): they change nothing a node sees, and a run ends where it
    // would without the layer.
    if (reliable() && outstanding_ == 0 && queue_.size() == layer_pending_) return false;
    const std::optional<QueuedEvent> next = queue_.pop_until(config_.until_ns);
    if (!next) return false;
    const QueuedEvent e = *next;
    prefetch_ahead();
    if (of_layer(e.kind)) --layer_pending_;
    DISTLAB_ASSERT(e.t >= now_, "time never goes back");
    now_ = e.t;
    ++stats_.events;
    switch (e.kind) {
      case kDeliver: handle_delivery(e); break;
      case kTimer: handle_timer(e); break;
      case kStart: handle_start(e); break;
      case kInject: handle_injection(e); break;
      case kFault: handle_fault(config_.faults.faults[e.slot]); break;
      case kAction: actions_[e.slot](); break;
      case kFrame: handle_frame(e); break;
      case kResend: handle_resend(e); break;
      default: DISTLAB_ASSERT(false, "unknown event kind");
    }
    return true;
  }

  // At time `at_ns`, run `action` outside any node: a scenario's own decision, such as
  // crashing whichever node leads at that moment.
  void schedule(Nanos at_ns, std::function<void()> action) {
    DISTLAB_ASSERT(at_ns >= now_);
    actions_.push_back(std::move(action));
    push(at_ns, kAction, static_cast<std::uint32_t>(actions_.size() - 1));
  }

  // Faults, now. A crashed node receives nothing and its timers are void; no-ops
  // when the node is already down (crash, pause) or up (recover).
  void crash(NodeId id) {
    const std::uint32_t node = index(id);
    if (!up(node)) return;
    up_[node] = 0;
    ++down_;
    paused_until_[node] = 0;
    for (TimerTag tag = 0; tag < Algo::kTimerTags; ++tag) ++timer_gen_[timer_index(node, tag)];
    if (reliable()) {  // the layer's state is volatile: it goes with the node
      ++resend_gen_[node];
      resend_at_[node] = kNanosMax;
    }
    trace_simple(id, EventKind::crash);
  }

  // Restart through on_recover, with fresh volatile state and the durable part kept.
  void recover(NodeId id) {
    const std::uint32_t node = index(id);
    if (up(node)) return;
    up_[node] = 1;
    --down_;
    if (reliable()) {
      add(past_counters_, links_[node].counters());
      links_[node] = reliable::Links<Payload>(links_[node].incarnation() + 1, reliable_settings_);
    }
    nodes_[node].restart(factory_(id));
    nodes_[node].recover(ctx_, at(node));
    settle(node);
  }

  void pause(NodeId id, Nanos duration_ns) {
    const std::uint32_t node = index(id);
    if (!up(node)) return;
    paused_until_[node] = std::max(paused_until_[node], now_ + duration_ns);
    paused_ever_ = true;
  }

  Nanos now() const { return now_; }
  const SimStats& stats() const { return stats_; }
  std::span<const NodeId> ids() const { return ids_; }
  bool contains(NodeId id) const { return id >= config_.first_id && id - config_.first_id < config_.node_count; }
  bool is_up(NodeId id) const { return up(index(id)); }
  Algo& node(NodeId id) { return nodes_[index(id)].node(); }
  const Algo& node(NodeId id) const { return nodes_[index(id)].node(); }
  std::size_t pending_events() const { return queue_.size(); }
  // The reliable layer's counters, summed over every node and every incarnation.
  reliable::Counters reliable_counters() const {
    reliable::Counters sum = past_counters_;
    for (const auto& l : links_) add(sum, l.counters());
    return sum;
  }

 private:
  enum Kind : std::uint8_t { kDeliver, kTimer, kStart, kInject, kFault, kAction, kFrame, kResend };

  // 16 bytes plus the message (a MsgId would bring 4 bytes of padding).
  struct InFlight {
    NodeId to;
    NodeId from;
    std::uint64_t seq;
    Message message;
    MsgId id() const { return {from, seq}; }
  };
  struct PendingTimer {
    std::uint32_t node;  // index
    TimerTag tag;
    std::uint32_t generation;
  };
  // What the reliable layer carries for a message, and one of its frames in flight.
  struct Payload {
    std::uint64_t seq;  // the message's id is (sender, seq)
    Message message;
  };
  struct Packet {
    NodeId to;
    NodeId from;
    reliable::Header header;
    std::optional<Payload> payload;  // none: a bare ack
  };
  // How the layer of node `self` reaches the network and the node.
  struct LinkIo {
    Simulator* sim;
    NodeId self;
    bool first;  // a message's first transmission (the node's send)
    void transmit(NodeId to, const reliable::Header& h, const Payload* p) {
      sim->send_frame(self, to, h, p, first);
    }
    void deliver(NodeId from, Payload&& p) { sim->ready_.emplace_back(from, std::move(p)); }
    void abandon(NodeId to, Payload&& p, reliable::Abandoned why) { sim->abandoned(self, to, p, why); }
  };
  struct PendingInjection {
    NodeId node;
    Injection fn;
  };

  std::uint32_t index(NodeId id) const {
    DISTLAB_ASSERT(contains(id), "unknown node id");
    return id - config_.first_id;
  }

  // Whether a node is up; read only once some node is down (at random among many
  // nodes, a cache miss).
  bool up(std::uint32_t node) const { return down_ == 0 || up_[node] != 0; }

  // ids_[node], without reading it (at random among many nodes, a cache miss).
  NodeId id_of(std::uint32_t node) const { return config_.first_id + node; }

  void push(Nanos t, Kind kind, std::uint32_t slot) {
    if (of_layer(kind)) ++layer_pending_;
    if (queue_.size() >= kMaxPendingEvents) {
      throw RuntimeFailure("simulation stopped: more than 2^31 pending events");
    }
    queue_.push({t, queue_.next_seq(), slot, kind});
  }

  // The queue knows the next events before this one is handled: what they will read,
  // at random among many messages and nodes, is fetched from memory meanwhile. Along a
  // ring (a constant latency), in two stages: the message kFar deliveries ahead, and
  // the receiver of the one kNear ahead (its message fetched kFar - kNear steps ago),
  // so that about kNear deliveries' misses are under way at once; from the heap (a
  // random latency), as ahead_in_heap says. Only with many events pending: otherwise
  // it is all in the cache, and looking ahead costs instructions.
  void prefetch_ahead() {
    if (!queue_.many()) return;
    if (const QueuedEvent* next = queue_.heap_next()) {
      ahead_in_heap(*next);
      return;
    }
    if (const QueuedEvent* far = queue_.ahead(kFar); far != nullptr && far->kind == kDeliver) {
      messages_.prefetch(far->slot);
    }
    if (const QueuedEvent* near = queue_.ahead(kNear); near != nullptr && near->kind == kDeliver) {
      prefetch_receiver(messages_[near->slot].to - config_.first_id);
    }
  }
  // What a delivery to node `to` reads: its state (first and last byte, in case it
  // spans two cache lines), and whether it is up or paused once any node has been.
  // Always inlined, as every prefetch helper (see FifoLinks::prefetch).
  [[gnu::always_inline]] void prefetch_receiver(std::uint32_t to) const {
    const auto* node = reinterpret_cast<const char*>(&nodes_[to]);
    __builtin_prefetch(node);
    __builtin_prefetch(node + sizeof(nodes_[to]) - 1);
    if (down_ > 0) __builtin_prefetch(&up_[to]);
    if (paused_ever_) __builtin_prefetch(&paused_until_[to]);
  }
  // Measured on the storm at 1,000,000 nodes: 12 and 6 about as good as 16 and 8 or
  // 24 and 12, better than 8 and 4.
  static constexpr std::size_t kFar = 12;
  static constexpr std::size_t kNear = 6;

  // From the heap: the batch that comes out within the next 256 ns of time (each batch
  // once). First its messages, together; then, reading them as they arrive, the link
  // back from each receiver to its sender, which an answer, an acknowledgement or a
  // reply takes: with FIFO links every send reads its link's last arrival, a cache miss
  // for most replies of a run with thousands of nodes until the batch asked for them all
  // at once (docs/performance.md, "The link back, with its batch"). Only for the sparse
  // links: the flat table of a smaller run is mostly in the caches already. And the
  // receiver of the next event, and its link back (for an event that came in no
  // batch). Out of line: step()'s code for the rings (a constant latency, or few
  // events) stays as it was (inlined, it cost the 16-node storm a tenth of its speed,
  // for three more instructions a delivery).
  [[gnu::noinline]] void ahead_in_heap(const QueuedEvent& next) {
    const std::span<const QueuedEvent> batch = queue_.take_upcoming();
    for (const QueuedEvent& soon : batch) {
      if (soon.kind == kDeliver) messages_.prefetch(soon.slot);
    }
    if (fifo_tracking_ && fifo_.sparse()) {
      for (const QueuedEvent& soon : batch) {
        if (soon.kind != kDeliver) continue;
        const InFlight& m = messages_[soon.slot];
        fifo_.prefetch(m.to, m.from);
      }
    }
    if (next.kind != kDeliver) return;
    const InFlight& m = messages_[next.slot];
    prefetch_receiver(m.to - config_.first_id);
    if (fifo_tracking_) fifo_.prefetch(m.to, m.from);
  }

  // A paused node handles nothing until its pause ends: put the event back at that
  // time, keeping its sequence number so the original order is kept.
  bool deferred(const QueuedEvent& e, std::uint32_t node) {
    return paused_ever_ && paused_until_[node] > now_ && defer(e, node);
  }
  // Out of line, so that deferred's test costs no register saves on every event.
  [[gnu::noinline]] bool defer(const QueuedEvent& e, std::uint32_t node) {
    queue_.push({paused_until_[node], e.seq, e.slot, e.kind});
    if (of_layer(e.kind)) ++layer_pending_;
    ++stats_.deferred;
    return true;
  }

  StepFrame at(std::uint32_t node) const {
    return {.self = id_of(node), .now = now_, .nodes = ids_, .sink = config_.sink};
  }

  void handle_start(const QueuedEvent& e) {
    if (!up(e.slot)) return;
    if (deferred(e, e.slot)) return;
    nodes_[e.slot].start(ctx_, at(e.slot));
    settle(e.slot);
  }

  void handle_injection(const QueuedEvent& e) {
    PendingInjection& injection = injections_[e.slot];
    const std::uint32_t node = index(injection.node);
    if (!up(node)) return;
    if (deferred(e, node)) return;
    nodes_[node].act(ctx_, at(node), injection.fn);
    settle(node);
  }

  void handle_delivery(const QueuedEvent& e) {
    InFlight& m = messages_[e.slot];
    const std::uint32_t to = index(m.to);
    if (!up(to)) {
      ++stats_.dropped_crashed;
      trace_drop(m.to, m.id(), m.message, DropReason::crashed, m.to);
      messages_.release(e.slot);
      return;
    }
    if (deferred(e, to)) return;
    ++stats_.delivered;
    nodes_[to].deliver(ctx_, at(to), m.from, m.id(), m.message);
    messages_.release(e.slot);
    settle(to);
  }

  void handle_timer(const QueuedEvent& e) {
    const PendingTimer timer = timers_[e.slot];
    if (timer.generation != timer_gen_[timer_index(timer.node, timer.tag)]) {
      timers_.release(e.slot);  // cancelled, replaced, or voided by a crash
      return;
    }
    if (deferred(e, timer.node)) return;
    timers_.release(e.slot);
    ++stats_.timers_fired;
    if (config_.sink != nullptr) {
      Event ev = event(id_of(timer.node), EventKind::timer);
      ev.label = Algo::timer_name(timer.tag);
      config_.sink->on_event(ev);
    }
    nodes_[timer.node].fire(ctx_, at(timer.node), timer.tag);
    settle(timer.node);
  }

  void handle_fault(const Fault& fault) {
    switch (fault.kind) {
      case Fault::Kind::crash: crash(fault.node); return;
      case Fault::Kind::recover: recover(fault.node); return;
      case Fault::Kind::pause: pause(fault.node, fault.duration_ns); return;
    }
  }

  // Carry out what the handler queued: its sends, then its timer changes.
  void settle(std::uint32_t node) {
    const NodeId from = id_of(node);
    for (auto& out : ctx_.outbox()) transmit(from, out);
    ctx_.outbox().clear();
    for (const auto& op : ctx_.timer_ops()) {
      std::uint32_t& generation = timer_gen_[timer_index(node, op.tag)];
      ++generation;
      if (op.cancel) continue;
      push(now_ + op.after_ns, kTimer, timers_.acquire({node, op.tag, generation}));
    }
    ctx_.timer_ops().clear();
  }

  void transmit(NodeId from, typename Context<Message>::Outgoing& out) {
    DISTLAB_ASSERT(contains(out.to), "message to an unknown node");
    DISTLAB_ASSERT(out.id.sender == from, "a message id names its sender");
    ++stats_.sent;
    if (reliable()) {
      const std::uint32_t node = index(from);
      LinkIo io{this, from, true};
      ++outstanding_;
      links_[node].send(out.to, Payload{out.id.seq, std::move(out.message)}, now_, io);
      arm(node);
      return;
    }
    const NetworkModel& net = config_.network;
    if (!net.partitions.empty() && net.cut(from, out.to, now_)) {
      ++stats_.dropped_partition;
      trace_drop(from, out.id, out.message, DropReason::partition, out.to);
      return;
    }
    const LinkModel& link = net.link(from, out.to);
    if (link.loss > 0 && net_rng_.chance(link.loss)) {
      ++stats_.dropped_loss;
      trace_drop(from, out.id, out.message, DropReason::loss, out.to);
      return;
    }
    if (link.dup > 0 && net_rng_.chance(link.dup)) {
      ++stats_.duplicated;
      enqueue(arrival(from, out.to, link), out.to, from, out.id.seq, Message(out.message));
    }
    enqueue(arrival(from, out.to, link), out.to, from, out.id.seq, std::move(out.message));
  }

  // With FIFO on and a variable latency, a message never overtakes an earlier one on
  // the same link: it arrives no sooner than the last one sent on that link.
  Nanos arrival(NodeId from, NodeId to, const LinkModel& link) {
    const Nanos t = now_ + link.latency.sample(net_rng_);
    return fifo_tracking_ ? fifo_.arrival(from, to, t, now_) : t;
  }

  // The message is made in its slot: made aside and copied in, it was read back in
  // 16-byte pieces before its narrower stores had landed, a stall on every send (and
  // a longer one in a traced run, whose trace stores are queued ahead of them).
  void enqueue(Nanos t, NodeId to, NodeId from, std::uint64_t seq, Message&& message) {
    push(t, kDeliver, messages_.emplace(to, from, seq, std::move(message)));
  }

  // ---- the reliable layer (NetworkModel::reliable) ----

  bool reliable() const { return !links_.empty(); }
  static bool of_layer(std::uint8_t kind) { return kind == kFrame || kind == kResend; }

  static void add(reliable::Counters& sum, const reliable::Counters& c) {
    sum.data += c.data;
    sum.retransmitted += c.retransmitted;
    sum.bare_acks += c.bare_acks;
    sum.duplicates += c.duplicates;
    sum.out_of_order += c.out_of_order;
    sum.stale += c.stale;
    sum.abandoned += c.abandoned;
    sum.gave_up += c.gave_up;
  }

  // One frame of the layer onto the network. A message's first transmission meets the
  // network as the message itself would without the layer (same draws, FIFO kept);
  // acks and retransmissions draw from the layer's own stream.
  void send_frame(NodeId from, NodeId to, const reliable::Header& h, const Payload* p, bool first) {
    const NetworkModel& net = config_.network;
    const LinkModel& link = net.link(from, to);
    Rng& rng = first ? net_rng_ : frame_rng_;
    const bool cut = !net.partitions.empty() && net.cut(from, to, now_);
    if (cut || (link.loss > 0 && rng.chance(link.loss))) {
      ++stats_.frames_lost;
      return;
    }
    auto packet = [&] {
      Packet out{to, from, h, std::nullopt};
      if (p != nullptr) out.payload = *p;
      return out;
    };
    auto when = [&] { return first ? arrival(from, to, link) : now_ + link.latency.sample(rng); };
    if (link.dup > 0 && rng.chance(link.dup)) push(when(), kFrame, packets_.acquire(packet()));
    push(when(), kFrame, packets_.acquire(packet()));
  }

  void handle_frame(const QueuedEvent& e) {
    const std::uint32_t to = index(packets_[e.slot].to);
    if (!up(to)) {
      ++stats_.frames_lost;
      packets_.release(e.slot);
      return;
    }
    if (deferred(e, to)) return;
    Packet packet = std::move(packets_[e.slot]);
    packets_.release(e.slot);
    LinkIo io{this, packet.to, false};
    links_[to].on_frame(packet.from, packet.header, packet.payload ? &*packet.payload : nullptr, now_, io);
    // What the layer let through, in order, each as a delivery of its own.
    for (std::size_t i = 0; i < ready_.size() && up(to); ++i) {
      auto& [from, payload] = ready_[i];
      ++stats_.delivered;
      --outstanding_;
      nodes_[to].deliver(ctx_, at(to), from, MsgId{from, payload.seq}, payload.message);
      settle(to);
    }
    ready_.clear();
    arm(to);
  }

  void handle_resend(const QueuedEvent& e) {
    const PendingTimer timer = timers_[e.slot];
    if (timer.generation != resend_gen_[timer.node] || !up(timer.node)) {
      timers_.release(e.slot);  // replaced by a nearer or later deadline, or voided by a crash
      return;
    }
    if (deferred(e, timer.node)) return;
    timers_.release(e.slot);
    resend_at_[timer.node] = kNanosMax;
    LinkIo io{this, id_of(timer.node), false};
    links_[timer.node].on_deadline(now_, io);
    arm(timer.node);
  }

  // Keeps one pending event at the layer's next deadline for `node`.
  void arm(std::uint32_t node) {
    const Nanos t = links_[node].next_deadline().value_or(kNanosMax);
    if (t == resend_at_[node]) return;
    ++resend_gen_[node];
    resend_at_[node] = t;
    // A deadline that passed while the node was paused is met now.
    if (t != kNanosMax) push(std::max(t, now_), kResend, timers_.acquire({node, 0, resend_gen_[node]}));
  }

  // The layer gave a message up: a drop, as the network's would be.
  void abandoned(NodeId from, NodeId to, const Payload& p, reliable::Abandoned why) {
    const bool crashed = why == reliable::Abandoned::peer_restarted;
    ++(crashed ? stats_.dropped_crashed : stats_.dropped_loss);
    --outstanding_;
    trace_drop(from, MsgId{from, p.seq}, p.message, crashed ? DropReason::crashed : DropReason::loss, to);
  }

  std::size_t timer_index(std::uint32_t node, TimerTag tag) const {
    DISTLAB_ASSERT(tag < Algo::kTimerTags, "timer tag out of range");
    return std::size_t{node} * Algo::kTimerTags + tag;
  }

  static std::string_view trace_name(const Message& m) { return trace_type(m); }

  Event event(NodeId node, EventKind kind) const {
    Event e;
    e.t = now_;
    e.node = node;
    e.kind = kind;
    return e;
  }

  void trace_simple(NodeId node, EventKind kind) {
    if (config_.sink == nullptr) return;
    config_.sink->on_event(event(node, kind));
  }

  // A drop is traced at the sender when the network loses the message, at the
  // receiver when it is down on arrival.
  void trace_drop(NodeId at, MsgId id, const Message& m, DropReason reason, NodeId to) {
    if (config_.sink == nullptr) return;
    Event e = event(at, EventKind::drop);
    e.msg = id;
    e.peer = to;
    e.type = trace_name(m);
    e.label = to_string(reason);
    config_.sink->on_event(e);
  }

  SimConfig config_;
  Factory factory_;
  Rng net_rng_;
  bool fifo_tracking_;
  FifoLinks fifo_;
  Nanos now_ = 0;
  EventQueue queue_;
  Slab<InFlight> messages_;
  Slab<PendingTimer> timers_;
  std::vector<PendingInjection> injections_;
  std::vector<std::function<void()>> actions_;
  std::vector<NodeId> ids_;
  // Each node with its random stream and send counter; from 2 MiB on, on pages of their
  // own (core/pages.h), so a node of 64 bytes fills one cache line instead of two.
  HugePageVector<Stepper<Algo>> nodes_;
  std::vector<std::uint8_t> up_;
  std::uint32_t down_ = 0;  // nodes not up
  std::vector<Nanos> paused_until_;
  bool paused_ever_ = false;              // a node was paused: paused_until_ is read
  std::vector<std::uint32_t> timer_gen_;  // per (node, tag): the pending timer's generation
  SimStats stats_;
  Context<Message> ctx_;  // every node's handlers run on this one
  // The reliable layer, when the network model asks for it (else all empty).
  Rng frame_rng_;
  reliable::Settings reliable_settings_;
  std::vector<reliable::Links<Payload>> links_;  // per node
  std::vector<std::uint32_t> resend_gen_;        // per node: its pending kResend event's generation
  std::vector<Nanos> resend_at_;                 // per node: when that event is (kNanosMax: none)
  Slab<Packet> packets_;
  std::vector<std::pair<NodeId, Payload>> ready_;  // delivered by the layer, for the node to handle
  reliable::Counters past_counters_;               // of incarnations that crashed
  std::uint64_t outstanding_ = 0;                  // messages sent and neither delivered nor given up
  std::size_t layer_pending_ = 0;                  // pending events of the layer (its frames, its timer)
};

}  // namespace distlab::sim
