#include "distlab/core/duration.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <utility>

#include "distlab/core/error.h"

namespace distlab {
namespace {

struct Unit {
  std::string_view name;
  Nanos ns;
};

// Longest suffix first so "ms" is not read as "m" + "s".
constexpr std::array<Unit, 6> kUnits{{{"ns", kNanosecond},
                                      {"us", kMicrosecond},
                                      {"ms", kMillisecond},
                                      {"s", kSecond},
                                      {"m", kMinute},
                                      {"h", kHour}}};

[[noreturn]] void fail(std::string_view text, std::string_view why) {
  throw InputError(fmt::format("invalid duration '{}': {}", text, why));
}

}  // namespace

Nanos parse_duration(std::string_view text) {
  if (text.empty()) fail(text, "empty");
  if (text.front() == '-') fail(text, "must not be negative");
  std::size_t pos = 0;
  std::uint64_t whole = 0;
  bool any_digit = false;
  constexpr std::uint64_t kLimit = std::uint64_t{1} << 62;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    whole = whole * 10 + static_cast<std::uint64_t>(text[pos] - '0');
    if (whole > kLimit) fail(text, "too large");
    any_digit = true;
    ++pos;
  }
  std::uint64_t frac = 0;
  std::uint64_t frac_scale = 1;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (frac_scale < 1'000'000'000'000ULL) {  // digits past 1e-12 of a unit cannot matter
        frac = frac * 10 + static_cast<std::uint64_t>(text[pos] - '0');
        frac_scale *= 10;
      }
      any_digit = true;
      ++pos;
    }
  }
  if (!any_digit) fail(text, "expected a number followed by a unit (ns, us, ms, s, m, h)");
  std::string_view unit_text = text.substr(pos);
  if (unit_text.empty()) {
    if (whole == 0 && frac == 0) return 0;
    fail(text, "missing unit (ns, us, ms, s, m, h), e.g. 250ms");
  }
  for (const Unit& unit : kUnits) {
    if (unit.name != unit_text) continue;
    const auto scale = static_cast<std::uint64_t>(unit.ns);
    if (whole > static_cast<std::uint64_t>(kNanosMax) / scale) fail(text, "too large");
    const std::uint64_t frac_ns = frac * scale / frac_scale;
    if (frac_ns * frac_scale != frac * scale) fail(text, "finer than a nanosecond");
    return static_cast<Nanos>(whole * scale + frac_ns);
  }
  fail(text, fmt::format("unknown unit '{}' (use ns, us, ms, s, m or h)", unit_text));
}

std::string format_duration(Nanos ns) {
  if (ns == 0) return "0s";
  const char* sign = ns < 0 ? "-" : "";
  const auto abs = static_cast<std::uint64_t>(ns < 0 ? -ns : ns);
  // Largest unit in which the value is at least 1, up to seconds; minutes and hours
  // only when exact and from ten minutes on, so "90s" and "120s" stay comparable.
  for (auto it = kUnits.rbegin(); it != kUnits.rend(); ++it) {
    const auto scale = static_cast<std::uint64_t>(it->ns);
    if (abs < scale) continue;
    if (scale > static_cast<std::uint64_t>(kSecond) &&
        (abs % scale != 0 || abs < static_cast<std::uint64_t>(10 * kMinute))) {
      continue;
    }
    const std::uint64_t whole = abs / scale;
    std::uint64_t rest = abs % scale;
    if (rest == 0) return fmt::format("{}{}{}", sign, whole, it->name);
    int digits = 0;
    for (std::uint64_t s = scale; s > 1; s /= 10) ++digits;
    std::string frac = fmt::format("{:0{}}", rest, digits);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    return fmt::format("{}{}.{}{}", sign, whole, frac, it->name);
  }
  return fmt::format("{}{}ns", sign, abs);
}

namespace {

// The power of ten below `abs`'s first `digits` significant digits (1 for short values).
std::uint64_t digit_scale(std::uint64_t abs, int digits) {
  std::uint64_t scale = 1;
  int length = 0;
  for (std::uint64_t v = abs; v > 0; v /= 10) ++length;
  for (int i = digits; i < length; ++i) scale *= 10;
  return scale;
}

}  // namespace

std::string format_duration_rounded(Nanos ns, int digits) {
  const bool negative = ns < 0;
  auto abs = static_cast<std::uint64_t>(negative ? -ns : ns);
  const std::uint64_t scale = digit_scale(abs, digits);
  abs = (abs + scale / 2) / scale * scale;
  return format_duration(negative ? -static_cast<Nanos>(abs) : static_cast<Nanos>(abs));
}

Nanos cut_to_digits(Nanos ns, int digits) {
  const bool negative = ns < 0;
  auto abs = static_cast<std::uint64_t>(negative ? -ns : ns);
  const std::uint64_t scale = digit_scale(abs, digits);
  abs = abs / scale * scale;
  return negative ? -static_cast<Nanos>(abs) : static_cast<Nanos>(abs);
}

}  // namespace distlab
