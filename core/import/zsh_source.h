/// @file
/// zsh history (HISTFILE), plain or EXTENDED_HISTORY:
///
///   entry    := (": " start ":" elapsed ";")? text
///   text     := line ("\" LF line)*      a line ending in "\" continues
///   start, elapsed := digit+             (epoch seconds; seconds; each at
///                                         most kMaxEpochSeconds, core/timefmt.h)
/// As zsh reads its own file: a plain entry starting "\:" is a command
/// starting ':' (the backslash is dropped); a guard space after a final
/// backslash (and optional spaces) is dropped: zsh writes "echo a\\ " for
/// the command "echo a\\" so that it does not continue.
/// Bytes are metafied: 0x83 followed by c stands for c ^ 0x20 (zsh's Meta).
/// A line that starts with ": " but is not a whole extended header (":
/// 1613322469:0" with no ";", ": 17x:0;cmd", ": > file", a start or elapsed
/// beyond kMaxEpochSeconds) is a plain command,
/// the whole line as it stands and no time: ':' is the shell's no-op
/// builtin, so such a line is a command a user can type. Times: start
/// (elapsed becomes the duration), else synthetic.
#pragma once

#include <memory>
#include <string>

#include "core/import/source.h"

namespace tb {

/// A source over the zsh history open at `fd` (owned: closed with the source).
std::unique_ptr<ImportSource> NewZshSource(int fd, const SourceOptions& options);

/// Undoes zsh's metafication in place.
void Unmetafy(std::string* s);

}  // namespace tb
