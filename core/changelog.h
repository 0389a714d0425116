/// @file
/// The changelog embedded in tb (CHANGELOG.md): sections "## VERSION (DATE)",
/// newest first, each followed by its text up to the next section.
/// Thread safety: functions are reentrant.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tb {

/// One `## VERSION (DATE)` section of CHANGELOG.md.
struct ChangeSection {
  std::string version;  ///< "0.2.0"
  std::string text;     ///< the heading line and what follows it, up to the next section
};

/// The sections of `markdown`, in its order.
std::vector<ChangeSection> ParseChangelog(std::string_view markdown);

/// <0, 0, >0 as dotted version `a` is older than, the same as, or newer
/// than `b` ("0.10.0" > "0.9.1"; a missing part counts as 0; a part that is
/// not a number counts as 0).
int CompareVersions(std::string_view a, std::string_view b);

/// The sections of `markdown` newer than `since` and not newer than
/// `current`, joined, newest first; "" when there are none.
std::string ChangesBetween(std::string_view markdown, std::string_view since, std::string_view current);

}  // namespace tb
