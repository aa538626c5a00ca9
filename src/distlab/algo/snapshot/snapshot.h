// Chandy-Lamport global snapshots, as a layer over any application protocol.
//
// Snapshotting<App> runs App unchanged (through a nested Context) and adds markers.
// A node records its local state when it initiates a snapshot or sees its first
// marker for it, then sends a marker on every outgoing channel. It records each
// incoming channel from its own recording until that channel's marker arrives. A
// snapshot is complete when every node has recorded its state and all its incoming
// channels. Snapshot ids (initiator, n) let several snapshots run at once.
//
// Channels must be FIFO and reliable: kReliableChannels puts the nodes over the reliable
// layer (runtime/reliable.h) in both runtimes, so the network below may lose,
// duplicate and reorder.
//
//   using Node = Snapshotting<BankNode>;
//   Node node(self, BankNode(self, options), topology, RecordingRule::chandy_lamport);
//   node.initiate(ctx, {.initiator = self, .seq = 1});
//
// The trace gets, per node and snapshot, the notes of algo/snapshot/notes.h: its
// recorded state, then each channel's state as the channel closes; and once at start
// its channels (ChannelsNote) so a checker knows what to expect.
// The App provides `nlohmann::ordered_json snapshot_state() const`.
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <memory>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "distlab/algo/snapshot/notes.h"
#include "distlab/algo/snapshot/topology.h"
#include "distlab/algo/wire_types.h"
#include "distlab/core/bytes.h"
#include "distlab/core/context.h"
#include "distlab/core/durable.h"
#include "distlab/core/fingerprint.h"
#include "distlab/core/types.h"

namespace distlab::snapshot {

struct SnapshotId {
  NodeId initiator = 0;
  std::uint32_t seq = 0;  // the initiator's own count: 1, 2, ...
  friend auto operator<=>(const SnapshotId&, const SnapshotId&) = default;
};

// "2.1": node 2's first snapshot.
std::string to_string(SnapshotId id);

struct Marker {
  SnapshotId id;
};

enum class RecordingRule {
  // Chandy-Lamport: channel c is recorded from the node's own recording until c's marker.
  chandy_lamport,
  // The seed assignment's rule, kept to show what goes wrong: once a node has recorded
  // it keeps every later message from every channel, and markers close nothing.
  seed,
};

template <class AppMessage>
std::string_view trace_type(const std::variant<AppMessage, Marker>& m) {
  if (std::holds_alternative<Marker>(m)) return "marker";
  return trace_type(std::get<AppMessage>(m));
}

template <class AppMessage>
nlohmann::ordered_json trace_body(const std::variant<AppMessage, Marker>& m) {
  if (const auto* marker = std::get_if<Marker>(&m)) return {{"snapshot", to_string(marker->id)}};
  if constexpr (HasTraceBody<AppMessage>) return trace_body(std::get<AppMessage>(m));
  return nullptr;
}

// Wire codec: a marker is type 20 with the snapshot id (initiator, count); the
// application's messages keep their own types.
inline constexpr std::uint8_t kMarkerWireType = wire_types::kSnapshot.first;

template <class AppMessage>
std::uint8_t wire_encode(const std::variant<AppMessage, Marker>& m, std::vector<std::byte>& payload) {
  if (const auto* marker = std::get_if<Marker>(&m)) {
    put_le(payload, marker->id.initiator, 4);
    put_le(payload, marker->id.seq, 4);
    return kMarkerWireType;
  }
  return wire_encode(std::get<AppMessage>(m), payload);
}

template <class AppMessage>
std::optional<std::variant<AppMessage, Marker>> wire_decode(std::type_identity<std::variant<AppMessage, Marker>>,
                                                           std::uint8_t type, std::span<const std::byte> payload) {
  if (type == kMarkerWireType) {
    if (payload.size() != 8) return std::nullopt;
    const auto seq = static_cast<std::uint32_t>(*get_le(payload, 4, 4));
    if (seq == 0) return std::nullopt;
    return Marker{SnapshotId{static_cast<NodeId>(*get_le(payload, 0, 4)), seq}};
  }
  if (auto app = wire_decode(std::type_identity<AppMessage>{}, type, payload)) return *app;
  return std::nullopt;
}

template <class App>
concept SnapshotApp = requires(const App& app) {
  typename App::Message;
  { app.snapshot_state() } -> std::convertible_to<nlohmann::ordered_json>;
};


namespace internal {
template <class App, bool = HasDurableState<App>>
struct DurableOf {
  struct type {};  // the App keeps nothing across crashes
};
template <class App>
struct DurableOf<App, true> {
  using type = typename App::Durable;
};
}  // namespace internal

template <SnapshotApp App>
class Snapshotting {
 public:
  using AppMessage = typename App::Message;
  using Message = std::variant<AppMessage, Marker>;
  static constexpr std::size_t kTimerTags = App::kTimerTags;
  static std::string_view timer_name(TimerTag tag) { return App::timer_name(tag); }
  // Markers need reliable FIFO channels: both runtimes run the nodes over the
  // reliable layer (runtime/reliable.h), whatever the network below does.
  static constexpr bool kReliableChannels = true;

