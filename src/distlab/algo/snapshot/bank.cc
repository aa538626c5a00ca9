#include "distlab/algo/snapshot/bank.h"

#include "distlab/algo/snapshot/notes.h"

#include <algorithm>

namespace distlab::snapshot {

void BankNode::on_start(Context<Message>& ctx) {
  if (ctx.observed()) ctx.note(BankNote{options_.initial_balance}.to_json());
  arm(ctx);
}

void BankNode::on_message(Context<Message>&, NodeId, const Message& m) { balance_ += m.amount; }

void BankNode::on_timer(Context<Message>& ctx, TimerTag) {
  const auto outs = options_.topology->out(self_);
  if (transfers_done_ >= options_.transfers || outs.empty()) return;
  ++transfers_done_;
  if (balance_ > 0) {
    // Up to a quarter of the balance, at least 1.
    const std::int64_t amount = ctx.random().between(1, std::max<std::int64_t>(1, balance_ / 4));
    balance_ -= amount;
    ctx.send(outs[ctx.random().uniform(outs.size())], Transfer{amount});
  }
  arm(ctx);
}

void BankNode::arm(Context<Message>& ctx) {
  if (transfers_done_ >= options_.transfers) return;
  ctx.set_timer(random_gap(ctx.random(), options_.mean_gap_ns), kPay);
}

}  // namespace distlab::snapshot
