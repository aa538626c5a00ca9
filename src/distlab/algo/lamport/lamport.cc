#include "distlab/algo/lamport/lamport.h"

#include <algorithm>

#include "distlab/core/bytes.h"
#include "distlab/trace/trace.h"

namespace distlab::lamport {

// A vector clock on the wire holds at most this many entries (one datagram's worth).
constexpr std::uint64_t kMaxWireEntries = 100;

std::uint8_t wire_encode(const AppMessage& m, std::vector<std::byte>& payload) {
  put_le(payload, m.lamport, 8);
  const auto entries = m.vc ? m.vc->entries() : std::span<const VectorClock::Entry>();
  DISTLAB_ASSERT(entries.size() <= kMaxWireEntries, "vector clock too large for one datagram");
  put_le(payload, entries.size(), 4);
  for (const auto& [node, counter] : entries) {
    put_le(payload, node, 4);
    put_le(payload, counter, 8);
  }
  payload.push_back(std::byte{m.vc ? std::uint8_t{1} : std::uint8_t{0}});
  return kAppWireType;
}

std::optional<AppMessage> wire_decode(std::type_identity<AppMessage>, std::uint8_t type,
                                      std::span<const std::byte> p) {
  if (type != kAppWireType) return std::nullopt;
  const auto lamport = get_le(p, 0, 8);
  const auto count = get_le(p, 8, 4);
  if (!lamport || !count || *count > kMaxWireEntries || p.size() != 12 + *count * 12 + 1) return std::nullopt;
  AppMessage m{.lamport = *lamport, .vc = std::nullopt};
  const auto has_vc = std::to_integer<std::uint8_t>(p.back());
  if (has_vc > 1 || (has_vc == 0 && *count != 0)) return std::nullopt;
  if (has_vc == 1) {
    VectorClock vc;
    NodeId previous = 0;
    for (std::uint64_t i = 0; i < *count; ++i) {
      const auto node = static_cast<NodeId>(*get_le(p, 12 + i * 12, 4));
      const auto counter = *get_le(p, 16 + i * 12, 8);
      if (counter == 0 || (i > 0 && node <= previous)) return std::nullopt;  // sorted, no zeros: canonical
      vc.set(node, counter);
      previous = node;
    }
    m.vc = std::move(vc);
  }
  return m;
}

std::vector<Round> draw_rounds(std::uint64_t seed, std::span<const NodeId> ids, std::uint32_t rounds) {
  DISTLAB_ASSERT(ids.size() >= 2);
  Rng workload(derive_seed(seed, kStreamWorkload));
  std::vector<Round> out;
  out.reserve(rounds);
  for (std::uint32_t r = 0; r < rounds; ++r) {
    const NodeId sender = ids[workload.uniform(ids.size())];
    NodeId receiver = ids[workload.uniform(ids.size() - 1)];
    if (receiver == sender) receiver = ids.back();  // uniform over the others
    out.push_back({sender, receiver});
  }
  return out;
}

nlohmann::ordered_json LamportNode::durable_to_json(const Durable& d) {
  return {{"lamport", d.lamport.time()},
          {"vc", trace::to_json(d.vc)},
          {"owner", d.vc.owner()},
          {"actions", d.actions_done}};
}

std::optional<LamportNode::Durable> LamportNode::durable_from_json(const nlohmann::ordered_json& j) {
  try {
    Durable d{LamportClock(j.at("lamport").get<LamportClock::Time>()), VectorClock(j.at("owner").get<NodeId>()),
              j.at("actions").get<std::uint32_t>()};
    for (const auto& [key, value] : j.at("vc").items()) d.vc.set(static_cast<NodeId>(std::stoul(key)), value.get<std::uint64_t>());
    return d;
  } catch (const std::exception&) {
    return std::nullopt;  // not ours, or damaged: start afresh, and the checks will tell
  }
}

Stamp LamportNode::stamp() const {
  return {.lamport = static_cast<std::int64_t>(lamport_.time()),
          .vc = options_.vector ? &vc_ : nullptr};
}

void LamportNode::fingerprint(StateHasher& h, Nanos) const {
  h.add(lamport_.time());
  h.add(actions_done_);
  h.add(vc_.entries().size());
  for (const auto& [node, counter] : vc_.entries()) h.add(static_cast<std::uint64_t>(node) << 40 ^ counter);
}

void LamportNode::on_start(Context<Message>& ctx) {
  if (options_.random_mode) arm(ctx);
}

void LamportNode::on_recover(Context<Message>& ctx) { on_start(ctx); }

void LamportNode::on_message(Context<Message>& ctx, NodeId, const Message& m) {
  if (options_.bug == Bug::receive_no_max) {
    lamport_.tick();  // the bug: the sender's stamp is ignored
  } else {
    lamport_.receive(m.lamport);
  }
  if (options_.vector && m.vc) {
    if (options_.bug == Bug::vector_no_merge) {
      vc_.tick();  // the bug: the sender's vector is ignored
    } else {
      vc_.receive(*m.vc);
    }
  }
  ctx.stamp_receive(stamp());
}

void LamportNode::on_timer(Context<Message>& ctx, TimerTag) {
  if (actions_done_ >= options_.actions) return;
  ++actions_done_;
  const auto nodes = ctx.nodes();
  if (nodes.size() > 1 && ctx.random().chance(options_.send_share)) {
    // A uniformly random peer: draw among the others, skipping self.
    std::size_t pick = ctx.random().uniform(nodes.size() - 1);
    if (nodes[pick] == ctx.self()) pick = nodes.size() - 1;
    send_to(ctx, nodes[pick]);
  } else {
    local_event(ctx);
  }
  arm(ctx);
}

void LamportNode::local_then_send(Context<Message>& ctx, NodeId to) {
  local_event(ctx);
  send_to(ctx, to);
}

void LamportNode::local_event(Context<Message>& ctx) {
  lamport_.tick();
  if (options_.vector) vc_.tick();
  ctx.local({}, stamp());
}

void LamportNode::send_to(Context<Message>& ctx, NodeId to) {
  Message m{.lamport = lamport_.send(), .vc = std::nullopt};
  if (options_.vector) m.vc = vc_.send();
  const Stamp s = stamp();
  ctx.send(to, std::move(m), s);
}

void LamportNode::arm(Context<Message>& ctx) {
  if (actions_done_ >= options_.actions) return;
  ctx.set_timer(random_gap(ctx.random(), options_.mean_gap_ns), kAct);
}

}  // namespace distlab::lamport
