// The trace reader on an object with many keys: a state event's data and a vector
// clock, each with `keys` keys (the vector clock's in descending order). Reading was
// quadratic in the keys (200,000 took 20 s); the time per key must stay flat from
// 10,000 keys to the bound (kMaxObjectKeys).
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter=ReadTraceManyKeys
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <sstream>
#include <string>

#include "distlab/trace/jsonl_reader.h"

namespace distlab::trace {
namespace {

std::string keyed_object(std::size_t keys, bool descending) {
  std::string text = "{";
  for (std::size_t i = 0; i < keys; ++i) {
    const std::size_t k = descending ? keys - i : i + 1;
    text += fmt::format("{}\"{}\":{}", i == 0 ? "" : ",", k, k);
  }
  return text + "}";
}

void BM_ReadTraceManyKeys(benchmark::State& state) {
  const auto keys = static_cast<std::size_t>(state.range(0));
  const std::string text =
      std::string(R"({"format":"distlab-trace","version":1,"algorithm":"lamport","mode":"sim","seed":7,)"
                  R"("nodes":[1,2],"time_unit":"ns"})") +
      "\n" + R"({"t":0,"node":1,"kind":"state","data":)" + keyed_object(keys, false) + "}\n" +
      R"({"t":1,"node":1,"kind":"local","vc":)" + keyed_object(keys, true) + "}\n";
  for (auto _ : state) {
    std::istringstream in(text);
    benchmark::DoNotOptimize(read_trace(in, "bench.jsonl"));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(2 * keys));
}
BENCHMARK(BM_ReadTraceManyKeys)->Arg(10'000)->Arg(kMaxObjectKeys)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace distlab::trace
