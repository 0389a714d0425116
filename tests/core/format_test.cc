#include "core/format.h"

#include "core/timefmt.h"
#include "core/utf8.h"
#include "tests/status_assert.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace tb {
namespace {

using namespace std::string_literals;  // "..."s keeps embedded NUL bytes

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kBase = 1795687200 * kSec;  // 2026-11-26T10:00:00Z
const std::string kFffd = "\xEF\xBF\xBD";

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

HistoryRecord MakeRecord(EventId id, uint64_t seq, std::string command, std::string cwd,
                         std::optional<int32_t> exit_code, std::optional<int64_t> duration_ns, int64_t started_at_ns) {
  HistoryRecord r;
  r.id = id;
  r.seq = seq;
  r.command = std::move(command);
  r.cwd = std::move(cwd);
  r.exit_code = exit_code;
  r.duration_ns = duration_ns;
  r.started_at_ns = started_at_ns;
  r.session = "s1";
  r.host = "box";
  r.user = "alice";
  r.shell = "bash";
  return r;
}

// The fixed set every format is checked against.
std::vector<HistoryRecord> Records() {
  constexpr uint64_t kOrigin = 0x0123456789abcdefull;
  std::vector<HistoryRecord> v;
  // 1: plain.
  v.push_back(MakeRecord({kOrigin, 1}, 1, "ls -la", "/home/alice/src", 0, 12'000'000, kBase + 123'000'000));
  // 2: quotes, commas, a newline and a tab; a comma in the session.
  v.push_back(MakeRecord({kOrigin, 2}, 2, "echo \"a, b\"\nprintf 'x'\ty", "/tmp", 1, 1'500'000, kBase + 61 * kSec));
  v.back().session = "s,2";
  // 3: invalid UTF-8 and a NUL byte.
  v.push_back(
      MakeRecord({kOrigin, 3}, 3, "grep \xFF\xFE x\0y"s, "/home/alice", 2, 1234, kBase + 3600 * kSec + 999'999'999));
  // 4: running: exit code and duration unknown; largest id; not below home.
  v.push_back(MakeRecord({0xfedcba9876543210ull, std::numeric_limits<uint64_t>::max()}, 4, "sleep 100",
                         "/home/alicia/projects/very/long/directory/name", std::nullopt, std::nullopt,
                         kBase + 7200 * kSec));
  v.back().running = true;
  // 5: unicode, wide CJK characters and an emoji.
  v.push_back(MakeRecord({1, 0}, 5, "echo 日本語 café 😀", "/home/alice/文書", 130, 184 * kSec,
                         kBase + 86400 * kSec + 5'000'000));
  v.back().host = "bücher-pc";
  v.back().shell = "zsh";
  return v;
}

std::string Format(OutputFormat format, const std::vector<HistoryRecord>& records, FormatOptions options = {}) {
  RecordFormatter f(format, std::move(options));
  std::string out;
  f.Begin(&out);
  for (const HistoryRecord& r : records) f.Add(r, &out);
  f.End(&out);
  return out;
}

// One record as ndjson, parsed.
nlohmann::ordered_json OneObject(const HistoryRecord& r) {
  return nlohmann::ordered_json::parse(Format(OutputFormat::kNdjson, {r}));
}

// ------------------------------------------------------------ format names

TEST(OutputFormatTest, ParseAndName) {
  struct Case {
    const char* text;
    OutputFormat format;
  } cases[] = {{"table", OutputFormat::kTable}, {"json", OutputFormat::kJson},   {"ndjson", OutputFormat::kNdjson},
               {"csv", OutputFormat::kCsv},     {"plain", OutputFormat::kPlain}, {"JSON", OutputFormat::kJson},
               {"Csv", OutputFormat::kCsv}};
  for (const Case& c : cases) {
    OutputFormat f = OutputFormat::kPlain;
    ASSERT_OK(ParseOutputFormat(c.text, &f)) << c.text;
    EXPECT_EQ(f, c.format) << c.text;
  }
  EXPECT_EQ(OutputFormatName(OutputFormat::kTable), "table");
  EXPECT_EQ(OutputFormatName(OutputFormat::kJson), "json");
  EXPECT_EQ(OutputFormatName(OutputFormat::kNdjson), "ndjson");
  EXPECT_EQ(OutputFormatName(OutputFormat::kCsv), "csv");
  EXPECT_EQ(OutputFormatName(OutputFormat::kPlain), "plain");
}

TEST(OutputFormatTest, UnknownFormat) {
  for (const char* bad : {"xml", "", "json ", "tsv"}) {
    OutputFormat f = OutputFormat::kCsv;
    Status st = ParseOutputFormat(bad, &f);
    EXPECT_TRUE(st.IsInvalidArgument()) << bad;
    EXPECT_EQ(st.message(), std::string("unknown format '") + bad + "': expected table, json, ndjson, csv or plain");
    EXPECT_EQ(f, OutputFormat::kCsv);
  }
  OutputFormat f;
  EXPECT_EQ(ParseOutputFormat("x\x1b", &f).message(),
            "unknown format 'x\\x1b': expected table, json, ndjson, csv or plain");
}

// ------------------------------------------------------------------ json

const char kExpectedJson[] = R"([
  {
    "id": "0123456789abcdef-1",
    "seq": 1,
    "command": "ls -la",
    "cwd": "/home/alice/src",
    "exit_code": 0,
    "duration_ms": 12,
    "started_at": "2026-11-26T10:00:00.123Z",
    "session": "s1",
    "host": "box",
    "user": "alice",
    "shell": "bash"
  },
  {
    "id": "0123456789abcdef-2",
    "seq": 2,
    "command": "echo \"a, b\"\nprintf 'x'\ty",
    "cwd": "/tmp",
    "exit_code": 1,
    "duration_ms": 1.5,
    "started_at": "2026-11-26T10:01:01.000Z",
    "session": "s,2",
    "host": "box",
    "user": "alice",
    "shell": "bash"
  },
  {
    "id": "0123456789abcdef-3",
    "seq": 3,
    "command": "grep @FFFD2@ x\u0000y",
    "cwd": "/home/alice",
    "exit_code": 2,
    "duration_ms": 0.001234,
    "started_at": "2026-11-26T11:00:00.999Z",
    "session": "s1",
    "host": "box",
    "user": "alice",
    "shell": "bash"
  },
  {
    "id": "fedcba9876543210-18446744073709551615",
    "seq": 4,
    "command": "sleep 100",
    "cwd": "/home/alicia/projects/very/long/directory/name",
    "exit_code": null,
    "duration_ms": null,
    "started_at": "2026-11-26T12:00:00.000Z",
    "session": "s1",
    "host": "box",
    "user": "alice",
    "shell": "bash"
  },
  {
    "id": "0000000000000001-0",
    "seq": 5,
    "command": "echo 日本語 café 😀",
    "cwd": "/home/alice/文書",
    "exit_code": 130,
    "duration_ms": 184000,
    "started_at": "2026-11-27T10:00:00.005Z",
    "session": "s1",
    "host": "bücher-pc",
    "user": "alice",
    "shell": "zsh"
  }
]
)";

