#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>

#include "distlab/core/duration.h"
#include "distlab/core/error.h"

namespace distlab::cli {

ProgressLine::Mode ProgressLine::mode_from_environment() {
  const char* value = std::getenv("DISTLAB_PROGRESS");
  const std::string_view v = value == nullptr ? "" : value;
  if (v.empty() || v == "auto") return Mode::automatic;
  if (v == "always") return Mode::always;
  if (v == "never") return Mode::never;
  throw InputError(fmt::format("DISTLAB_PROGRESS must be auto, always or never, not '{}'", v));
}

ProgressLine::ProgressLine(std::string label, std::chrono::milliseconds delay)
    : ProgressLine(std::move(label), stderr, mode_from_environment(), delay) {}

ProgressLine::ProgressLine(std::string label, std::FILE* out, Mode mode, std::chrono::milliseconds delay)
    : ProgressLine(std::move(label), out,
                   mode == Mode::always || (mode == Mode::automatic && isatty(STDERR_FILENO) != 0),
                   mode == Mode::always ? std::chrono::milliseconds(0) : delay) {}

ProgressLine::ProgressLine(std::string label, std::FILE* out, bool enabled, std::chrono::milliseconds delay)
    : label_(std::move(label)), out_(out), enabled_(enabled), delay_(delay), start_(Clock::now()) {}

ProgressLine::~ProgressLine() { clear(); }

bool ProgressLine::due() {
  if (!enabled_) return false;
  const Clock::time_point now = Clock::now();
  if (now - start_ < delay_ || (shown_ && now - last_ < std::chrono::milliseconds(100))) return false;
  last_ = now;
  return true;
}

void ProgressLine::show(std::string_view text) {
  if (!enabled_) return;
  fmt::print(out_, "\r{}: {}, {:.0f}s elapsed\x1b[K", label_, text, elapsed_seconds());
  std::fflush(out_);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  fmt::print(out_, "\r\x1b[K");
  std::fflush(out_);
  shown_ = false;
}

void ProgressLine::print(std::string_view line) {
  clear();
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

double ProgressLine::elapsed_seconds() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void SimulationProgress::advanced(Nanos now, Nanos until, std::uint64_t events) {
  if (!line_.due()) return;
  const double elapsed = line_.elapsed_seconds();
  line_.show(fmt::format("simulated {}{}, {} events, {} events/s", format_duration_rounded(now, 3),
                         until == kNanosMax ? "" : " of " + format_duration_rounded(until, 3),
                         compact_count(static_cast<double>(events)),
                         compact_count(elapsed > 0 ? static_cast<double>(events) / elapsed : 0.0)));
}

std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
    digits.insert(static_cast<std::size_t>(i), ",");
  return digits;
}

std::string compact_count(double n) {
  const double a = std::fabs(n);
  if (a >= 1e9) return fmt::format("{:.3g}G", n / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", n / 1e6);
  if (a >= 1e4) return fmt::format("{:.3g}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

}  // namespace distlab::cli
