#include "tools/tui/terminal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "core/utf8.h"

namespace tb {
namespace {

// Signal plumbing (one Terminal per process): handlers write the signal
// number to a self-pipe that Wait() polls next to the tty.
int g_pipe[2] = {-1, -1};
int g_tty = -1;
termios g_saved{};

constexpr int kReported[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT};
constexpr int kFatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
struct sigaction g_old[NSIG];

void OnSignal(int sig) {
  int saved = errno;
  auto b = static_cast<unsigned char>(sig);
  ssize_t n = ::write(g_pipe[1], &b, 1);
  (void)n;
  errno = saved;
}

// Ctrl-Z from outside (kill -TSTP): give the terminal back before stopping.
void OnStop(int) {
  int saved = errno;
  if (g_tty >= 0) ::tcsetattr(g_tty, TCSANOW, &g_saved);
  ::kill(::getpid(), SIGSTOP);
  errno = saved;
}

// A crash must not leave the terminal raw.
void OnFatal(int sig) {
  if (g_tty >= 0) ::tcsetattr(g_tty, TCSANOW, &g_saved);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void Handle(int sig, void (*fn)(int)) {
  struct sigaction sa {};
  sa.sa_handler = fn;
  sigemptyset(&sa.sa_mask);
  ::sigaction(sig, &sa, &g_old[sig]);
}

int64_t MonoMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Raw input and output: no echo, no line editing, no signals or flow
// control from keys, no CR/NL translation; read() returns each byte.
void MakeRaw(termios* t) {
  t->c_iflag &= ~static_cast<tcflag_t>(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
  t->c_oflag &= ~static_cast<tcflag_t>(OPOST);
  t->c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t->c_cc[VMIN] = 1;
  t->c_cc[VTIME] = 0;
}

// Parses a cursor position report "ESC [ row ; col R" out of *buf (the
// bytes around it stay); the 1-based column, or -1.
int TakeCursorReport(std::string* buf) {
  for (size_t at = buf->find("\x1b["); at != std::string::npos; at = buf->find("\x1b[", at + 1)) {
    size_t i = at + 2, semi = std::string::npos;
    while (i < buf->size() && (std::isdigit(static_cast<unsigned char>((*buf)[i])) || (*buf)[i] == ';')) {
      if ((*buf)[i] == ';') semi = i;
      ++i;
    }
    if (i < buf->size() && (*buf)[i] == 'R' && semi != std::string::npos && semi + 1 < i) {
      int col = std::atoi(buf->c_str() + semi + 1);
      buf->erase(at, i + 1 - at);
      return col;
    }
  }
  return -1;
}

}  // namespace

bool Terminal::WriteAll(const std::string& s) {
  size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::write(fd_, s.data() + done, s.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      ::poll(&p, 1, 100);
    } else if (!(n < 0 && errno == EINTR)) {
      return false;
    }
  }
  return true;
}

void Terminal::InstallSignals() {
  g_tty = fd_;
  g_saved = saved_;
  for (int sig : kReported) Handle(sig, OnSignal);
  for (int sig : kFatal) Handle(sig, OnFatal);
  Handle(SIGTSTP, OnStop);
}

Status Terminal::Open(const Options& options) {
  opts_ = options;
  fd_ = ::open(options.path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0 || !::isatty(fd_)) {
    std::string why = fd_ < 0 ? std::strerror(errno) : "not a terminal";
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return Status::IOError("cannot open the terminal (" + options.path + "): " + why +
                           ". The interactive search needs one; use 'tb search QUERY' in scripts");
  }
  if (::tcgetattr(fd_, &saved_) != 0 || ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    return Status::IOError("cannot set up the terminal (" + options.path + "): " + why);
  }
  caps_ = LoadTermCaps(options.term, fd_);
  // One-line mode (TERM=dumb, unknown terminals) draws no styles at all.
  if (caps_.CanDrawInline()) styles_ = caps_.color ? options.palette : PlainPalette();
  InstallSignals();
  termios raw = saved_;
  MakeRaw(&raw);
  raw.c_cflag |= CS8;
  // TCSANOW, not TCSAFLUSH: keys typed before the UI came up are kept.
  if (::tcsetattr(fd_, TCSANOW, &raw) != 0) {
    std::string why = std::strerror(errno);
    Restore();
    return Status::IOError("cannot set raw mode on the terminal (" + options.path + "): " + why);
  }
  raw_ = true;
  ChooseLayout();
  if (mode_ == Mode::kInline) {
    QueryColumn();
    Reserve();
  } else if (mode_ == Mode::kFullScreen) {
    WriteAll(caps_.enter_ca + caps_.cursor_home + caps_.clear_eos);
  } else {
    WriteAll("\r\n");  // one-line mode: below the prompt
  }
  return Status::OK();
}

void Terminal::ChooseLayout() {
  winsize ws{};
  if (::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    rows_ = ws.ws_row;
    cols_ = ws.ws_col;
  }
  if (!caps_.CanDrawInline()) {
    mode_ = Mode::kOneLine;
    height_ = 1;
    return;
  }
  bool full = opts_.inline_height <= 0 || opts_.inline_height >= rows_ || rows_ < 4;
  if (mode_ == Mode::kOneLine) mode_ = full && !caps_.cursor_home.empty() ? Mode::kFullScreen : Mode::kInline;
  height_ = mode_ == Mode::kFullScreen ? rows_ : std::clamp(opts_.inline_height, 3, std::max(rows_ - 1, 3));
}

void Terminal::QueryColumn() {
  if (!WriteAll("\x1b[6n")) return;
  // Terminals answer at once; give a slow link (ssh) a moment.
  int64_t deadline = MonoMs() + 300;
  std::string buf;
  while (true) {
    int col = TakeCursorReport(&buf);
    if (col > 0) {
      start_col_ = col - 1;
      break;
    }
    int64_t left = deadline - MonoMs();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char tmp[256];
    ssize_t n = ::read(fd_, tmp, sizeof tmp);
    if (n > 0)
      buf.append(tmp, static_cast<size_t>(n));
    else if (n == 0)
      break;
  }
  typeahead_ += buf;
}

void Terminal::Reserve() {
  // From the prompt line: newlines scroll the screen when the prompt is at
  // the bottom; the frame then sits right below it, wherever that ends up.
  WriteAll(std::string(static_cast<size_t>(height_), '\n') + caps_.Up(height_ - 1) + "\r");
  reserved_ = true;
}

void Terminal::Clear() {
  if (mode_ == Mode::kOneLine) {
    WriteAll("\r" + std::string(last_line_, ' ') + "\r");
  } else if (mode_ == Mode::kFullScreen) {
    WriteAll(caps_.cursor_home + caps_.clear_eos);
  } else if (reserved_) {
    WriteAll("\r" + caps_.clear_eos);
  }
}

Terminal::Event Terminal::Wait(int timeout_ms, std::string* bytes, int* signo) {
  if (!typeahead_.empty()) {
    bytes->append(typeahead_);
    typeahead_.clear();
    return Event::kInput;
  }
  pollfd p[2] = {{fd_, POLLIN, 0}, {g_pipe[0], POLLIN, 0}};
  int r = ::poll(p, 2, timeout_ms);
  if (r == 0) return Event::kTimeout;
  unsigned char sig = 0;
  if ((r < 0 && errno == EINTR) || (p[1].revents & POLLIN)) {
    if (::read(g_pipe[0], &sig, 1) != 1) return Event::kTimeout;  // EINTR before the byte landed
    if (sig == SIGWINCH) return Event::kResize;
    if (sig == SIGCONT) return Event::kContinued;
    *signo = sig;
    return Event::kSignal;
  }
  if (r < 0) {
    *signo = SIGHUP;
    return Event::kSignal;
  }
  char buf[4096];
  bool got = false;
  while (true) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n > 0) {
      bytes->append(buf, static_cast<size_t>(n));
      got = true;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
      if (got) break;
      *signo = SIGHUP;  // the terminal went away
      return Event::kSignal;
    }
    break;
  }
  return got ? Event::kInput : Event::kTimeout;
}