  // `topology` is shared by every node and never changes.
  Snapshotting(NodeId self, App app, std::shared_ptr<const Topology> topology, RecordingRule rule)
      : self_(self), app_(std::move(app)), topology_(std::move(topology)), rule_(rule) {}

  void on_start(Context<Message>& ctx) {
    if (ctx.observed()) {
      const auto in = topology_->in(self_);
      const auto out = topology_->out(self_);
      ctx.note(ChannelsNote{.in = {in.begin(), in.end()}, .out = {out.begin(), out.end()}}.to_json());
    }
    run_app(ctx, [this](Context<AppMessage>& inner) { app_.on_start(inner); });
  }

  void on_message(Context<Message>& ctx, NodeId from, const Message& m) {
    if (const auto* marker = std::get_if<Marker>(&m)) {
      handle_marker(ctx, from, marker->id);
      return;
    }
    record_in_channels(from, ctx.received_id(), std::get<AppMessage>(m));
    run_app(ctx, [&](Context<AppMessage>& inner) { app_.on_message(inner, from, std::get<AppMessage>(m)); });
  }

  void on_timer(Context<Message>& ctx, TimerTag tag) {
    run_app(ctx, [&](Context<AppMessage>& inner) { app_.on_timer(inner, tag); });
  }

  // Snapshots in progress are volatile: a restarted node takes part in none.
  void on_recover(Context<Message>& ctx) {
    run_app(ctx, [this](Context<AppMessage>& inner) { app_.on_recover(inner); });
  }

  // Start snapshot `id` here: record, then send markers.
  void initiate(Context<Message>& ctx, SnapshotId id) {
    DISTLAB_ASSERT(id.initiator == self_ && !locals_.contains(id), "a fresh id of this node's own");
    if (ctx.observed()) ctx.note(SnapshotNote{.id = to_string(id), .initiated = true}.to_json());
    record(ctx, id, std::nullopt);
  }

  // The run is over: report every channel still being recorded. Under
  // Chandy-Lamport that is an incomplete snapshot; under the seed's rule it is how
  // channel states get reported at all.
  void finish(Context<Message>& ctx) {
    for (auto& [id, local] : locals_) {
      for (Channel& channel : local.channels) {
        if (channel.recording) close(ctx, id, local, channel, rule_ == RecordingRule::chandy_lamport, true);
      }
    }
  }

  // Let the application act now, as if an outside client asked it to:
  // node.act(ctx, [](GameNode& app, auto& app_ctx) { app.play(app_ctx, 2, Move::attack); });
  template <class F>
  void act(Context<Message>& ctx, F&& f) {
    run_app(ctx, [&](Context<AppMessage>& inner) { f(app_, inner); });
  }

  App& app() { return app_; }
  const App& app() const { return app_; }

  // What this node holds of each snapshot it takes part in: the application's state as
  // recorded, and each incoming channel's messages.
  struct Recorded {
    MsgId id;
    AppMessage message;
  };
  struct RecordedChannel {
    NodeId from;
    bool recording = true;  // still open: the channel's marker has not come
    std::vector<Recorded> messages;
  };
  struct LocalSnapshot {
    std::optional<App> state;              // the application as recorded
    std::vector<RecordedChannel> channels;  // one per incoming channel, sorted by `from`
    std::size_t open = 0;
  };
  const std::map<SnapshotId, LocalSnapshot>& snapshots() const { return locals_; }

