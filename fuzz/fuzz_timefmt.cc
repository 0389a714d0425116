// Feeds arbitrary text to the time parser (ParseTime, core/timefmt.h: RFC
// 3339, dates, keywords, "N unit ago", @unix) and formats what it accepts.
#include "core/timefmt.h"
#include "fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr int64_t kNow = 1796000000LL * 1000000000LL;  // 2026-11-30, fixed
  int64_t ns = 0;
  if (tb::ParseTime(tb::fuzz::Bytes(data, size), kNow, &ns).ok()) {
    (void)tb::FormatRfc3339Millis(ns);
    (void)tb::FormatLocalTime(ns);
    (void)tb::FormatDurationHuman(ns / 2 - kNow / 2);
  }
  return 0;
}
