// libFuzzer target: the sealed-frame decoder (runtime/udp/seal.h) with a fixed cluster
// key. The first byte of an input picks what the rest is:
//   0  one raw datagram for the Opener (none may crash or read outside its bytes);
//   1  a valid sealed frame, built from the input, with one mutation applied: the
//      untouched frame must open to exactly what was sealed, a changed one never;
//   2  a script of frames from three senders over restarts, replays and reorders, on
//      one Opener: past the tag check, no frame may ever be accepted twice nor one
//      from an earlier epoch of its sender than one already accepted.
//
//   make fuzz                       # each target for FUZZ_SECONDS
//   build-fuzz/fuzz/sealed_fuzzer -max_total_time=600 fuzz/corpus-sealed
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <tuple>
#include <vector>

#include "distlab/core/bytes.h"
#include "distlab/runtime/udp/seal.h"

namespace {

using namespace distlab;
using namespace distlab::udp;

constexpr NodeId kReceiver = 2;
// Steps of one script: keeps an input fast.
constexpr int kMaxScriptSteps = 64;

const std::shared_ptr<const Keyring>& fuzz_ring() {
  static const auto ring = std::make_shared<const Keyring>(Keyring::parse(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
      "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff\n",
      "fuzz.key"));
  return ring;
}

Opener fresh_opener(std::size_t max_senders) {
  return Opener({.cluster = "fuzz", .self = kReceiver, .keyring = fuzz_ring(), .max_senders = max_senders});
}

// The input, read front to back; zeros once it runs out.
struct Reader {
  std::span<const std::byte> in;
  std::uint8_t byte() {
    if (in.empty()) return 0;
    const auto b = std::to_integer<std::uint8_t>(in.front());
    in = in.subspan(1);
    return b;
  }
  std::uint64_t number(int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= std::uint64_t{byte()} << (8 * i);
    return value;
  }
  std::span<const std::byte> take(std::size_t n) {
    const auto part = in.first(std::min(n, in.size()));
    in = in.subspan(part.size());
    return part;
  }
};

// Every result says either what it opened or why not, and nothing more.
void check_consistent(const OpenResult& r) {
  if (r.frame.has_value() != (r.error == DecodeError::none)) std::abort();
  if (r.frame && r.frame->payload.size() > kMaxSealedPayload) std::abort();
}

void raw_datagram(std::span<const std::byte> datagram) {
  Opener opener = fresh_opener(4);
  check_consistent(opener.open(datagram));
  check_consistent(opener.open(datagram));  // the same again: replayed, or rejected as before
}

void mutated_frame(Reader input) {
  const std::uint8_t type = std::max<std::uint8_t>(input.byte(), 1);
  const auto sender = static_cast<NodeId>(input.number(1) % 4 + 1);
  const std::uint64_t seq = input.number(8);
  const std::uint64_t epoch = input.number(8);
  const std::uint64_t counter = input.number(8) >> 1;  // the Sealer refuses to wrap at 2^64
  const std::size_t position = input.number(2);
  const std::uint8_t flip = input.byte();
  const bool truncate = (input.byte() & 1) != 0;
  const auto payload = input.take(kMaxSealedPayload);

  Sealer sealer({.cluster = "fuzz", .self = sender, .epoch = epoch, .keyring = fuzz_ring(), .counter = counter});
  std::vector<std::byte> frame;
  sealer.seal({.type = type, .sender = sender, .seq = seq}, kReceiver, payload, frame);
  std::vector<std::byte> changed = frame;
  if (truncate) {
    changed.resize(position % (frame.size() + 1));
  } else {
    changed[position % frame.size()] ^= std::byte{flip};
  }
  Opener opener = fresh_opener(4);
  const OpenResult r = opener.open(changed);
  check_consistent(r);
  if (changed == frame) {
    if (!r.frame || r.frame->header.type != type || r.frame->header.sender != sender || r.frame->header.seq != seq ||
        r.epoch != epoch || !std::equal(payload.begin(), payload.end(), r.frame->payload.begin(), r.frame->payload.end())) {
      std::abort();  // a good frame must open to what was sealed
    }
  } else if (r.frame) {
    std::abort();  // a changed frame opened
  }
}

void script(Reader input) {
  Opener opener = fresh_opener(2 + input.byte() % 3);
  std::map<NodeId, std::uint64_t> epochs;            // each sender's current start
  std::map<NodeId, std::uint64_t> counters;          // and the frames it sealed in it
  std::map<NodeId, std::unique_ptr<Sealer>> sealers;
  std::vector<std::vector<std::byte>> sent;           // every frame sealed, for replays
  std::set<std::tuple<NodeId, std::uint64_t, std::uint64_t>> accepted;  // sender, epoch, counter
  std::map<NodeId, std::uint64_t> newest_epoch;       // the highest epoch accepted per sender
  for (int step = 0; step < kMaxScriptSteps && !input.in.empty(); ++step) {
    const std::uint8_t op = input.byte();
    const auto sender = static_cast<NodeId>(op % 4 + 1);
    std::vector<std::byte> datagram;
    switch ((op >> 2) % 4) {
      case 0:  // the sender restarts: a later epoch, or (a broken epoch file) the same one
        epochs[sender] += input.byte() % 3;
        counters[sender] = 0;
        sealers.erase(sender);
        [[fallthrough]];
      case 1: {  // the sender seals its next frame, now and then after many it lost
        auto& sealer = sealers[sender];
        const std::uint64_t lost = (op >> 4) == 15 ? input.byte() * std::uint64_t{9} : 0;
        if (!sealer || lost > 0) {
          counters[sender] += lost;
          sealer = std::make_unique<Sealer>(Sealer::Options{
              .cluster = "fuzz", .self = sender, .epoch = epochs[sender], .keyring = fuzz_ring(), .counter = counters[sender]});
        }
        sealer->seal({.type = 1, .sender = sender, .seq = input.number(2)}, kReceiver, input.take(input.byte() % 8),
                     datagram);
        ++counters[sender];
        sent.push_back(datagram);
        break;
      }
      default:  // an attacker replays a frame sealed earlier
        if (sent.empty()) continue;
        datagram = sent[input.number(2) % sent.size()];
        break;
    }
    const OpenResult r = opener.open(datagram);
    check_consistent(r);
    if (!r.frame) continue;
    const NodeId from = r.frame->header.sender;
    const std::uint64_t counter = *get_le(datagram, 32, 8);
    if (!accepted.emplace(from, r.epoch, counter).second) std::abort();  // accepted twice
    auto [newest, first] = newest_epoch.emplace(from, r.epoch);
    if (!first && r.epoch < newest->second) std::abort();  // an earlier start accepted after a later one
    newest->second = std::max(newest->second, r.epoch);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Reader input{std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size)};
  switch (input.byte() % 3) {
    case 0: raw_datagram(input.in); break;
    case 1: mutated_frame(input); break;
    default: script(input); break;
  }
  return 0;
}
