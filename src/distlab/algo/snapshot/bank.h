// The bank scenario: nodes hold balances and keep sending random transfers along
// their channels. Money is only ever moved, so every consistent snapshot must find
// the initial total: recorded balances plus the amounts in recorded channels.
//
// Each node notes its initial balance at start ({"bank":{"initial_balance":N}}) so a
// checker can find the total in the trace; each transfer's send carries
// "body":{"amount":N}; a snapshot records {"balance":N}.
//
//   BankNode account(1, options);   // transfers on its own timer
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "distlab/algo/snapshot/topology.h"
#include "distlab/algo/wire_types.h"
#include "distlab/core/bytes.h"
#include "distlab/core/context.h"
#include "distlab/core/fingerprint.h"

namespace distlab::snapshot {

struct Transfer {
  std::int64_t amount;
};
inline std::string_view trace_type(const Transfer&) { return "transfer"; }
inline nlohmann::ordered_json trace_body(const Transfer& t) { return {{"amount", t.amount}}; }

// Wire codec: type 22, the amount as 8 bytes (two's complement).
inline constexpr std::uint8_t kTransferWireType = wire_types::kSnapshot.first + 2;
inline std::uint8_t wire_encode(const Transfer& t, std::vector<std::byte>& payload) {
  put_le(payload, static_cast<std::uint64_t>(t.amount), 8);
  return kTransferWireType;
}
inline std::optional<Transfer> wire_decode(std::type_identity<Transfer>, std::uint8_t type,
                                           std::span<const std::byte> payload) {
  if (type != kTransferWireType || payload.size() != 8) return std::nullopt;
  const auto amount = static_cast<std::int64_t>(*get_le(payload, 0, 8));
  if (amount <= 0) return std::nullopt;  // transfers move money one way
  return Transfer{amount};
}

struct BankOptions {
  std::shared_ptr<const Topology> topology;  // shared by every node, immutable
  std::int64_t initial_balance = 1000;
  std::uint32_t transfers = 10;           // per node
  Nanos mean_gap_ns = 20 * kMillisecond;  // between a node's transfers
};

class BankNode {
 public:
  using Message = Transfer;
  enum : TimerTag { kPay };
  static constexpr std::size_t kTimerTags = 1;
  static std::string_view timer_name(TimerTag) { return "pay"; }

  BankNode(NodeId self, const BankOptions& options)
      : self_(self), options_(options), balance_(options.initial_balance) {}

  void on_start(Context<Message>& ctx);
  void on_message(Context<Message>& ctx, NodeId from, const Message& m);
  void on_timer(Context<Message>& ctx, TimerTag tag);
  void on_recover(Context<Message>& ctx) { arm(ctx); }

  nlohmann::ordered_json snapshot_state() const { return {{"balance", balance_}}; }
  // Everything its future depends on, for `distlab explore` (core/fingerprint.h).
  void fingerprint(StateHasher& h, Nanos) const {
    h.add(static_cast<std::uint64_t>(balance_));
    h.add(transfers_done_);
  }
  std::int64_t balance() const { return balance_; }

  // A balance is money: it survives a crash.
  struct Durable {
    std::int64_t balance;
    std::uint32_t transfers_done;
  };
  Durable durable() const { return {balance_, transfers_done_}; }
  void restore(const Durable& d) {
    balance_ = d.balance;
    transfers_done_ = d.transfers_done;
  }

 private:
  void arm(Context<Message>& ctx);

  NodeId self_;
  BankOptions options_;
  std::int64_t balance_;
  std::uint32_t transfers_done_ = 0;
};

}  // namespace distlab::snapshot
