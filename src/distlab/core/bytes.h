// Little-endian integers in byte buffers, for wire codecs (no I/O here).
//
//   std::vector<std::byte> out;
//   put_le(out, seq, 8);
//   std::optional<std::uint64_t> seq = get_le(payload, 0, 8);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace distlab {

inline void put_le(std::vector<std::byte>& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::byte>((value >> (8 * i)) & 0xff));
}

// nullopt when the buffer is too short.
inline std::optional<std::uint64_t> get_le(std::span<const std::byte> in, std::size_t offset, int bytes) {
  if (offset + static_cast<std::size_t>(bytes) > in.size()) return std::nullopt;
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value |= std::uint64_t{std::to_integer<std::uint8_t>(in[offset + i])} << (8 * i);
  return value;
}

}  // namespace distlab
