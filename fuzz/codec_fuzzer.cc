// libFuzzer target: every datagram the UDP runtime may receive goes through these
// decoders. None may crash, read outside its input, or accept something it cannot
// give back: a decoded frame re-encodes to the very same bytes.
//
//   make fuzz                      # FUZZ_SECONDS=60 by default
//   build-fuzz/fuzz/codec_fuzzer -max_total_time=600 fuzz/corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "algo/detect/heartbeat.h"
#include "runtime/udp/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distlab;
  const std::span<const std::byte> datagram(reinterpret_cast<const std::byte*>(data), size);
  const udp::DecodeResult r = udp::decode_frame(datagram);
  if (r.frame) {
    std::vector<std::byte> again;
    udp::encode_frame(r.frame->header, r.frame->payload, again);
    if (again.size() != datagram.size() || !std::equal(again.begin(), again.end(), datagram.begin())) std::abort();
    if (auto h = wire_decode(std::type_identity<detect::Heartbeat>{}, r.frame->header.type, r.frame->payload)) {
      std::vector<std::byte> payload;
      wire_encode(*h, payload);
      if (!std::equal(payload.begin(), payload.end(), r.frame->payload.begin(), r.frame->payload.end())) std::abort();
    }
  } else if (r.error == udp::DecodeError::none) {
    std::abort();  // no frame must come with a reason
  }
  if (auto id = udp::parse_text_heartbeat(datagram)) {
    const std::string text = udp::text_heartbeat(*id);
    if (text.size() > datagram.size()) std::abort();
  }
  return 0;
}
