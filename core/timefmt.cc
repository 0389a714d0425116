#include "core/timefmt.h"

#include <cerrno>
#include <charconv>
#include <ctime>

#include <date/date.h>

#include "core/utf8.h"

namespace tb {
namespace {

// localtime_r()/mktime() cannot fail for any second of the int64-nanosecond
// range (|seconds| < 2^34) when time_t has 64 bits; the code relies on it.
static_assert(sizeof(time_t) == 8, "64-bit time_t required");

constexpr int64_t kNsPerSec = 1'000'000'000;
constexpr int64_t kNsPerMs = 1'000'000;

// ---------------------------------------------------------------- calendar
// Proleptic Gregorian day arithmetic from Howard Hinnant's date library:
// exact for negative years and days, no time zone or libc involved, so UTC
// formatting and parsing of explicit offsets never depend on TZ.

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  const date::sys_days days{date::year{static_cast<int>(y)} / date::month{m} / date::day{d}};
  return days.time_since_epoch().count();
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

CivilDate CivilFromDays(int64_t z) {
  const date::year_month_day ymd{date::sys_days{date::days{z}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

int DaysInMonth(int y, int m) {
  const date::year_month_day_last last{date::year{y} / date::month{static_cast<unsigned>(m)} / date::last};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

// Splits ns into whole seconds and a non-negative remainder (floor division:
// -1 ns is 1969-12-31T23:59:59.999999999Z, not 1970-01-01T00:00:00).
void SplitNs(int64_t ns, int64_t* secs, int64_t* rem) {
  *secs = ns / kNsPerSec;
  *rem = ns % kNsPerSec;
  if (*rem < 0) {
    *secs -= 1;
    *rem += kNsPerSec;
  }
}

// Writes `value` as exactly `width` decimal digits (value is non-negative and
// fits; true for all fields of the supported range).
char* PutDigits(char* p, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

struct tm LocalTm(int64_t secs) {
  struct tm tm {};
  const auto t = static_cast<time_t>(secs);
  localtime_r(&t, &tm);  // cannot fail in range, see static_assert above
  return tm;
}

// UTC seconds of a local wall-clock time (fields may be out of range, e.g.
// day 0; mktime normalizes them). False if the C library cannot represent it.
bool LocalToUtcSeconds(int year, int month, int day, int hour, int minute, int second, int64_t* out) {
  struct tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;  // let the zone rules decide whether DST applies
  errno = 0;
  const time_t t = mktime(&tm);
  // -1 is also a valid result (one second before the epoch in UTC).
  if (t == static_cast<time_t>(-1) && errno != 0) return false;
  *out = static_cast<int64_t>(t);
  return true;
}

// secs * 1e9 + nanos without overflow; false if outside int64 ns.
bool SecondsToNs(int64_t secs, int64_t nanos, int64_t* out) {
  int64_t ns;
  if (__builtin_mul_overflow(secs, kNsPerSec, &ns)) return false;
  return !__builtin_add_overflow(ns, nanos, out);
}

// ----------------------------------------------------------------- errors

Status Unparsable(std::string_view text) {
  return Status::InvalidArgument("cannot parse time '" + EscapeForTerminal(text) +
                                 "': expected RFC 3339 (2026-01-31T12:00:00Z), a date (2026-01-31), \"2 hours ago\", "
                                 "\"today\" or \"@UNIXSECONDS\"");
}

Status BadField(std::string_view text, const std::string& why) {
  return Status::InvalidArgument("cannot parse time '" + EscapeForTerminal(text) + "': " + why);
}

Status OutOfRange(std::string_view text) {
  return BadField(text, "outside the supported range 1677-09-21 to 2262-04-11 (UTC)");
}

// "<what> <value> is not in <lo>-<hi>", or "" when in range.
std::string CheckRange(const char* what, int value, int lo, int hi) {
  if (value >= lo && value <= hi) return std::string();
  return std::string(what) + " " + std::to_string(value) + " is not in " + std::to_string(lo) + "-" +
         std::to_string(hi);
}

// ---------------------------------------------------------------- scanning

// A forward-only cursor over the (lowercased, trimmed) input.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ == s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (AtEnd() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // Exactly `n` ASCII digits.
  bool Fixed(int n, int* value) {
    if (s_.size() - pos_ < static_cast<size_t>(n)) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      const char c = s_[pos_ + static_cast<size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += static_cast<size_t>(n);
    *value = v;
    return true;
  }
  // A run of ASCII digits (possibly empty).
  std::string_view Digits() {
    return Span([](char c) { return c >= '0' && c <= '9'; });
  }
  std::string_view Letters() {
    return Span([](char c) { return c >= 'a' && c <= 'z'; });
  }
  size_t SkipSpaces() {
    return Span([](char c) { return c == ' ' || c == '\t'; }).size();
  }

 private:
  template <typename Pred>
  std::string_view Span(Pred pred) {
    const size_t start = pos_;
    while (!AtEnd() && pred(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::string_view s_;
  size_t pos_ = 0;
};

// Decimal digits to int64; false on overflow. `digits` is non-empty.
bool ToInt64(std::string_view digits, int64_t* out) {
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return r.ec == std::errc();
}

// ".123" fractional digits (already without '.') to nanoseconds.
int64_t FractionToNs(std::string_view digits) {
  int64_t ns = 0;
  for (size_t i = 0; i < 9; ++i) ns = ns * 10 + (i < digits.size() ? digits[i] - '0' : 0);
  return ns;
}

// ------------------------------------------------------------------ forms

// "today" / "yesterday": local midnight, `days_back` local days before now.
// Computed on the calendar (day - 1), not as now - 24 h, which is wrong on
// days with a DST change.
Status LocalMidnight(std::string_view text, int64_t now_ns, int days_back, int64_t* out) {
  int64_t secs, rem;
  SplitNs(now_ns, &secs, &rem);
  const struct tm now = LocalTm(secs);
  int64_t midnight;
  if (!LocalToUtcSeconds(now.tm_year + 1900, now.tm_mon + 1, now.tm_mday - days_back, 0, 0, 0, &midnight) ||
      !SecondsToNs(midnight, 0, out)) {
    return OutOfRange(text);
  }
  return Status::OK();
}

// "@<seconds>[.<fraction>]", seconds optionally negative.
Status ParseUnix(std::string_view text, std::string_view s, int64_t* out) {
  Scanner sc(s);
  sc.Eat('@');
  const bool negative = sc.Eat('-');
  std::string_view whole = sc.Digits();
  const bool has_dot = sc.Eat('.');
  std::string_view frac = sc.Digits();
  if (whole.empty() || (has_dot && frac.empty()) || !sc.AtEnd()) return Unparsable(text);
  if (frac.size() > 9) return BadField(text, "more than 9 fractional digits");
  int64_t secs, ns;
  if (!ToInt64(whole, &secs) || !SecondsToNs(secs, FractionToNs(frac), &ns)) {
    return OutOfRange(text);
  }
  *out = negative ? -ns : ns;
  return Status::OK();
}

// Nanoseconds per unit name of the relative form, or 0 if unknown.
int64_t UnitNs(std::string_view unit) {
  struct Unit {
    std::string_view names[5];
    int64_t ns;
  };
  static constexpr int64_t kDay = 86400 * kNsPerSec;
  static constexpr Unit kUnits[] = {
      {{"s", "sec", "secs", "second", "seconds"}, kNsPerSec},
      {{"m", "min", "mins", "minute", "minutes"}, 60 * kNsPerSec},
      {{"h", "hour", "hours"}, 3600 * kNsPerSec},
      {{"d", "day", "days"}, kDay},
      {{"w", "week", "weeks"}, 7 * kDay},
      {{"month", "months"}, 30 * kDay},
      {{"year", "years"}, 365 * kDay},
  };
  for (const Unit& u : kUnits) {
    for (std::string_view name : u.names) {
      if (!name.empty() && name == unit) return u.ns;
    }
  }
  return 0;
}

// "N unit ago".
Status ParseRelative(std::string_view text, std::string_view s, int64_t now_ns, int64_t* out) {
  Scanner sc(s);
  std::string_view number = sc.Digits();
  sc.SkipSpaces();
  std::string_view unit = sc.Letters();
  const size_t gap = sc.SkipSpaces();
  std::string_view ago = sc.Letters();
  if (number.empty() || unit.empty() || gap == 0 || ago != "ago" || !sc.AtEnd()) {
    return Unparsable(text);
  }
  const int64_t unit_ns = UnitNs(unit);
  if (unit_ns == 0) {
    return BadField(text, "unknown unit '" + std::string(unit) +
                              "': expected seconds, minutes, hours, days, weeks, months or years");
  }
  int64_t n, delta;
  if (!ToInt64(number, &n) || __builtin_mul_overflow(n, unit_ns, &delta) ||
      __builtin_sub_overflow(now_ns, delta, out)) {
    return OutOfRange(text);
  }
  return Status::OK();
}

struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::string_view fraction;  // digits after '.', at most 9 once validated
  bool has_zone = false;
  int offset_sign = 1, offset_hour = 0, offset_minute = 0;
};

// Syntax only: YYYY-MM-DD[(t| )HH:MM[:SS[.f+]][z|(+|-)HH:MM]].
bool ScanDateTime(std::string_view s, DateTime* dt) {
  Scanner sc(s);
  if (!sc.Fixed(4, &dt->year) || !sc.Eat('-') || !sc.Fixed(2, &dt->month) || !sc.Eat('-') || !sc.Fixed(2, &dt->day)) {
    return false;
  }
  if (sc.AtEnd()) return true;
  if (!sc.Eat('t') && !sc.Eat(' ')) return false;
  if (!sc.Fixed(2, &dt->hour) || !sc.Eat(':') || !sc.Fixed(2, &dt->minute)) return false;
  if (sc.Eat(':')) {
    if (!sc.Fixed(2, &dt->second)) return false;
    if (sc.Eat('.')) {
      dt->fraction = sc.Digits();
      if (dt->fraction.empty()) return false;
    }
  }
  if (sc.Eat('z')) {
    dt->has_zone = true;
  } else if (sc.Peek() == '+' || sc.Peek() == '-') {
    dt->offset_sign = sc.Peek() == '-' ? -1 : 1;
    sc.Eat(sc.Peek());
    if (!sc.Fixed(2, &dt->offset_hour) || !sc.Eat(':') || !sc.Fixed(2, &dt->offset_minute)) {
      return false;
    }
    dt->has_zone = true;
  }
  return sc.AtEnd();
}

// The first out-of-range field as a message, or "" if all are valid.
std::string ValidateDateTime(const DateTime& dt) {
  std::string why = CheckRange("month", dt.month, 1, 12);
  if (why.empty()) {
    why = CheckRange("day", dt.day, 1, DaysInMonth(dt.year, dt.month));
    if (!why.empty()) {
      char ym[8];
      PutDigits(PutDigits(ym, dt.year, 4) + 1, dt.month, 2);
      ym[4] = '-';
      why += " for " + std::string(ym, 7);
    }
  }
  if (why.empty()) why = CheckRange("hour", dt.hour, 0, 23);
  if (why.empty()) why = CheckRange("minute", dt.minute, 0, 59);
  if (why.empty()) why = CheckRange("second", dt.second, 0, 59);
  if (why.empty()) why = CheckRange("zone offset hour", dt.offset_hour, 0, 23);
  if (why.empty()) why = CheckRange("zone offset minute", dt.offset_minute, 0, 59);
  if (why.empty() && dt.fraction.size() > 9) why = "more than 9 fractional digits";
  return why;
}

Status ParseDateTime(std::string_view text, std::string_view s, int64_t* out) {
  DateTime dt;
  if (!ScanDateTime(s, &dt)) return Unparsable(text);
  std::string why = ValidateDateTime(dt);
  if (!why.empty()) return BadField(text, why);
  int64_t secs = 0;
  bool representable = true;
  if (dt.has_zone) {
    // Explicit offset: pure calendar arithmetic, independent of TZ.
    const int offset = dt.offset_sign * (dt.offset_hour * 3600 + dt.offset_minute * 60);
    secs = DaysFromCivil(dt.year, static_cast<unsigned>(dt.month), static_cast<unsigned>(dt.day)) * 86400 +
           dt.hour * 3600 + dt.minute * 60 + dt.second - offset;
  } else {
    representable = LocalToUtcSeconds(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, &secs);
  }
  if (!representable || !SecondsToNs(secs, FractionToNs(dt.fraction), out)) {
    return OutOfRange(text);
  }
  return Status::OK();
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

void AppendRfc3339Millis(int64_t utc_ns, std::string* out) {
  int64_t secs, rem;
  SplitNs(utc_ns, &secs, &rem);
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days -= 1;
  }
  const CivilDate date = CivilFromDays(days);
  char buf[24];  // YYYY-MM-DDTHH:MM:SS.mmmZ
  char* p = PutDigits(buf, date.year, 4);
  *p++ = '-';
  p = PutDigits(p, date.month, 2);
  *p++ = '-';
  p = PutDigits(p, date.day, 2);
  *p++ = 'T';
  p = PutDigits(p, sod / 3600, 2);
  *p++ = ':';
  p = PutDigits(p, sod / 60 % 60, 2);
  *p++ = ':';
  p = PutDigits(p, sod % 60, 2);
  *p++ = '.';
  p = PutDigits(p, rem / kNsPerMs, 3);
  *p++ = 'Z';
  out->append(buf, static_cast<size_t>(p - buf));
}

std::string FormatRfc3339Millis(int64_t utc_ns) {
  std::string out;
  AppendRfc3339Millis(utc_ns, &out);
  return out;
}

std::string FormatLocalTime(int64_t utc_ns) {
  int64_t secs, rem;
  SplitNs(utc_ns, &secs, &rem);
  const struct tm tm = LocalTm(secs);
  char buf[19];  // YYYY-MM-DD HH:MM:SS
  char* p = PutDigits(buf, tm.tm_year + 1900, 4);
  *p++ = '-';
  p = PutDigits(p, tm.tm_mon + 1, 2);
  *p++ = '-';
  p = PutDigits(p, tm.tm_mday, 2);
  *p++ = ' ';
  p = PutDigits(p, tm.tm_hour, 2);
  *p++ = ':';
  p = PutDigits(p, tm.tm_min, 2);
  *p++ = ':';
  p = PutDigits(p, tm.tm_sec, 2);
  return std::string(buf, static_cast<size_t>(p - buf));
}

Status ParseTime(std::string_view text, int64_t now_ns, int64_t* out_ns) {
  const std::string lower = AsciiLower(TrimSpaces(text));
  const std::string_view s = lower;
  int64_t result = 0;
  Status st;
  if (s == "now") {
    result = now_ns;
  } else if (s == "today") {
    st = LocalMidnight(text, now_ns, 0, &result);
  } else if (s == "yesterday") {
    st = LocalMidnight(text, now_ns, 1, &result);
  } else if (!s.empty() && s.front() == '@') {
    st = ParseUnix(text, s, &result);
  } else if (EndsWith(s, "ago")) {
    st = ParseRelative(text, s, now_ns, &result);
  } else {
    st = ParseDateTime(text, s, &result);
  }
  if (st.ok()) *out_ns = result;
  return st;
}

std::string FormatDurationHuman(int64_t ns) {
  // Magnitude as unsigned so that INT64_MIN does not overflow on negation.
  const uint64_t mag = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  constexpr uint64_t kSec = kNsPerSec;
  std::string out = ns < 0 ? "-" : "";
  if (mag < kSec) {
    out += std::to_string(mag / kNsPerMs) + "ms";
  } else if (mag < 60 * kSec) {
    const uint64_t tenths = mag / (kSec / 10);
    out += std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
  } else {
    const bool hours = mag >= 3600 * kSec;
    const uint64_t small = hours ? mag / (60 * kSec) : mag / kSec;  // minutes or seconds
    char two[2] = {static_cast<char>('0' + small % 60 / 10), static_cast<char>('0' + small % 10)};
    out += std::to_string(small / 60) + (hours ? "h" : "m") + std::string(two, 2) + (hours ? "m" : "s");
  }
  return out;
}

}  // namespace tb
