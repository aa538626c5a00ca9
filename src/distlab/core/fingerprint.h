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
  constexpr StateHasher() = default;
  constexpr explicit StateHasher(std::uint64_t start) : h_(start) {}

  constexpr void add(std::uint64_t value) { h_ = mix64(h_ ^ (value + 0x9e3779b97f4a7c15ULL)); }
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

  constexpr std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0x6a09e667f3bcc908ULL;
};

}  // namespace distlab
