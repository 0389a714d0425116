// Key decoding of the interactive UI (tools/tui/keys.h).
#include "tools/tui/keys.h"

#include <gtest/gtest.h>

namespace tb {
namespace {

std::string Names(const std::vector<Key>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : " ") + KeyName(k);
  return out;
}

std::string Decode(std::string_view bytes, bool flush = true) {
  KeyDecoder d;
  std::vector<Key> keys;
  d.Decode(bytes, &keys);
  if (flush) d.Flush(&keys);
  return Names(keys);
}

TEST(TuiKeysTest, ControlBytes) {
  EXPECT_EQ(Decode("\r\n\t\x7f\x08"), "Enter Enter Tab Backspace Backspace");
  EXPECT_EQ(Decode("\x01\x03\x04\x07\x0e\x0f\x10\x12\x13\x15\x17"), "C-a C-c C-d C-g C-n C-o C-p C-r C-s C-u C-w");
  EXPECT_EQ(Decode(std::string("\x00\x1c", 2)), "");  // no key: dropped
}

TEST(TuiKeysTest, TextIsUtf8Characters) {
  EXPECT_EQ(Decode("gé漢🙂"), "'g' 'é' '漢' '🙂'");
  // Invalid bytes and C1 controls are dropped, the rest survives.
  EXPECT_EQ(Decode("a\xff"
                   "b\xc0\xaf"
                   "c\xc2\x85"
                   "d"),
            "'a' 'b' 'c' 'd'");
}

TEST(TuiKeysTest, CsiAndSs3Sequences) {
  EXPECT_EQ(Decode("\x1b[A\x1b[B\x1b[C\x1b[D\x1b[H\x1b[F"), "Up Down Right Left Home End");
  EXPECT_EQ(Decode("\x1bOA\x1bOB\x1bOH\x1bOF\x1bOM"), "Up Down Home End Enter");
  EXPECT_EQ(Decode("\x1b[1~\x1b[7~\x1b[4~\x1b[8~\x1b[3~\x1b[5~\x1b[6~"), "Home Home End End Delete PageUp PageDown");
  EXPECT_EQ(Decode("\x1b[1;5A\x1b[5;2~"), "Up PageUp");   // modifiers ignored
  EXPECT_EQ(Decode("\x1b[2~\x1b[200~x\x1b[99Z"), "'x'");  // unknown: dropped
}

TEST(TuiKeysTest, AltKeysAndLoneEscape) {
  EXPECT_EQ(Decode("\x1b"
                   "1\x1b"
                   "9\x1b"
                   "b"),
            "M-1 M-9 M-b");
  EXPECT_EQ(Decode("\x1b\x1b[A"), "Esc Up");
  EXPECT_EQ(Decode("\x1b\x03"), "Esc C-c");
  EXPECT_EQ(Decode("\x1b"), "Esc");
  EXPECT_EQ(Decode("\x1b["), "M-[");
}

TEST(TuiKeysTest, IncompleteSequencesWaitForMoreBytes) {
  KeyDecoder d;
  std::vector<Key> keys;
  d.Decode("a\x1b", &keys);
  EXPECT_EQ(Names(keys), "'a'");
  EXPECT_TRUE(d.pending());
  d.Decode("[", &keys);
  EXPECT_TRUE(d.pending());
  d.Decode("5~\xe6\xbc", &keys);
  EXPECT_EQ(Names(keys), "'a' PageUp");
  d.Decode("\xa2", &keys);  // the rest of 漢
  EXPECT_EQ(Names(keys), "'a' PageUp '漢'");
  EXPECT_FALSE(d.pending());
  // A partial sequence that never completes is dropped by Flush.
  d.Decode("\x1b[1;", &keys);
  d.Flush(&keys);
  EXPECT_EQ(Names(keys), "'a' PageUp '漢'");
  EXPECT_FALSE(d.pending());
}

}  // namespace
}  // namespace tb
