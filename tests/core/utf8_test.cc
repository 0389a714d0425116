#include "core/utf8.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace tb {
namespace {

using namespace std::string_literals;  // "..."s keeps embedded NUL bytes

const std::string kFffd = "\xEF\xBF\xBD";

std::string Json(std::string_view bytes) {
  std::string out;
  AppendJsonString(&out, bytes);
  return out;
}

// ------------------------------------------------------------ validation

TEST(IsValidUtf8Test, AcceptsWellFormed) {
  for (const std::string& s : {""s, "ls -la"s, "a\0b"s, "\x7F"s, "caf\xC3\xA9"s,
                               "\xE2\x82\xAC"s,      // U+20AC
                               "\xF0\x9D\x84\x9E"s,  // U+1D11E
                               "\xF4\x8F\xBF\xBF"s,  // U+10FFFF
                               "\xED\x9F\xBF"s,      // U+D7FF, just below surrogates
                               "\xEE\x80\x80"s,      // U+E000, just above
                               "\xC2\x80"s, "\xE0\xA0\x80"s, "\xF0\x90\x80\x80"s}) {
    EXPECT_TRUE(IsValidUtf8(s)) << testing::PrintToString(s);
  }
}

TEST(IsValidUtf8Test, RejectsIllFormed) {
  for (const std::string& s : {
           "\x80"s,  // lone continuation
           "\xBF"s,
           "\xC0\x80"s,          // overlong NUL
           "\xC1\xBF"s,          // overlong
           "\xE0\x80\x80"s,      // overlong
           "\xE0\x9F\xBF"s,      // overlong
           "\xED\xA0\x80"s,      // U+D800 surrogate
           "\xED\xBF\xBF"s,      // U+DFFF surrogate
           "\xF0\x80\x80\x80"s,  // overlong
           "\xF0\x8F\xBF\xBF"s,  // overlong
           "\xF4\x90\x80\x80"s,  // U+110000
           "\xF5\x80\x80\x80"s,
           "\xFE"s,
           "\xFF"s,
           "\xE2\x82"s,   // truncated at the end
           "\xE2\x82x"s,  // truncated in the middle
           "\xC3"s,
           "\xF0\x9D\x84"s,
           "ok\xC3("s,
       }) {
    EXPECT_FALSE(IsValidUtf8(s)) << testing::PrintToString(s);
  }
}

// ------------------------------------------------------------------- json

TEST(AppendJsonStringTest, PlainAndEscapes) {
  EXPECT_EQ(Json(""), R"("")");
  EXPECT_EQ(Json("ls -la ~/src"), R"("ls -la ~/src")");
  EXPECT_EQ(Json(R"(echo "a\b")"), R"("echo \"a\\b\"")");
  EXPECT_EQ(Json("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(Json("\0\x01\x1b[0m\x1f\x7f"s), R"("\u0000\u0001\u001b[0m\u001f\u007f")");
  EXPECT_EQ(Json("/"), R"("/")");  // '/' needs no escape
}

TEST(AppendJsonStringTest, EveryAsciiByte) {
  for (int b = 0; b < 0x80; ++b) {
    const std::string in(1, static_cast<char>(b));
    const std::string out = Json(in);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), in) << b;
    if (b >= 0x20 && b < 0x7F && b != '"' && b != '\\') {
      EXPECT_EQ(out, "\"" + in + "\"") << b;
    } else {
      EXPECT_EQ(out[1], '\\') << b;
    }
  }
}

TEST(AppendJsonStringTest, ValidUtf8IsCopied) {
  const std::string s = "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \xE2\x80\xA8";
  EXPECT_EQ(Json(s), "\"" + s + "\"");
}

TEST(AppendJsonStringTest, InvalidBytesBecomeReplacementEach) {
  EXPECT_EQ(Json("a\xFF"
                 "b"),
            "\"a" + kFffd + "b\"");
  // A truncated sequence is two invalid bytes, so two replacements.
  EXPECT_EQ(Json("\xE2\x82x"), "\"" + kFffd + kFffd + "x\"");
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");
  EXPECT_EQ(Json("\xC0\x80\""), "\"" + kFffd + kFffd + "\\\"\"");
  EXPECT_EQ(Json("\xC3\xA9\xC3"), "\"\xC3\xA9" + kFffd + "\"");
}

TEST(AppendJsonStringTest, AppendsToExistingBuffer) {
  std::string out = "x=";
  AppendJsonString(&out, "1");
  AppendJsonString(&out, "2");
  EXPECT_EQ(out, R"(x="1""2")");
}

// Random bytes, biased towards the interesting ones, always give valid UTF-8
// that parses as JSON; valid UTF-8 input round-trips exactly.
TEST(AppendJsonStringTest, RandomBytesAlwaysValidJson) {
  std::mt19937 rng(12345);
  const unsigned char kPool[] = {0x00, 0x09, 0x0A, 0x1B, 0x22, 0x5C, 0x41, 0x7F, 0x80, 0xBF, 0xC2, 0xC3, 0xA9,
                                 0xE0, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xF0, 0x9F, 0x98, 0xF4, 0x90, 0xFF};
  for (int iter = 0; iter < 5000; ++iter) {
    std::string in(rng() % 12, '\0');
    for (char& c : in) c = static_cast<char>(kPool[rng() % sizeof kPool]);
    const std::string out = Json(in);
    ASSERT_TRUE(IsValidUtf8(out)) << testing::PrintToString(in);
    nlohmann::json parsed = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(parsed.is_string()) << testing::PrintToString(in);
    EXPECT_EQ(parsed.get<std::string>(), ToValidUtf8(in));
  }
}

// ------------------------------------------------------------------- csv

TEST(ToValidUtf8Test, ReplacesOnlyInvalidBytes) {
  EXPECT_EQ(ToValidUtf8(""), "");
  EXPECT_EQ(ToValidUtf8("a\0\n\x1b"s), "a\0\n\x1b"s);
  EXPECT_EQ(ToValidUtf8("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(ToValidUtf8("caf\xE9"), "caf" + kFffd);
  EXPECT_EQ(ToValidUtf8("\xF0\x9F\x98"), kFffd + kFffd + kFffd);
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80!"), kFffd + kFffd + kFffd + kFffd + "!");
}

// --------------------------------------------------------------- terminal

TEST(EscapeForTerminalTest, PrintableUnchanged) {
  EXPECT_EQ(EscapeForTerminal(""), "");
  EXPECT_EQ(EscapeForTerminal("git commit -m \"x\" \\ 'y'"), "git commit -m \"x\" \\ 'y'");
  EXPECT_EQ(EscapeForTerminal("caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80");
  EXPECT_EQ(EscapeForTerminal("\xC2\xA0"), "\xC2\xA0");  // U+00A0 is printable
}

TEST(EscapeForTerminalTest, ControlsAndInvalidBytes) {
  EXPECT_EQ(EscapeForTerminal("a\nb\tc"), "a\\nb\\tc");
  EXPECT_EQ(EscapeForTerminal("\x1b[31mred\r\0\x7f"s), "\\x1b[31mred\\x0d\\x00\\x7f");
  EXPECT_EQ(EscapeForTerminal("\xC2\x9B"
                              "2J"),
            "\\xc2\\x9b2J");  // C1 CSI
  EXPECT_EQ(EscapeForTerminal("\xC2\x80"), "\\xc2\\x80");
  EXPECT_EQ(EscapeForTerminal("caf\xE9!"), "caf\\xe9!");
  EXPECT_EQ(EscapeForTerminal("\xE2\x82"), "\\xe2\\x82");
  EXPECT_EQ(EscapeForTerminal("\xED\xA0\x80"), "\\xed\\xa0\\x80");
}

// ------------------------------------------------------------------ width

TEST(DisplayWidthTest, CodePointWidth) {
  EXPECT_EQ(CodePointWidth(U'a'), 1);
  EXPECT_EQ(CodePointWidth(U'\u00E9'), 1);
  EXPECT_EQ(CodePointWidth(U'\u2026'), 1);  // ellipsis (ambiguous: narrow)
  EXPECT_EQ(CodePointWidth(U'\u10FF'), 1);
  EXPECT_EQ(CodePointWidth(U'\u1100'), 2);  // first wide range
  EXPECT_EQ(CodePointWidth(U'\u115F'), 2);
  EXPECT_EQ(CodePointWidth(U'\u1160'), 1);
  EXPECT_EQ(CodePointWidth(U'\u65E5'), 2);  // CJK
  EXPECT_EQ(CodePointWidth(U'\uAC00'), 2);  // Hangul syllable
  EXPECT_EQ(CodePointWidth(U'\uFF21'), 2);  // fullwidth A
  EXPECT_EQ(CodePointWidth(U'\uFF61'), 1);  // halfwidth katakana
  EXPECT_EQ(CodePointWidth(U'\u231A'), 2);  // watch (emoji presentation)
  EXPECT_EQ(CodePointWidth(U'\u2600'), 1);  // sun (text presentation)
  EXPECT_EQ(CodePointWidth(U'\U0001F600'), 2);
  EXPECT_EQ(CodePointWidth(U'\U0001F680'), 2);
  EXPECT_EQ(CodePointWidth(U'\U0001F6FF'), 1);
  EXPECT_EQ(CodePointWidth(U'\U00020000'), 2);
  EXPECT_EQ(CodePointWidth(U'\U0003FFFD'), 2);
  EXPECT_EQ(CodePointWidth(U'\U0003FFFE'), 1);
  EXPECT_EQ(CodePointWidth(U'\U0010FFFF'), 1);
}

TEST(DisplayWidthTest, Strings) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("ls -la"), 6);
  EXPECT_EQ(DisplayWidth("caf\xC3\xA9"), 4);
  EXPECT_EQ(DisplayWidth("\xE6\x97\xA5\xE6\x9C\xAC"), 4);  // 日本
  EXPECT_EQ(DisplayWidth("a\xF0\x9F\x98\x80"), 3);         // a😀
  EXPECT_EQ(DisplayWidth("\xFF\xE2\x82"), 3);              // invalid bytes count 1
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 2);                 // combining mark counts 1
}

TEST(TruncateToWidthTest, KeepsHead) {
  EXPECT_EQ(TruncateToWidth("abcdef", 6), "abcdef");
  EXPECT_EQ(TruncateToWidth("abcdef", 5), "abcd\xE2\x80\xA6");
  EXPECT_EQ(TruncateToWidth("abcdef", 1), "\xE2\x80\xA6");
  EXPECT_EQ(TruncateToWidth("abcdef", 0), "");
  EXPECT_EQ(TruncateToWidth("abcdef", -3), "");
  // 日本語 is 6 columns; in 4 only one wide character plus the ellipsis fit.
  EXPECT_EQ(TruncateToWidth("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 4), "\xE6\x97\xA5\xE2\x80\xA6");
  EXPECT_EQ(TruncateToWidth("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 5), "\xE6\x97\xA5\xE6\x9C\xAC\xE2\x80\xA6");
  // Never cuts inside a sequence; invalid bytes are units of their own.
  EXPECT_EQ(TruncateToWidth("caf\xC3\xA9\xFF"
                            "xyz",
                            6),
            "caf\xC3\xA9\xFF\xE2\x80\xA6");
}

TEST(TruncateToWidthTest, KeepsTail) {
  EXPECT_EQ(TruncateLeftToWidth("/usr/local/src", 14), "/usr/local/src");
  EXPECT_EQ(TruncateLeftToWidth("/usr/local/src", 8),
            "\xE2\x80\xA6"
            "cal/src");
  EXPECT_EQ(TruncateLeftToWidth("/usr/local/src", 1), "\xE2\x80\xA6");
  EXPECT_EQ(TruncateLeftToWidth("/usr/local/src", 0), "");
  EXPECT_EQ(TruncateLeftToWidth("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 4), "\xE2\x80\xA6\xE8\xAA\x9E");
  EXPECT_EQ(TruncateLeftToWidth("ab\xE6\x97\xA5"
                                "c",
                                3),
            "\xE2\x80\xA6"
            "c");
}

}  // namespace
}  // namespace tb
