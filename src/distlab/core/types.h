// Basic vocabulary shared by every layer: node ids, simulated time, message ids.
//
// Time is an integer count of nanoseconds since the start of a run (`Nanos`); names
// carry their unit last (`latency_ns`, `timeout_ns`).
//
//   Nanos timeout_ns = 10 * kSecond;
//   MsgId id{.sender = 2, .seq = 17};   // printed as "2.17"
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace distlab {

using NodeId = std::uint32_t;
using Nanos = std::int64_t;

inline constexpr Nanos kNanosecond = 1;
inline constexpr Nanos kMicrosecond = 1'000;
inline constexpr Nanos kMillisecond = 1'000'000;
inline constexpr Nanos kSecond = 1'000'000'000;
inline constexpr Nanos kMinute = 60 * kSecond;
inline constexpr Nanos kHour = 60 * kMinute;
inline constexpr Nanos kNanosMax = std::numeric_limits<Nanos>::max();

// A timer's identity within one node. Setting a timer with a tag that is already
// pending replaces it; algorithms give their tags names via `timer_name`.
using TimerTag = std::uint8_t;

// A message id, unique in a run: the sender and the sender's own send counter
// (1, 2, ...). The counter survives crashes, so ids never repeat.
struct MsgId {
  NodeId sender = 0;
  std::uint64_t seq = 0;
  friend bool operator==(const MsgId&, const MsgId&) = default;
  friend auto operator<=>(const MsgId&, const MsgId&) = default;
};

std::string to_string(MsgId id);
// The same into `out`, reusing its storage.
void assign_msg_id(MsgId id, std::string& out);

// The ids 1..count, as the simulator numbers a run's nodes.
std::vector<NodeId> node_ids(std::uint32_t count);

}  // namespace distlab
