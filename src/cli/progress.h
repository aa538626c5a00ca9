// A progress line on stderr for long work on a terminal: "bully: simulated 4.2s of
// 30s, 9,811,200 events, 2.4M events/s, 4s elapsed". It appears only once the work
// has taken `delay` of wall time (short runs print nothing extra), is redrawn in place
// at most ten times a second, and is erased when the work ends, so what stays on the
// terminal is the command's own output. Lines printed on stdout while it shows go
// through `print` (or call `clear` first), so they never land on the progress text.
//
// Shown when stderr is a terminal; DISTLAB_PROGRESS=always shows it anyway and at
// once (a log, a test), DISTLAB_PROGRESS=never never. The wall clock it reads is the
// CLI's own: nothing a run does depends on it.
//
//   ProgressLine progress("sweep bully");
//   while (working) { if (progress.due()) progress.show(fmt::format("{} of {} seeds", done, n)); }
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "distlab/core/types.h"
#include "distlab/harness/sim_watcher.h"

namespace distlab::cli {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Mode { automatic, always, never };

  // DISTLAB_PROGRESS: "always", "never", or unset/"auto" (a terminal decides). Any
  // other value is an InputError.
  static Mode mode_from_environment();

  explicit ProgressLine(std::string label, std::chrono::milliseconds delay = std::chrono::seconds(2));
  // For tests: written to `out`, shown when `enabled`.
  ProgressLine(std::string label, std::FILE* out, bool enabled, std::chrono::milliseconds delay);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool enabled() const { return enabled_; }
  // True when a new text should be drawn: enabled, past the delay, and a tenth of a
  // second since the last. Cheap: call it as often as the work allows.
  bool due();
  // Draws "LABEL: TEXT, Ns elapsed" over the previous line.
  void show(std::string_view text);
  // Erases the line; the next show() draws it again.
  void clear();
  // Prints `line` (and a newline) on stdout above the progress line.
  void print(std::string_view line);
  double elapsed_seconds() const;

 private:
  ProgressLine(std::string label, std::FILE* out, Mode mode, std::chrono::milliseconds delay);

  std::string label_;
  std::FILE* out_;
  bool enabled_;
  std::chrono::milliseconds delay_;
  Clock::time_point start_;
  Clock::time_point last_{};
  bool shown_ = false;
};

// A progress line for every simulation the command runs on this thread (a
// WatchSimulations while it lives): "bully: simulated 4.2s of 30s, 9.8M events,
// 2.4M events/s". Only a run that takes a couple of seconds of wall time shows it.
class SimulationProgress : public harness::SimWatcher {
 public:
  explicit SimulationProgress(std::string label) : line_(std::move(label)), watch_(this) {}
  void advanced(Nanos now, Nanos until, std::uint64_t events) override;

 private:
  ProgressLine line_;
  harness::WatchSimulations watch_;
};

// "1,234,567".
std::string thousands(std::uint64_t n);

// "2.4M", "310k", "950": a rate or count in three significant figures.
std::string compact_count(double n);

}  // namespace distlab::cli
