// Host: the operating-system side of one real node, and the only place Asio lives.
//
// One single-threaded Asio loop owns one UDP socket, the node's timers, its scheduled
// actions and its SIGINT/SIGTERM handling. Datagrams are read in batches (recvmmsg)
// when the socket is readable, and handed over one by one with the time their batch
// was read. Everything above (UdpNode, the harness's real runs, the heartbeat monitor)
// is written against this interface, so Asio is parsed in one translation unit.
//
//   Host host({.bind = parse_address("127.0.0.1:5000"), .peers = {{2, parse_address("127.0.0.1:5001")}}});
//   host.read([](std::span<const std::byte> datagram, bool truncated, Nanos at_ns, const Source& from) { ... });
//   host.set_timer(0, 100 * kMillisecond, [] { ... });
//   host.on_interrupt([&] { host.close(); host.stop(); });
//   host.run();
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "distlab/core/types.h"
#include "distlab/runtime/udp/address.h"

namespace distlab::udp {

struct HostCounters {
  std::uint64_t received = 0;  // datagrams read
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t wakeups = 0;  // times the socket was found readable
  std::uint64_t batches = 0;  // recvmmsg calls that returned datagrams
};

// Where a datagram came from, in a compact form that compares without allocating or
// resolving anything: an IPv4 address (or an IPv4-mapped IPv6 one) is kept as IPv4.
struct Source {
  std::array<std::uint8_t, 16> ip{};  // IPv4: the first 4 bytes
  std::uint16_t port = 0;             // host order
  std::uint8_t family = 0;            // 4 or 6; 0: unknown
  friend bool operator==(const Source&, const Source&) = default;
};
std::string to_string(const Source& source);

// Asks for a receive buffer this large, so that bursts are not lost in the kernel.
inline constexpr int kReceiveBufferBytes = 32 << 20;
// Datagrams read per recvmmsg call, and at most per wake-up before timers get a turn.
inline constexpr unsigned kBatch = 64;
inline constexpr unsigned kMaxPerWakeup = 4096;

class Host {
 public:
  struct Options {
    Address bind;                     // port 0: the system picks one
    std::map<NodeId, Address> peers;  // where sends to each node go
    // Time zero of the run (now() counts from it), shared by every process of a
    // launch; default: when the host was made.
    std::optional<std::chrono::steady_clock::time_point> epoch;
    // Set: called once the socket is bound, and its answer is time zero instead (a
    // launch's processes are told it only when all of them listen: harness/real/start.h).
    std::function<std::chrono::steady_clock::time_point()> epoch_once_bound;
  };
  // A datagram, the run time its batch was read and its source address. `truncated`:
  // it was longer than any frame (kMaxDatagram), and `datagram` holds only its beginning.
  using OnDatagram =
      std::function<void(std::span<const std::byte> datagram, bool truncated, Nanos at_ns, const Source& from)>;

  // Resolves the addresses (InputError) and binds the socket: a busy port is a
  // RuntimeFailure (exit 3) naming the address.
  explicit Host(Options options);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  Nanos now() const;  // run time: since the epoch
  Address local_address() const;

  // Starts reading: on_datagram is called on the loop for every datagram.
  void read(OnDatagram on_datagram);
  // Sends one datagram to a peer; false if the system refused it (UDP promises nothing).
  bool send(NodeId to, std::span<const std::byte> datagram);
  // The address a peer's datagrams come from, as resolved once when the host was made
  // (Options::peers); nullopt for a node with no address.
  std::optional<Source> source_of(NodeId peer) const;

  // Timer `slot` fires `fire` after `after_ns`, replacing what the slot held before.
  void set_timer(std::size_t slot, Nanos after_ns, std::function<void()> fire);
  void cancel_timer(std::size_t slot);
  // Runs `action` at run time `at_ns` (at once if that is past).
  void at(Nanos at_ns, std::function<void()> action);
  // Runs `action` on the loop, after what is running now.
  void post(std::function<void()> action);
  // Runs `action` on the loop when the process gets SIGINT or SIGTERM.
  void on_interrupt(std::function<void()> action);

  // Stops reading and cancels every timer and pending action; the loop then runs
  // out of work unless stop() ends it first.
  void close();
  void run();   // the loop, until it runs out of work or stop()
  void stop();  // run() returns

  const HostCounters& counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace distlab::udp
