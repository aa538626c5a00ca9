// Uses the installed clocks, the algorithms' registry and the wire codec of the
// real runtime: exits 0 only if they behave.
#include "distlab/clock/lamport_clock.h"
#include "distlab/clock/vector_clock.h"
#include "distlab/algo/registry.h"
#include "distlab/runtime/udp/codec.h"

#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
  distlab::LamportClock a;
  distlab::LamportClock b;
  a.tick();
  const auto stamp = a.send();
  b.receive(stamp);
  distlab::VectorClock va(1);
  distlab::VectorClock vb(2);
  const distlab::VectorClock m = va.send();
  vb.receive(m);
  distlab::VectorClock vc(3);
  vc.tick();
  const bool ok = b.time() == 3 && distlab::compare(m, vb) == distlab::Order::before &&
                  distlab::compare(vb, vc) == distlab::Order::concurrent;
  std::puts(ok ? "consumer: clocks ok" : "consumer: clocks WRONG");

  const auto names = distlab::algorithms::names();
  const bool registry_ok = std::find(names.begin(), names.end(), "ricart") != names.end();
  std::printf("consumer: %zu algorithms registered\n", names.size());

  std::vector<std::byte> frame;
  const std::vector<std::byte> payload{std::byte{1}, std::byte{2}};
  distlab::udp::encode_frame({.type = 40, .sender = 3, .seq = 9}, payload, frame);
  const distlab::udp::DecodeResult decoded = distlab::udp::decode_frame(frame);
  const bool udp_ok = decoded.frame && decoded.frame->header.sender == 3 && decoded.frame->payload.size() == 2;
  std::puts(udp_ok ? "consumer: frames ok" : "consumer: frames WRONG");
  return ok && registry_ok && udp_ok ? 0 : 1;
}
