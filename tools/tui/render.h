// Rendering of the interactive UI to strings: rows, the status line, the
// query line, the detail view and whole frames. Pure (no I/O, no clock):
// the terminal layer (tools/tui/terminal.h) only positions the lines.
//
// A frame is `height` lines, each at most `width` display columns:
//   line 0   "tb> " and the query (the cursor goes there)
//   line 1   the status line: scope, mode, result count, or the error of an
//            invalid query, or a message / the forget confirmation
//   2..      one row per hit, or the detail view (Ctrl-O)
// A row: selection mark ('>'), its Alt-digit (1-9), time ago, duration,
// exit status (failures: a "✗" in the failure style, or "!" without one), directory
// (~ for HOME, left-truncated) and the command with matched characters
// highlighted; the selected row is in the selected style (reverse video). Narrow terminals drop
// the directory (< 60 columns) and the duration (< 40) first.
// Command text: invalid UTF-8 bytes and control characters become U+FFFD,
// except newline and tab, shown as "\n" and "\t"; wide characters count 2
// columns (core/utf8.h CodePointWidth); too long text ends with "…".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/search/search.h"
#include "core/theme.h"
#include "tools/tui/state.h"

namespace tb {

// The escape strings the renderer inserts: the palette of the theme
// (core/theme.h), readable fakes in tests. An empty string is not painted;
// an empty `failure` shows a failure as "!" instead of "✗"; `match` goes
// around matched characters, `selected` across the selected row, `dim` on
// the status line, `failure` (else `bold`) on errors and the forget prompt.
using Styles = Palette;

struct FrameContext {
  int width = 80;
  int height = 12;  // lines of the frame
  int64_t now_ns = 0;
  std::string home;  // HOME, for "~"
  Styles styles;
};

// "now" (< 1 s), "12s", "5m", "3h", "2d", "3w", "4mo", "2y"; "-" for a
// time in the future beyond 1 s.
std::string FormatAgo(int64_t now_ns, int64_t then_ns);
// "~" / "~/src" for `home` and below, else `cwd` unchanged.
std::string ShortDirectory(std::string_view cwd, std::string_view home);
// The command cut to `columns`, highlights wrapped in styles.match ..
// reset; `restore` is re-emitted after each reset (the row's own attributes).
std::string RenderCommand(std::string_view command, const std::vector<std::pair<uint32_t, uint32_t>>& ranges,
                          int columns, const Styles& st, const std::string& restore);
// One result row; `digit` 1-9 (0: none).
std::string RenderRow(const SearchHit& hit, int digit, bool selected, const FrameContext& ctx);
// The status line.
std::string RenderStatus(const UiState& s, const FrameContext& ctx);
// The query line; *cursor_col gets the cursor's column.
std::string RenderQueryLine(const UiState& s, const FrameContext& ctx, int* cursor_col);
// The detail view of the selected hit, at most `rows` lines.
std::vector<std::string> RenderDetails(const UiState& s, const FrameContext& ctx, int rows);
// A whole frame: exactly ctx.height lines (at least 3).
std::vector<std::string> RenderFrame(const UiState& s, const FrameContext& ctx, int* cursor_col);
// TERM=dumb (no cursor movement): one line, "tb> query  [scope mode n] > selected".
std::string RenderDumbLine(const UiState& s, const FrameContext& ctx, int* cursor_col);

}  // namespace tb
