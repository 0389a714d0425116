#include "core/timefmt.h"
#include "tests/status_assert.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <limits>
#include <optional>
#include <string>

namespace tb {
namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
// 2026-11-26T10:00:00Z (11:00 in Berlin, CET).
constexpr int64_t kNow = 1795687200 * kSec;

constexpr char kExpected[] =
    "': expected RFC 3339 (2026-01-31T12:00:00Z), a date (2026-01-31), \"2 hours ago\", "
    "\"today\" or \"@UNIXSECONDS\"";

// Sets TZ for the lifetime of the object and restores the previous value.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> old_;
};

// Parses `text` at kNow (or `now`) and returns the result, failing the test
// on error.
int64_t Parse(const std::string& text, int64_t now = kNow) {
  int64_t out = 0;
  Status st = ParseTime(text, now, &out);
  EXPECT_OK(st) << text << ": " << st.ToString();
  return out;
}

// The error message for `text`; out_ns must stay untouched.
std::string ParseError(const std::string& text, int64_t now = kNow) {
  int64_t out = 42;
  Status st = ParseTime(text, now, &out);
  EXPECT_TRUE(st.IsInvalidArgument()) << text << ": " << st.ToString();
  EXPECT_EQ(out, 42) << text;
  return st.message();
}

std::string Unparsable(const std::string& text) { return "cannot parse time '" + text + kExpected; }

std::string Bad(const std::string& text, const std::string& why) { return "cannot parse time '" + text + "': " + why; }

// ------------------------------------------------------------ formatting

TEST(FormatRfc3339MillisTest, EpochAndExample) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1795652203 * kSec + 123456789), "2026-11-26T00:16:43.123Z");
  EXPECT_EQ(FormatRfc3339Millis(1795652203 * kSec + 999999999), "2026-11-26T00:16:43.999Z");
  EXPECT_EQ(FormatRfc3339Millis(1795652203 * kSec + 1), "2026-11-26T00:16:43.000Z");
}

