// Runs one node of an algorithm as a real process over UDP.
//
// One single-threaded Asio loop owns one socket; the algorithm's handlers run on it,
// through the same Context as in the simulator: the clock is the process's steady
// clock, timers are steady_timers, and sends become frames (runtime/udp/codec.h).
// Datagrams are read in batches (recvmmsg) when the socket is readable. Anything
// malformed, truncated, oversized or of an unknown type is counted and dropped,
// never a crash or a stall; a summary line goes to stderr at most once a second.
//
//   asio::io_context io;
//   UdpNode<Monitor> node(io, Monitor(options), {.self = 0, .bind = parse_address("127.0.0.1:5000")});
//   node.start();
//   io.run();
//
// The message type provides `std::uint8_t wire_encode(const M&, std::vector<std::byte>&)`
// and `std::optional<M> wire_decode(std::type_identity<M>, std::uint8_t, span)`.
#pragma once

#include <fmt/format.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "distlab/core/context.h"
#include "distlab/core/driver.h"
#include "distlab/core/error.h"
#include "distlab/runtime/udp/address.h"
#include "distlab/runtime/udp/codec.h"

namespace distlab::udp {

template <class M>
concept WireMessage = requires(const M& m, std::vector<std::byte>& out, std::uint8_t type,
                               std::span<const std::byte> in) {
  { wire_encode(m, out) } -> std::convertible_to<std::uint8_t>;
  { wire_decode(std::type_identity<M>{}, type, in) } -> std::convertible_to<std::optional<M>>;
};

struct UdpCounters {
  std::uint64_t received = 0;    // datagrams read
  std::uint64_t delivered = 0;   // handed to the algorithm
  std::uint64_t malformed = 0;   // dropped: not a valid frame or message
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t wakeups = 0;  // times the socket was found readable
  std::uint64_t batches = 0;  // recvmmsg calls that returned datagrams
};

// Asks for a receive buffer this large, so that bursts are not lost in the kernel.
inline constexpr int kReceiveBufferBytes = 32 << 20;
// Datagrams read per recvmmsg call, and at most per wake-up before timers get a turn.
inline constexpr unsigned kBatch = 64;
inline constexpr unsigned kMaxPerWakeup = 4096;
// Message numbers given to the seed's text datagrams, which have none.
inline constexpr std::uint64_t kTextSeqBit = std::uint64_t{1} << 63;

template <class Algo>
class UdpNode {
 public:
  using Message = typename Algo::Message;
  static_assert(WireMessage<Message>, "the algorithm's messages need a wire codec");

  struct Options {
    NodeId self = 0;
    Address bind;                      // port 0: the system picks one
    std::map<NodeId, Address> peers;   // where messages to each node go
    std::vector<NodeId> nodes;         // ctx.nodes(); sorted
    // Only the nodes of `nodes` may send: a datagram claiming any other sender is
    // dropped as malformed (a cluster run). Off for a monitor that takes all comers.
    bool closed_membership = false;
    std::uint64_t seed = 0;
    EventSink* sink = nullptr;
    // The seed's "Heartbeat from Node <id>" datagrams, turned into a message from
    // that node; null to treat them as malformed.
    std::function<std::optional<std::pair<NodeId, Message>>(std::span<const std::byte>)> text_decoder;
    // Replaces the frame encoding of outgoing messages (the seed's text heartbeat).
    std::function<std::string(const Message&)> text_encoder;
    // Time zero of the run, shared by every process of a launch (the steady clock is
    // one clock for all processes of a host); default: when this node was made.
    std::optional<std::chrono::steady_clock::time_point> epoch;
    // The first message number is first_seq + 1: a restarted process starts past the
    // numbers its previous incarnation used, so message ids stay unique.
    std::uint64_t first_seq = 0;
    // Called after every handler, with the node (to keep its durable state on disk).
    std::function<void(const Algo&)> on_settled;
  };

  using Action = std::function<void(Algo&, Context<Message>&)>;

