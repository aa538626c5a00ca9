// Reads a JSONL trace, version 1, and validates it line by line.
//
// Anything that is not a well-formed v1 trace (missing or empty file, bad JSON, an
// unknown version or kind, a missing field, time going back at a node) is reported
// as an InputError naming the file and line; the caller exits 2.
//
//   Trace trace = read_trace_file("run.jsonl");
#pragma once

#include <istream>
#include <string>

#include "distlab/trace/trace.h"

namespace distlab::trace {

// Longest accepted line; longer lines are reported, not read into memory whole.
inline constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;

Trace read_trace(std::istream& in, const std::string& name);
Trace read_trace_file(const std::string& path);

}  // namespace distlab::trace
