#include "distlab/harness/real/start.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "distlab/core/error.h"

namespace distlab::harness {
namespace {

// Writes all of `text`; false on an error (a closed peer: EPIPE, not SIGPIPE).
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::chrono::steady_clock::time_point steady_time_of(std::int64_t unix_ms) {
  const auto system_now = std::chrono::system_clock::now();
  const auto steady_now = std::chrono::steady_clock::now();
  const auto at = std::chrono::system_clock::time_point(std::chrono::milliseconds(unix_ms));
  return steady_now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(at - system_now);
}

std::chrono::steady_clock::time_point await_time_zero(int fd) {
  if (!write_all(fd, kListening)) {
    throw RuntimeFailure(
        fmt::format("--wait-start: cannot say it listens on standard input: {}", std::strerror(errno)));
  }
  // One line: at most 19 digits and a newline, read a byte at a time so that nothing
  // past it is taken from the stream.
  std::string line;
  for (;;) {
    char c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw RuntimeFailure("--wait-start: standard input ended before it gave time zero");
    if (c == '\n') break;
    line.push_back(c);
    if (line.size() > 19)
      throw RuntimeFailure("--wait-start: standard input gave no time zero (a line too long)");
  }
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), ms);
  if (ec != std::errc() || end != line.data() + line.size() || line.empty() || ms <= 0) {
    throw RuntimeFailure(
        fmt::format("--wait-start: '{}' on standard input is not a Unix time in milliseconds", line));
  }
  return steady_time_of(ms);
}

Listening poll_listening(int fd) {
  char buffer[kListening.size()];
  // Peeks until the whole line is there, then takes it: a node writes it at once,
  // but a stream may bring it in parts.
  const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? Listening::not_yet : Listening::ended;
  if (n == 0) return Listening::ended;
  const std::string_view got(buffer, static_cast<std::size_t>(n));
  if (!kListening.starts_with(got)) return Listening::garbled;
  if (got.size() < kListening.size()) return Listening::not_yet;
  (void)::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
  return Listening::yes;
}

bool send_time_zero(int fd, std::int64_t unix_ms) { return write_all(fd, fmt::format("{}\n", unix_ms)); }

}  // namespace distlab::harness
