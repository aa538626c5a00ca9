// The wire codec: a bully message and a Lamport message with a vector clock, framed
// and decoded again, as a real node does per datagram.
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter=Codec
#include <benchmark/benchmark.h>

#include "distlab/algo/bully/bully.h"
#include "distlab/algo/lamport/lamport.h"
#include "distlab/runtime/udp/codec.h"

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

}  // namespace
}  // namespace distlab::udp
