/// @file
/// Splitting text into fields: the one helper the line formats (spool
/// frames, telemetry counts) and the fuzzing harnesses share.
/// Thread safety: pure.
#pragma once

#include <string_view>
#include <vector>

namespace tb {

/// The fields of `s` between occurrences of `sep`, views into `s`: "a\tb"
/// gives {"a", "b"}, "" gives {""}, "a\t" gives {"a", ""}.
inline std::vector<std::string_view> SplitFields(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace tb
