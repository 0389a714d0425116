/// @file
/// De-duplication of plain history entries (entries without a timestamp) when
/// the same history file is imported again (docs/formats.md, Import sources).
///
/// A plain entry has no time of its own, so "same text and time" cannot
/// recognise it again: the file grows at the bottom (the shell appends) and
/// loses lines at the top (HISTFILESIZE, SAVEHIST), so neither its line
/// number nor the file's mtime is stable. The rule instead counts texts:
///
///   prior   := the records of the earlier batches of the same source kind
///              and file (ImportCompleted source/detail; the path compared
///              as given or canonical), completed and not undone, newest
///              batch first and, within a batch, last record first.
///   window  := the first N records of prior, N = the entries in the file
///              now (a file that grew at the bottom and lost lines at the
///              top still holds at most N of the records imported before;
///              older ones were cut off and must not absorb new entries).
///   the k-th plain entry of text X in the file is a duplicate when the
///   window holds at least k records of text X; the others are new.
///
/// New plain entries are timed 1 ms apart in file order, after the newest
/// record of the window (so they sort after what was imported before); with
/// no window, ending at the file's mtime (see SyntheticClock); always before
/// the file's first timestamped entry when one follows them. Records whose
/// bytes were purged (tb forget) cannot be read and do not count.
///
/// Thread safety: one PlainDedup per import, used from one thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// Calls `visit` with each batch of the `batches` view (any state), in
/// ascending order, until it returns an error (returned).
Status ForEachImportBatch(StoreReader& reader, const std::function<Status(uint64_t batch)>& visit);

/// The earlier batches of (source, path) that count: with an ImportCompleted
/// and without a BatchReverted, in ascending batch order.
Status FindImportBatches(StoreReader& reader, std::string_view source, const std::string& path,
                         std::vector<uint64_t>* batches);

/// Tells the plain entries of a file that an earlier import of it already
/// holds (the rule in the file comment).
class PlainDedup {
 public:
  /// Reads the window: at most `window` records of `batches` (ascending, as
  /// FindImportBatches gives them), newest first.
  Status Load(StoreReader& reader, const std::vector<uint64_t>& batches, uint64_t window);

  /// True when this occurrence of `text` is one the window already holds (it
  /// uses up one of the window's records of that text).
  bool Duplicate(const std::string& text);

  /// The newest started_at in the window, if it held any record.
  std::optional<int64_t> newest() const { return newest_; }
  /// Records read into the window by Load.
  uint64_t loaded() const { return loaded_; }

 private:
  std::unordered_map<std::string, uint64_t> left_;  // text -> window records not yet matched
  std::optional<int64_t> newest_;
  uint64_t loaded_ = 0;
};

/// Synthetic start times of new plain entries: 1 ms apart in file order,
/// starting 1 ms after `after` when set, else ending at or before `mtime_ns`
/// (`lines` bounds the number of entries, so the last one is <= mtime).
class SyntheticClock {
 public:
  static constexpr int64_t kStepNs = 1000000;  ///< 1 ms between entries
  /// A clock for a file of `lines` entries (an upper bound) after `after`
  /// (nullopt: no window) or ending at `mtime_ns`.
  SyntheticClock(std::optional<int64_t> after, int64_t mtime_ns, uint64_t lines)
      : next_(after ? *after + kStepNs : mtime_ns - static_cast<int64_t>(lines) * kStepNs) {}
  /// The file's first timestamped entry, at `stamp_ns`, follows its
  /// `entries` plain entries: they end at least 1 ms before it (file order
  /// kept), whatever `after` and `mtime_ns` said.
  void EndBefore(int64_t stamp_ns, uint64_t entries) {
    next_ = std::min(next_, stamp_ns - static_cast<int64_t>(entries) * kStepNs);
  }
  /// The start time of the next plain entry, UTC ns.
  int64_t Next() {
    int64_t t = next_;
    next_ += kStepNs;
    return t;
  }

 private:
  int64_t next_;
};

}  // namespace tb
