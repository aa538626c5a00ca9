#include "distlab/algo/ricart/ricart.h"

#include <algorithm>
#include <limits>

#include "distlab/core/bytes.h"

namespace distlab::ricart {

namespace {

constexpr std::uint64_t kMaxTs = std::numeric_limits<std::int64_t>::max();

// A timestamp on the wire: 8 bytes, at least 1 (every timestamp is a clock tick) and
// at most the largest int64.
std::optional<std::int64_t> get_ts(std::span<const std::byte> payload, std::size_t offset) {
  const auto ts = get_le(payload, offset, 8);
  if (!ts || *ts == 0 || *ts > kMaxTs) return std::nullopt;
  return static_cast<std::int64_t>(*ts);
}

std::int64_t to_wire(LamportClock::Time t) {
  DISTLAB_ASSERT(t >= 1 && t <= kMaxTs, "a timestamp is a tick, and fits an int64");
  return static_cast<std::int64_t>(t);
}

LamportClock::Time from_wire(std::int64_t ts) {
  DISTLAB_ASSERT(ts >= 1, "timestamps are ticks (wire_decode refuses others)");
  return static_cast<LamportClock::Time>(ts);
}

}  // namespace

std::string_view trace_type(const Message& m) {
  return std::holds_alternative<Request>(m) ? "request" : "reply";
}

nlohmann::ordered_json trace_body(const Message& m) {
  if (const auto* request = std::get_if<Request>(&m)) return {{"ts", request->ts}};
  const auto& reply = std::get<Reply>(m);
  return {{"ts", reply.ts}, {"request_ts", reply.request_ts}};
}

std::uint8_t wire_encode(const Message& m, std::vector<std::byte>& payload) {
  if (const auto* request = std::get_if<Request>(&m)) {
    DISTLAB_ASSERT(request->ts >= 1);
    put_le(payload, static_cast<std::uint64_t>(request->ts), 8);
    return kFirstWireType;
  }
  const auto& reply = std::get<Reply>(m);
  DISTLAB_ASSERT(reply.ts >= 1 && reply.request_ts >= 1);
  put_le(payload, static_cast<std::uint64_t>(reply.ts), 8);
  put_le(payload, static_cast<std::uint64_t>(reply.request_ts), 8);
  return kFirstWireType + 1;
}

std::optional<Message> wire_decode(std::type_identity<Message>, std::uint8_t type,
                                   std::span<const std::byte> payload) {
  switch (type) {
    case kFirstWireType: {
      const auto ts = get_ts(payload, 0);
      if (!ts || payload.size() != 8) return std::nullopt;
      return Request{.ts = *ts};
    }
    case kFirstWireType + 1: {
      const auto ts = get_ts(payload, 0);
      const auto request_ts = get_ts(payload, 8);
      if (!ts || !request_ts || payload.size() != 16) return std::nullopt;
      // A reply leaves after its request arrived and was merged: its time is later.
      if (*ts <= *request_ts) return std::nullopt;
      return Reply{.ts = *ts, .request_ts = *request_ts};
    }
    default: return std::nullopt;
  }
}

nlohmann::ordered_json MutexNote::to_json() const {
  DISTLAB_ASSERT(kind != Kind::other, "the node writes only the notes it knows");
  DISTLAB_ASSERT(ts.has_value() == (kind != Kind::exit), "requests and entries carry a timestamp, exits none");
  nlohmann::ordered_json note{{kKey, kind == Kind::request ? "request" : kind == Kind::enter ? "enter" : "exit"}};
  if (ts) note["ts"] = *ts;
  return note;
}

std::optional<MutexNote> MutexNote::from_json(const nlohmann::ordered_json& data) {
  if (!data.is_object()) return std::nullopt;
  const auto what = data.find(kKey);
  if (what == data.end() || !what->is_string()) return std::nullopt;
  MutexNote note;
  const std::string& kind = what->get_ref<const std::string&>();
  if (kind == "request") note.kind = Kind::request;
  if (kind == "enter") note.kind = Kind::enter;
  if (kind == "exit") note.kind = Kind::exit;
  const auto ts = data.find("ts");
  if (ts != data.end() && ts->is_number_integer()) note.ts = ts->get<std::int64_t>();
  return note;
}

std::string_view to_string(RicartNode::State state) {
  switch (state) {
    case RicartNode::State::idle: return "idle";
    case RicartNode::State::wanting: return "wanting";
    case RicartNode::State::held: return "held";
  }
  return "?";
}

std::string_view RicartNode::timer_name(TimerTag tag) {
  switch (tag) {
    case kThink: return "think";
    case kHold: return "hold";
    default: return "?";
  }
}

nlohmann::ordered_json RicartNode::durable_to_json(const Durable& d) {
  return {{"lamport", d.clock.time()}, {"entries", d.entries}};
}

std::optional<RicartNode::Durable> RicartNode::durable_from_json(const nlohmann::ordered_json& j) {
  try {
    return Durable{LamportClock(j.at("lamport").get<LamportClock::Time>()),
                   j.at("entries").get<std::uint32_t>()};
  } catch (const std::exception&) {
    return std::nullopt;  // not ours, or damaged: start afresh
  }
}

std::size_t RicartNode::deferred() const {
  return static_cast<std::size_t>(std::count_if(requesters_.begin(), requesters_.end(),
                                                [](const auto& entry) { return entry.second.deferred; }));
}

Stamp RicartNode::stamp() const { return {.lamport = static_cast<std::int64_t>(clock_.time())}; }

void RicartNode::fingerprint(StateHasher& h, Nanos) const {
  h.add(clock_.time());
  h.add(static_cast<std::uint64_t>(entries_) << 8 | static_cast<std::uint64_t>(state_));
  h.add(request_ts_);
  h.add(granted_.size());
  for (NodeId id : granted_) h.add(id);
  h.add(requesters_.size());
  for (const auto& [id, r] : requesters_) {
    h.add(id);
    h.add(r.newest_ts);
    h.add(r.answered_ts << 1 | (r.deferred ? 1U : 0U));
  }
  h.add(ignored_replies_);
}

void RicartNode::on_start(Context<Message>& ctx) {
  DISTLAB_ASSERT(options_.hold_ns >= 0 && options_.think_mean_ns >= 0);
  think(ctx);
}

// The object is fresh but for the durable part: idle, nothing deferred, nothing granted.
void RicartNode::on_recover(Context<Message>& ctx) {
  DISTLAB_ASSERT(state_ == State::idle && granted_.empty() && requesters_.empty());
  DISTLAB_ASSERT(entries_ <= options_.requests);
  think(ctx);
}

void RicartNode::on_message(Context<Message>& ctx, NodeId from, const Message& m) {
  const auto nodes = ctx.nodes();
  DISTLAB_ASSERT(from != self_ && std::binary_search(nodes.begin(), nodes.end(), from),
                 "messages come from the run's other nodes (a real run needs closed membership)");
  if (const auto* request = std::get_if<Request>(&m)) {
    handle_request(ctx, from, *request);
  } else {
    handle_reply(ctx, from, std::get<Reply>(m));
  }
}

void RicartNode::on_timer(Context<Message>& ctx, TimerTag tag) {
  switch (tag) {
    case kThink:
      // The think timer is set only when idle, and only idle nodes leave it by this timer.
      DISTLAB_ASSERT(state_ == State::idle && entries_ < options_.requests);
      become_wanting(ctx);
      return;
    case kHold:
      DISTLAB_ASSERT(state_ == State::held);
      become_released(ctx);
      return;
    default: DISTLAB_ASSERT(false, "unknown timer tag");
  }
}

void RicartNode::think(Context<Message>& ctx) {
  if (entries_ >= options_.requests) return;
  ctx.set_timer(random_gap(ctx.random(), options_.think_mean_ns), kThink);
}

void RicartNode::become_wanting(Context<Message>& ctx) {
  DISTLAB_ASSERT(state_ == State::idle && granted_.empty());
  DISTLAB_ASSERT(deferred() == 0, "replies are deferred only while wanting or inside, and sent on exit");
  state_ = State::wanting;
  const std::size_t others = ctx.nodes().size() - 1;
  // Each send is an event with its own Lamport time, and every copy must carry the
  // same timestamp; taking the time of the last send keeps the clock condition on
  // each message (a copy never carries a time below its send's). Alone: one tick.
  request_ts_ = others == 0 ? clock_.tick() : clock_.time() + others;
  if (ctx.observed()) ctx.note(MutexNote{MutexNote::Kind::request, to_wire(request_ts_)}.to_json());
  for (NodeId id : ctx.nodes()) {
    if (id == self_) continue;
    clock_.send();
    ctx.send(id, Request{.ts = to_wire(request_ts_)}, stamp());
  }
  DISTLAB_ASSERT(clock_.time() == request_ts_);
  if (others == 0) become_held(ctx);
}

void RicartNode::become_held(Context<Message>& ctx) {
  DISTLAB_ASSERT(state_ == State::wanting);
  DISTLAB_ASSERT(granted_.size() + 1 == ctx.nodes().size(), "enter only with a reply from every other node");
  state_ = State::held;
  granted_.clear();
  if (ctx.observed()) ctx.note(MutexNote{MutexNote::Kind::enter, to_wire(request_ts_)}.to_json());
  ctx.set_timer(options_.hold_ns, kHold);
}

void RicartNode::become_released(Context<Message>& ctx) {
  DISTLAB_ASSERT(state_ == State::held && granted_.empty());
  state_ = State::idle;
  ++entries_;
  DISTLAB_ASSERT(entries_ <= options_.requests);
  if (ctx.observed()) ctx.note(MutexNote{MutexNote::Kind::exit, std::nullopt}.to_json());
  for (const auto& [id, requester] : requesters_) {  // a std::map: replies go in id order
    if (requester.deferred) send_reply(ctx, id, requester.newest_ts);
  }
  DISTLAB_ASSERT(deferred() == 0);
  think(ctx);
}

bool RicartNode::goes_first(NodeId from, LamportClock::Time ts) const {
  return LamportStamp{request_ts_, self_} < LamportStamp{ts, from};
}

void RicartNode::handle_request(Context<Message>& ctx, NodeId from, const Request& m) {
  const LamportClock::Time ts = from_wire(m.ts);
  clock_.receive(ts);
  ctx.stamp_receive(stamp());
  Requester& requester = requesters_[from];
  DISTLAB_ASSERT(requesters_.size() < ctx.nodes().size());
  // A copy made by the network, or a request from before the requester restarted that
  // arrives after its newer one: the requester no longer waits for an answer to it.
  if (ts <= requester.newest_ts) return;
  requester.newest_ts = ts;
  const bool held = state_ == State::held && options_.bug != Bug::reply_in_cs;  // the bug: inside, it replies
  if (held || (state_ == State::wanting && goes_first(from, ts))) {
    requester.deferred = true;  // replaces an older deferred request of the same node
    return;
  }
  send_reply(ctx, from, ts);
}

void RicartNode::send_reply(Context<Message>& ctx, NodeId to, LamportClock::Time request_ts) {
  Requester& requester = requesters_[to];
  DISTLAB_ASSERT(request_ts == requester.newest_ts, "only a node's newest request is answered");
  DISTLAB_ASSERT(request_ts > requester.answered_ts, "never two replies to one request");
  DISTLAB_ASSERT(state_ != State::held || options_.bug == Bug::reply_in_cs, "no reply leaves while inside");
  requester.answered_ts = request_ts;
  requester.deferred = false;
  const LamportClock::Time t = clock_.send();
  ctx.send(to, Reply{.ts = to_wire(t), .request_ts = to_wire(request_ts)}, stamp());
}

void RicartNode::handle_reply(Context<Message>& ctx, NodeId from, const Reply& m) {
  const LamportClock::Time request_ts = from_wire(m.request_ts);
  DISTLAB_ASSERT(from_wire(m.ts) > request_ts, "a reply leaves after its request arrived");
  clock_.receive(from_wire(m.ts));
  ctx.stamp_receive(stamp());
  // Not for the request we wait for: a late reply to one from before a crash, or a copy
  // made by the network of one already counted. Counting it could let us in while the
  // sender is inside, or about to enter with an earlier request.
  if (state_ != State::wanting || request_ts != request_ts_ || !granted_.insert(from).second) {
    ++ignored_replies_;
    return;
  }
  DISTLAB_ASSERT(granted_.size() < ctx.nodes().size());
  if (granted_.size() + 1 == ctx.nodes().size()) become_held(ctx);
}

}  // namespace distlab::ricart
