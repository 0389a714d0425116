// The workspace of a directory: the work tree of the git repository that
// holds it (the nearest ancestor, itself included, with a `.git` entry,
// directory or file). Used by `tb search --workspace` and the UI's scope.
#pragma once

#include <optional>
#include <string>

namespace tb {

// The work tree root of `dir` (absolute, lexically normal), or nullopt
// when no ancestor has a `.git` entry.
std::optional<std::string> FindWorkspace(const std::string& dir);

}  // namespace tb
