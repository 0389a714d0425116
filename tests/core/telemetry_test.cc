// Telemetry counts (core/telemetry.h): duration buckets, the line format,
// aggregation, the document, and files that must not be believed.
#include "core/telemetry.h"

#include <gtest/gtest.h>

#include "core/crc32c.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

bool IsCommand(std::string_view name) { return name == "search" || name == "sync status" || name == "record"; }

constexpr int64_t kMs = 1000000;
constexpr int64_t kSince = 1765065600;  // 2025-12-07T00:00:00Z

std::string SampleFile() {
  return TelemetryHeaderLine(kSince) + TelemetryCountLine("search", 3 * kMs, Status::Code::kOk) +
         TelemetryCountLine("search", 50 * kMs, Status::Code::kNotFound) +
         TelemetryCountLine("sync status", 20000 * kMs, Status::Code::kIOError) +
         TelemetryCountLine("search", 9 * kMs, Status::Code::kOk) +
         TelemetryCountLine("record", 999 * kMs, Status::Code::kOk);
}

TEST(TelemetryTest, DurationBuckets) {
  EXPECT_EQ(DurationBucket(0), 0);
  EXPECT_EQ(DurationBucket(10 * kMs - 1), 0);
  EXPECT_EQ(DurationBucket(10 * kMs), 1);
  EXPECT_EQ(DurationBucket(100 * kMs - 1), 1);
  EXPECT_EQ(DurationBucket(100 * kMs), 2);
  EXPECT_EQ(DurationBucket(1000 * kMs), 3);
  EXPECT_EQ(DurationBucket(10000 * kMs - 1), 3);
  EXPECT_EQ(DurationBucket(10000 * kMs), 4);
  EXPECT_EQ(DurationBucket(INT64_MAX), 4);
  EXPECT_EQ(DurationBucket(-5), 0);  // a clock step back is a fast run
}

TEST(TelemetryTest, LinesAreFieldsAndTheirChecksum) {
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", Crc32c("sync status\t2\tnot found"));
  EXPECT_EQ(TelemetryCountLine("sync status", 150 * kMs, Status::Code::kNotFound),
            "sync status\t2\tnot found\t" + std::string(crc) + "\n");
  std::snprintf(crc, sizeof crc, "%08x", Crc32c("termbrain-telemetry\t1\t1765065600"));
  EXPECT_EQ(TelemetryHeaderLine(kSince), "termbrain-telemetry\t1\t1765065600\t" + std::string(crc) + "\n");
}

TEST(TelemetryTest, AggregatesPerCommand) {
  TelemetryCounts counts;
  ASSERT_OK(ParseTelemetry(SampleFile(), IsCommand, &counts));
  EXPECT_EQ(counts.since_s, kSince);
  ASSERT_EQ(counts.commands.size(), 3u);
  const CommandCounts& search = counts.commands.at("search");
  EXPECT_EQ(search.runs, 3u);
  EXPECT_EQ(search.durations, (std::array<uint64_t, 5>{2, 1, 0, 0, 0}));
  EXPECT_EQ(search.errors, (std::map<std::string, uint64_t, std::less<>>{{"not found", 1}}));
  EXPECT_EQ(counts.commands.at("sync status").durations, (std::array<uint64_t, 5>{0, 0, 0, 0, 1}));
  EXPECT_EQ(counts.commands.at("record").errors.size(), 0u);

  EXPECT_EQ(TelemetryDocument(counts, "1.2.3"),
            R"({"schema":"termbrain-telemetry/1","tb_version":"1.2.3","since":"2025-12-07",)"
            R"("duration_buckets":["<10ms","<100ms","<1s","<10s",">=10s"],"commands":{)"
            R"("record":{"runs":1,"durations":[0,0,1,0,0],"errors":{}},)"
            R"("search":{"runs":3,"durations":[2,1,0,0,0],"errors":{"not found":1}},)"
            R"("sync status":{"runs":1,"durations":[0,0,0,0,1],"errors":{"io error":1}}}})");
}

TEST(TelemetryTest, AnEmptyWindowAndNoWindow) {
  TelemetryCounts counts;
  ASSERT_OK(ParseTelemetry(TelemetryHeaderLine(kSince), IsCommand, &counts));
  EXPECT_EQ(counts.since_s, kSince);
  EXPECT_TRUE(counts.commands.empty());
  EXPECT_EQ(TelemetryDocument(TelemetryCounts{}, "1.2.3"),
            R"({"schema":"termbrain-telemetry/1","tb_version":"1.2.3","since":null,)"
            R"("duration_buckets":["<10ms","<100ms","<1s","<10s",">=10s"],"commands":{}})");
}

// A file is believed whole or not at all: *out stays as it was.
void ExpectRefused(const std::string& content, Status::Code code, const std::string& message) {
  TelemetryCounts counts;
  counts.since_s = 7;
  Status s = ParseTelemetry(content, IsCommand, &counts);
  EXPECT_EQ(s.code(), code) << s.ToString();
  EXPECT_EQ(s.message(), message);
  EXPECT_EQ(counts.since_s, 7);
}

// The fields with a correct checksum: what a foreign writer could produce.
std::string Signed(const std::string& fields) {
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", Crc32c(fields));
  return fields + "\t" + crc + "\n";
}

TEST(TelemetryTest, DamagedOrForeignFilesAreNotBelieved) {
  const std::string good = SampleFile();
  using C = Status::Code;
  ExpectRefused("", C::kIncompatible, "not a telemetry counts file (it does not start with 'termbrain-telemetry')");
  ExpectRefused("{\"commands\":{}}\n", C::kIncompatible,
                "not a telemetry counts file (it does not start with 'termbrain-telemetry')");
  ExpectRefused(Signed("termbrain-telemetry\t2\t1"), C::kIncompatible,
                "telemetry counts file of format 2; this tb reads 1");
  ExpectRefused(good.substr(0, good.size() - 1), C::kCorruption, "line 6: cut short (no end of line)");
  std::string flipped = good;
  flipped[good.find("search")] = 'S';
  ExpectRefused(flipped, C::kCorruption, "line 2: checksum mismatch");
  ExpectRefused(good + "\n", C::kCorruption, "line 7: checksum mismatch");
  ExpectRefused(good + Signed("ls -la /home/someone\t0\tok"), C::kCorruption, "line 7: not a tb command");
  ExpectRefused(good + Signed("search\t5\tok"), C::kCorruption, "line 7: duration bucket out of range");
  ExpectRefused(good + Signed("search\t0\tpermission denied"), C::kCorruption, "line 7: not a status code name");
  ExpectRefused(good + Signed("search\t0"), C::kCorruption, "line 7: expected 3 fields, found 2");
  ExpectRefused(Signed("termbrain-telemetry\t1\t-4"), C::kCorruption, "line 1: malformed start time");
  ExpectRefused(good + std::string(kTelemetryMaxFileBytes, 'x'), C::kCorruption, "larger than 8 MiB");
}

TEST(TelemetryTest, EveryChangedByteIsDetected) {
  const std::string good = SampleFile();
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'x', '\n', '\t', '0'}) {
      if (good[i] == c) continue;
      std::string bad = good;
      bad[i] = c;
      TelemetryCounts counts;
      EXPECT_FALSE(ParseTelemetry(bad, IsCommand, &counts).ok()) << "byte " << i << " as " << int(c);
    }
  }
}

}  // namespace
}  // namespace tb
