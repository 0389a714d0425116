// bash history (HISTFILE): one command per line; with HISTTIMEFORMAT set,
// bash writes "#<epoch seconds>" before each entry and then reads every
// line up to the next timestamp line as one (multi-line) entry.
//
//   file  := (stamp? line)*            stamp := "#" digit+ LF
// A line with a NUL byte is malformed (a binary file); blank lines are
// skipped. Times: the stamp, else none (synthetic, file order kept).
#pragma once

#include <memory>

#include "core/import/line_reader.h"
#include "core/import/source.h"

namespace tb {

std::unique_ptr<ImportSource> NewBashSource(int fd, const SourceOptions& options);

// Parses "#<digits>" into seconds; false for anything else.
bool ParseBashStamp(std::string_view line, int64_t* seconds);

}  // namespace tb
