/// @file
/// SeqPadding: how an ndjson import into an empty store keeps the exported
/// seqs (docs/operations.md, "Import limits").
///
/// `tb export --format ndjson` writes history records only, so the seqs of
/// the other events (finishes, import markers, administrative actions,
/// forgotten records) are missing from the file. An import into an EMPTY
/// store fills each gap with `AdminAction "import.pad"` events so every
/// record lands at its own seq. Into a store that holds anything, seqs are
/// ignored and records appended as usual (no padding at all).
///
/// Padding is bounded, so a crafted or damaged file cannot make a small
/// import write millions of events:
///   - one gap (between a record's seq and the seq it would get otherwise)
///     holds at most kMaxGap pads;
///   - an import pads at most 2 x (its records) + kMaxGap in all (a history
///     recorded by the shell hooks has one finish per command: one pad each).
/// Beyond either limit the import is refused before anything is written.
///
/// Thread safety: a value type, one per import.
#pragma once

#include <cstdint>

#include "core/status.h"

namespace tb {

/// Counts the padding of one import against the limits above.
class SeqPadding {
 public:
  static constexpr uint64_t kMaxGap = 65536;  ///< the most pads one gap may hold

  /// `records`: the records the file holds (its index entries).
  explicit SeqPadding(uint64_t records) : budget_(2 * records + kMaxGap) {}

  /// The next record wants seq `want` (0: none) and would otherwise get
  /// `next`: *pads = padding events to append before it (0 when `want` is 0
  /// or not above `next`). InvalidArgument, without the file position (the
  /// caller adds it), when the gap or the running total is over the limit.
  Status Before(uint64_t want, uint64_t next, uint64_t* pads);

  /// Pads granted so far.
  uint64_t total() const { return total_; }

 private:
  uint64_t budget_;
  uint64_t total_ = 0;
};

}  // namespace tb
