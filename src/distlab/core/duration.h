// Durations as people write them: "250ms", "5s", "1.5s", "1m".
//
// Parsing is exact integer arithmetic (no floating point), so "0.1s" is exactly
// 100000000 ns on every platform. A unit is required except for a bare "0".
//
//   Nanos t = parse_duration("1.5s");      // 1'500'000'000
//   format_duration(250 * kMillisecond);  // "250ms"
#pragma once

#include <string>
#include <string_view>

#include "distlab/core/types.h"

namespace distlab {

// Throws InputError with a message that quotes `text` when it is not a duration or
// is negative. Accepted units: ns, us, ms, s, m, h.
Nanos parse_duration(std::string_view text);

// The shortest exact rendering in the largest unit that fits: 1500000000 -> "1.5s".
std::string format_duration(Nanos ns);

// For people: rounded to `digits` significant digits first. 1373266199 -> "1.373s",
// 17766016 -> "17.77ms".
std::string format_duration_rounded(Nanos ns, int digits = 4);
// `ns` cut (not rounded) to `digits` significant digits: 1373266199, 4 -> 1373000000.
Nanos cut_to_digits(Nanos ns, int digits);

}  // namespace distlab
