/// @file
/// The `sequences` view: counters of command templates per session run
/// (n-grams, n = 1..4) and per directory, learned from completions. Keys
/// group the counters (layout in core/analytics/learning.h): n-grams of 2-4
/// templates are counters inside the value of their first one or two
/// templates, not keys of their own. Feeds `tb patterns` and `tb suggest`.
///
/// Writes are merge operands only (2-5 per completed command, each a
/// counter list: the directory counter, the unigram, and with a session the
/// previous template's "followed" counter, its followers and the followers
/// of the last two); FullMerge sums counter lists name by name, so the merged value
/// is the same whatever the grouping of operands. Removal reads the affected
/// values, applies the recompute of core/analytics/session_window.h and puts
/// the results (dropping counters that reach zero, deleting empty keys).
#pragma once

#include "core/view.h"

namespace tb {

/// The view's name (column family "view_sequences").
inline constexpr std::string_view kSequencesViewName = "sequences";
/// The name of the `fixes` view (layout in core/analytics/learning.h).
inline constexpr std::string_view kFixesViewName = "fixes";

/// The `sequences` view (see the file comment).
class SequencesView final : public View {
 public:
  std::string_view name() const override { return kSequencesViewName; }
  uint32_t version() const override { return 3; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
  bool HasMerge() const override { return true; }
  bool FullMerge(const std::string_view* existing, std::span<const std::string_view> operands,
                 std::string* out) const override;
  ///@{
  /// Operands and values are both counter lists: the folded operand is the
  /// sum. The hot keys (buckets, followers of common templates) repeat in
  /// every batch.
  bool FoldsOperands() const override { return true; }
  bool PartialMerge(std::span<const std::string_view> operands, std::string* out) const override {
    return FullMerge(nullptr, operands, out);
  }
  ///@}
};

/// The `fixes` view: one entry per learned fix (core/analytics/fixes.h; key
/// layout in core/analytics/learning.h). Puts only when a completion
/// teaches a fix; removal deletes the invalidated ones and puts the
/// recomputed ones.
class FixesView final : public View {
 public:
  std::string_view name() const override { return kFixesViewName; }
  uint32_t version() const override { return 1; }
  void Apply(const ViewInput& in, ViewWriter& out) const override;
  Status ApplyRemoval(const RemovalInput& in, ViewLookup& lookup, ViewWriter& out) const override;
};

}  // namespace tb
