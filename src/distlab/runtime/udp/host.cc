#include "distlab/runtime/udp/host.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "distlab/core/assert.h"
#include "distlab/core/error.h"
#include "distlab/runtime/udp/codec.h"

namespace distlab::udp {
namespace {

Source source_from(const sockaddr_storage& a) {
  Source s;
  if (a.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(a);
    std::memcpy(s.ip.data(), &in.sin_addr, 4);
    s.port = ntohs(in.sin_port);
    s.family = 4;
  } else if (a.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(a);
    s.port = ntohs(in6.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) {
      std::memcpy(s.ip.data(), in6.sin6_addr.s6_addr + 12, 4);
      s.family = 4;
    } else {
      std::memcpy(s.ip.data(), in6.sin6_addr.s6_addr, 16);
      s.family = 6;
    }
  }
  return s;
}

Source source_from(const asio::ip::udp::endpoint& ep) {
  sockaddr_storage a{};
  std::memcpy(&a, ep.data(), std::min<std::size_t>(ep.size(), sizeof a));
  return source_from(a);
}

}  // namespace

std::string to_string(const Source& s) {
  if (s.family == 4) return fmt::format("{}.{}.{}.{}:{}", s.ip[0], s.ip[1], s.ip[2], s.ip[3], s.port);
  if (s.family == 6) {
    asio::ip::address_v6::bytes_type bytes;
    std::copy(s.ip.begin(), s.ip.end(), bytes.begin());
    return fmt::format("[{}]:{}", asio::ip::address_v6(bytes).to_string(), s.port);
  }
  return "?";
}

struct Host::Impl {
  asio::io_context io;
  asio::ip::udp::socket socket{io};
  std::chrono::steady_clock::time_point start;
  std::map<NodeId, asio::ip::udp::endpoint> endpoints;
  std::vector<std::unique_ptr<asio::steady_timer>> timers;  // by slot
  std::vector<std::uint64_t> generations;                   // by slot: a fired timer set again since is stale
  std::vector<std::unique_ptr<asio::steady_timer>> scheduled;
  std::optional<asio::signal_set> signals;
  std::vector<std::array<std::byte, kMaxDatagram + 1>> buffers = std::vector<std::array<std::byte, kMaxDatagram + 1>>(kBatch);
  std::array<sockaddr_storage, kBatch> names{};
  OnDatagram on_datagram;
  HostCounters counters;

  Nanos now() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  }

  asio::ip::udp::endpoint resolve(const Address& address) {
    asio::error_code ec;
    const auto ip = asio::ip::make_address(address.host, ec);
    if (!ec) return {ip, address.port};
    asio::ip::udp::resolver resolver(io);
    const auto results = resolver.resolve(asio::ip::udp::v4(), address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) {
      throw InputError(fmt::format("cannot resolve '{}': {}", address.host, ec ? ec.message() : "no address"));
    }
    return *results.begin();
  }

  void wait_readable() {
    socket.async_wait(asio::ip::udp::socket::wait_read, [this](const asio::error_code& ec) {
      if (ec) return;  // closed
      ++counters.wakeups;
      drain();
      wait_readable();
    });
  }

