// Writes a trace as JSON Lines, version 1 (DESIGN.md, "Trace contract").
//
// Lines are formatted straight into a reusable buffer and written in large blocks, so
// a traced run does not allocate per event. The file appears at its path only when
// commit() succeeds: until then it is written under a temporary name, which the
// destructor removes if the run fails, so no half-written trace is ever left behind.
//
//   JsonlWriter writer("run.jsonl", header);
//   sim_config.sink = &writer;
//   ... run ...
//   writer.commit();
#pragma once

#include <cstdio>
#include <ostream>
#include <string>

#include "core/event.h"
#include "trace/trace.h"

namespace distlab::trace {

class JsonlWriter : public EventSink {
 public:
  // Throws InputError when the file cannot be created.
  JsonlWriter(std::string path, const Header& header);
  ~JsonlWriter() override;
  JsonlWriter(const JsonlWriter&) = delete;
  JsonlWriter& operator=(const JsonlWriter&) = delete;

  void on_event(const Event& event) override;
  void write(const Record& record);
  // Flush, close and move the file into place. Throws RuntimeFailure on a write error.
  void commit();

 private:
  void flush_if_full();
  void flush();

  // Flush to the file once the buffer holds this much.
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool failed_ = false;
};

// The header line, without the newline.
std::string header_line(const Header& header);

// One event line, without the newline (used by the writer and by tests).
std::string record_line(const Record& record);

// The whole trace: header, then every record in order.
void write_trace(std::ostream& out, const Trace& trace);

}  // namespace distlab::trace
