#include "distlab/runtime/udp/codec.h"

#include <charconv>
#include <cstring>

#include "distlab/core/assert.h"
#include "distlab/core/bytes.h"

namespace distlab::udp {
namespace {

void put(std::vector<std::byte>& out, std::uint64_t value, int bytes) { put_le(out, value, bytes); }

// Only called on spans already checked to be long enough.
std::uint64_t get(std::span<const std::byte> in, std::size_t offset, int bytes) { return *get_le(in, offset, bytes); }

constexpr std::string_view kTextPrefix = "Heartbeat from Node ";

}  // namespace

std::string_view to_string(DecodeError error) {
  switch (error) {
    case DecodeError::none: return "none";
    case DecodeError::too_short: return "too short";
    case DecodeError::bad_magic: return "not a distlab frame";
    case DecodeError::bad_version: return "unknown version";
    case DecodeError::bad_type: return "unknown message type";
    case DecodeError::bad_length: return "length does not match";
    case DecodeError::too_long: return "too long";
    case DecodeError::own_id: return "claims the receiver's own id";
    case DecodeError::unknown_sender: return "claims a sender outside the cluster";
    case DecodeError::unsealed: return "not sealed with the cluster key";
    case DecodeError::text_refused: return "plain-text heartbeat refused (cannot be authenticated; --allow-text)";
    case DecodeError::wrong_receiver: return "sealed for another node";
    case DecodeError::unknown_key: return "sealed with an unknown key";
    case DecodeError::forged: return "forged (the tag does not check)";
    case DecodeError::old_epoch: return "from an earlier start of the sender (replayed)";
    case DecodeError::replayed: return "replayed";
    case DecodeError::stale: return "too old for the replay window";
    case DecodeError::too_many_senders: return "one sender more than the receiver tracks";
    case DecodeError::wrong_address: return "sent from an address the cluster file does not give the sender";
  }
  return "?";
}

void encode_frame(const FrameHeader& header, std::span<const std::byte> payload, std::vector<std::byte>& out) {
  DISTLAB_ASSERT(payload.size() <= kMaxPayload, "payload larger than a datagram");
  DISTLAB_ASSERT(header.type != 0, "type 0 is reserved");
  out.push_back(std::byte{'D'});
  out.push_back(std::byte{'L'});
  out.push_back(std::byte{kWireVersion});
  out.push_back(std::byte{header.type});
  put(out, header.sender, 4);
  put(out, header.seq, 8);
  put(out, payload.size(), 2);
  out.insert(out.end(), payload.begin(), payload.end());
}

DecodeResult decode_frame(std::span<const std::byte> d) {
  if (d.size() > kMaxDatagram) return {std::nullopt, DecodeError::too_long};
  if (d.size() < kHeaderBytes) return {std::nullopt, DecodeError::too_short};
  if (d[0] != std::byte{'D'} || d[1] != std::byte{'L'}) return {std::nullopt, DecodeError::bad_magic};
  if (d[2] != std::byte{kWireVersion}) return {std::nullopt, DecodeError::bad_version};
  if (d[3] == std::byte{0}) return {std::nullopt, DecodeError::bad_type};
  const std::uint64_t length = get(d, 16, 2);
  if (length != d.size() - kHeaderBytes) return {std::nullopt, DecodeError::bad_length};
  Frame frame;
  frame.header.type = std::to_integer<std::uint8_t>(d[3]);
  frame.header.sender = static_cast<NodeId>(get(d, 4, 4));
  frame.header.seq = get(d, 8, 8);
  frame.payload = d.subspan(kHeaderBytes);
  return {frame, DecodeError::none};
}

std::string text_heartbeat(NodeId node) { return std::string(kTextPrefix) + std::to_string(node); }

std::optional<NodeId> parse_text_heartbeat(std::span<const std::byte> d) {
  std::string_view text(reinterpret_cast<const char*>(d.data()), d.size());
  if (!text.starts_with(kTextPrefix)) return std::nullopt;
  text.remove_prefix(kTextPrefix.size());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || id > UINT32_MAX) return std::nullopt;
  return static_cast<NodeId>(id);
}


}  // namespace distlab::udp
