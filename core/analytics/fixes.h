/// @file
/// Learned fixes for failing commands, read from the
/// `fixes` view (core/views/sequences_view.h, FixesView).
///
/// A fix is learned when a command F fails (exit known and non-zero) and,
/// in the same session, within kFixWindowNs of F's start and within the
/// kSessionContext commands that follow F, either
///  - a similar command Y succeeds (same tool and subcommand, or a small
///    edit distance: see SimilarCommands), Y being the first similar
///    success after F: the pair (F, Y); or
///  - the same command as F succeeds after one or more other commands: the
///    pair (F, Y) where Y is the first command after F.
/// Pairs are kept per exact command text (after secret masking, as stored).
///
/// Thread safety: functions are reentrant; one call per StoreReader at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// How far after a failure a fix may come (start to start).
inline constexpr int64_t kFixWindowNs = 5ll * 60 * 1000 * 1000 * 1000;

/// One learned (failed command, fix) pair of the `fixes` view.
struct FixEntry {
  std::string failed;        ///< the command that failed
  int32_t exit_code = 0;     ///< its exit code, at the most recent occurrence
  std::string fix;           ///< the command that fixed it
  uint64_t count = 0;        ///< times the pair was learned
  int64_t last_time_ns = 0;  ///< start time of the most recent fix
  uint64_t last_seq = 0;     ///< seq of the most recent fix record
  /// Field by field.
  bool operator==(const FixEntry&) const = default;
};

/// Which learned fixes to list.
struct FixQuery {
  /// Case-insensitive (ASCII) substring of the failed or the fix command;
  /// empty = all.
  std::string text;
  /// Only fixes of exactly this failed command (the UI's detail view).
  std::optional<std::string> failed_exact;
  size_t limit = 0;  ///< 0 = all
};

/// The learned fixes matching `q`, most often learned first (count desc,
/// then most recent first, then failed/fix bytewise).
Status ListFixes(StoreReader& reader, const FixQuery& q, std::vector<FixEntry>* out);

/// "X failed (exit E) -> fixed by Y, n times, last on DATE" (DATE: local
/// YYYY-MM-DD; "1 time" for a single one).
std::string DescribeFix(const FixEntry& f);

/// True when `a` and `b` are different commands that look like versions of
/// each other: same first two words (tool and subcommand), or an optimal
/// string alignment distance of at most max(1, longer / 4) with both at
/// least 4 bytes long.
bool SimilarCommands(std::string_view a, std::string_view b);

}  // namespace tb
