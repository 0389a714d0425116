// Terminal: the controlling terminal of the interactive UI, in raw mode.
//
// Opens a tty (normally /dev/tty, so stdout stays free for the result),
// saves its termios, switches to raw mode (no echo, no canonical input, no
// signals from keys: Ctrl-C/Ctrl-Z/Ctrl-S arrive as bytes) and draws frames
// either inline (below the line the cursor was on, `height` lines, the
// rest of the screen untouched), on the alternate screen (full screen), or
// as a single rewritten line when the terminal cannot move the cursor
// (TERM=dumb, unknown TERM).
//
// Restore() (also run by the destructor) erases the UI, puts the cursor back
// where it was and restores the saved termios and signal handlers; it is
// idempotent. SIGINT, SIGTERM, SIGHUP and SIGQUIT are caught and reported by
// Wait() (the caller cancels and restores); SIGWINCH is reported as a
// resize; SIGTSTP restores the terminal before stopping and SIGCONT sets raw
// mode again; fatal signals (SIGSEGV, SIGABRT, ...) restore the termios
// before the process dies. One Terminal per process at a time.
#pragma once

#include <termios.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "tools/tui/render.h"
#include "tools/tui/terminfo.h"

namespace tb {

class Terminal {
 public:
  struct Options {
    std::string path = "/dev/tty";
    std::string term;
    // The styles to draw with (tools/tui/backend.h, InteractiveOptions);
    // a terminal without colours gets PlainPalette() instead.
    Palette palette;
    int inline_height = 12;  // 0 = full screen
  };

  Terminal() = default;
  ~Terminal() { Restore(); }
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // Opens the tty and enters raw mode. IOError (one line) when it cannot.
  // Bytes typed before the UI came up are kept for the first Wait().
  Status Open(const Options& options);
  void Restore();

  enum class Event { kInput, kTimeout, kResize, kSignal, kContinued };
  // Waits up to `timeout_ms` (-1: forever) for input or a signal. kInput
  // appends every byte that is available now to *bytes (a typing burst is
  // read in one go). kSignal sets *signo.
  Event Wait(int timeout_ms, std::string* bytes, int* signo);

  // Draws a frame (Frame lines, cursor at line 0 column `cursor_col`), or
  // the single line in one-line mode.
  void Draw(const std::vector<std::string>& lines, int cursor_col);
  void DrawLine(const std::string& line, int cursor_col);
  // Re-reads the size after SIGWINCH and clears the old frame.
  void Resized();
  // After SIGCONT: raw mode again.
  void Continued();

  const Styles& styles() const { return styles_; }
  bool one_line() const { return mode_ == Mode::kOneLine; }
  int width() const { return cols_; }
  int frame_height() const { return height_; }

 private:
  enum class Mode { kInline, kFullScreen, kOneLine };
  void ChooseLayout();
  void Reserve();  // makes room below the prompt line (inline)
  void Clear();    // erases the frame; the cursor ends on line 0
  void QueryColumn();
  bool WriteAll(const std::string& s);
  void InstallSignals();

  int fd_ = -1;
  bool raw_ = false;
  termios saved_{};
  TermCaps caps_;
  Styles styles_;
  Options opts_;
  Mode mode_ = Mode::kOneLine;
  int rows_ = 24, cols_ = 80, height_ = 3;
  int start_col_ = -1;  // column of the cursor when we started (-1 unknown)
  bool reserved_ = false;
  int drawn_ = 0;         // lines of the last frame (inline)
  size_t last_line_ = 0;  // one-line mode: width of the last line
  std::string typeahead_;
};

}  // namespace tb
