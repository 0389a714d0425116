/// @file
/// Durations in configuration values: "0" (off), or a whole number followed
/// by a unit: s, m, h, d, w ("90s", "12h", "1d", "365d", "2w").
/// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tb {

/// Parses `text` into nanoseconds (0 for "0"). False on anything else,
/// including negative values and values beyond ~290 years.
bool ParseDuration(std::string_view text, int64_t* out_ns);

/// "" when `text` is a valid duration, else the reason (for config messages).
std::string DurationProblem(std::string_view text);

}  // namespace tb
