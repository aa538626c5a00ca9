// A UDP address as users write it: "127.0.0.1:5000", "localhost:5000", "[::1]:5000".
//
//   Address a = parse_address("127.0.0.1:5000");   // InputError when malformed
//   to_string(a) == "127.0.0.1:5000"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace distlab::udp {

struct Address {
  std::string host;  // an IPv4 or IPv6 literal, or a host name
  std::uint16_t port = 0;
  friend bool operator==(const Address&, const Address&) = default;
};

// Throws InputError naming the text and what is wrong. Port 0 is accepted only when
// `allow_any_port` (a socket that lets the system pick).
Address parse_address(std::string_view text, bool allow_any_port = false);

std::string to_string(const Address& address);

}  // namespace distlab::udp