TEST(JsonFormatTest, ExactOutput) {
  std::string expected = kExpectedJson;
  // @FFFD2@ stands for the two U+FFFD that replace the bytes \xFF\xFE.
  const std::string placeholder = "@FFFD2@";
  expected.replace(expected.find(placeholder), placeholder.size(), kFffd + kFffd);
  EXPECT_EQ(Format(OutputFormat::kJson, Records()), expected);
}

TEST(JsonFormatTest, Empty) { EXPECT_EQ(Format(OutputFormat::kJson, {}), "[]\n"); }

TEST(JsonFormatTest, SameAsNlohmannPrettyPrint) {
  const std::string out = Format(OutputFormat::kJson, Records());
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(out);
  ASSERT_TRUE(parsed.is_array());
  ASSERT_EQ(parsed.size(), 5u);
  // nlohmann's own 2-space pretty print is byte-identical (it keeps non-ASCII
  // as is and prints 12 as 12, 1.5 as 1.5).
  EXPECT_EQ(parsed.dump(2) + "\n", out);
}

// ----------------------------------------------------------------- ndjson

TEST(NdjsonFormatTest, ExactOutput) {
  const std::string expected =
      R"({"id":"0123456789abcdef-1","seq":1,"command":"ls -la","cwd":"/home/alice/src","exit_code":0,"duration_ms":12,"started_at":"2026-11-26T10:00:00.123Z","session":"s1","host":"box","user":"alice","shell":"bash"})"
      "\n"
      R"({"id":"0123456789abcdef-2","seq":2,"command":"echo \"a, b\"\nprintf 'x'\ty","cwd":"/tmp","exit_code":1,"duration_ms":1.5,"started_at":"2026-11-26T10:01:01.000Z","session":"s,2","host":"box","user":"alice","shell":"bash"})"
      "\n"
      R"({"id":"0123456789abcdef-3","seq":3,"command":"grep )" +
      kFffd + kFffd +
      R"( x\u0000y","cwd":"/home/alice","exit_code":2,"duration_ms":0.001234,"started_at":"2026-11-26T11:00:00.999Z","session":"s1","host":"box","user":"alice","shell":"bash"})"
      "\n"
      R"({"id":"fedcba9876543210-18446744073709551615","seq":4,"command":"sleep 100","cwd":"/home/alicia/projects/very/long/directory/name","exit_code":null,"duration_ms":null,"started_at":"2026-11-26T12:00:00.000Z","session":"s1","host":"box","user":"alice","shell":"bash"})"
      "\n"
      R"({"id":"0000000000000001-0","seq":5,"command":"echo 日本語 café 😀","cwd":"/home/alice/文書","exit_code":130,"duration_ms":184000,"started_at":"2026-11-27T10:00:00.005Z","session":"s1","host":"bücher-pc","user":"alice","shell":"zsh"})"
      "\n";
  EXPECT_EQ(Format(OutputFormat::kNdjson, Records()), expected);
}

