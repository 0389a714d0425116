#include "tools/passphrase_prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace tb {
namespace {

// One line from stdin without its line end; false at the end of input.
bool ReadLine(std::string* out) {
  out->clear();
  if (!std::getline(std::cin, *out)) return false;
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return true;
}

// Asks on the terminal with echo off.
bool AskHidden(const std::string& prompt, std::string* out) {
  std::fputs(prompt.c_str(), stderr);
  std::fflush(stderr);
  termios saved{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  const bool ok = ReadLine(out);
  if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::fputs("\n", stderr);
  return ok;
}

}  // namespace

Status ReadPassphrase(const std::string& prompt, bool confirm, std::string* out) {
  if (::isatty(STDIN_FILENO) == 0) {
    if (!ReadLine(out)) return Status::InvalidArgument("no passphrase on stdin (tb reads its first line)");
  } else {
    if (!AskHidden(prompt + ": ", out)) return Status::InvalidArgument("no passphrase given");
    std::string again;
    if (confirm && (!AskHidden(prompt + " (again): ", &again) || again != *out)) {
      return Status::InvalidArgument("the two passphrases differ");
    }
  }
  if (out->empty()) return Status::InvalidArgument("the passphrase is empty");
  return Status::OK();
}

}  // namespace tb
