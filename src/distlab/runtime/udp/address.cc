#include "distlab/runtime/udp/address.h"

#include <fmt/format.h>

#include <charconv>

#include "distlab/core/error.h"

namespace distlab::udp {
namespace {

[[noreturn]] void bad(std::string_view text, std::string_view why) {
  throw InputError(fmt::format("malformed address '{}': {} (expected HOST:PORT, e.g. 127.0.0.1:5000)", text, why));
}

bool valid_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return host.front() != '-' && host.front() != '.';
}

bool valid_ipv6(std::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    if (!ok) return false;
  }
  return host.find(':') != std::string_view::npos;
}

// Dotted quads must be exactly four numbers 0..255; anything else with only digits
// and dots is a typo rather than a host name.
bool looks_numeric(std::string_view host) { return host.find_first_not_of("0123456789.") == std::string_view::npos; }

bool valid_ipv4(std::string_view host) {
  int parts = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view part = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc() || end != part.data() + part.size() || value > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

}  // namespace

Address parse_address(std::string_view text, bool allow_any_port) {
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      bad(text, "an IPv6 address goes in brackets: [::1]:5000");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    if (!valid_ipv6(host)) bad(text, fmt::format("'{}' is not an IPv6 address", host));
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) bad(text, "missing ':PORT'");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) bad(text, "an IPv6 address goes in brackets: [::1]:5000");
    if (host.empty()) bad(text, "missing host");
    if (looks_numeric(host) ? !valid_ipv4(host) : !valid_host_name(host)) {
      bad(text, fmt::format("'{}' is not an IPv4 address or a host name", host));
    }
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    bad(text, fmt::format("'{}' is not a port (0..65535)", port_text));
  }
  if (port == 0 && !allow_any_port) bad(text, "port 0 is not a port one can send to");
  return Address{std::string(host), static_cast<std::uint16_t>(port)};
}

std::string to_string(const Address& a) {
  return a.host.find(':') != std::string::npos ? fmt::format("[{}]:{}", a.host, a.port)
                                                : fmt::format("{}:{}", a.host, a.port);
}

}  // namespace distlab::udp