TEST(NdjsonFormatTest, Empty) { EXPECT_EQ(Format(OutputFormat::kNdjson, {}), ""); }

TEST(NdjsonFormatTest, RoundTripThroughNlohmann) {
  const std::vector<HistoryRecord> records = Records();
  std::istringstream lines(Format(OutputFormat::kNdjson, records));
  std::string line;
  size_t i = 0;
  const std::vector<std::string> kKeys = {"id",         "seq",     "command", "cwd",  "exit_code", "duration_ms",
                                          "started_at", "session", "host",    "user", "shell"};
  while (std::getline(lines, line)) {
    ASSERT_LT(i, records.size());
    const HistoryRecord& r = records[i++];
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(line);
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
    EXPECT_EQ(keys, kKeys);
    EXPECT_EQ(j["id"].get<std::string>(), r.id.ToString());
    EXPECT_TRUE(j["seq"].is_number_unsigned());
    EXPECT_EQ(j["seq"].get<uint64_t>(), r.seq);
    EXPECT_EQ(j["command"].get<std::string>(), ToValidUtf8(r.command));
    EXPECT_EQ(j["cwd"].get<std::string>(), r.cwd);
    if (r.exit_code) {
      EXPECT_EQ(j["exit_code"].get<int>(), *r.exit_code);
    } else {
      EXPECT_TRUE(j["exit_code"].is_null());
    }
    if (r.duration_ns) {
      EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), *r.duration_ns / 1e6);
    } else {
      EXPECT_TRUE(j["duration_ms"].is_null());
    }
    EXPECT_EQ(j["started_at"].get<std::string>(), FormatRfc3339Millis(r.started_at_ns));
    EXPECT_EQ(j["session"].get<std::string>(), r.session);
    EXPECT_EQ(j["host"].get<std::string>(), r.host);
    EXPECT_EQ(j["user"].get<std::string>(), r.user);
    EXPECT_EQ(j["shell"].get<std::string>(), r.shell);
  }
  EXPECT_EQ(i, records.size());
  // The NUL byte survives inside the JSON string.
  EXPECT_EQ(OneObject(records[2])["command"].get<std::string>(), "grep " + kFffd + kFffd + " x\0y"s);
}

