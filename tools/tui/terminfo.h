// Terminal capabilities for the interactive UI, read from the terminfo
// database through ncurses' low-level layer (libtinfo: setupterm, tigetstr,
// tiparm). Only this file's .cc includes <term.h>, whose capability macros
// (`lines`, `columns`, ...) would clash with ordinary names elsewhere.
//
// Why terminfo and not a full ncurses screen: the UI draws inline under the
// shell prompt and leaves the rest of the screen (scrollback included)
// alone; initscr()/newterm() own the whole screen. terminfo still gives the
// correct escape strings for whatever $TERM is (Debian's ncurses package).
#pragma once

#include <string>

namespace tb {

struct TermCaps {
  // Cursor movement and clearing; empty when the terminal lacks them.
  std::string cursor_up;         // cuu1
  std::string clear_eol;         // el
  std::string clear_eos;         // ed
  std::string enter_ca;          // smcup (alternate screen)
  std::string exit_ca;           // rmcup
  std::string cursor_home;       // home
  std::string cursor_invisible;  // civis
  std::string cursor_visible;    // cnorm
  // Whether the terminal shows colours (setaf, at least 8 colours). The
  // styles themselves are core/theme.h's SGR strings, not terminfo's.
  bool color = false;
  // Parameterised strings expanded by Up(n)/Right(n) ("" when absent).
  std::string parm_up;     // cuu (template)
  std::string parm_right;  // cuf (template)

  // `n` lines up / columns right ("" for n <= 0).
  std::string Up(int n) const;
  std::string Right(int n) const;
  // True when inline drawing is possible (cursor up and clear to end of line).
  bool CanDrawInline() const { return !cursor_up.empty() && !clear_eol.empty() && !clear_eos.empty(); }
};

// Loads the capabilities of terminal type `term` for the terminal on `fd`.
// Leaves no terminfo terminal loaded (cur_term is null afterwards): Up and
// Right need none.
// An unknown or empty type, or "dumb", gives empty capabilities (the UI then
// falls back to a one-line display). Not thread-safe (terminfo globals).
TermCaps LoadTermCaps(const std::string& term, int fd);

}  // namespace tb
