#include "tools/record_printer.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include "tools/commands.h"

namespace tb {

Palette StdoutPalette(const Context& ctx) {
  return ColorWanted(ctx.Env("NO_COLOR"), ctx.Env("TERM"), ctx.stdout_tty) ? ResolvePalette(ctx.config.ui)
                                                                           : NoPalette();
}

FormatOptions TerminalFormatOptions(const Context& ctx) {
  FormatOptions o;
  o.home_dir = ctx.Env("HOME");
  if (ctx.stdout_tty) {
    winsize ws{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) o.terminal_width = ws.ws_col;
  }
  o.palette = StdoutPalette(ctx);
  return o;
}

RecordPrinter::RecordPrinter(const Context& ctx, OutputFormat format) : fmt_(format, TerminalFormatOptions(ctx)) {
  fmt_.Begin(&buf_);
}

bool RecordPrinter::Add(const HistoryRecord& r) {
  fmt_.Add(r, &buf_);
  if (buf_.size() > (256 << 10)) {
    open_ = WriteOut(buf_);
    buf_.clear();
  }
  return open_;
}

void RecordPrinter::Finish() {
  if (!open_) return;
  fmt_.End(&buf_);
  WriteOut(buf_);
  buf_.clear();
}

}  // namespace tb
