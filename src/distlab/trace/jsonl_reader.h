// Reads a JSONL trace, version 1, and validates it line by line: the one reader of
// every command that takes a trace (check, render, merge, export). A binary trace
// (trace/binary_trace.h, told by its first byte) is read as the JSONL lines it stands
// for, with the same checks; its line numbers are those of its JSONL form.
//
// Anything that is not a well-formed v1 trace (missing or empty file, bad JSON, an
// unknown version or kind, a missing field, time going back at a node, a message
// sent twice or received but never sent) is reported as an InputError naming the
// file and line; the caller exits 2. The reader streams, in time linear in its
// input, within the bounds below, so no input can crash it, stall it or make it
// hold more than a line's worth of text beyond the events it keeps.
//
//   Trace trace = read_trace_file("run.jsonl");
#pragma once

#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "distlab/trace/trace.h"

namespace distlab::trace {

// Longest accepted line; a longer line is reported as soon as the limit is passed,
// never read into memory whole.
inline constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;
// The stream is read this much at a time.
inline constexpr std::size_t kReadBlockBytes = std::size_t{64} << 10;
// Deepest nesting of arrays and objects in a line (the event's own object is level 1).
inline constexpr std::size_t kMaxDepth = 64;
// Most keys in one JSON object (a vector clock has one per node).
inline constexpr std::size_t kMaxObjectKeys = 100'000;
// Most events in a trace.
inline constexpr std::size_t kMaxTraceEvents = 10'000'000;

// The bounds above, as one value (tests and the fuzzer use smaller ones).
struct ReadLimits {
  std::size_t line_bytes = kMaxLineBytes;
  std::size_t depth = kMaxDepth;
  std::size_t object_keys = kMaxObjectKeys;
  std::size_t events = kMaxTraceEvents;
};

Trace read_trace(std::istream& in, const std::string& name, const ReadLimits& limits = {});
Trace read_trace_file(const std::string& path);

// What read_trace checks of a whole trace once its lines are read (the event bound and
// how receives match sends), for a trace made otherwise: `merge` checks the trace it
// would write, so it never writes one that the reader refuses. Throws InputError.
void validate_trace(const Trace& trace, const ReadLimits& limits = {});

// Other JSON Lines inputs (a sweep's results) read within the same bounds: one JSON
// object a line, blank lines skipped, errors as InputError "NAME:LINE: why".
//
//   JsonLines lines(in, "shard-1.jsonl");
//   while (auto object = lines.next()) use(*object, lines.line());
class JsonLines {
 public:
  JsonLines(std::istream& in, std::string name, const ReadLimits& limits = {});
  ~JsonLines();
  // The next line's object, nullopt at the end of the stream.
  std::optional<nlohmann::ordered_json> next();
  std::size_t line() const { return line_; }
  // The text of the line last read, as it was (without its line break).
  const std::string& text() const { return text_; }
  // Throws InputError "NAME:LINE: why" for the line last read.
  [[noreturn]] void fail(std::string_view why) const;

 private:
  class Splitter;
  std::istream& in_;
  std::string name_;
  ReadLimits limits_;
  std::unique_ptr<Splitter> lines_;
  std::size_t line_ = 0;
  std::string text_;
};

}  // namespace distlab::trace
