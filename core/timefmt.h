/// @file
/// Time and duration text: formatting for output, parsing for --since/--until.
///
/// Times are UTC nanoseconds since the Unix epoch in an int64_t, so the
/// representable range is 1677-09-21T00:12:43.145224192Z ..
/// 2262-04-11T23:47:16.854775807Z; parsing reports anything outside it.
///
/// Thread safety: all functions are reentrant. FormatLocalTime() and
/// ParseTime() read the process time zone (TZ, via localtime_r/mktime), so
/// they must not run concurrently with setenv("TZ")/tzset().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tb {

/// The last whole second since the epoch whose time in nanoseconds, with any
/// fraction, fits the int64_t range above (2262-04-11T23:47:15Z). Parsers of
/// seconds (spool frames, imported history files) reject later ones.
inline constexpr int64_t kMaxEpochSeconds = 9223372035;

/// RFC 3339 in UTC with exactly three fractional digits and 'Z', e.g.
/// "2026-11-26T00:16:43.123Z". Sub-millisecond digits are floored (towards
/// the past, also before 1970), so the text never shows a later instant.
std::string FormatRfc3339Millis(int64_t utc_ns);

/// Appends FormatRfc3339Millis(utc_ns) to *out without a temporary string
/// (for formatters writing a million records). `out` must not be null.
void AppendRfc3339Millis(int64_t utc_ns, std::string* out);

/// "YYYY-MM-DD HH:MM:SS" in the process's local time zone (for tables);
/// seconds are floored.
std::string FormatLocalTime(int64_t utc_ns);

/// Parses a user-supplied point in time into *out_ns (untouched on error).
/// `now_ns` is the current time (injected so results are deterministic).
/// Leading/trailing whitespace is ignored; letters are case-insensitive.
/// Accepted forms:
///   RFC 3339       2026-11-26T10:00:00Z, 2026-11-26T10:00:00.123456789+02:00,
///                  't'/'z' lowercase, ' ' instead of 'T', offsets -05:30 ...
///   local time     2026-11-26 (local midnight), 2026-11-26 10:00,
///                  2026-11-26 10:00:00[.frac] (also with 'T'): a date-time
///                  without a zone is local time. A local time skipped by a
///                  DST change or repeated by one resolves as mktime() does
///                  (glibc: a skipped time uses the offset before the change).
///   keywords       now, today (local midnight), yesterday (local midnight of
///                  the previous local day)
///   relative       "N unit ago", N a non-negative integer, the space before
///                  the unit optional; units: s sec secs second seconds,
///                  m min mins minute minutes, h hour hours, d day days,
///                  w week weeks, month months (30 days), year years (365 days)
///   unix time      @1767225600, @-86400, @1767225600.5
/// Fields are range-checked (month 1-12, day within its month incl. leap
/// years, hour 0-23, minute and second 0-59, offset up to 23:59, at most 9
/// fractional digits). Errors are Status::InvalidArgument with a one-line
/// message quoting the input, e.g.
///   cannot parse time 'tomorow': expected RFC 3339 (2026-01-31T12:00:00Z), a
///   date (2026-01-31), "2 hours ago", "today" or "@UNIXSECONDS"
/// or, for a recognized form with a bad field, the reason
/// ("... : day 30 is not in 1-28 for 2026-02").
Status ParseTime(std::string_view text, int64_t now_ns, int64_t* out_ns);

/// Short human duration for tables, floored at each unit:
///   < 1 s: "0ms" "12ms" "999ms";  < 1 min: "1.0s" "1.2s" "59.9s";
///   < 1 h: "1m00s" "3m04s";  otherwise "2h05m" "100h00m".
/// A negative duration (clock skew) is shown with a leading '-'.
std::string FormatDurationHuman(int64_t ns);

}  // namespace tb
