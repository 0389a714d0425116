#include "core/duration.h"

#include <charconv>

namespace tb {

bool ParseDuration(std::string_view text, int64_t* out_ns) {
  if (text == "0") {
    *out_ns = 0;
    return true;
  }
  if (text.size() < 2) return false;
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1'000'000'000LL; break;
    case 'm': unit = 60LL * 1'000'000'000LL; break;
    case 'h': unit = 3600LL * 1'000'000'000LL; break;
    case 'd': unit = 86400LL * 1'000'000'000LL; break;
    case 'w': unit = 7 * 86400LL * 1'000'000'000LL; break;
    default: return false;
  }
  std::string_view num = text.substr(0, text.size() - 1);
  int64_t v = 0;
  auto r = std::from_chars(num.data(), num.data() + num.size(), v);
  if (r.ec != std::errc() || r.ptr != num.data() + num.size() || v < 0) return false;
  if (v > INT64_MAX / unit) return false;
  *out_ns = v * unit;
  return true;
}

std::string DurationProblem(std::string_view text) {
  int64_t ns;
  if (ParseDuration(text, &ns)) return "";
  return "is not a duration: expected 0 (off) or a whole number with a unit s, m, h, d or w "
         "(e.g. 12h, 1d, 365d)";
}

}  // namespace tb
