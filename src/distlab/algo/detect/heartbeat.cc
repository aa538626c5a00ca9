#include "distlab/algo/detect/heartbeat.h"

#include "distlab/algo/detect/notes.h"

#include <algorithm>

namespace distlab::detect {

void HeartbeatSender::beat(Context<Message>& ctx) {
  ctx.send(options_.monitor, Heartbeat{++seq_});
  const Nanos jitter = options_.jitter_ns;
  const Nanos next = options_.interval_ns + ctx.random().between(-jitter, jitter);
  ctx.set_timer(std::max<Nanos>(next, 1), kBeat);
}

void Monitor::on_start(Context<Message>& ctx) {
  if (ctx.observed()) {
    const MonitorOptions& o = options_;
    DetectorNote note{.check_every_ns = o.check_every_ns};
    if (o.detector == DetectorKind::fixed) {
      note.timeout_ns = o.fixed.timeout_ns;
    } else {
      note.detector = "phi";
      note.threshold = o.phi.threshold;
      note.window = o.phi.window;
      note.min_stddev_ns = o.phi.min_stddev_ns;
      note.acceptable_pause_ns = o.phi.acceptable_pause_ns;
    }
    ctx.note(note.to_json());
  }
  ctx.set_timer(options_.check_every_ns, kCheck);
}

bool Monitor::suspected(NodeId node) const {
  auto it = index_.find(node);
  return it != index_.end() && nodes_[it->second].suspected;
}

void Monitor::on_message(Context<Message>& ctx, NodeId from, const Message&) {
  ++heartbeats_;
  auto [it, inserted] = index_.try_emplace(from, static_cast<std::uint32_t>(nodes_.size()));
  if (inserted) {
    nodes_.push_back(Tracked{from, ctx.now(), false, std::nullopt});
    if (options_.detector == DetectorKind::phi) nodes_.back().phi.emplace(options_.phi);
  }
  Tracked& t = nodes_[it->second];
  t.last_ns = ctx.now();
  // Back after a suspicion: the outage was not an inter-arrival time, so phi starts
  // a fresh history rather than learn to expect outages.
  if (t.phi && t.suspected) t.phi.emplace(options_.phi);
  if (t.phi) t.phi->heartbeat(ctx.now());
  if (inserted || t.suspected) {
    if (ctx.observed()) ctx.note(MonitorNote{MonitorNote::Kind::trust, from}.to_json());  // first heard, or back
    t.suspected = false;
    trusted_.insert(from);
    if (target() != target_) redirect(ctx);  // a new or returning lower node
  }
}

bool Monitor::suspect_now(const Tracked& t, Nanos now) const {
  if (options_.bug == Bug::silence_from_check) {
    // The bug: silence counted from the last check when that is later than the last
    // heartbeat, as if the check itself had been heard from the node.
    now -= std::max(t.last_ns, last_check_ns_) - t.last_ns;
  }
  if (t.phi) return t.phi->suspect(now);
  return now - t.last_ns > options_.fixed.timeout_ns;
}

void Monitor::on_timer(Context<Message>& ctx, TimerTag) {
  const Nanos now = ctx.now();
  std::vector<NodeId> newly;
  for (Tracked& t : nodes_) {
    if (t.suspected || !suspect_now(t, now)) continue;
    t.suspected = true;
    newly.push_back(t.id);
  }
  std::sort(newly.begin(), newly.end());  // one order for notes, whatever the arrival order
  for (NodeId id : newly) {
    trusted_.erase(id);
    if (ctx.observed()) ctx.note(MonitorNote{MonitorNote::Kind::suspect, id}.to_json());
    redirect(ctx);  // after every failure, as the seed prints
  }
  last_check_ns_ = now;
  ctx.set_timer(options_.check_every_ns, kCheck);
}

void Monitor::fingerprint(StateHasher& h, Nanos now) const {
  DISTLAB_ASSERT(options_.detector == DetectorKind::fixed, "explore models the fixed detector only");
  // Past the timeout, how long ago no longer changes what a check decides.
  const Nanos horizon = options_.fixed.timeout_ns + 1;
  h.add(nodes_.size());
  for (const Tracked& t : nodes_) {
    h.add(static_cast<std::uint64_t>(t.id) << 1 | (t.suspected ? 1U : 0U));
    h.add_age(t.last_ns, now, horizon);
  }
  h.add(trusted_.size());
  for (NodeId id : trusted_) h.add(id);
  h.add(target_ ? *target_ + 1ULL : 0ULL);
  if (options_.bug == Bug::silence_from_check) h.add_age(last_check_ns_, now, horizon);
}

void Monitor::redirect(Context<Message>& ctx) {
  target_ = target();
  if (!ctx.observed()) return;
  ctx.note(MonitorNote{MonitorNote::Kind::redirect, target_}.to_json());
}

HeartbeatNode::HeartbeatNode(NodeId self, const MonitorOptions& monitor, const SenderOptions& sender)
    : role_(self == sender.monitor ? decltype(role_)(Monitor(monitor))
                                   : decltype(role_)(HeartbeatSender(self, sender))) {}

}  // namespace distlab::detect
