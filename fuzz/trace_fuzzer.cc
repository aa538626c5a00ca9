// libFuzzer target: the one trace reader every command uses (check, render, merge,
// export), for JSONL traces and binary ones (trace/binary_trace.h: an input starting
// with its magic byte; the corpus has both). No input may crash it or make it throw
// anything but InputError, and what it accepts the writer gives back in a form it
// accepts again, unchanged.
//
//   make fuzz                      # FUZZ_SECONDS split between the targets
//   build-fuzz/fuzz/trace_fuzzer -max_total_time=600 fuzz/trace_corpus
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "distlab/core/error.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/jsonl_writer.h"

namespace {

// Small bounds, so the fuzzer reaches them with small inputs.
constexpr distlab::trace::ReadLimits kLimits{.line_bytes = 4096, .depth = 16, .object_keys = 64, .events = 256};

std::string written(const distlab::trace::Trace& trace) {
  std::ostringstream out;
  distlab::trace::write_trace(out, trace);
  return out.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace distlab;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  trace::Trace first;
  try {
    first = trace::read_trace(in, "fuzz", kLimits);
  } catch (const InputError&) {
    return 0;  // refused, as it should be
  }
  const std::string text = written(first);
  std::istringstream again(text);
  try {
    if (written(trace::read_trace(again, "fuzz", kLimits)) != text) std::abort();
  } catch (const InputError&) {
    std::abort();  // the writer wrote what the reader refuses
  }
  return 0;
}
