#include "distlab/algo/snapshot/game.h"

#include <algorithm>

#include "distlab/core/assert.h"

namespace distlab::snapshot {

std::string_view to_string(Move move) {
  switch (move) {
    case Move::attack: return "attack";
    case Move::defend: return "defend";
    case Move::potion: return "potion";
    case Move::low_life: return "low_life";
  }
  return "?";
}

std::optional<Move> parse_move(std::string_view name) {
  for (Move m : {Move::attack, Move::defend, Move::potion, Move::low_life}) {
    if (to_string(m) == name) return m;
  }
  return std::nullopt;
}

void GameNode::on_start(Context<Message>& ctx) {
  Rng& rng = ctx.random();
  life_ = static_cast<int>(rng.between(50, 100));
  score_ = static_cast<int>(rng.between(0, 2000));
  items_.clear();
  for (int i = 0; i < 2; ++i) items_.emplace_back(kItems[rng.uniform(std::size(kItems))]);
  arm(ctx);
}

void GameNode::on_message(Context<Message>&, NodeId, const Message& m) {
  switch (m.move) {
    case Move::attack: life_ = std::max(0, life_ - 10); break;
    case Move::defend: score_ += 5; break;
    case Move::potion: life_ = std::min(kLifeMax, life_ + 15); break;
    case Move::low_life: {
      auto potion = std::find(items_.begin(), items_.end(), "potion");
      if (potion != items_.end()) {
        items_.erase(potion);
        life_ = std::min(kLifeMax, life_ + 20);
      }
      break;
    }
  }
}

void GameNode::on_timer(Context<Message>& ctx, TimerTag) {
  const auto outs = options_.topology->out(self_);
  if (moves_done_ >= options_.moves || outs.empty()) return;
  ++moves_done_;
  const NodeId to = outs[ctx.random().uniform(outs.size())];
  play(ctx, to, static_cast<Move>(ctx.random().uniform(4)));
  arm(ctx);
}

void GameNode::play(Context<Message>& ctx, NodeId to, Move move) {
  DISTLAB_ASSERT(options_.topology->has_channel(self_, to), "players only send on their channels");
  if (move == Move::attack) score_ += 10;
  ctx.send(to, GameMessage{move});
}

void GameNode::arm(Context<Message>& ctx) {
  if (moves_done_ >= options_.moves) return;
  ctx.set_timer(random_gap(ctx.random(), options_.mean_gap_ns), kPlay);
}

nlohmann::ordered_json GameNode::snapshot_state() const {
  return {{"life", life_}, {"score", score_}, {"items", items_}};
}

}  // namespace distlab::snapshot
