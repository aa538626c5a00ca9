// The wire codec: a bully message and a Lamport message with a vector clock, framed
// and decoded again, as a real node does per datagram; and sealing and opening a frame
// with a cluster key (seal.h), for a heartbeat-sized payload and a 1 KiB one.
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter='Codec|Seal|Open'
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "distlab/algo/bully/bully.h"
#include "distlab/algo/lamport/lamport.h"
#include "distlab/runtime/udp/codec.h"
#include "distlab/runtime/udp/seal.h"

namespace distlab::udp {
namespace {

template <class M>
void encode_decode(benchmark::State& state, const M& message) {
  std::vector<std::byte> payload;
  std::vector<std::byte> datagram;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    payload.clear();
    datagram.clear();
    const std::uint8_t type = wire_encode(message, payload);
    encode_frame({.type = type, .sender = 3, .seq = ++seq}, payload, datagram);
    const DecodeResult r = decode_frame(datagram);
    auto decoded = wire_decode(std::type_identity<M>{}, r.frame->header.type, r.frame->payload);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_CodecBullyElection(benchmark::State& state) { encode_decode(state, bully::Message{bully::Election{}}); }
BENCHMARK(BM_CodecBullyElection);

void BM_CodecLamportWithVectorClock(benchmark::State& state) {
  VectorClock vc(1);
  for (NodeId id = 1; id <= static_cast<NodeId>(state.range(0)); ++id) vc.set(id, id * 7);
  encode_decode(state, lamport::AppMessage{.lamport = 42, .vc = vc});
}
BENCHMARK(BM_CodecLamportWithVectorClock)->Arg(8)->Arg(64);

std::shared_ptr<const Keyring> bench_keyring() {
  return std::make_shared<const Keyring>(
      Keyring::parse("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "bench.key"));
}

// Sealing one frame of state.range(0) bytes of payload.
void BM_Seal(benchmark::State& state) {
  Sealer sealer({.cluster = "bench", .self = 1, .epoch = 1, .keyring = bench_keyring()});
  const std::vector<std::byte> payload(static_cast<std::size_t>(state.range(0)), std::byte{7});
  std::vector<std::byte> datagram;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    datagram.clear();
    sealer.seal({.type = 1, .sender = 1, .seq = ++seq}, 2, payload, datagram);
    benchmark::DoNotOptimize(datagram.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Seal)->Arg(24)->Arg(1024);

// Opening one frame of state.range(0) bytes of payload: the tag check, decryption and
// the replay window. Frames are sealed ahead in batches (each opens once).
void BM_Open(benchmark::State& state) {
  const auto ring = bench_keyring();
  Sealer sealer({.cluster = "bench", .self = 1, .epoch = 1, .keyring = ring});
  Opener opener({.cluster = "bench", .self = 2, .keyring = ring});
  const std::vector<std::byte> payload(static_cast<std::size_t>(state.range(0)), std::byte{7});
  constexpr std::size_t kBatch = 1024;
  std::vector<std::vector<std::byte>> frames(kBatch);
  std::size_t next = kBatch;
  std::uint64_t seq = 0;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      for (auto& frame : frames) {
        frame.clear();
        sealer.seal({.type = 1, .sender = 1, .seq = ++seq}, 2, payload, frame);
      }
      next = 0;
      state.ResumeTiming();
    }
    const OpenResult r = opener.open(frames[next++]);
    if (!r.frame) state.SkipWithError("a frame did not open");
    benchmark::DoNotOptimize(r.frame);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Open)->Arg(24)->Arg(1024);

}  // namespace
}  // namespace distlab::udp
