// What a simulated command records: every event in memory, for its report, and with
// --trace in the file too, which appears only once commit() succeeds.
//
//   SimRecording recording(header, o.common.trace_path);
//   run_lamport_scenario(scenario, recording.sink());
//   recording.commit();
//   return report_lamport(recording.recorder().trace(), ...);
#pragma once

#include <optional>
#include <string>

#include "trace/jsonl_writer.h"
#include "trace/trace.h"

namespace distlab::cli {

class SimRecording {
 public:
  // Throws InputError when the trace file cannot be created.
  SimRecording(const trace::Header& header, const std::string& trace_path,
               trace::Recorder::Keep keep = trace::Recorder::Keep::everything)
      : recorder_(header, {}, keep) {
    if (!trace_path.empty()) writer_.emplace(trace_path, header);
    sinks_.add(&recorder_);
    sinks_.add(writer_ ? &*writer_ : nullptr);
  }
  SimRecording(const SimRecording&) = delete;
  SimRecording& operator=(const SimRecording&) = delete;

  trace::FanOut& sink() { return sinks_; }
  const trace::Recorder& recorder() const { return recorder_; }
  // Moves the trace file into place (a run that throws leaves none).
  void commit() {
    if (writer_) writer_->commit();
  }

 private:
  trace::Recorder recorder_;
  std::optional<trace::JsonlWriter> writer_;
  trace::FanOut sinks_;
};

}  // namespace distlab::cli
