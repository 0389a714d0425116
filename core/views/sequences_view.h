// The `sequences` view: counters of command templates per session run
// (n-grams, n = 1..4) and per directory, learned from completions (key
// layout in core/analytics/learning.h). Feeds `tb patterns` and
// `tb suggest`.
//
// Writes are merge operands only (1-5 per completed command: the
// directory counter, the unigram, and with a session the 2-, 3- and
// 4-grams ending with it). Removal reads the affected counters, applies
// the recompute of core/analytics/session_window.h and puts the results
// (deleting counters that reach zero).
#pragma once

#include "core/view.h"

namespace tb {

class SequencesView final : public View {
 public:
  std::string_view name() const override { return "sequences"; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;
};

// The `fixes` view: one entry per learned fix (core/analytics/fixes.h; key
// layout in core/analytics/learning.h). Puts only when a completion
// teaches a fix; removal deletes the invalidated ones and puts the
// recomputed ones.
class FixesView final : public View {
 public:
  std::string_view name() const override { return "fixes"; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
};

}  // namespace tb
