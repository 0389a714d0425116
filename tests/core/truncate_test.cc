// Tests for core/truncate.h: cutting a command without splitting UTF-8.
#include "core/truncate.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/utf8.h"

namespace tb {
namespace {

using namespace std::literals;

std::string Cut(std::string s, size_t max, bool* cut = nullptr) {
  bool c = TruncateCommand(&s, max);
  if (cut) *cut = c;
  return s;
}

TEST(TruncateCommandTest, ShortEnoughIsUntouched) {
  bool cut = true;
  EXPECT_EQ(Cut("ls -la", 6, &cut), "ls -la");
  EXPECT_FALSE(cut);
  EXPECT_EQ(Cut("", 0, &cut), "");
  EXPECT_FALSE(cut);
  EXPECT_EQ(Cut("caf\xC3\xA9", 100, &cut), "caf\xC3\xA9");
  EXPECT_FALSE(cut);
}

TEST(TruncateCommandTest, CutsAsciiExactly) {
  bool cut = false;
  EXPECT_EQ(Cut("abcdef", 3, &cut), "abc");
  EXPECT_TRUE(cut);
  EXPECT_EQ(Cut("abcdef", 0, &cut), "");
  EXPECT_TRUE(cut);
  EXPECT_EQ(Cut("a\0b\0c"s, 3), "a\0b"s);
}

TEST(TruncateCommandTest, NeverSplitsASequence) {
  // a é(2) €(3) 𝄞(4) z
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9Ez";
  ASSERT_EQ(s.size(), 11u);
  std::vector<std::string> want = {
      "",           // 0
      "a",          // 1
      "a",          // 2: é would be split
      "a\xC3\xA9",  // 3
      "a\xC3\xA9",
      "a\xC3\xA9",              // 4, 5: € would be split
      "a\xC3\xA9\xE2\x82\xAC",  // 6
      "a\xC3\xA9\xE2\x82\xAC",
      "a\xC3\xA9\xE2\x82\xAC",
      "a\xC3\xA9\xE2\x82\xAC",                  // 7..9
      "a\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E",  // 10
  };
  for (size_t max = 0; max < s.size(); ++max) {
    EXPECT_EQ(Cut(s, max), want[max]) << "max " << max;
  }
}

TEST(TruncateCommandTest, InvalidBytesCountAsSingleCharacters) {
  // A run of continuation bytes longer than any sequence is cut as bytes.
  EXPECT_EQ(Cut("\x80\x80\x80\x80\x80\x80"s, 3), "\x80\x80\x80"s);
  EXPECT_EQ(Cut("\x80\x80"s, 1), "\x80"s);
  EXPECT_EQ(Cut("ab\xFF\xFE\xFD"s, 3), "ab\xFF"s);
  // A lead byte at the cut point starts a new character: cut before it.
  EXPECT_EQ(Cut("ab\xC3\xA9"s, 2), "ab");
}

TEST(TruncateCommandTest, StrayContinuationAfterACompleteCharacter) {
  // "é" is complete within the limit; the byte after it is a stray
  // continuation byte (an invalid character of its own). Nothing of "é"
  // may be lost.
  EXPECT_EQ(Cut("\xC3\xA9\xA9z"s, 2), "\xC3\xA9"s);
  EXPECT_EQ(Cut("\xC3\xA9\xA9\xA9z"s, 3), "\xC3\xA9\xA9"s);
  EXPECT_EQ(Cut("x\xE2\x82\xAC\x80\x80"s, 4), "x\xE2\x82\xAC"s);
  EXPECT_EQ(Cut("x\xE2\x82\xAC\x80\x80"s, 5), "x\xE2\x82\xAC\x80"s);
  EXPECT_EQ(Cut("\xF0\x9D\x84\x9E\x80"s, 4), "\xF0\x9D\x84\x9E"s);
}

TEST(TruncateCommandTest, RandomValidUtf8StaysValidAndMaximal) {
  std::mt19937 rng(5);
  const std::vector<std::string> chars = {
      "a", "Z", " ", "\xC3\xA9", "\xD7\x90", "\xE2\x82\xAC", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xF0\x9D\x84\x9E"};
  for (int iter = 0; iter < 2000; ++iter) {
    std::string s;
    std::vector<size_t> boundaries = {0};
    int n = static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      s += chars[rng() % chars.size()];
      boundaries.push_back(s.size());
    }
    size_t max = rng() % (s.size() + 2);
    std::string got = Cut(s, max);
    size_t want = 0;
    for (size_t b : boundaries) {
      if (b <= max) want = b;
    }
    ASSERT_EQ(got, s.substr(0, want)) << testing::PrintToString(s) << " max " << max;
    ASSERT_TRUE(IsValidUtf8(got));
  }
}

TEST(TruncateCommandTest, RandomBytesNeverLoseMoreThanASequence) {
  std::mt19937 rng(6);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string s;
    int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng() % 256));
    size_t max = rng() % s.size();
    std::string got = Cut(s, max);
    ASSERT_LE(got.size(), max);
    ASSERT_GE(got.size() + 3, max) << testing::PrintToString(s) << " max " << max;
    ASSERT_EQ(got, s.substr(0, got.size()));
    // When the input up to the limit is valid UTF-8 ending on a character
    // boundary, nothing is lost.
    std::string head = s.substr(0, max);
    if (IsValidUtf8(head) && (static_cast<unsigned char>(s[max]) & 0xC0) != 0x80) {
      ASSERT_EQ(got, head) << testing::PrintToString(s) << " max " << max;
    }
  }
}

}  // namespace
}  // namespace tb