TEST(NdjsonFormatTest, DurationMsIsExact) {
  struct Case {
    int64_t ns;
    const char* text;
  } cases[] = {
      {0, "0"},
      {1, "0.000001"},
      {1234, "0.001234"},
      {100'000, "0.1"},
      {999'999, "0.999999"},
      {1'500'000, "1.5"},
      {12'000'000, "12"},
      {1'000'000'000, "1000"},
      {-1'500'000, "-1.5"},
      {std::numeric_limits<int64_t>::max(), "9223372036854.775807"},
      {std::numeric_limits<int64_t>::min(), "-9223372036854.775808"},
  };
  for (const Case& c : cases) {
    HistoryRecord r;
    r.duration_ns = c.ns;
    const std::string out = Format(OutputFormat::kNdjson, {r});
    EXPECT_NE(out.find(std::string(",\"duration_ms\":") + c.text + ",\"started_at\""), std::string::npos) << out;
    EXPECT_TRUE(nlohmann::json::parse(out)["duration_ms"].is_number()) << c.text;
  }
}

TEST(NdjsonFormatTest, IdTextMatchesEventIdToString) {
  for (EventId id : {EventId{0, 0}, EventId{0xab, 42}, EventId{0x10, 7},
                     EventId{std::numeric_limits<uint64_t>::max(), std::numeric_limits<uint64_t>::max()}}) {
    HistoryRecord r;
    r.id = id;
    EXPECT_EQ(OneObject(r)["id"].get<std::string>(), id.ToString());
  }
}

TEST(NdjsonFormatTest, PreEpochStart) {
  HistoryRecord r;
  r.started_at_ns = -1;
  EXPECT_EQ(OneObject(r)["started_at"].get<std::string>(), "1969-12-31T23:59:59.999Z");
}

TEST(NdjsonFormatTest, EveryByteValueGivesValidJson) {
  HistoryRecord r;
  for (int b = 0; b < 256; ++b) r.command.push_back(static_cast<char>(b));
  r.cwd = r.command;
  r.session = r.host = r.user = r.shell = r.command;
  nlohmann::ordered_json j = OneObject(r);
  EXPECT_EQ(j["command"].get<std::string>(), ToValidUtf8(r.command));
}

// -------------------------------------------------------------------- csv

TEST(CsvFormatTest, ExactOutput) {
  const std::string expected =
      "id,seq,command,cwd,exit_code,duration_ms,started_at,session,host,user,shell\r\n"
      "0123456789abcdef-1,1,ls -la,/home/alice/src,0,12,2026-11-26T10:00:00.123Z,s1,box,alice,"
      "bash\r\n"
      "0123456789abcdef-2,2,\"echo \"\"a, b\"\"\nprintf 'x'\ty\",/tmp,1,1.5,"
      "2026-11-26T10:01:01.000Z,\"s,2\",box,alice,bash\r\n"
      "0123456789abcdef-3,3,grep " +
      kFffd + kFffd + " x\0y"s +
      ",/home/alice,2,0.001234,2026-11-26T11:00:00.999Z,s1,box,alice,bash\r\n"
      "fedcba9876543210-18446744073709551615,4,sleep 100,"
      "/home/alicia/projects/very/long/directory/name,,,2026-11-26T12:00:00.000Z,s1,box,alice,"
      "bash\r\n"
      "0000000000000001-0,5,echo 日本語 café 😀,/home/alice/文書,130,184000,"
      "2026-11-27T10:00:00.005Z,s1,bücher-pc,alice,zsh\r\n";
  EXPECT_EQ(Format(OutputFormat::kCsv, Records()), expected);
}

TEST(CsvFormatTest, QuotingRules) {
  HistoryRecord r;
  r.command = "a\rb";
  r.cwd = "\"quoted\"";
  r.session = "x\xFF,";
  r.host = "plain text";
  const std::string out = Format(OutputFormat::kCsv, {r});
  const std::string row = out.substr(out.find("\r\n") + 2);
  EXPECT_EQ(row, "0000000000000000-0,0,\"a\rb\",\"\"\"quoted\"\"\",,,1970-01-01T00:00:00.000Z,\"x" + kFffd +
                     ",\",plain text,,\r\n");
}

TEST(CsvFormatTest, Empty) {
  EXPECT_EQ(Format(OutputFormat::kCsv, {}),
            "id,seq,command,cwd,exit_code,duration_ms,started_at,session,host,user,shell\r\n");
}

// ------------------------------------------------------------------ plain

TEST(PlainFormatTest, CommandBytesExactly) {
  EXPECT_EQ(Format(OutputFormat::kPlain, Records()),
            "ls -la\n"
            "echo \"a, b\"\nprintf 'x'\ty\n"
            "grep \xFF\xFE x\0y\n"
            "sleep 100\n"
            "echo 日本語 café 😀\n"s);
  EXPECT_EQ(Format(OutputFormat::kPlain, {}), "");
}

// ------------------------------------------------------------------ table

const char kTableHeader[] = "TIME                 DURATION  EXIT  DIRECTORY                       COMMAND\n";

TEST(TableFormatTest, ExactOutput) {
  ScopedTz tz("UTC");
  FormatOptions options;
  options.home_dir = "/home/alice/";  // a trailing slash does not matter
  const std::string expected =
      std::string(kTableHeader) +
      "2026-11-26 10:00:00      12ms     0  ~/src                           ls -la\n"
      R"(2026-11-26 10:01:01       1ms     1  /tmp                            echo "a, b"\nprintf 'x'\ty)"
      "\n"
      R"(2026-11-26 11:00:00       0ms     2  ~                               grep \xff\xfe x\x00y)"
      "\n"
      "2026-11-26 12:00:00   running     -  …ects/very/long/directory/name  sleep 100\n"
      "2026-11-27 10:00:00     3m04s   130  ~/文書                          echo 日本語 café 😀\n";
  EXPECT_EQ(Format(OutputFormat::kTable, Records(), options), expected);
}

TEST(TableFormatTest, Empty) { EXPECT_EQ(Format(OutputFormat::kTable, {}), kTableHeader); }

TEST(TableFormatTest, LocalTimeZone) {
  ScopedTz tz("Europe/Berlin");
  const std::string out = Format(OutputFormat::kTable, {Records()[0]});
  EXPECT_EQ(out.substr(out.find('\n') + 1, 19), "2026-11-26 11:00:00");
}

TEST(TableFormatTest, UnknownDurationAndExitNotRunning) {
  ScopedTz tz("UTC");
  HistoryRecord r;  // imported without exit code or duration
  r.command = "make";
  r.cwd = "/";
  EXPECT_EQ(Format(OutputFormat::kTable, {r}),
            std::string(kTableHeader) + "1970-01-01 00:00:00         -     -  /                               make\n");
}

TEST(TableFormatTest, HomeReplacementOnlyOnWholeComponents) {
  ScopedTz tz("UTC");
  struct Case {
    const char* home;
    const char* cwd;
    const char* shown;
  } cases[] = {
      {"/home/al", "/home/al", "~"},
      {"/home/al", "/home/al/x", "~/x"},
      {"/home/al", "/home/alice", "/home/alice"},
      {"", "/home/al", "/home/al"},
      {"/", "/etc", "/etc"},
      {"///", "/etc", "/etc"},
  };
  for (const Case& c : cases) {
    FormatOptions options;
    options.home_dir = c.home;
    HistoryRecord r;
    r.cwd = c.cwd;
    const std::string out = Format(OutputFormat::kTable, {r}, options);
    const std::string row = out.substr(out.find('\n') + 1);
    EXPECT_EQ(row.substr(37, 30), std::string(c.shown) + std::string(30 - strlen(c.shown), ' '))
        << c.home << " " << c.cwd;
  }
}

TEST(TableFormatTest, DirectoryEscapedAndTruncatedByColumns) {
  ScopedTz tz("UTC");
  HistoryRecord r;
  // 14 wide characters = 28 columns fit; 16 = 32 do not.
  std::string wide;
  for (int i = 0; i < 16; ++i) wide += "日";
  r.cwd = "/" + wide;
  r.command = "x";
  std::string expected_dir = "…";
  for (int i = 0; i < 14; ++i) expected_dir += "日";  // 1 + 28 = 29 columns, one pad space
  EXPECT_EQ(Format(OutputFormat::kTable, {r}),
            std::string(kTableHeader) + "1970-01-01 00:00:00         -     -  " + expected_dir + "   x\n");
  r.cwd = "/tmp/a\nb";
  const std::string out = Format(OutputFormat::kTable, {r});
  EXPECT_NE(out.find("  /tmp/a\\nb" + std::string(21, ' ') + "  x\n"), std::string::npos) << out;
}

TEST(TableFormatTest, ColorMarksNonZeroExitCodes) {
  ScopedTz tz("UTC");
  FormatOptions options;
  options.palette = ResolvePalette(Config::Ui{});  // the default theme
  options.home_dir = "/home/alice";
  const std::string out = Format(OutputFormat::kTable, Records(), options);
  EXPECT_NE(out.find("      12ms     0  ~/src"), std::string::npos) << out;
  EXPECT_NE(out.find("       1ms     \x1b[31m1\x1b[0m  /tmp  "), std::string::npos) << out;
  EXPECT_NE(out.find("     3m04s   \x1b[31m130\x1b[0m  ~/文書"), std::string::npos) << out;
  EXPECT_NE(out.find("   running     -  …"), std::string::npos) << out;
  // The failure style of the palette, whatever it is.
  options.palette.failure = "<f>";
  EXPECT_NE(Format(OutputFormat::kTable, Records(), options).find("   <f>130\x1b[0m  ~/文書"), std::string::npos);
  // Without a palette (or the none theme's) there is no escape byte anywhere.
  options.palette = NoPalette();
  EXPECT_EQ(Format(OutputFormat::kTable, Records(), options).find('\x1b'), std::string::npos);
  options.palette = PlainPalette();
  EXPECT_EQ(Format(OutputFormat::kTable, Records(), options).find('\x1b'), std::string::npos);
}

TEST(TableFormatTest, CommandCutToTerminalWidth) {
  ScopedTz tz("UTC");
  FormatOptions options;
  options.terminal_width = 80;  // 69 columns before the command: 11 left
  const HistoryRecord r = Records()[4];
  std::string out = Format(OutputFormat::kTable, {r}, options);
  std::string row = out.substr(out.find('\n') + 1);
  EXPECT_EQ(row.substr(row.rfind("  ") + 2), "echo 日本…\n");  // 10 columns + ellipsis = 11
  EXPECT_EQ(DisplayWidth(row.substr(0, row.size() - 1)), 79);  // 日 no longer fits in 80
  // Wide enough: unchanged.
  options.terminal_width = 88;
  out = Format(OutputFormat::kTable, {r}, options);
  EXPECT_NE(out.find("  echo 日本語 café 😀\n"), std::string::npos) << out;
  // When fewer than 10 columns are left, the command still gets 10 (the row
  // wraps anyway).
  options.terminal_width = 40;
  HistoryRecord long_command;
  long_command.command = "abcdefghijklmnopqrstuvwxyz";
  out = Format(OutputFormat::kTable, {long_command}, options);
  EXPECT_NE(out.find("  abcdefghi…\n"), std::string::npos) << out;
  options.terminal_width = 78;  // 9 left
  out = Format(OutputFormat::kTable, {long_command}, options);
  EXPECT_NE(out.find("  abcdefghi…\n"), std::string::npos) << out;
  options.terminal_width = 79;  // 10 left: fits exactly
  out = Format(OutputFormat::kTable, {long_command}, options);
  EXPECT_NE(out.find("  abcdefghi…\n"), std::string::npos) << out;
  EXPECT_EQ(DisplayWidth(out.substr(out.find('\n') + 1)), 79 + 1);  // + the newline
}

TEST(TableFormatTest, RowWidthsAreAligned) {
  ScopedTz tz("UTC");
  FormatOptions options;
  options.home_dir = "/home/alice";
  std::istringstream lines(Format(OutputFormat::kTable, Records(), options));
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    // Every row (header included) has the command column at display column
    // 69, right after the two-space gap.
    size_t i = 0;
    int width = 0;
    while (width < 69) {
      size_t len = 1;
      while (i + len < line.size() && (static_cast<unsigned char>(line[i + len]) & 0xC0) == 0x80) {
        ++len;
      }
      width += DisplayWidth(line.substr(i, len));
      i += len;
    }
    EXPECT_EQ(width, 69) << line;
    EXPECT_EQ(line.substr(i - 2, 2), "  ") << line;
    EXPECT_NE(line[i], ' ') << line;
  }
  EXPECT_EQ(rows, 6);
}

// ------------------------------------------------------------- streaming

TEST(RecordFormatterTest, CallerMayFlushBetweenCalls) {
  ScopedTz tz("UTC");
  for (OutputFormat format :
       {OutputFormat::kTable, OutputFormat::kJson, OutputFormat::kNdjson, OutputFormat::kCsv, OutputFormat::kPlain}) {
    RecordFormatter f(format, FormatOptions{});
    std::string flushed;
    std::string buffer = "";
    f.Begin(&buffer);
    flushed += buffer;
    buffer.clear();
    for (const HistoryRecord& r : Records()) {
      f.Add(r, &buffer);
      flushed += buffer;
      buffer.clear();
    }
    f.End(&buffer);
    flushed += buffer;
    EXPECT_EQ(flushed, Format(format, Records())) << OutputFormatName(format);
  }
}

TEST(RecordFormatterTest, AppendsWithoutClearing) {
  RecordFormatter f(OutputFormat::kPlain, FormatOptions{});
  std::string out = "previous\n";
  f.Begin(&out);
  f.Add(Records()[0], &out);
  f.End(&out);
  EXPECT_EQ(out, "previous\nls -la\n");
}

}  // namespace
}  // namespace tb
