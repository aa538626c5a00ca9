// Seeded, splittable random numbers that replay identically on every platform.
//
// A run has one 64-bit root seed. `derive_seed(root, stream)` gives each subsystem
// (the network, the workload, each node) its own child seed, so adding draws in one
// stream never shifts another. `Rng` is xoshiro256** seeded through splitmix64; bounded
// integers use Lemire's multiply-shift method. No std::*_distribution anywhere: their
// output differs between standard libraries.
//
//   Rng net(derive_seed(seed, kStreamNetwork));
//   std::uint64_t die = net.uniform(6) + 1;   // 1..6
//   bool lost = net.chance(0.1);
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "distlab/core/types.h"

namespace distlab {

// splitmix64's output function: a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Named streams of a run; per-node streams are kStreamNodeBase + node id.
inline constexpr std::uint64_t kStreamNetwork = 1;
inline constexpr std::uint64_t kStreamWorkload = 2;
inline constexpr std::uint64_t kStreamFaults = 3;
inline constexpr std::uint64_t kStreamTopology = 4;
// `distlab sweep`'s draw of a seed's configuration: it never shifts the run's own
// streams, which the replay command draws the same.
inline constexpr std::uint64_t kStreamSweep = 5;
// The reliable layer's own frames (acks, retransmissions: runtime/reliable.h), so that
// the first transmission of every message draws what it draws without the layer.
inline constexpr std::uint64_t kStreamReliable = 6;
inline constexpr std::uint64_t kStreamNodeBase = 1ULL << 32;

// The child seed of `seed` for `stream`. Distinct streams give unrelated seeds.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return mix64(seed ^ mix64(stream + 0x9e3779b97f4a7c15ULL));
}

class Rng {
  __extension__ using Uint128 = unsigned __int128;  // GCC and Clang; Lemire needs the high half

 public:
  explicit constexpr Rng(std::uint64_t seed) {
    // Fill the state from splitmix64, as the xoshiro authors recommend.
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      word = mix64(seed);
    }
  }

  // A generator from its raw state (not all zero), e.g. to check reference outputs.
  explicit constexpr Rng(const std::array<std::uint64_t, 4>& state) : state_(state) {}

  // xoshiro256** 1.0.
  constexpr std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound); bound must be > 0. Lemire's nearly divisionless method.
  constexpr std::uint64_t uniform(std::uint64_t bound) {
    Uint128 m = static_cast<Uint128>(next()) * bound;
    auto low = static_cast<std::uint64_t>(m);
    if (low < bound) {
      const std::uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        m = static_cast<Uint128>(next()) * bound;
        low = static_cast<std::uint64_t>(m);
      }
    }
    return static_cast<std::uint64_t>(m >> 64);
  }

  // Uniform in [lo, hi], inclusive; requires lo <= hi.
  constexpr std::int64_t between(std::int64_t lo, std::int64_t hi) {
    const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span == ~std::uint64_t{0}) return static_cast<std::int64_t>(next());
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + uniform(span + 1));
  }

  // Uniform double in [0, 1) with 53 random bits.
  constexpr double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // True with probability p (p <= 0 never, p >= 1 always).
  constexpr bool chance(double p) { return unit() < p; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }
  std::array<std::uint64_t, 4> state_{};
};

// The wait before a node's next action of its own: uniform in [1 ms, 2 * mean - 1 ms],
// so the mean is `mean_ns` and two actions never fall at one instant (a mean under
// 1 ms gives exactly the mean).
constexpr Nanos random_gap(Rng& rng, Nanos mean_ns) {
  const Nanos lo = std::min(kMillisecond, mean_ns);
  return rng.between(lo, std::max(lo, 2 * mean_ns - lo));
}

}  // namespace distlab
