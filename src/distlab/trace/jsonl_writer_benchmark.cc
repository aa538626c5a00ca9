// The trace writer: one send event (with a Lamport time) formatted and buffered; the
// file is /dev/null-like (a temporary file, committed and removed at the end).
//
//   build-bench/bench/distlab_benchmarks --benchmark_filter=Jsonl
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>

#include "distlab/trace/jsonl_writer.h"

namespace distlab::trace {
namespace {

void BM_JsonlWriterSendEvent(benchmark::State& state) {
  const auto path = std::filesystem::temp_directory_path() / "distlab_jsonl_benchmark.jsonl";
  {
    JsonlWriter writer(path.string(), Header{.algorithm = "storm", .mode = "sim", .seed = 1, .nodes = {1, 2}});
    Event e;
    e.kind = EventKind::send;
    e.node = 1;
    e.peer = 2;
    e.type = "token";
    std::uint64_t n = 0;
    for (auto _ : state) {
      e.t = static_cast<Nanos>(n) * 1000;
      e.msg = MsgId{1, ++n};
      e.stamp.lamport = static_cast<std::int64_t>(n);
      writer.on_event(e);
    }
    writer.commit();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(std::filesystem::file_size(path)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  std::filesystem::remove(path);
}
BENCHMARK(BM_JsonlWriterSendEvent);

}  // namespace
}  // namespace distlab::trace
