// Writes a trace as JSON Lines, version 1 (DESIGN.md, "Trace contract").
//
// Lines are formatted straight into a reusable buffer and written in large blocks, so
// a traced run does not allocate per event; in the buffered mode a thread of its own
// writes the full blocks (trace/block_writer.h). The file appears at its path only when
// commit() succeeds: until then it is a temporary file (core/atomic_file.h), which the
// destructor removes if the run fails, so no half-written trace is ever left behind.
//
//   JsonlWriter writer("run.jsonl", header);
//   sim_config.sink = &writer;
//   ... run ...
//   writer.commit();
#pragma once

#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "distlab/core/atomic_file.h"
#include "distlab/core/event.h"
#include "distlab/trace/trace.h"

namespace distlab::trace {

struct LineFields;  // one line's fields (jsonl_writer.cc)
class BlockWriter;

class JsonlWriter : public EventSink {
 public:
  // buffered: lines are written in large blocks (a simulation). each_event: a live
  // trace, written in place at `path` (OutputFile::Mode::in_place), every line whole
  // as soon as it is made, so a real process killed with SIGKILL leaves every event
  // it had up to then there (the launcher reads it from its own working folder).
  // each_step: live and in place too, but the lines wait for end_step(): a real node
  // with durable state keeps that state first, then lets its step's lines out, so no
  // line shows what a killed process's next life would not remember. (A step whose
  // lines pass the 1 MiB buffer writes them early; no node's step comes near it.)
  enum class Flush { buffered, each_event, each_step };

  // Throws InputError when the file cannot be created.
  JsonlWriter(std::string path, const Header& header, Flush flush = Flush::buffered);
  // The header is known only at the end (a real monitor learns its nodes as they
  // send): events are kept aside in an unnamed temporary file, and commit(header)
  // writes the header first. Throws InputError now when `path` cannot be created.
  explicit JsonlWriter(std::string path);
  ~JsonlWriter() override;
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  void on_event(const Event& event) override;
  // Writes the lines so far, whole, to the file (each_step).
  void end_step();
  void write(const Record& record);
  // Flush, close and move the file into place. Throws RuntimeFailure on a write error.
  void commit();
  // For a writer made without a header.
  void commit(const Header& header);

 private:
  void append(const LineFields& fields);
  void append_raw(std::string_view text);
  void flush_if_full();
  void flush();
  void write_block();
  void finish_writing();
  [[noreturn]] void fail(int error) const;

  // Flush to the file once the buffer holds this much.
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
  // each_event: the stream's buffer, larger than any line, so a line is one write.
  static constexpr std::size_t kLineBufferBytes = std::size_t{1} << 16;

  std::string path_;
  std::optional<OutputFile> out_;  // the trace; none for a deferred header until commit
  bool deferred_header_ = false;
  bool live_ = false;  // each_event or each_step: in place, written by this thread
  bool each_event_ = false;
  std::FILE* file_ = nullptr;  // out_'s stream, or the deferred events' own file
  // Lines are made in place in this block (uninitialized memory: no zeroing per
  // line), which is written out once it holds kBufferBytes.
  static constexpr std::size_t kBlockBytes = kBufferBytes + 4096;
  std::unique_ptr<char[]> block_ = std::make_unique_for_overwrite<char[]>(kBlockBytes);
  std::size_t used_ = 0;
  std::string scratch_;  // a line too long or unusual for the block's fast path
  // buffered: writes the full blocks, started at the first one (a short trace needs
  // no thread). Null in each_event mode, or if no thread could start: then the
  // blocks are written here.
  std::unique_ptr<BlockWriter> background_;
  bool no_background_ = false;  // each_event, or starting the thread failed
  bool failed_ = false;
  int error_ = 0;  // errno of the first failure
};

// The header line, without the newline.
std::string header_line(const Header& header);

// One event's line, without the newline, as JsonlWriter writes it, appended to `out`;
// with `data_json` (JSON text, as dump() gives it) standing for a null event.data:
// how a binary trace becomes JSONL (trace/binary_trace.h).
void append_event_line(std::string& out, const Event& event, std::string_view data_json = {});

// One event line, without the newline (used by the writer and by tests).
std::string record_line(const Record& record);

// The whole trace: header, then every record in order.
void write_trace(std::ostream& out, const Trace& trace);

}  // namespace distlab::trace