  // Binds the socket: a busy port is a RuntimeFailure (exit 3) naming the address.
  UdpNode(asio::io_context& io, Algo algo, Options options)
      : io_(io),
        socket_(io),
        options_(std::move(options)),
        driver_(std::move(algo), {.self = options_.self,
                                  .nodes = options_.nodes,
                                  .seed = options_.seed,
                                  .first_seq = options_.first_seq,
                                  .sink = options_.sink}),
        start_(options_.epoch.value_or(std::chrono::steady_clock::now())) {
    const asio::ip::udp::endpoint local = resolve(options_.bind);
    asio::error_code ec;
    socket_.open(local.protocol(), ec);
    if (!ec) socket_.bind(local, ec);
    if (ec) {
      throw RuntimeFailure(fmt::format("cannot listen on {}: {}", to_string(options_.bind), ec.message()));
    }
    socket_.non_blocking(true);
    const int size = kReceiveBufferBytes;
    // As root, SO_RCVBUFFORCE passes the system's limit; otherwise ask what it allows.
    if (setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
      setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    for (const auto& [id, address] : options_.peers) endpoints_[id] = resolve(address);
    for (std::size_t i = 0; i < Algo::kTimerTags; ++i) timers_.emplace_back(io_);
    generations_.assign(Algo::kTimerTags, 0);
    receive_buffers_.resize(kBatch);
  }

  // Calls on_start (or, for a restarted process, on_recover after tracing the
  // recovery) on the loop, and starts reading.
  void start(bool recovering = false) {
    asio::post(io_, [this, recovering] { settle(recovering ? driver_.recover(now()) : driver_.start(now())); });
    wait_readable();
  }

  // Runs `action` on the node at `at_ns` (run time, from the epoch): an outside
  // stimulus of the scenario. Times already past are skipped.
  void schedule(Nanos at_ns, Action action) {
    if (at_ns < now()) return;
    auto timer = std::make_unique<asio::steady_timer>(io_, start_ + std::chrono::nanoseconds(at_ns));
    timer->async_wait([this, action = std::move(action)](const asio::error_code& ec) {
      if (ec) return;
      settle(driver_.act(now(), action));
    });
    scheduled_.push_back(std::move(timer));
  }

  // Runs `action` now, on the loop's thread (call from a handler, or before run()).
  void act_now(const Action& action) { settle(driver_.act(now(), action)); }

  // Stops reading and cancels the timers; the loop then runs out of work.
  void stop() {
    asio::error_code ignored;
    socket_.close(ignored);
    for (auto& t : timers_) t.cancel();
    for (auto& t : scheduled_) t->cancel();
  }

  Algo& algo() { return driver_.node(); }
  const UdpCounters& counters() const { return counters_; }
  Nanos now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
  }
  Address local_address() const {
    const auto ep = socket_.local_endpoint();
    return Address{ep.address().to_string(), ep.port()};
  }

 private:
  asio::ip::udp::endpoint resolve(const Address& address) {
    asio::error_code ec;
    const auto ip = asio::ip::make_address(address.host, ec);
    if (!ec) return {ip, address.port};
    asio::ip::udp::resolver resolver(io_);
    const auto results = resolver.resolve(asio::ip::udp::v4(), address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      throw InputError(fmt::format("cannot resolve '{}': {}", address.host, ec ? ec.message() : "no address"));
    }
    return *results.begin();
  }

  void wait_readable() {
    socket_.async_wait(asio::ip::udp::socket::wait_read, [this](const asio::error_code& ec) {
      if (ec) return;  // closed
      ++counters_.wakeups;
      drain();
      wait_readable();
    });
  }

