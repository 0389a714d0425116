#include "tools/passphrase_prompt.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "core/data_key.h"
#include "core/wrapped_key.h"

namespace tb {
namespace {

// The terminal's settings while echo is off, for the signal handler.
struct termios saved_termios;
volatile sig_atomic_t echo_off = 0;
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

void RestoreAndReraise(int sig) {
  if (echo_off) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

// Reads up to a newline or EOF, one byte at a time. False at EOF before
// any byte, or on an error.
bool ReadLine(std::string* out, bool* too_long) {
  out->clear();
  *too_long = false;
  char c;
  ssize_t n;
  bool any = false;
  while ((n = ::read(STDIN_FILENO, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
    if (n < 0) continue;
    any = true;
    if (c == '\n') break;
    if (out->size() > kMaxPassphraseBytes) {
      *too_long = true;
      continue;
    }
    out->push_back(c);
  }
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return any;
}

Status LineFromStdin(std::string* out) {
  bool too_long = false;
  if (!ReadLine(out, &too_long)) {
    return Status::InvalidArgument("no passphrase on stdin (tb reads one line per passphrase)");
  }
  if (too_long)
    return Status::InvalidArgument("passphrase refused: longer than " + std::to_string(kMaxPassphraseBytes) + " bytes");
  return CheckPassphrase(*out);
}

// One line from the terminal with echo off. Echo goes off before the
// prompt shows (TCSAFLUSH drops what was typed ahead of it, as
// readpassphrase(3) does), so nothing typed at the prompt is ever echoed.
Status LineFromTerminal(const std::string& prompt, std::string* out) {
  struct termios t {};
  if (::tcgetattr(STDIN_FILENO, &t) != 0) {
    return Status::IOError(std::string("cannot turn the terminal's echo off: ") + std::strerror(errno));
  }
  saved_termios = t;
  struct sigaction sa {};
  struct sigaction old[std::size(kSignals)];
  sa.sa_handler = RestoreAndReraise;
  for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &sa, &old[i]);
  t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  t.c_lflag |= ECHONL;
  echo_off = 1;
  Status s = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0
                 ? Status::OK()
                 : Status::IOError(std::string("cannot turn the terminal's echo off: ") + std::strerror(errno));
  if (s.ok()) {
    const std::string shown = prompt + ": ";
    (void)!::write(STDERR_FILENO, shown.data(), shown.size());
    s = LineFromStdin(out);
  }
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
  echo_off = 0;
  for (size_t i = 0; i < std::size(kSignals); ++i) ::sigaction(kSignals[i], &old[i], nullptr);
  return s;
}

}  // namespace

Status ReadPassphrase(const std::string& prompt, bool confirm, std::string* out) {
  WipeSecret(out);
  if (!::isatty(STDIN_FILENO)) return LineFromStdin(out);
  TB_RETURN_IF_ERROR(LineFromTerminal(prompt, out));
  if (!confirm) return Status::OK();
  std::string again;
  Status s = LineFromTerminal(prompt + " (again)", &again);
  const bool same = s.ok() && again == *out;
  WipeSecret(&again);
  TB_RETURN_IF_ERROR(s);
  if (!same) {
    WipeSecret(out);
    return Status::InvalidArgument("the two passphrases differ. Nothing was changed");
  }
  return Status::OK();
}

}  // namespace tb