  // Reads what is there, in batches, up to kMaxPerWakeup datagrams.
  void drain() {
    std::array<mmsghdr, kBatch> headers{};
    std::array<iovec, kBatch> iov{};
    for (unsigned i = 0; i < kBatch; ++i) {
      iov[i] = {buffers[i].data(), buffers[i].size()};
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
      headers[i].msg_hdr.msg_name = &names[i];
    }
    for (unsigned total = 0; total < kMaxPerWakeup;) {
      for (unsigned i = 0; i < kBatch; ++i) headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      const int n = recvmmsg(socket.native_handle(), headers.data(), kBatch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
      if (n <= 0) return;  // EAGAIN: drained
      ++counters.batches;
      const Nanos at = now();  // one clock reading for the whole batch: they arrived together
      for (int i = 0; i < n; ++i) {
        const std::size_t length = headers[i].msg_len;  // with MSG_TRUNC: the real size
        ++counters.received;
        const bool truncated = length > buffers[i].size();
        on_datagram(std::span<const std::byte>(buffers[i].data(), truncated ? buffers[i].size() : length), truncated,
                    at, source_from(names[i]));
        if (!socket.is_open()) return;  // the node stopped while handling it
      }
      total += static_cast<unsigned>(n);
    }
  }
};

Host::Host(Options options) : impl_(std::make_unique<Impl>()) {
  Impl& h = *impl_;
  h.start = options.epoch.value_or(std::chrono::steady_clock::now());
  const asio::ip::udp::endpoint local = h.resolve(options.bind);
  asio::error_code ec;
  h.socket.open(local.protocol(), ec);
  if (!ec) h.socket.bind(local, ec);
  if (ec) throw RuntimeFailure(fmt::format("cannot listen on {}: {}", to_string(options.bind), ec.message()));
  h.socket.non_blocking(true);
  const int size = kReceiveBufferBytes;
  // As root, SO_RCVBUFFORCE passes the system's limit; otherwise ask what it allows.
  if (setsockopt(h.socket.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
    setsockopt(h.socket.native_handle(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  for (const auto& [id, address] : options.peers) h.endpoints[id] = h.resolve(address);
  if (options.epoch_once_bound) h.start = options.epoch_once_bound();
}

Host::~Host() = default;

Nanos Host::now() const { return impl_->now(); }

Address Host::local_address() const {
  const auto ep = impl_->socket.local_endpoint();
  return Address{ep.address().to_string(), ep.port()};
}

void Host::read(OnDatagram on_datagram) {
  impl_->on_datagram = std::move(on_datagram);
  impl_->wait_readable();
}

bool Host::send(NodeId to, std::span<const std::byte> datagram) {
  auto endpoint = impl_->endpoints.find(to);
  DISTLAB_ASSERT(endpoint != impl_->endpoints.end(), "a message to a node with no address");
  asio::error_code ec;
  impl_->socket.send_to(asio::buffer(datagram.data(), datagram.size()), endpoint->second, 0, ec);
  if (ec) {
    ++impl_->counters.send_errors;  // e.g. no route
    return false;
  }
  ++impl_->counters.sent;
  return true;
}

std::optional<Source> Host::source_of(NodeId peer) const {
  auto endpoint = impl_->endpoints.find(peer);
  if (endpoint == impl_->endpoints.end()) return std::nullopt;
  return source_from(endpoint->second);
}

void Host::set_timer(std::size_t slot, Nanos after_ns, std::function<void()> fire) {
  Impl& h = *impl_;
  while (h.timers.size() <= slot) {
    h.timers.push_back(std::make_unique<asio::steady_timer>(h.io));
    h.generations.push_back(0);
  }
  const std::uint64_t generation = ++h.generations[slot];
  asio::steady_timer& timer = *h.timers[slot];
  timer.cancel();
  timer.expires_after(std::chrono::nanoseconds(after_ns));
  timer.async_wait([&h, slot, generation, fire = std::move(fire)](const asio::error_code& ec) {
    if (ec || generation != h.generations[slot]) return;
    fire();
  });
}

void Host::cancel_timer(std::size_t slot) {
  Impl& h = *impl_;
  if (slot >= h.timers.size()) return;
  ++h.generations[slot];
  h.timers[slot]->cancel();
}

void Host::at(Nanos at_ns, std::function<void()> action) {
  Impl& h = *impl_;
  auto timer = std::make_unique<asio::steady_timer>(h.io, h.start + std::chrono::nanoseconds(at_ns));
  timer->async_wait([action = std::move(action)](const asio::error_code& ec) {
    if (!ec) action();
  });
  h.scheduled.push_back(std::move(timer));
}

void Host::post(std::function<void()> action) { asio::post(impl_->io, std::move(action)); }

void Host::on_interrupt(std::function<void()> action) {
  Impl& h = *impl_;
  h.signals.emplace(h.io, SIGINT, SIGTERM, SIGHUP);
  h.signals->async_wait([action = std::move(action)](const asio::error_code& ec, int) {
    if (!ec) action();
  });
}

void Host::close() {
  Impl& h = *impl_;
  asio::error_code ignored;
  h.socket.close(ignored);
  for (auto& t : h.timers) t->cancel();
  for (auto& t : h.scheduled) t->cancel();
  if (h.signals) h.signals->cancel(ignored);
}

void Host::run() { impl_->io.run(); }

void Host::stop() { impl_->io.stop(); }

const HostCounters& Host::counters() const { return impl_->counters; }

}  // namespace distlab::udp
