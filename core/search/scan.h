/// @file
/// Internals of the Searcher (core/search/search.cc): the filters resolved
/// against an index and the merged newest-first walk over index rows and the
/// overlay. Not part of the public API.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/search/index.h"
#include "core/search/search.h"

namespace tb::search_internal {

int64_t MonoNs();

/// A row of the merged walk: a base row (maybe patched) or an overlay record.
struct Row {
  int64_t time = 0;
  uint64_t seq = 0;
  uint32_t cmd = 0;                    ///< unified command id (base or overlay extra)
  uint32_t base_row = UINT32_MAX;      ///< UINT32_MAX: overlay record
  const HistoryRecord* rec = nullptr;  ///< overlay or patched record, else null
  std::optional<int32_t> Exit(const SearchIndex& ix) const {
    if (rec) return rec->exit_code;
    return (ix.flags(base_row) & kRowHasExit) ? std::optional<int32_t>(ix.exit(base_row)) : std::nullopt;
  }
  HistoryRecord Record(const SearchIndex& ix) const { return rec ? *rec : ix.Record(base_row); }
};

/// The request's filters resolved to ids of the index.
class Scope {
 public:
  Scope(const SearchIndex& ix, const SearchRequest& req);
  /// True when some filter other than the text is set.
  bool filtered() const { return filtered_; }
  bool Accepts(const SearchIndex& ix, const Row& row) const;
  /// The id-only part of Accepts for index row `r`, for the scan's inner
  /// loop. Exit filters are left to Accepts for running rows (an overlay
  /// may have finished them).
  bool BaseAccepts(const SearchIndex& ix, size_t r) const {
    if (!base_possible_) return false;
    if (cwd_ && ix.cwd(r) != *cwd_) return false;
    if (session_ && ix.session(r) != *session_) return false;
    if (host_ && ix.host(r) != *host_) return false;
    if (!under_ids_.empty() && !under_ids_[ix.cwd(r)]) return false;
    if (!exit_filter_) return true;
    uint8_t fl = ix.flags(r);
    if (fl & kRowRunning) return true;
    if (!(fl & kRowHasExit)) return false;
    int32_t e = ix.exit(r);
    if (f_.exit_code && e != *f_.exit_code) return false;
    if (f_.failed && e == 0) return false;
    if (f_.succeeded && e != 0) return false;
    return true;
  }

 private:
  bool ValueOk(const std::optional<std::string>& want, const std::optional<uint32_t>& id, bool base,
               uint32_t base_value, std::string_view text) const;
  const HistoryFilter& f_;
  std::optional<std::string> under_;
  std::optional<uint32_t> cwd_, session_, host_;
  std::vector<uint8_t> under_ids_;  // by cwd id, when under_ is set
  bool filtered_ = false;
  bool exit_filter_ = false;
  bool base_possible_ = true;  // false when a wanted value is not in the index
};

/// True when `cwd` is `dir` or below it.
bool IsUnder(std::string_view cwd, std::string_view dir);

/// The first row whose time is not newer than `t` (rows are newest first).
inline size_t FirstNotNewer(const IndexColumn<int64_t>& times, int64_t t) {
  size_t lo = 0, hi = times.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (times[mid] > t)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

///@{
/// Walks index rows and overlay records newest first within the filter's
/// time range. `overlay_cmds[i]` is the unified id of overlay record i.
/// `want(cmd, row)` is a cheap pre-check done before a Row is built (row is
/// SIZE_MAX for overlay records); `visit(row)` returns false to stop. Stops
/// with kCapped after `max_rows` index rows, kDeadline past the deadline.
enum class WalkEnd { kDone, kDeadline, kCapped };
template <typename Want, typename Visit>
WalkEnd WalkRows(const SearchIndex& ix, const IndexOverlay* ov, const std::vector<uint32_t>& overlay_cmds,
                 const HistoryFilter& f, int64_t deadline, const Want& want, const Visit& visit,
                 size_t max_rows = SIZE_MAX) {
  const int64_t since = f.since_ns.value_or(INT64_MIN), until = f.until_ns.value_or(INT64_MAX);
  const IndexColumn<int64_t>& times = ix.time_column();
  // Command ids are read 1024 rows (one checksum block) at a time, so a walk
  // that stops early verifies only what it read.
  const IndexColumn<uint32_t>& cmd_ids = ix.cmd_ids();
  if (cmd_ids.size() != times.size()) return WalkEnd::kDone;  // damaged: the index reports it
  std::span<const uint32_t> cmds;
  size_t cmds_from = 0;
  // Rows are sorted by time descending: skip those newer than `until`.
  size_t r = FirstNotNewer(times, until);
  const size_t end = since == INT64_MIN ? times.size() : FirstNotNewer(times, since - 1);
  static const IndexOverlay kEmpty;
  const IndexOverlay& o = ov ? *ov : kEmpty;
  size_t oi = 0;
  while (oi < o.records.size() && o.records[oi].started_at_ns > until) ++oi;
  const auto& patched = o.patched;  // ascending by row
  size_t p = 0;
  size_t next_check = r + 0x10000;
  const size_t cap = max_rows == SIZE_MAX || max_rows > end - std::min(r, end) ? SIZE_MAX : r + max_rows;
  for (;;) {
    bool have_ov = oi < o.records.size() && o.records[oi].started_at_ns >= since;
    // Overlay records are few: compare only when one is pending.
    if (have_ov && (r >= end || o.records[oi].started_at_ns > times[r] ||
                    (o.records[oi].started_at_ns == times[r] && o.records[oi].seq > ix.seq(r)))) {
      const HistoryRecord& rec = o.records[oi];
      uint32_t c = overlay_cmds[oi++];
      if (want(c, SIZE_MAX) && !visit(Row{rec.started_at_ns, rec.seq, c, UINT32_MAX, &rec})) return WalkEnd::kDone;
      continue;
    }
    if (r >= end) return WalkEnd::kDone;
    if (r >= cap) return WalkEnd::kCapped;
    size_t stop = std::min(end, cap);
    if (have_ov) stop = r + 1;  // one row, then compare with the overlay again
    for (; r < stop; ++r) {
      if (r == next_check) {
        if (deadline && MonoNs() >= deadline) return WalkEnd::kDeadline;
        next_check += 0x10000;
      }
      if (r < cmds_from || r - cmds_from >= cmds.size()) {
        cmds_from = r;
        cmds = cmd_ids.Range(r, std::min<size_t>(1024, cmd_ids.size() - r));
        if (cmds.empty()) return WalkEnd::kDone;  // damaged: the index reports it
      }
      uint32_t c = cmds[r - cmds_from];
      if (!want(c, r)) continue;
      Row row{times[r], ix.seq(r), c, static_cast<uint32_t>(r), nullptr};
      while (p < patched.size() && patched[p].first < r) ++p;
      if (p < patched.size() && patched[p].first == r) row.rec = &patched[p].second;
      if (!visit(row)) return WalkEnd::kDone;
    }
  }
}
///@}

}  // namespace tb::search_internal
