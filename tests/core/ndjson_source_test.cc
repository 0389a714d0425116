// The ndjson record parser (core/import/ndjson_source.h): tb's own export
// lines field by field, the lines only nlohmann::json reads (simdjson
// refuses them, the parser must still take them), the exact problem
// messages, and ids: tb's own kept, other tools' mapped to
// ForeignEventId (core/event.h).
#include <gtest/gtest.h>

#include <string>

#include "core/event.h"
#include "core/import/ndjson_source.h"
#include "tests/status_assert.h"

namespace tb {
namespace {

using namespace std::string_literals;

// The problem message of a line the parser refuses, or "ok".
std::string Problem(NdjsonRecordParser& p, const std::string& line) {
  ImportedCommand c;
  Status s = p.Parse(line, &c);
  return s.ok() ? "ok" : s.message();
}

TEST(NdjsonRecordParserTest, ReadsEveryKeyOfTheExport) {
  NdjsonRecordParser p;
  ImportedCommand c;
  Status s = p.Parse(
      R"({"id":"0123456789abcdef-7","seq":7,"command":"printf 'a\u0000b'","cwd":"/tmp/\ufffd","exit_code":-2,)"
      R"("duration_ms":1.234567,"started_at":"2024-01-02T03:04:05.123Z","session":"s1","host":"box","user":"al",)"
      R"("shell":"zsh","cwd_b64":"L3RtcC///g==","started_at_ns":1704164645123456789,"truncated":true})",
      &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.kind, EventKind::kRecorded);
  EXPECT_EQ(c.ev.command, "printf 'a\0b'"s);
  EXPECT_EQ(c.ev.cwd, "/tmp/\xff\xfe");  // the _b64 key wins over the U+FFFD form
  EXPECT_EQ(c.ev.exit_code, -2);
  EXPECT_EQ(c.ev.duration_ns, 1234567);
  EXPECT_EQ(c.ev.time_ns, 1704164645123456789);  // started_at_ns wins over started_at
  EXPECT_TRUE(c.has_time);
  EXPECT_EQ(c.ev.session, "s1");
  EXPECT_EQ(c.ev.host, "box");
  EXPECT_EQ(c.ev.user, "al");
  EXPECT_EQ(c.ev.shell, "zsh");
  EXPECT_TRUE(c.ev.truncated);
  EXPECT_TRUE(c.keep_id);
  EXPECT_EQ(c.ev.id, (EventId{0x0123456789abcdefull, 7}));
  EXPECT_EQ(c.want_seq, 7u);

  // The same parser, a shorter line: nothing of the previous record stays.
  s = p.Parse(R"({"command":"ls","started_at":"2024-01-02T03:04:05.5Z","exit_code":null,"duration_ms":null})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.command, "ls");
  EXPECT_EQ(c.ev.cwd, "");
  EXPECT_EQ(c.ev.exit_code, std::nullopt);
  EXPECT_EQ(c.ev.duration_ns, std::nullopt);
  EXPECT_EQ(c.ev.time_ns, 1704164645500000000);
  EXPECT_FALSE(c.ev.truncated);
  EXPECT_FALSE(c.keep_id);
  EXPECT_TRUE(c.ev.id.empty());
  EXPECT_EQ(c.want_seq, 0u);
}

TEST(NdjsonRecordParserTest, EveryB64KeyCarriesBytes) {
  NdjsonRecordParser p;
  ImportedCommand c;
  // "/w==" is 0xff, "AP4=" 0x00 0xfe.
  Status s = p.Parse(R"({"command":"?","command_b64":"/w==","cwd_b64":"AP4=","session_b64":"/w==",)"
                     R"("host_b64":"AP4=","user_b64":"/w==","shell_b64":"AP4="})",
                     &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.command, "\xff");
  EXPECT_EQ(c.ev.cwd, "\0\xfe"s);
  EXPECT_EQ(c.ev.session, "\xff");
  EXPECT_EQ(c.ev.host, "\0\xfe"s);
  EXPECT_EQ(c.ev.user, "\xff");
  EXPECT_EQ(c.ev.shell, "\0\xfe"s);
}

TEST(NdjsonRecordParserTest, ProblemsNameTheKey) {
  NdjsonRecordParser p;
  EXPECT_EQ(Problem(p, R"({"cwd":"/"})"), "missing 'command'");
  EXPECT_EQ(Problem(p, R"({"command":null})"), "missing 'command'");
  EXPECT_EQ(Problem(p, R"({"command":" \t"})"), "empty or whitespace-only command");
  EXPECT_EQ(Problem(p, R"({"command":"x","command_b64":null})"), "invalid 'command_b64'");
  EXPECT_EQ(Problem(p, R"({"command":"x","shell_b64":"!!"})"), "invalid 'shell_b64'");
  EXPECT_EQ(Problem(p, R"({"command":"x","cwd":3})"), "'cwd' is not a string");
  EXPECT_EQ(Problem(p, R"({"command":"x","exit_code":1.0})"), "'exit_code' is not an integer");
  EXPECT_EQ(Problem(p, R"({"command":"x","exit_code":2147483648})"), "'exit_code' out of range");
  EXPECT_EQ(Problem(p, R"({"command":"x","duration_ms":"1"})"), "'duration_ms' is not a number");
  EXPECT_EQ(Problem(p, R"({"command":"x","duration_ms":-1})"), "'duration_ms' out of range");
  EXPECT_EQ(Problem(p, R"({"command":"x","started_at":"yesterday-ish"})").rfind("'started_at': ", 0), 0u);
  EXPECT_EQ(Problem(p, R"({"command":"x","id":""})"), "invalid 'id'");
  // Checked in key order: the command first, whatever the line's order.
  EXPECT_EQ(Problem(p, R"({"exit_code":"0","command":3})"), "'command' is not a string");
  for (const std::string& bad : {""s, "[1]"s, "\"x\""s, R"({"command":"x")"s, R"({"command":"x"} {})"s,
                                 R"({"command":"\ud800"})"s, R"({"command":"\udc00"})"s, "{\"command\":\"\xff\"}"s,
                                 "{\"command\":\"a\x01\"}"s, R"({"command":"x","n":1e400})"s}) {
    EXPECT_EQ(Problem(p, bad), "not a JSON object") << bad;
  }
}

TEST(NdjsonRecordParserTest, TakesWhatOnlyNlohmannJsonReads) {
  NdjsonRecordParser p;
  ImportedCommand c;
  // A byte order mark.
  Status s = p.Parse("\xef\xbb\xbf{\"command\":\"bom\"}", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.command, "bom");
  // An integer beyond 64 bits is a number with a fraction.
  EXPECT_EQ(Problem(p, R"({"command":"x","exit_code":123456789012345678901})"), "'exit_code' is not an integer");
  s = p.Parse(R"({"command":"big","seq":123456789012345678901,"duration_ms":10000000000000000000000})", &c);
  EXPECT_EQ(s.message(), "'duration_ms' out of range");
  s = p.Parse(R"({"command":"big","seq":123456789012345678901,"other":-9223372036854775809})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.want_seq, 0u);
  // Nesting deeper than simdjson's limit, in a key nobody reads.
  s = p.Parse(R"({"command":"deep","x":)" + std::string(2000, '[') + std::string(2000, ']') + "}", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.command, "deep");
  // A NUL ends the input.
  s = p.Parse("{\"command\":\"nul\"}\0garbage"s, &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.command, "nul");
}

TEST(NdjsonRecordParserTest, TheLastOfARepeatedKeyCounts) {
  NdjsonRecordParser p;
  ImportedCommand c;
  Status s = p.Parse(R"({"command":"first","seq":3,"exit_code":"bad","command":"second","seq":4,"exit_code":1})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.command, "second");
  EXPECT_EQ(c.want_seq, 4u);
  EXPECT_EQ(c.ev.exit_code, 1);
}

TEST(NdjsonRecordParserTest, NumbersAsNlohmannJsonTypesThem) {
  NdjsonRecordParser p;
  ImportedCommand c;
  // -0 is an integer; 18446744073709551615 an unsigned one, read as int64
  // (wraps to -1) for exit_code and started_at_ns.
  Status s = p.Parse(R"({"command":"x","exit_code":-0,"seq":-0,"started_at_ns":18446744073709551615})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.ev.exit_code, 0);
  EXPECT_EQ(c.want_seq, 0u);
  EXPECT_EQ(c.ev.time_ns, -1);
  s = p.Parse(R"({"command":"x","seq":18446744073709551615,"duration_ms":12})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.want_seq, UINT64_MAX);
  EXPECT_EQ(c.ev.duration_ns, 12000000);
  // Negative and fractional seqs, and a started_at_ns that is no integer, are ignored.
  s = p.Parse(R"({"command":"x","seq":-3,"started_at_ns":1.5,"truncated":1})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_EQ(c.want_seq, 0u);
  EXPECT_FALSE(c.has_time);
  EXPECT_FALSE(c.ev.truncated);
}

TEST(NdjsonRecordParserTest, ForeignIdsMapToAFixedOriginAndTheirHash) {
  NdjsonRecordParser p;
  ImportedCommand c;
  // Pinned: these ids are stored, so the mapping must never change.
  const std::pair<std::string, EventId> kCases[] = {
      {"gen-1", {kForeignIdOrigin, 18440075313148275124ull}},
      {"gen-2", {kForeignIdOrigin, 8020647319395219075ull}},
      {"550e8400-e29b-41d4-a716-446655440000", {kForeignIdOrigin, 421870232619748035ull}},
      // Not tb's canonical form (upper-case hex): foreign too.
      {"0123456789ABCDEF-1", {kForeignIdOrigin, 17108039010689407182ull}},
  };
  for (const auto& [text, id] : kCases) {
    Status s = p.Parse(R"({"command":"x","id":")" + text + "\"}", &c);
    ASSERT_OK(s) << s.ToString();
    EXPECT_TRUE(c.keep_id) << text;
    EXPECT_EQ(c.ev.id, id) << text;
    EXPECT_EQ(ForeignEventId(text), id) << text;
  }
  EXPECT_EQ(ForeignEventId("gen-1").ToString(), "ffffffffffffffff-18440075313148275124");
  // An id that is not a string is no id: the record gets a new one.
  Status s = p.Parse(R"({"command":"x","id":42})", &c);
  ASSERT_OK(s) << s.ToString();
  EXPECT_FALSE(c.keep_id);
}

}  // namespace
}  // namespace tb
