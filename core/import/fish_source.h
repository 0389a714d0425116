/// @file
/// fish history (~/.local/share/fish/fish_history), fish's YAML-like format:
///
///   entry := "- cmd: " text LF ("  when: " digit+ LF)? ("  paths:" LF ("    - " path LF)*)?
/// In text, fish writes "\" as "\\" and a newline as "\n" (other bytes as
/// they are). Any other line is malformed, so is a when beyond
/// kMaxEpochSeconds (core/timefmt.h). Times: when, else synthetic.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/import/source.h"

namespace tb {

/// A source over the fish history open at `fd` (owned: closed with the source).
std::unique_ptr<ImportSource> NewFishSource(int fd, const SourceOptions& options);

/// Undoes fish's escaping of a cmd value.
std::string UnescapeFish(std::string_view text);

}  // namespace tb
