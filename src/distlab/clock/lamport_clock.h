// LamportClock: a logical clock that orders events consistently with causality.
//
// If event a happened before event b, then L(a) < L(b) (the clock condition). The
// converse does not hold: Lamport times cannot tell concurrent events apart; use
// VectorClock for that. Ties are broken by node id to get a total order.
//
//   LamportClock clock;
//   clock.tick();                          // a local event: 1
//   auto stamp = clock.send();             // 2, travels with the message
//   other.receive(stamp);                  // max(other, 2) + 1
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>

#include "distlab/clock/order.h"
#include "distlab/core/types.h"

namespace distlab {

class LamportClock {
 public:
  using Time = std::uint64_t;

  constexpr LamportClock() = default;
  explicit constexpr LamportClock(Time time) : time_(time) {}

  constexpr Time time() const { return time_; }

  // A local event: advance the clock and return the event's time.
  constexpr Time tick() { return ++time_; }

  // A send is an event too: advance, and return the stamp to put on the message.
  constexpr Time send() { return tick(); }

  // A receive merges the sender's stamp: max(local, stamp) + 1.
  constexpr Time receive(Time stamp) {
    time_ = std::max(time_, stamp) + 1;
    return time_;
  }

  friend constexpr bool operator==(LamportClock, LamportClock) = default;

 private:
  Time time_ = 0;
};

// An event's place in the Lamport total order: time first, then node id.
struct LamportStamp {
  LamportClock::Time time = 0;
  NodeId node = 0;
  friend constexpr auto operator<=>(const LamportStamp&, const LamportStamp&) = default;
};

// before, after or equal; never concurrent, since (time, node) is a total order.
constexpr Order compare(const LamportStamp& a, const LamportStamp& b) {
  if (a < b) return Order::before;
  if (b < a) return Order::after;
  return Order::equal;
}

}  // namespace distlab