  // Reads what is there, in batches, up to kMaxPerWakeup datagrams.
  void drain() {
    std::array<mmsghdr, kBatch> headers{};
    std::array<iovec, kBatch> iov{};
    for (unsigned i = 0; i < kBatch; ++i) {
      iov[i] = {receive_buffers_[i].data(), receive_buffers_[i].size()};
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    for (unsigned total = 0; total < kMaxPerWakeup;) {
      const int n = recvmmsg(socket_.native_handle(), headers.data(), kBatch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
      if (n <= 0) return;  // EAGAIN: drained
      ++counters_.batches;
      batch_ns_ = now();  // one clock reading for the whole batch: they arrived together
      for (int i = 0; i < n; ++i) {
        const std::size_t length = headers[i].msg_len;  // with MSG_TRUNC: the real size
        ++counters_.received;
        if (length > receive_buffers_[i].size()) {
          malformed(DecodeError::too_long);
        } else {
          handle(std::span<const std::byte>(receive_buffers_[i].data(), length));
        }
      }
      total += static_cast<unsigned>(n);
    }
  }

  void handle(std::span<const std::byte> datagram) {
    const DecodeResult r = decode_frame(datagram);
    if (r.frame && r.frame->header.sender == options_.self) return malformed(DecodeError::own_id);
    if (r.frame && !member(r.frame->header.sender)) return malformed(DecodeError::unknown_sender);
    if (r.frame) {
      std::optional<Message> m = wire_decode(std::type_identity<Message>{}, r.frame->header.type, r.frame->payload);
      if (!m) return malformed(DecodeError::bad_type);
      deliver(MsgId{r.frame->header.sender, r.frame->header.seq}, r.frame->header.sender, *m);
      return;
    }
    if (options_.text_decoder) {
      if (auto text = options_.text_decoder(datagram)) {
        if (text->first == options_.self) return malformed(DecodeError::own_id);
        if (!member(text->first)) return malformed(DecodeError::unknown_sender);
        // Text carries no message number: count them apart from framed ones (top bit).
        deliver(MsgId{text->first, kTextSeqBit | ++text_seq_[text->first]}, text->first, text->second);
        return;
      }
    }
    malformed(r.error);
  }

  bool member(NodeId sender) const {
    return !options_.closed_membership ||
           std::binary_search(options_.nodes.begin(), options_.nodes.end(), sender);
  }

  void deliver(MsgId id, NodeId from, const Message& m) {
    ++counters_.delivered;
    settle(driver_.deliver(batch_ns_, from, id, m));
  }

  void malformed(DecodeError why) {
    ++counters_.malformed;
    ++malformed_since_report_;
    last_error_ = why;
    const Nanos t = now();
    if (t - last_report_ns_ < kSecond) return;  // rate-limited: one line a second at most
    fmt::print(stderr, "distlab: ignored {} malformed datagram{} (last: {})\n", malformed_since_report_,
               malformed_since_report_ == 1 ? "" : "s", to_string(last_error_));
    malformed_since_report_ = 0;
    last_report_ns_ = t;
  }

  // Carries out what the node asked for in one step.
  void settle(typename Driver<Algo>::Ready ready) {
    for (auto& out : ready.sends) send(out);
    for (const TimerOp& op : ready.timers) {
      const std::uint64_t generation = ++generations_[op.tag];
      auto& timer = timers_[op.tag];
      timer.cancel();
      if (op.cancel) continue;
      timer.expires_after(std::chrono::nanoseconds(op.after_ns));
      timer.async_wait([this, tag = op.tag, generation](const asio::error_code& ec) {
        if (ec || generation != generations_[tag]) return;
        settle(driver_.fire(now(), tag));
      });
    }
    driver_.advance();
    if (options_.on_settled) options_.on_settled(driver_.node());
  }

  void send(typename Context<Message>::Outgoing& out) {
    auto endpoint = endpoints_.find(out.to);
    DISTLAB_ASSERT(endpoint != endpoints_.end(), "a message to a node with no address");
    send_buffer_.clear();
    std::string text;
    asio::error_code ec;
    if (options_.text_encoder) {
      text = options_.text_encoder(out.message);
      socket_.send_to(asio::buffer(text), endpoint->second, 0, ec);
    } else {
      payload_.clear();
      const std::uint8_t type = wire_encode(out.message, payload_);
      encode_frame({.type = type, .sender = options_.self, .seq = out.id.seq}, payload_, send_buffer_);
      socket_.send_to(asio::buffer(send_buffer_), endpoint->second, 0, ec);
    }
    if (ec) {
      ++counters_.send_errors;  // e.g. no route: UDP promises nothing
    } else {
      ++counters_.sent;
    }
  }

  asio::io_context& io_;
  asio::ip::udp::socket socket_;
  Options options_;
  Driver<Algo> driver_;  // the node, stepped one input at a time
  std::chrono::steady_clock::time_point start_;
  std::vector<std::unique_ptr<asio::steady_timer>> scheduled_;
  std::vector<asio::steady_timer> timers_;
  std::vector<std::uint64_t> generations_;
  std::map<NodeId, asio::ip::udp::endpoint> endpoints_;
  std::vector<std::array<std::byte, kMaxDatagram + 1>> receive_buffers_;
  std::vector<std::byte> send_buffer_;
  std::vector<std::byte> payload_;
  std::unordered_map<NodeId, std::uint64_t> text_seq_;  // lookup only
  UdpCounters counters_;
  Nanos batch_ns_ = 0;  // when the batch being handled was read
  std::uint64_t malformed_since_report_ = 0;
  DecodeError last_error_ = DecodeError::none;
  Nanos last_report_ns_ = -kSecond;
};

}  // namespace distlab::udp
