// StateHasher: a 64-bit fingerprint of what a node holds, for `distlab explore`
// (harness/explore/explorer.h), which keeps a fingerprint of every state it has seen
// instead of the state itself.
//
// A node that can be explored hashes everything its future behaviour depends on, and
// times relative to the present (two states that differ only by when they happen are
// one state):
//
//   void fingerprint(StateHasher& h, Nanos now) const {
//     h.add(static_cast<std::uint64_t>(role_));
//     h.add(leader_ ? *leader_ : 0);
//     h.add_age(heard_ns_, now, fresh_ns);  // how long ago, or "long ago"
//   }
#pragma once

#include <cstdint>
#include <optional>

#include "distlab/core/random.h"
#include "distlab/core/types.h"

namespace distlab {

class StateHasher {
 public:
  // What the value is for. A fingerprint (the default) only has to tell states apart,
  // and takes the words two at a time, one 64x64->128-bit multiply per pair (as wyhash
  // does). A stream seed (Kind::seed) mixes each word in turn: it seeds a node's random
  // stream (the explorer's reseed), so it stays what it was, and with it the draws an
  // exploration makes and the states it counts.
  enum class Kind : std::uint8_t { fingerprint, seed };

  constexpr StateHasher() = default;
  constexpr explicit StateHasher(std::uint64_t start, Kind kind = Kind::fingerprint)
      : h_(start), kind_(kind) {}

  constexpr void add(std::uint64_t value) {
    if (kind_ == Kind::seed) {
      h_ = mix64(h_ ^ (value + 0x9e3779b97f4a7c15ULL));
      return;
    }
    if (count_ % 2 == 1) h_ = mum(pending_ ^ kPairKey, value ^ h_);
    pending_ = value;
    ++count_;
  }
  constexpr void add_signed(std::int64_t value) { add(static_cast<std::uint64_t>(value)); }
  // How long ago `at` was, as seen `now`; every age of `horizon` or more (or no `at`)
  // hashes alike: past it, nothing the node does depends on the exact age.
  constexpr void add_age(std::optional<Nanos> at, Nanos now, Nanos horizon) {
    if (!at || now - *at >= horizon) {
      add(~std::uint64_t{0});
    } else {
      add_signed(now - *at);
    }
  }

  constexpr std::uint64_t value() const {
    if (kind_ == Kind::seed) return h_;
    const std::uint64_t h = count_ % 2 == 1 ? mum(pending_ ^ kPairKey, kOddKey ^ h_) : h_;
    return mix64(h ^ count_);
  }

 private:
  static constexpr std::uint64_t kPairKey = 0xa0761d6478bd642fULL;
  static constexpr std::uint64_t kOddKey = 0xe7037ed1a0b428dbULL;
  // The 128-bit product's halves, folded.
  static constexpr std::uint64_t mum(std::uint64_t a, std::uint64_t b) {
    __extension__ using Uint128 = unsigned __int128;
    const Uint128 p = static_cast<Uint128>(a) * b;
    return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
  }

  std::uint64_t h_ = 0x6a09e667f3bcc908ULL;
  std::uint64_t pending_ = 0;  // the first word of a pair, while count_ is odd
  std::uint64_t count_ = 0;    // words added (a fingerprint)
  Kind kind_ = Kind::fingerprint;
};

}  // namespace distlab
