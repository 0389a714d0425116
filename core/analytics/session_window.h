/// @file
/// Removal recompute for the views that learn from completions with their
/// session context (`sequences`, `fixes`): when records are removed, the
/// removed records' own contributions go, and so do those of the later
/// records whose context held a removed one — they are recomputed with the
/// context they have without it. Reads the views through the ViewLookup as
/// they stand before the removal, so append and replay compute the same.
///
/// Contexts are recomputed from the present records and their current exit
/// codes; a record appended out of (start time) order after another one
/// completed, or an exit that arrived after a later command completed, can
/// make the recomputed old context differ from the one learned (the result
/// is still identical on replay).
#pragma once

#include <vector>

#include "core/session_context.h"
#include "core/view.h"

namespace tb {

struct OwnedCompletion {
  Event record;
  uint64_t seq = 0;
  std::optional<int32_t> exit_code;
  std::string tmpl;
  std::vector<SessionTracker::Entry> entries;  ///< the context, oldest first
  std::vector<SessionEntry> before;            ///< views of `entries`
  /// A Completion pointing into this object (valid while it lives unmoved).
  Completion Get() const;
};

/// *subtract: the completions learned so far that the removal invalidates;
/// *add: what replaces them.
Status RecomputeForRemoval(const RemovalInput& in, ViewLookup& lookup, std::vector<OwnedCompletion>* subtract,
                           std::vector<OwnedCompletion>* add);

}  // namespace tb
