// The wire message types of every algorithm, in one table.
//
// A frame's type byte (runtime/udp/codec.h) tells a node's decoder which message it
// holds, so no two algorithms may share a number: each owns a range here, its codec
// numbers its messages inside it, and the registry (algo/registry.h) checks at
// compile time that the ranges are disjoint and the codec tests that every encoded
// message stays in its range. A new algorithm takes the next free range.
//
//   inline constexpr std::uint8_t kFirstWireType = wire_types::kBully.first;
#pragma once

#include <cstdint>

namespace distlab {

// Types first .. first + count - 1.
struct WireRange {
  std::uint8_t first = 0;
  std::uint8_t count = 0;

  constexpr bool contains(std::uint8_t type) const { return type >= first && type - first < count; }
  constexpr bool overlaps(const WireRange& o) const {
    return first < o.first + o.count && o.first < first + count;
  }
};

namespace wire_types {
inline constexpr WireRange kHeartbeat{1, 1};  // heartbeat
inline constexpr WireRange kLamport{10, 1};   // app
inline constexpr WireRange kSnapshot{20, 3};  // marker, move (game), transfer (bank)
inline constexpr WireRange kBully{30, 5};     // election, answer, coordinator, ack, alive
inline constexpr WireRange kRicart{40, 2};    // request, reply
// Not an algorithm's: the reliable layer's ack on a frame of its own (runtime/reliable.h,
// runtime/udp/udp_node.h). No algorithm's range may reach it.
inline constexpr std::uint8_t kReliableAck = 250;
static_assert(!kHeartbeat.contains(kReliableAck) && !kLamport.contains(kReliableAck) &&
              !kSnapshot.contains(kReliableAck) && !kBully.contains(kReliableAck) &&
              !kRicart.contains(kReliableAck));
}  // namespace wire_types

}  // namespace distlab
