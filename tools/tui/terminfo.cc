#include "tools/tui/terminfo.h"

#include <curses.h>
#include <term.h>

// <term.h> defines every capability name as a macro; we read them by name
// with tigetstr() and need the names for our own fields.
#undef cursor_up
#undef cursor_home
#undef cursor_invisible
#undef cursor_visible

namespace tb {
namespace {

// A string capability, "" when absent or cancelled.
std::string Cap(const char* name) {
  char* s = tigetstr(name);
  if (s == nullptr || s == reinterpret_cast<char*>(-1)) return "";
  return s;
}

std::string Expand(const std::string& tmpl, int n) {
  if (tmpl.empty() || n <= 0) return "";
  char* s = tiparm(tmpl.c_str(), n);
  return s == nullptr ? "" : s;
}

}  // namespace

std::string TermCaps::Up(int n) const {
  if (n <= 0) return "";
  if (!parm_up.empty()) return Expand(parm_up, n);
  std::string out;
  for (int i = 0; i < n; ++i) out += cursor_up;
  return out;
}

std::string TermCaps::Right(int n) const {
  if (n <= 0) return "";
  if (!parm_right.empty()) return Expand(parm_right, n);
  return std::string(static_cast<size_t>(n), ' ');  // no cuf: overwrite with spaces
}

TermCaps LoadTermCaps(const std::string& term, int fd) {
  TermCaps c;
  if (term.empty() || term == "dumb") return c;
  int err = 0;
  if (setupterm(term.c_str(), fd, &err) != OK) return c;
  // Everything is copied out below; the terminal setupterm() made is freed
  // (each call makes a new one and never frees the one before).
  TERMINAL* const loaded = cur_term;
  c.cursor_up = Cap("cuu1");
  c.clear_eol = Cap("el");
  c.clear_eos = Cap("ed");
  c.enter_ca = Cap("smcup");
  c.exit_ca = Cap("rmcup");
  c.cursor_home = Cap("home");
  c.cursor_invisible = Cap("civis");
  c.cursor_visible = Cap("cnorm");
  c.parm_up = Cap("cuu");
  c.parm_right = Cap("cuf");
  c.color = !Cap("setaf").empty() && tigetnum("colors") >= 8;
  del_curterm(loaded);  // also clears cur_term: nothing reads it afterwards
  return c;
}

}  // namespace tb
