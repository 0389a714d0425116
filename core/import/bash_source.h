/// @file
/// bash history (HISTFILE): one command per line; with HISTTIMEFORMAT set,
/// bash writes "#<epoch seconds>" before each entry.
///
///   file  := (stamp? line)*            stamp := "#" digit+ LF
///
/// Entries are read as bash (readline's read_history) reads its own file:
///  - a file whose first line is a stamp holds timestamp-delimited entries:
///    every line after a stamp, up to the next stamp, belongs to that one
///    entry (a multi-line command: a quoted newline, a here-document, or
///    any command under `shopt -s lithist`);
///  - any other file holds one entry per line, and a stamp dates only the
///    line after it. A file that mixes unstamped and stamped lines (history
///    written before and after HISTTIMEFORMAT was set, or by shells with
///    and without it) starts unstamped, so `git reset`, `#1672919006`,
///    `git clean -dxf`, `cd ../` are three entries, the second one dated.
/// A line with a NUL byte is malformed (a binary file); blank lines between
/// entries are skipped. Times: the stamp, else none (tools/cmd_import.cc
/// makes one up: file order kept, before any stamped entry that follows).
#pragma once

#include <memory>

#include "core/import/line_reader.h"
#include "core/import/source.h"

namespace tb {

/// A source over the bash history open at `fd` (owned: closed with the source).
std::unique_ptr<ImportSource> NewBashSource(int fd, const SourceOptions& options);

/// Parses "#<digits>" into seconds; false for anything else, also for
/// seconds beyond kMaxEpochSeconds (core/timefmt.h): such a line is a
/// command line.
bool ParseBashStamp(std::string_view line, int64_t* seconds);

}  // namespace tb
