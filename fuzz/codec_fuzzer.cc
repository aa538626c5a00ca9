// libFuzzer target: every datagram the UDP runtime may receive goes through these
// decoders: the frame, the seed's text heartbeat, and every registered algorithm's
// messages (algo/registry.h). None may crash, read outside its input, or accept
// something it cannot give back: a decoded frame re-encodes to the very same bytes.
//
//   make fuzz                      # FUZZ_SECONDS=60 by default
//   build-fuzz/fuzz/codec_fuzzer -max_total_time=600 fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include <tuple>

#include "distlab/algo/registry.h"
#include "distlab/runtime/udp/codec.h"

namespace {

// A payload that decodes as an M must encode back to exactly those bytes.
template <class M>
void decodes_canonically(std::uint8_t type, std::span<const std::byte> payload) {
  if (auto m = wire_decode(std::type_identity<M>{}, type, payload)) {
    std::vector<std::byte> again;
    if (wire_encode(*m, again) != type) std::abort();
    if (!std::equal(again.begin(), again.end(), payload.begin(), payload.end())) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distlab;
  const std::span<const std::byte> datagram(reinterpret_cast<const std::byte*>(data), size);
  const udp::DecodeResult r = udp::decode_frame(datagram);
  if (r.frame) {
    std::vector<std::byte> again;
    udp::encode_frame(r.frame->header, r.frame->payload, again);
    if (again.size() != datagram.size() || !std::equal(again.begin(), again.end(), datagram.begin())) std::abort();
    // Every node's decoder: each registered algorithm's messages.
    const std::uint8_t type = r.frame->header.type;
    algorithms::for_each([&]<class D>() {
      [&]<class... M>(std::type_identity<std::tuple<M...>>) {
        (decodes_canonically<M>(type, r.frame->payload), ...);
      }(std::type_identity<typename D::WireMessages>{});
    });
  } else if (r.error == udp::DecodeError::none) {
    std::abort();  // no frame must come with a reason
  }
  if (auto id = udp::parse_text_heartbeat(datagram)) {
    const std::string text = udp::text_heartbeat(*id);
    if (text.size() > datagram.size()) std::abort();
  }
  return 0;
}