void Terminal::Draw(const std::vector<std::string>& lines, int cursor_col) {
  std::string out = caps_.cursor_invisible;
  out += mode_ == Mode::kFullScreen ? caps_.cursor_home : "\r";
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\r\n";
    out += lines[i] + caps_.clear_eol;
  }
  out += "\r" + caps_.Up(static_cast<int>(lines.size()) - 1) + caps_.Right(cursor_col) + caps_.cursor_visible;
  drawn_ = static_cast<int>(lines.size());
  WriteAll(out);
}

void Terminal::DrawLine(const std::string& line, int cursor_col) {
  // No cursor addressing: rewrite the line over itself, blank out what the
  // previous one had beyond it, then print it again up to the cursor
  // column (the line is plain text here: no escapes).
  std::string out = "\r" + line;
  size_t w = static_cast<size_t>(DisplayWidth(line));
  if (w < last_line_) out += std::string(last_line_ - w, ' ');
  out += "\r";
  int col = 0;
  for (size_t i = 0; i < line.size() && col < cursor_col;) {
    size_t n = 1;
    while (i + n < line.size() && (static_cast<unsigned char>(line[i + n]) & 0xC0) == 0x80) ++n;
    col += DisplayWidth(std::string_view(line).substr(i, n));
    out.append(line, i, n);
    i += n;
  }
  last_line_ = w;
  WriteAll(out);
}

void Terminal::Resized() {
  Clear();
  if (mode_ == Mode::kInline && reserved_) WriteAll(caps_.cursor_up);  // back to the prompt line
  ChooseLayout();
  if (mode_ == Mode::kInline) Reserve();
}

void Terminal::Continued() {
  termios raw{};
  if (::tcgetattr(fd_, &raw) != 0) return;
  MakeRaw(&raw);
  ::tcsetattr(fd_, TCSANOW, &raw);
}

void Terminal::Restore() {
  if (fd_ < 0) return;
  if (raw_) {
    Clear();
    std::string out;
    if (mode_ == Mode::kFullScreen) {
      out = caps_.exit_ca;
    } else if (mode_ == Mode::kInline && reserved_) {
      out = caps_.cursor_up + "\r" + caps_.Right(start_col_);
    } else {
      out = caps_.cursor_up;
    }
    WriteAll(out + caps_.cursor_visible);
    ::tcsetattr(fd_, TCSANOW, &saved_);
    raw_ = false;
  }
  for (int sig : kReported) ::sigaction(sig, &g_old[sig], nullptr);
  for (int sig : kFatal) ::sigaction(sig, &g_old[sig], nullptr);
  ::sigaction(SIGTSTP, &g_old[SIGTSTP], nullptr);
  g_tty = -1;
  for (int& p : g_pipe) {
    if (p >= 0) ::close(p);
    p = -1;
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace tb
