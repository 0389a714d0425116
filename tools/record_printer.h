// RecordPrinter: history records streamed to stdout in a listing format
// (`tb history`, `tb search`), with table options for this terminal.
// Not thread-safe.
#pragma once

#include <string>

#include "core/format.h"
#include "core/record.h"
#include "tools/context.h"

namespace tb {

// The palette of stdout: the configured theme (ui.*, core/theme.h) when
// ColorWanted (stdout a terminal, no NO_COLOR, TERM not dumb), else empty.
Palette StdoutPalette(const Context& ctx);
// Table options for the terminal on stdout (width, StdoutPalette, HOME
// for "~").
FormatOptions TerminalFormatOptions(const Context& ctx);

class RecordPrinter {
 public:
  RecordPrinter(const Context& ctx, OutputFormat format);
  // Formats `r`, writing to stdout every 256 KiB. False once the reader
  // went away (e.g. `| head`): the caller stops quietly.
  bool Add(const HistoryRecord& r);
  // Writes the rest (closing bracket of json); nothing once the reader went away.
  void Finish();

 private:
  RecordFormatter fmt_;
  std::string buf_;
  bool open_ = true;
};

}  // namespace tb
