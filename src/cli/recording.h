// What a simulated command records: every event in memory, for its report; with
// --trace in the file too (JSONL, or binary with --trace-format binary); and with
// --html a diagram. The files appear only once commit() succeeds.
//
//   SimRecording recording(header, o.common);  // --trace, --trace-format, --html
//   run_lamport_scenario(scenario, recording.sink());
//   recording.commit();
//   return report_lamport(recording.recorder().trace(), ...);
#pragma once

#include <optional>
#include <string>

#include "cli/html_report.h"
#include "cli/options.h"
#include "distlab/core/atomic_file.h"
#include "distlab/trace/binary_trace.h"
#include "distlab/trace/jsonl_writer.h"
#include "distlab/trace/trace.h"

namespace distlab::cli {

class SimRecording {
 public:
  // Throws InputError when the trace file cannot be created.
  SimRecording(const trace::Header& header, const std::string& trace_path, std::string html_path = {},
               trace::Recorder::Keep keep = trace::Recorder::Keep::everything,
               trace::TraceFormat format = trace::TraceFormat::jsonl)
      : recorder_(header, {}, keep), html_path_(std::move(html_path)) {
    if (!trace_path.empty()) {
      if (format == trace::TraceFormat::binary) {
        binary_.emplace(trace_path, header);
      } else {
        writer_.emplace(trace_path, header);
      }
    }
    if (!html_path_.empty()) check_creatable(html_path_);
    sinks_.add(&recorder_);
    sinks_.add(writer_ ? static_cast<EventSink*>(&*writer_) : binary_ ? &*binary_ : nullptr);
  }
  // --trace, --trace-format and --html as the command line gave them.
  SimRecording(const trace::Header& header, const CommonOptions& common,
               trace::Recorder::Keep keep = trace::Recorder::Keep::everything)
      : SimRecording(header, common.trace_path, common.html_path, keep, common.trace_format) {}
  SimRecording(const SimRecording&) = delete;
  SimRecording& operator=(const SimRecording&) = delete;

  trace::FanOut& sink() { return sinks_; }
  const trace::Recorder& recorder() const { return recorder_; }
  // Moves the trace file into place and draws the --html diagram (a run that throws,
  // or a disk too full for either, leaves neither).
  void commit() {
    std::optional<OutputFile> page = stage_run_html(html_path_, recorder_.trace());
    if (writer_) writer_->commit();
    if (binary_) binary_->commit();
    if (page) page->publish();
  }

 private:
  trace::Recorder recorder_;
  std::string html_path_;
  std::optional<trace::JsonlWriter> writer_;
  std::optional<trace::BinaryTraceWriter> binary_;
  trace::FanOut sinks_;
};

}  // namespace distlab::cli