  // Everything its future depends on, for `distlab explore` (core/fingerprint.h): the
  // application's, and per snapshot what is recorded (message contents, not ids).
  void fingerprint(StateHasher& h, Nanos now) const
    requires requires(const App& a) { a.fingerprint(h, now); }
  {
    app_.fingerprint(h, now);
    h.add(locals_.size());
    for (const auto& [id, local] : locals_) {
      h.add(static_cast<std::uint64_t>(id.initiator) << 32 | id.seq);
      local.state->fingerprint(h, now);
      for (const Channel& c : local.channels) {
        h.add(static_cast<std::uint64_t>(c.from) << 1 | (c.recording ? 1U : 0U));
        h.add(c.messages.size());
        for (const Recorded& r : c.messages) {
          thread_local std::vector<std::byte> payload;
          payload.clear();
          h.add(wire_encode(r.message, payload));
          for (std::byte b : payload) h.add(std::to_integer<std::uint8_t>(b));
        }
      }
    }
  }

  // True when this node has recorded `id` and closed all its incoming channels.
  bool completed(SnapshotId id) const {
    auto it = locals_.find(id);
    return it != locals_.end() && it->second.open == 0;
  }

  // Survives a crash exactly when the application's state does.
  using Durable = typename internal::DurableOf<App>::type;
  Durable durable() const
    requires HasDurableState<App>
  {
    return app_.durable();
  }
  void restore(const Durable& d)
    requires HasDurableState<App>
  {
    app_.restore(d);
  }

 private:
  using Channel = RecordedChannel;
  using Local = LocalSnapshot;

  // The application's Context is scratch, bound anew for every handler: one per thread,
  // not one per node (the explorer keeps millions of nodes).
  template <class Handler>
  void run_app(Context<Message>& ctx, Handler&& handler) {
    thread_local Context<AppMessage> app_ctx;
    ctx.nest(app_ctx, std::forward<Handler>(handler));
  }

  void record(Context<Message>& ctx, SnapshotId id, std::optional<NodeId> marker_from) {
    Local& local = locals_[id];
    local.state = app_;
    if (ctx.observed()) ctx.note(SnapshotNote{.id = to_string(id), .recorded = app_.snapshot_state()}.to_json());
    for (NodeId from : topology_->in(self_)) local.channels.push_back(Channel{from, true, {}});
    local.open = local.channels.size();
    if (marker_from && rule_ == RecordingRule::chandy_lamport) {
      // The channel the first marker came on is empty: nothing was sent on it after
      // its sender recorded and before the marker.
      close(ctx, id, local, channel(local, *marker_from), false);
    }
    for (NodeId to : topology_->out(self_)) ctx.send(to, Marker{id});
  }

  void handle_marker(Context<Message>& ctx, NodeId from, SnapshotId id) {
    auto it = locals_.find(id);
    if (it == locals_.end()) {
      record(ctx, id, from);
      return;
    }
    if (rule_ == RecordingRule::seed) return;  // the seed "ignores" later markers
    Channel& c = channel(it->second, from);
    DISTLAB_ASSERT(c.recording, "one marker per channel per snapshot on reliable FIFO channels");
    close(ctx, id, it->second, c, false);
  }

  // `at_end`: closed because the run ended, not by a marker.
  void close(Context<Message>& ctx, SnapshotId id, Local& local, Channel& c, bool incomplete, bool at_end = false) {
    c.recording = false;
    --local.open;
    if (!ctx.observed()) return;
    std::vector<std::string> ids;
    ids.reserve(c.messages.size());
    for (const Recorded& m : c.messages) ids.push_back(distlab::to_string(m.id));
    ctx.note(SnapshotNote{.id = to_string(id),
                          .channel = SnapshotNote::Channel{.from = c.from, .messages = std::move(ids),
                                                           .incomplete = incomplete, .end = at_end}}
                 .to_json());
  }

  void record_in_channels(NodeId from, MsgId message, const AppMessage& m) {
    for (auto& [id, local] : locals_) {
      if (local.open == 0) continue;
      Channel& c = channel(local, from);
      const bool keep = c.recording || rule_ == RecordingRule::seed;
      if (keep) c.messages.push_back(Recorded{message, m});
    }
  }

  Channel& channel(Local& local, NodeId from) {
    auto it = std::lower_bound(local.channels.begin(), local.channels.end(), from,
                               [](const Channel& c, NodeId f) { return c.from < f; });
    DISTLAB_ASSERT(it != local.channels.end() && it->from == from, "a message on a channel that does not exist");
    return *it;
  }

  NodeId self_;
  App app_;
  std::shared_ptr<const Topology> topology_;
  RecordingRule rule_;
  std::map<SnapshotId, Local> locals_;
};

}  // namespace distlab::snapshot
