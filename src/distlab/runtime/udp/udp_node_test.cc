#include "distlab/runtime/udp/udp_node.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "distlab/algo/lamport/lamport.h"

namespace distlab::udp {
namespace {

// A peer that only listens: a plain UDP socket on loopback.
class Listener {
 public:
  Listener() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n), 0);
    port_ = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd_); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  std::uint16_t port() const { return port_; }
  // Whether a datagram is waiting, within `timeout_ms`.
  bool has_datagram(int timeout_ms = 0) const {
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, timeout_ms) == 1;
  }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

// A real node keeps its durable state (on_settled) before the step's messages leave:
// killed between the two, its next life must not reuse a Lamport time a message
// already carried (seen as a clock-condition failure of `launch ricart --kill`).
TEST(UdpNodeTest, TheDurableStateIsKeptBeforeTheStepsMessagesLeave) {
  using lamport::AppMessage;
  using lamport::LamportNode;
  Listener peer;
  UdpNode<LamportNode>::Options options;
  options.self = 1;
  options.bind = {"127.0.0.1", 0};
  options.peers[2] = {"127.0.0.1", peer.port()};
  options.nodes = {1, 2};
  int settled = 0;
  bool sent_before_kept = false;
  options.on_settled = [&](const LamportNode&) {
    ++settled;
    sent_before_kept = sent_before_kept || peer.has_datagram();
  };
  UdpNode<LamportNode> node(LamportNode(1, {}), options);
  node.act_now(
      [](LamportNode&, Context<AppMessage>& ctx) { ctx.send(2, AppMessage{.lamport = 1, .vc = {}}); });
  EXPECT_EQ(settled, 1);
  EXPECT_FALSE(sent_before_kept);
  EXPECT_TRUE(peer.has_datagram(2000));  // and then the message left
}

}  // namespace
}  // namespace distlab::udp
