// The seed's game (question 2): players with life, a score and items, exchanging
// moves that change their state, so a snapshot is something to reason about.
//
// An attack costs the receiver 10 life and scores 10 for the attacker; a defence
// scores 5 for its receiver; a potion heals its receiver 15; "low life, use the
// potion!" makes its receiver drink one of its own potions (+20) if it has one.
// Life stays within 0..100. Initial states are drawn from the node's random stream
// as in the seed: life 50..100, score 0..2000, two items out of five.
//
//   GameNode player(1, options);
//   player.play(ctx, 2, Move::attack);   // "Jogador 1 enviou 'Ataque' para Jogador 2"
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "distlab/algo/snapshot/topology.h"
#include "distlab/algo/wire_types.h"
#include "distlab/core/context.h"

namespace distlab::snapshot {

enum class Move : std::uint8_t { attack, defend, potion, low_life };

// "attack", "defend", "potion", "low_life": the trace's names.
std::string_view to_string(Move move);
std::optional<Move> parse_move(std::string_view name);

struct GameMessage {
  Move move;
};
inline std::string_view trace_type(const GameMessage&) { return "move"; }
inline nlohmann::ordered_json trace_body(const GameMessage& m) { return {{"move", to_string(m.move)}}; }

// Wire codec: type 21, the move as one byte.
inline constexpr std::uint8_t kMoveWireType = wire_types::kSnapshot.first + 1;
inline std::uint8_t wire_encode(const GameMessage& m, std::vector<std::byte>& payload) {
  payload.push_back(static_cast<std::byte>(m.move));
  return kMoveWireType;
}
inline std::optional<GameMessage> wire_decode(std::type_identity<GameMessage>, std::uint8_t type,
                                              std::span<const std::byte> payload) {
  if (type != kMoveWireType || payload.size() != 1) return std::nullopt;
  const auto move = std::to_integer<std::uint8_t>(payload[0]);
  if (move > static_cast<std::uint8_t>(Move::low_life)) return std::nullopt;
  return GameMessage{static_cast<Move>(move)};
}

struct GameOptions {
  std::shared_ptr<const Topology> topology;  // shared by every node, immutable
  std::uint32_t moves = 0;                // moves per node on its own timer; 0: only when told
  Nanos mean_gap_ns = 20 * kMillisecond;  // between a node's moves
};

class GameNode {
 public:
  using Message = GameMessage;
  enum : TimerTag { kPlay };
  static constexpr std::size_t kTimerTags = 1;
  static std::string_view timer_name(TimerTag) { return "play"; }

  // The seed's five items, in its order.
  static constexpr std::string_view kItems[] = {"sword", "shield", "potion", "bow", "arrow"};
  static constexpr int kLifeMax = 100;

  GameNode(NodeId self, const GameOptions& options) : self_(self), options_(options) {}

  void on_start(Context<Message>& ctx);
  void on_message(Context<Message>& ctx, NodeId from, const Message& m);
  void on_timer(Context<Message>& ctx, TimerTag tag);
  void on_recover(Context<Message>& ctx) { on_start(ctx); }

  // Send `move` to `to` now (the scripted seed scenario drives players this way).
  void play(Context<Message>& ctx, NodeId to, Move move);

  // {"life": 63, "score": 1468, "items": ["bow", "potion"]}
  nlohmann::ordered_json snapshot_state() const;

  int life() const { return life_; }
  int score() const { return score_; }

 private:
  void arm(Context<Message>& ctx);

  NodeId self_;
  GameOptions options_;
  int life_ = 0;
  int score_ = 0;
  std::vector<std::string> items_;
  std::uint32_t moves_done_ = 0;
};

}  // namespace distlab::snapshot
