// A compact binary trace: what a simulation writes with --trace-format binary, a
// fifth (a short run) to a ninth (a storm of small messages) of the JSONL trace's
// size, so that a large traced run is not slowed by making and copying text. It holds
// the same events; converted back (`distlab trace convert`, or on the way in by every
// command that reads a trace), it gives the JSONL trace byte for byte.
//
//   BinaryTraceWriter writer("run.dltrace", header);
//   sim_config.sink = &writer;
//   ... run ...
//   writer.commit();
//
// The format (version 1; integers are LEB128, "zig" ones zigzag-coded first):
//
//   file    := magic(8: 89 'D' 'L' 'T' 0D 0A 1A 0A) version(1 byte: 1)
//              header_length header_json record*
//   record  := flags dt:zig node [message] [label] [data] [lamport:zig] [vc]
//   flags   := kind (bits 0-2, EventKind) | lamport 0x08 | vc 0x10 | data 0x20
//              | sender_is_node 0x40 (bit 7 is 0)
//   dt      := the event's time minus the previous record's (the first: minus 0)
//   message := [sender] seq peer type:string       (send, recv, drop; sender unless
//                                                    sender_is_node)
//   label   := string                              (drop: reason; local: label;
//                                                    timer: tag)
//   data    := length bytes                        (send's body, state's data: JSON
//                                                    text as the JSONL line has it)
//   vc      := count (node_delta counter)*         (nodes ascending, counters > 0)
//   string  := 0 length bytes                      (a string used once)
//            | 1 length bytes                      (a string kept: its id is the
//                                                    number of strings kept before)
//            | 2 + id                              (a kept string again)
//
// The header is the JSONL trace's first line. A reader takes nothing on trust: every
// length, count and string is bounded (ReadLimits), and a truncated or malformed
// file is an InputError naming the byte where it went wrong.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distlab/clock/vector_clock.h"
#include "distlab/core/atomic_file.h"
#include "distlab/core/event.h"
#include "distlab/trace/jsonl_reader.h"
#include "distlab/trace/trace.h"

namespace distlab::trace {

// The first bytes of a binary trace: the first cannot begin a JSONL trace.
inline constexpr std::string_view kBinaryTraceMagic{
    "\x89"
    "DLT\r\n\x1a\n",
    8};
inline constexpr std::uint8_t kBinaryTraceVersion = 1;

// A kept string is at most this long; at most this many, of at most this many bytes
// in all, are kept (beyond, strings are written each time: a label made per event).
inline constexpr std::size_t kMaxKeptStringBytes = 256;
inline constexpr std::size_t kMaxKeptStrings = 4096;
inline constexpr std::size_t kMaxKeptBytes = std::size_t{1} << 20;

// True when `in` starts as a binary trace does (it only peeks).
bool starts_binary_trace(std::istream& in);

// Writes a binary trace: records go into a 64 KiB block, written out when full, and
// the file appears at its path only when commit() succeeds (a failed run leaves no
// file).
class BinaryTraceWriter : public EventSink {
 public:
  // Throws InputError when the file cannot be created.
  BinaryTraceWriter(std::string path, const Header& header);
  ~BinaryTraceWriter() override;
  BinaryTraceWriter(const BinaryTraceWriter&) = delete;
  BinaryTraceWriter& operator=(const BinaryTraceWriter&) = delete;

  void on_event(const Event& event) override;
  // Flush, close and move the file into place. Throws RuntimeFailure on a write error.
  void commit();

 private:
  // A string's reference: kept (written once, then by id) or written each time.
  std::uint8_t* put_string(std::uint8_t* p, std::string_view s);
  // Writes the event's record at `start`, which has room for it, and returns its end;
  // `data_json`: the data's JSON text, empty for none.
  std::uint8_t* encode(std::uint8_t* start, const Event& event, std::string_view data_json);
  void append_bytes(std::string_view bytes);
  void flush();
  [[noreturn]] void fail(int error) const;

  static constexpr std::size_t kBlockBytes = std::size_t{1} << 16;
  // The fast path writes a record in place when this much of the block is free.
  static constexpr std::size_t kMaxFastRecord = 1 + 6 * 10 + 2 * (1 + 10 + kMaxKeptStringBytes);

  std::string path_;
  OutputFile out_;
  std::unique_ptr<char[]> block_;
  std::size_t used_ = 0;
  bool failed_ = false;
  int error_ = 0;
  Nanos last_t_ = 0;
  std::map<std::string, std::uint32_t, std::less<>> kept_;
  std::size_t kept_bytes_ = 0;
  // The last kept string looked up, and its id: most events repeat it.
  std::string last_string_;
  std::uint32_t last_id_ = 0;
  std::string scratch_;  // a record with data or a vector clock, made aside
};

// Reads a binary trace as the JSONL lines it stands for, one at a time.
//
//   BinaryTraceReader reader(in, "run.dltrace");
//   std::string line = reader.header_line();
//   while (reader.next_line(line)) out << line << '\n';
class BinaryTraceReader {
 public:
  // Reads the magic, version and header. Throws InputError.
  BinaryTraceReader(std::istream& in, std::string name, const ReadLimits& limits = {});
  ~BinaryTraceReader();
  BinaryTraceReader(const BinaryTraceReader&) = delete;
  BinaryTraceReader& operator=(const BinaryTraceReader&) = delete;

  // The JSONL trace's first line (as written: the reader checks it when it parses it).
  const std::string& header_line() const { return header_; }
  // The next event's line, without its newline, into `line`; false at the end of the
  // file. Throws InputError "NAME: byte N: why" for a malformed or truncated record.
  bool next_line(std::string& line);

 private:
  class Bytes;
  std::uint64_t varint(const char* what);
  std::int64_t zigzag(const char* what);
  NodeId node_id(const char* what);
  // A string field: kept ones live in kept_, one used once in `once`.
  std::string_view string(const char* what, std::string& once);
  [[noreturn]] void fail(std::string_view why) const;

  std::string name_;
  ReadLimits limits_;
  std::unique_ptr<Bytes> bytes_;
  std::string header_;
  Nanos t_ = 0;
  std::deque<std::string> kept_;  // a deque: a record's type stays put while its label is kept
  std::size_t kept_bytes_ = 0;
  std::string once_type_;  // strings used once
  std::string once_label_;
  std::string data_;
  VectorClock vc_;
  std::size_t record_start_ = 0;
};

// Writes the JSONL trace a binary trace stands for to `path` (in place only when
// complete, as every output), calling `progress` with the events so far every 65,536.
// Throws InputError for a bad input, RuntimeFailure for a write error. Returns the
// number of events.
std::uint64_t convert_binary_trace(std::istream& in, const std::string& name, const std::string& path,
                                   const std::function<void(std::uint64_t)>& progress = {});

}  // namespace distlab::trace