TEST(FormatRfc3339MillisTest, LeapDays) {
  EXPECT_EQ(FormatRfc3339Millis(1709208000 * kSec), "2024-02-29T12:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400 * kSec), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400 * kSec - 1), "2000-02-28T23:59:59.999Z");
  // 1900 is not a leap year: Feb 28 is followed by Mar 1.
  EXPECT_EQ(FormatRfc3339Millis(-2203891200 * kSec), "1900-03-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(-2203891200 * kSec - kDay), "1900-02-28T00:00:00.000Z");
}

TEST(FormatRfc3339MillisTest, BeforeEpochFloors) {
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(-1'000'000), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(-1'000'001), "1969-12-31T23:59:59.998Z");
  EXPECT_EQ(FormatRfc3339Millis(-kSec), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(FormatRfc3339Millis(-14182940 * kSec + 500'000'000), "1969-07-20T20:17:40.500Z");
}

TEST(FormatRfc3339MillisTest, Int64Limits) {
  EXPECT_EQ(FormatRfc3339Millis(std::numeric_limits<int64_t>::min()), "1677-09-21T00:12:43.145Z");
  EXPECT_EQ(FormatRfc3339Millis(std::numeric_limits<int64_t>::max()), "2262-04-11T23:47:16.854Z");
}

TEST(FormatRfc3339MillisTest, AppendKeepsExistingContent) {
  std::string out = "at ";
  AppendRfc3339Millis(0, &out);
  EXPECT_EQ(out, "at 1970-01-01T00:00:00.000Z");
}

TEST(FormatLocalTimeTest, Utc) {
  ScopedTz tz("UTC");
  EXPECT_EQ(FormatLocalTime(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatLocalTime(-1), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatLocalTime(1795652203 * kSec + 999999999), "2026-11-26 00:16:43");
}

TEST(FormatLocalTimeTest, BerlinWinterAndSummer) {
  ScopedTz tz("Europe/Berlin");
  EXPECT_EQ(FormatLocalTime(1769860800 * kSec), "2026-01-31 13:00:00");  // CET
  EXPECT_EQ(FormatLocalTime(1782907200 * kSec), "2026-07-01 14:00:00");  // CEST
}

TEST(FormatDurationHumanTest, Milliseconds) {
  EXPECT_EQ(FormatDurationHuman(0), "0ms");
  EXPECT_EQ(FormatDurationHuman(999'999), "0ms");
  EXPECT_EQ(FormatDurationHuman(1'000'000), "1ms");
  EXPECT_EQ(FormatDurationHuman(12'345'678), "12ms");
  EXPECT_EQ(FormatDurationHuman(999'999'999), "999ms");
}

TEST(FormatDurationHumanTest, Seconds) {
  EXPECT_EQ(FormatDurationHuman(kSec), "1.0s");
  EXPECT_EQ(FormatDurationHuman(1'200'000'000), "1.2s");
  EXPECT_EQ(FormatDurationHuman(1'299'999'999), "1.2s");
  EXPECT_EQ(FormatDurationHuman(59'900'000'000), "59.9s");
  EXPECT_EQ(FormatDurationHuman(kMin - 1), "59.9s");
}

TEST(FormatDurationHumanTest, MinutesAndHours) {
  EXPECT_EQ(FormatDurationHuman(kMin), "1m00s");
  EXPECT_EQ(FormatDurationHuman(3 * kMin + 4 * kSec + 999'999'999), "3m04s");
  EXPECT_EQ(FormatDurationHuman(kHour - 1), "59m59s");
  EXPECT_EQ(FormatDurationHuman(kHour), "1h00m");
  EXPECT_EQ(FormatDurationHuman(2 * kHour + 5 * kMin + 59 * kSec), "2h05m");
  EXPECT_EQ(FormatDurationHuman(100 * kHour), "100h00m");
  EXPECT_EQ(FormatDurationHuman(std::numeric_limits<int64_t>::max()), "2562047h47m");
}

TEST(FormatDurationHumanTest, Negative) {
  EXPECT_EQ(FormatDurationHuman(-1'500'000'000), "-1.5s");
  EXPECT_EQ(FormatDurationHuman(-12'000'000), "-12ms");
  EXPECT_EQ(FormatDurationHuman(std::numeric_limits<int64_t>::min()), "-2562047h47m");
}

// --------------------------------------------------------- RFC 3339 parse

TEST(ParseTimeTest, Rfc3339Utc) {
  ScopedTz tz("Europe/Berlin");  // explicit zones never depend on TZ
  EXPECT_EQ(Parse("2026-11-26T10:00:00Z"), kNow);
  EXPECT_EQ(Parse("2026-11-26t10:00:00z"), kNow);
  EXPECT_EQ(Parse("2026-11-26 10:00:00Z"), kNow);
  EXPECT_EQ(Parse("  2026-11-26T10:00:00Z\t"), kNow);
  EXPECT_EQ(Parse("2026-11-26T10:00Z"), kNow);
  EXPECT_EQ(Parse("1969-07-20T20:17:40Z"), -14182940 * kSec);
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
}

TEST(ParseTimeTest, Rfc3339Fraction) {
  EXPECT_EQ(Parse("2026-11-26T10:00:00.5Z"), kNow + 500'000'000);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.123Z"), kNow + 123'000'000);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.123456789Z"), kNow + 123'456'789);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.000000001Z"), kNow + 1);
  EXPECT_EQ(Parse("1969-12-31T23:59:59.5Z"), -500'000'000);
}

TEST(ParseTimeTest, Rfc3339Offsets) {
  EXPECT_EQ(Parse("2026-11-26T12:00:00+02:00"), kNow);
  EXPECT_EQ(Parse("2026-11-26T04:30:00-05:30"), kNow);
  EXPECT_EQ(Parse("2026-11-26T10:00:00-00:00"), kNow);
  EXPECT_EQ(Parse("2026-11-26T10:00:00+00:00"), kNow);
  EXPECT_EQ(Parse("2026-11-27T09:59:00+23:59"), kNow);
  // The offset moves the instant across a date boundary.
  EXPECT_EQ(Parse("2026-11-27T00:30:00+14:30"), kNow);
  EXPECT_EQ(Parse("2026-11-26T10:00:00.25+01:00"), kNow - kHour + 250'000'000);
}

TEST(ParseTimeTest, LeapDays) {
  ScopedTz tz("UTC");
  EXPECT_EQ(Parse("2024-02-29T12:00:00Z"), 1709208000 * kSec);
  EXPECT_EQ(Parse("2000-02-29"), 951782400 * kSec);
  EXPECT_EQ(ParseError("2100-02-29"), Bad("2100-02-29", "day 29 is not in 1-28 for 2100-02"));
  EXPECT_EQ(ParseError("2026-02-29"), Bad("2026-02-29", "day 29 is not in 1-28 for 2026-02"));
  EXPECT_EQ(ParseError("2024-02-30"), Bad("2024-02-30", "day 30 is not in 1-29 for 2024-02"));
}

// ------------------------------------------------------------- local forms

TEST(ParseTimeTest, LocalDateAndTimeInUtc) {
  ScopedTz tz("UTC");
  EXPECT_EQ(Parse("2026-01-31"), 1769817600 * kSec);
  EXPECT_EQ(Parse("2026-01-31 12:00"), 1769860800 * kSec);
  EXPECT_EQ(Parse("2026-01-31 12:00:07"), 1769860807 * kSec);
  // One second before the epoch is -1 from mktime, which is not an error.
  EXPECT_EQ(Parse("1969-12-31 23:59:59"), -kSec);
}

TEST(ParseTimeTest, LocalFormsUseTheLocalZone) {
  ScopedTz tz("Europe/Berlin");
  EXPECT_EQ(Parse("2026-01-31"), (1769817600 - 3600) * kSec);  // CET, +01:00
  EXPECT_EQ(Parse("2026-01-31 12:00"), (1769860800 - 3600) * kSec);
  EXPECT_EQ(Parse("2026-07-01 12:00"), (1782907200 - 7200) * kSec);  // CEST, +02:00
  EXPECT_EQ(Parse("2026-07-01 12:00:30"), (1782907200 - 7200 + 30) * kSec);
  EXPECT_EQ(Parse("2026-07-01T12:00:30.25"), (1782907200 - 7200 + 30) * kSec + 250'000'000);
}

TEST(ParseTimeTest, Keywords) {
  ScopedTz tz("Europe/Berlin");
  const int64_t local_midnight = 1795647600 * kSec;  // 2026-11-26T00:00+01:00
  EXPECT_EQ(Parse("now"), kNow);
  EXPECT_EQ(Parse("NOW"), kNow);
  EXPECT_EQ(Parse("today"), local_midnight);
  EXPECT_EQ(Parse("Today"), local_midnight);
  EXPECT_EQ(Parse("yesterday"), local_midnight - kDay);
  // 23:30 UTC on the 25th is already the 26th in Berlin.
  EXPECT_EQ(Parse("today", local_midnight + 30 * kMin), local_midnight);
  EXPECT_EQ(Parse("today", local_midnight - 1), local_midnight - kDay);
}

TEST(ParseTimeTest, KeywordsAcrossDstAndMonths) {
  ScopedTz tz("Europe/Berlin");
  // 2026-03-29 has 23 hours in Berlin: yesterday is 23 h before today.
  const int64_t mar30_noon = 1774872000 * kSec;
  EXPECT_EQ(Parse("today", mar30_noon), (1774828800 - 7200) * kSec);
  EXPECT_EQ(Parse("yesterday", mar30_noon), (1774742400 - 3600) * kSec);
  ScopedTz utc("UTC");
  EXPECT_EQ(Parse("yesterday", Parse("2026-03-01T12:00:00Z")), Parse("2026-02-28T00:00:00Z"));
  EXPECT_EQ(Parse("yesterday", Parse("2024-03-01T12:00:00Z")), Parse("2024-02-29T00:00:00Z"));
  EXPECT_EQ(Parse("yesterday", Parse("2026-01-01T00:00:00Z")), Parse("2025-12-31T00:00:00Z"));
}

// --------------------------------------------------------------- relative

TEST(ParseTimeTest, RelativeUnits) {
  EXPECT_EQ(Parse("2 hours ago"), kNow - 2 * kHour);
  EXPECT_EQ(Parse("90 min ago"), kNow - 90 * kMin);
  EXPECT_EQ(Parse("1d ago"), kNow - kDay);
  EXPECT_EQ(Parse("0 seconds ago"), kNow);
  EXPECT_EQ(Parse("  3   HOURS   Ago "), kNow - 3 * kHour);
  for (const char* unit : {"s", "sec", "secs", "second", "seconds"}) {
    EXPECT_EQ(Parse(std::string("5 ") + unit + " ago"), kNow - 5 * kSec) << unit;
  }
  for (const char* unit : {"m", "min", "mins", "minute", "minutes"}) {
    EXPECT_EQ(Parse(std::string("5") + unit + " ago"), kNow - 5 * kMin) << unit;
  }
  for (const char* unit : {"h", "hour", "hours"}) {
    EXPECT_EQ(Parse(std::string("5 ") + unit + " ago"), kNow - 5 * kHour) << unit;
  }
  for (const char* unit : {"d", "day", "days"}) {
    EXPECT_EQ(Parse(std::string("5 ") + unit + " ago"), kNow - 5 * kDay) << unit;
  }
  for (const char* unit : {"w", "week", "weeks"}) {
    EXPECT_EQ(Parse(std::string("5 ") + unit + " ago"), kNow - 35 * kDay) << unit;
  }
  for (const char* unit : {"month", "months"}) {
    EXPECT_EQ(Parse(std::string("5 ") + unit + " ago"), kNow - 150 * kDay) << unit;
  }
  for (const char* unit : {"year", "years"}) {
    EXPECT_EQ(Parse(std::string("5 ") + unit + " ago"), kNow - 5 * 365 * kDay) << unit;
  }
}

TEST(ParseTimeTest, RelativeErrors) {
  EXPECT_EQ(ParseError("3 fortnights ago"),
            Bad("3 fortnights ago",
                "unknown unit 'fortnights': expected seconds, minutes, hours, days, weeks, "
                "months or years"));
  EXPECT_EQ(ParseError("2 hours"), Unparsable("2 hours"));
  EXPECT_EQ(ParseError("ago"), Unparsable("ago"));
  EXPECT_EQ(ParseError("hours ago"), Unparsable("hours ago"));
  EXPECT_EQ(ParseError("2 ago"), Unparsable("2 ago"));
  EXPECT_EQ(ParseError("-2 hours ago"), Unparsable("-2 hours ago"));
  EXPECT_EQ(ParseError("2 hoursago"), Unparsable("2 hoursago"));
  EXPECT_EQ(ParseError("1.5 hours ago"), Unparsable("1.5 hours ago"));
  EXPECT_EQ(ParseError("2 hours 5 ago"), Unparsable("2 hours 5 ago"));
  const std::string out_of_range = "outside the supported range 1677-09-21 to 2262-04-11 (UTC)";
  // The number does not fit int64, the product overflows, the difference
  // overflows.
  EXPECT_EQ(ParseError("99999999999999999999 days ago"), Bad("99999999999999999999 days ago", out_of_range));
  EXPECT_EQ(ParseError("300 years ago"), Bad("300 years ago", out_of_range));
  EXPECT_EQ(ParseError("200 years ago", -5'000'000'000'000'000'000), Bad("200 years ago", out_of_range));
}

// -------------------------------------------------------------- unix time

TEST(ParseTimeTest, UnixSeconds) {
  EXPECT_EQ(Parse("@1767225600"), 1767225600 * kSec);
  EXPECT_EQ(Parse("@0"), 0);
  EXPECT_EQ(Parse("@-86400"), -kDay);
  EXPECT_EQ(Parse("@1.5"), 1'500'000'000);
  EXPECT_EQ(Parse("@-0.5"), -500'000'000);
  EXPECT_EQ(Parse("@1767225600.123456789"), 1767225600 * kSec + 123456789);
}

TEST(ParseTimeTest, UnixSecondsErrors) {
  for (const char* bad : {"@", "@abc", "@1.", "@1.5x", "@ 1", "@--1", "@+1", "@.5"}) {
    EXPECT_EQ(ParseError(bad), Unparsable(bad)) << bad;
  }
  EXPECT_EQ(ParseError("@1.1234567890"), Bad("@1.1234567890", "more than 9 fractional digits"));
  const std::string out_of_range = "outside the supported range 1677-09-21 to 2262-04-11 (UTC)";
  EXPECT_EQ(ParseError("@9223372037"), Bad("@9223372037", out_of_range));
  EXPECT_EQ(ParseError("@9223372036.9"), Bad("@9223372036.9", out_of_range));
  EXPECT_EQ(ParseError("@99999999999999999999"), Bad("@99999999999999999999", out_of_range));
  EXPECT_EQ(Parse("@9223372036.854775807"), std::numeric_limits<int64_t>::max());
}

// ----------------------------------------------------------------- errors

TEST(ParseTimeTest, UnrecognizedForms) {
  ScopedTz tz("UTC");
  for (const char* bad : {"tomorow",
                          "",
                          "   ",
                          "2026",
                          "2026-1-31",
                          "2026-01-31x",
                          "2026-01-31T",
                          "2026-01-31T12",
                          "2026-01-31T1:00",
                          "2026-01-31T12:00:",
                          "2026-01-31T12:00:0",
                          "2026-01-31T12:00:00.",
                          "2026-01-31T12:00.5",
                          "2026-01-31T12:00:00+0200",
                          "2026-01-31T12:00:00+02",
                          "2026-01-31T12:00:00 Z",
                          "2026-01-31T12:00:00ZZ",
                          "2026-01-31  12:00",
                          "2026/01/31",
                          "31.01.2026",
                          "next week",
                          "2026-01-31T12:00:00UTC"}) {
    EXPECT_EQ(ParseError(bad), Unparsable(bad)) << bad;
  }
}

TEST(ParseTimeTest, ErrorQuotesInputEscaped) { EXPECT_EQ(ParseError("bad\x1b[31m\n"), Unparsable("bad\\x1b[31m\\n")); }

TEST(ParseTimeTest, FieldRanges) {
  ScopedTz tz("UTC");
  struct Case {
    const char* text;
    const char* why;
  } cases[] = {
      {"2026-13-01", "month 13 is not in 1-12"},
      {"2026-00-10", "month 0 is not in 1-12"},
      {"2026-01-00", "day 0 is not in 1-31 for 2026-01"},
      {"2026-04-31", "day 31 is not in 1-30 for 2026-04"},
      {"2026-12-32 10:00", "day 32 is not in 1-31 for 2026-12"},
      {"2026-01-01T24:00:00Z", "hour 24 is not in 0-23"},
      {"2026-01-01 23:60", "minute 60 is not in 0-59"},
      {"2026-01-01T23:59:60Z", "second 60 is not in 0-59"},
      {"2026-01-01T00:00:00+24:00", "zone offset hour 24 is not in 0-23"},
      {"2026-01-01T00:00:00-01:60", "zone offset minute 60 is not in 0-59"},
      {"2026-01-01T00:00:00.1234567890Z", "more than 9 fractional digits"},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseError(c.text), Bad(c.text, c.why)) << c.text;
}

TEST(ParseTimeTest, OutsideInt64Range) {
  ScopedTz tz("UTC");
  const std::string why = "outside the supported range 1677-09-21 to 2262-04-11 (UTC)";
  EXPECT_EQ(ParseError("9999-12-31T00:00:00Z"), Bad("9999-12-31T00:00:00Z", why));
  EXPECT_EQ(ParseError("1600-01-01"), Bad("1600-01-01", why));
  EXPECT_EQ(ParseError("2262-04-12"), Bad("2262-04-12", why));
  EXPECT_EQ(Parse("1677-09-22T00:00:00Z"), -9223286400 * kSec);
  // Midnight of the first representable day is before the first instant.
  EXPECT_EQ(ParseError("today", std::numeric_limits<int64_t>::min() + 1), Bad("today", why));
  EXPECT_EQ(ParseError("yesterday", std::numeric_limits<int64_t>::min() + kDay), Bad("yesterday", why));
}

}  // namespace
}  // namespace tb
