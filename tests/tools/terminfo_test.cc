// LoadTermCaps (tools/tui/terminfo.h): the capabilities it copies out, and
// that it keeps no terminfo terminal loaded (each setupterm() makes a new
// one; the sanitized run's LeakSanitizer found the ones a second load left).
#include "tools/tui/terminfo.h"

#include <gtest/gtest.h>

#include <curses.h>
#include <term.h>
#undef cursor_up  // a <term.h> macro; here the TermCaps field

namespace tb {
namespace {

TEST(TermCaps, LoadingFreesTheTerminalAndKeepsTheStrings) {
  TermCaps first = LoadTermCaps("xterm", -1);
  EXPECT_EQ(cur_term, nullptr);
  TermCaps second = LoadTermCaps("xterm", -1);
  EXPECT_EQ(cur_term, nullptr);
  EXPECT_EQ(first.cursor_up, "\x1b[A");
  EXPECT_EQ(second.cursor_up, first.cursor_up);
  EXPECT_EQ(second.clear_eol, "\x1b[K");
  EXPECT_EQ(second.Up(3), "\x1b[3A");  // expanded with no terminal loaded
  EXPECT_EQ(second.Right(2), "\x1b[2C");
  EXPECT_TRUE(second.CanDrawInline());
  EXPECT_TRUE(second.color);
  // A terminal that moves the cursor but has no colours: core/theme.h's
  // plain palette for it (tools/tui/terminal.cc).
  TermCaps mono = LoadTermCaps("vt100", -1);
  EXPECT_TRUE(mono.CanDrawInline());
  EXPECT_FALSE(mono.color);
}

TEST(TermCaps, DumbAndUnknownTerminalsHaveNone) {
  EXPECT_FALSE(LoadTermCaps("dumb", -1).CanDrawInline());
  EXPECT_FALSE(LoadTermCaps("dumb", -1).color);
  EXPECT_FALSE(LoadTermCaps("no-such-terminal-type", -1).CanDrawInline());
  EXPECT_EQ(cur_term, nullptr);
}

}  // namespace
}  // namespace tb
