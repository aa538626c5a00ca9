// The wire format of distlab's UDP runtime, and the seed's plain-text heartbeat.
//
// A frame is small, versioned and length-checked; all integers little-endian:
//
//   offset  size  field
//        0     2  magic "DL"
//        2     1  version (1)
//        3     1  type: the message type, numbered by each algorithm's codec (1..255)
//        4     4  sender node id
//        8     8  message sequence number: with the sender, the trace's message id
//       16     2  payload length, which must equal the bytes that follow
//       18     n  payload (at most kMaxPayload bytes)
//
// Anything else (too short, wrong magic or version, a length that does not match,
// too long) is malformed: decode says why, the runtime counts it and drops it.
//
// The seed's monitor and nodes speak plain text instead: "Heartbeat from Node <id>".
//
//   std::vector<std::byte> out;
//   encode_frame({.type = 1, .sender = 3, .seq = 9}, payload, out);
//   DecodeResult r = decode_frame(datagram);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/core/types.h"

namespace distlab::udp {

inline constexpr std::uint8_t kWireVersion = 1;
inline constexpr std::size_t kHeaderBytes = 18;
// Keeps every frame within one Ethernet-sized IPv4 UDP datagram (1500 - 20 - 8).
inline constexpr std::size_t kMaxPayload = 1472 - kHeaderBytes;
inline constexpr std::size_t kMaxDatagram = kHeaderBytes + kMaxPayload;

struct FrameHeader {
  std::uint8_t type = 0;
  NodeId sender = 0;
  std::uint64_t seq = 0;
};

struct Frame {
  FrameHeader header;
  std::span<const std::byte> payload;  // points into the decoded datagram
};

enum class DecodeError : std::uint8_t {
  none, too_short, bad_magic, bad_version, bad_type, bad_length, too_long,
  own_id,          // claims to come from the receiving node itself
  unknown_sender,  // claims to come from a node outside the run's membership
  // With a cluster key (seal.h):
  unsealed,          // a version 1 frame: carries no tag
  text_refused,      // the seed's plain-text heartbeat, which cannot be authenticated
  wrong_receiver,    // sealed for another node
  unknown_key,       // sealed with a key not in the keyring
  forged,            // the tag does not check
  old_epoch,         // from an earlier start of the sender
  replayed,          // a counter already seen
  stale,             // a counter below the replay window
  too_many_senders,  // more senders than the receiver keeps state for
  wrong_address,     // sent from an address other than the cluster file gives for the sender
};
std::string_view to_string(DecodeError error);

struct DecodeResult {
  std::optional<Frame> frame;
  DecodeError error = DecodeError::none;
};

// Appends one frame to `out`. The payload must be at most kMaxPayload bytes.
void encode_frame(const FrameHeader& header, std::span<const std::byte> payload, std::vector<std::byte>& out);

DecodeResult decode_frame(std::span<const std::byte> datagram);

// "Heartbeat from Node 13": the seed's datagram.
std::string text_heartbeat(NodeId node);

// The node id of a seed heartbeat, or nullopt for anything else. Accepts exactly
// "Heartbeat from Node <id>" (a decimal id from 0 to 2^32-1), with an optional
// trailing newline or spaces.
std::optional<NodeId> parse_text_heartbeat(std::span<const std::byte> datagram);

}  // namespace distlab::udp
