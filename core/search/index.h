/// @file
/// SearchIndex: a columnar copy of the history (every record of the
/// `history` view, newest first) that `tb search` and the interactive UI
/// scan in memory. It is a cache derived from the views, never a source of
/// truth: storage/search_cache.h keeps it in a file next to the store, tags
/// it with the log head it reflects, and rebuilds it when it cannot be
/// brought up to date or is damaged (docs/architecture.md, "Search"; layout
/// in docs/formats.md, "Search index").
///
/// Rows are sorted newest first (started_at desc, seq desc). Strings are
/// interned per column (commands, directories, sessions, hosts, users,
/// shells); per command the index keeps its uses, failures and latest row.
///
/// Trust: every byte of the file is covered by a checksum (XXH3, per 4 KiB
/// block, docs/formats.md). Open() verifies the footer, the block checksum
/// table and the small sections it reads whole; the rest is verified lazily,
/// a block at a time, the first time a reader touches it, so a search pays
/// only for the pages it reads. A read from a block that does not match its
/// checksum yields a zero value (never out of range) and marks the index
/// damaged() for good; whoever reads the index (core/search/search.h,
/// AddIndexRecords) checks damaged() before believing what it computed.
///
/// Thread safety: immutable after construction except for the lazy
/// verification state and the CheckRows() marks (call VerifyAll() and
/// CheckRows(kAllColumns) before sharing across threads). The
/// bytes it was read from must outlive it (`owner` keeps them alive).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.h"
#include "core/search/block_checksums.h"
#include "core/search/string_table.h"
#include "core/status.h"

namespace tb {

/// What the index reflects: the log head when it was built.
struct IndexStamp {
  std::string store_id;      ///< 32 hex digits
  uint64_t head_seq = 0;     ///< the log head the index reflects (0 = empty log)
  int64_t head_time_ns = 0;  ///< time_ns of the head event (0 = empty log)
  EventId head_id;           ///< id of the head event (compared too: another log with the same head seq differs)
  /// Field by field: an index is current when its stamp equals the store's.
  bool operator==(const IndexStamp&) const = default;
};

/// Bits of a row's flags(): the exit status and duration are known, the
/// command was still running when the index was built, its text was truncated.
enum RowFlags : uint8_t { kRowHasExit = 1, kRowHasDuration = 2, kRowRunning = 4, kRowTruncated = 8 };

/// A base row replaced by a newer state (a finish seen after the index was
/// built) and the records added after it: what storage/search_cache.h
/// layers over a stale index instead of rewriting it for every command.
struct IndexOverlay {
  std::vector<HistoryRecord> records;                       ///< seq > stamp.head_seq, newest first
  std::vector<std::pair<uint32_t, HistoryRecord>> patched;  ///< base row -> its current record, by row
  /// True when the index is current (nothing to layer over it).
  bool empty() const { return records.empty() && patched.empty(); }
  /// The current record of base row `row`, or null when it is not patched.
  const HistoryRecord* Patch(uint32_t row) const {
    auto it =
        std::lower_bound(patched.begin(), patched.end(), row, [](const auto& p, uint32_t r) { return p.first < r; });
    return it != patched.end() && it->first == row ? &it->second : nullptr;
  }
};

/// The columnar index read from a file (see the file comment).
class SearchIndex {
 public:
  SearchIndex() = default;
  SearchIndex(const SearchIndex&) = delete;  ///< its columns point at its own checksums
  SearchIndex& operator=(const SearchIndex&) = delete;
  /// Reads an index serialized by IndexBuilder::Serialize. `bytes` must be
  /// 8-byte aligned and stay valid while `owner` lives. Incompatible when
  /// the file is an index of another format version or byte order;
  /// Corruption when a checksum does not match or the layout is
  /// inconsistent (magic, sizes, table offsets, ids out of range).
  /// `opener` (may be null; kept alive by `owner`): the bytes are encrypted
  /// per block and opened in place as they are first read (BlockOpener).
  static Status Open(std::string_view bytes, std::shared_ptr<const void> owner, std::unique_ptr<SearchIndex>* out,
                     const BlockOpener* opener = nullptr);

  /// Verifies every block not verified yet (Corruption when one does not
  /// match): after it, reads never hash again.
  Status VerifyAll() const { return blocks_.VerifyAll(); }
  /// True once a read met a block that does not match its checksum; what
  /// was computed from the index since Open() must then be discarded.
  bool damaged() const { return blocks_.damaged(); }
  /// Corruption naming the first damaged block (OK while !damaged()).
  Status damage() const { return blocks_.damage(); }

  /// The log head the index reflects.
  const IndexStamp& stamp() const { return stamp_; }
  /// Number of rows (records), newest first.
  size_t rows() const { return time_.size(); }

  ///@{
  /// Row values (precondition: r < rows()); zero when the row's block is
  /// damaged.
  int64_t time(size_t r) const { return time_[r]; }
  uint64_t seq(size_t r) const { return seq_[r]; }
  uint32_t cmd(size_t r) const { return cmd_[r]; }
  uint32_t cwd(size_t r) const { return cwd_[r]; }
  uint32_t session(size_t r) const { return session_[r]; }
  uint32_t host(size_t r) const { return host_[r]; }
  uint8_t flags(size_t r) const { return flags_[r]; }
  int32_t exit(size_t r) const { return exit_[r]; }
  ///@}
  /// The whole command id column, verified at once (empty when damaged).
  std::span<const uint32_t> cmd_column() const { return cmd_.All(); }
  /// The same column read a range at a time (verifies only the blocks read).
  const IndexColumn<uint32_t>& cmd_ids() const { return cmd_; }
  /// The whole directory id column, verified at once (empty when damaged).
  std::span<const uint32_t> cwd_column() const { return cwd_.All(); }
  /// The time column, verified lazily element by element (walks touch few).
  const IndexColumn<int64_t>& time_column() const { return time_; }

  ///@{
  /// The interned strings of a column: the ids of cmd(), cwd(), session()
  /// and host() index these tables (checked by CheckRows / RowOk).
  const StringTable& commands() const { return tables_[0]; }
  const StringTable& cwds() const { return tables_[1]; }
  const StringTable& sessions() const { return tables_[2]; }
  const StringTable& hosts() const { return tables_[3]; }
  ///@}
  ///@{
  /// The commands blob with ASCII letters lowercased (same offsets),
  /// verified whole (empty when damaged), and command `c` in it.
  std::string_view commands_folded() const { return AsText(folded_.All()); }
  std::string_view folded_command(uint32_t c) const {
    auto offs = tables_[0].offsets();
    return AsText(folded_.Range(offs[c], offs[c + 1] - offs[c]));
  }
  ///@}

  /// Rows of command `c` (precondition: c < commands().size()); 0 when damaged.
  uint32_t uses(uint32_t c) const { return uses_[c]; }
  /// Rows of command `c` with a known non-zero exit status (precondition as uses()).
  uint32_t failures(uint32_t c) const { return failures_[c]; }
  /// Precondition: c < commands().size(); 0 (and damaged()) when the
  /// stored row is out of range.
  uint32_t last_row(uint32_t c) const {
    uint32_t r = last_row_[c];
    if (r < rows()) return r;
    last_row_.MarkMalformed();
    return 0;
  }
  ///@{
  /// Rows still running when the index was built, ascending by seq.
  std::span<const uint64_t> running_seqs() const { return running_seq_; }
  std::span<const uint32_t> running_rows() const { return running_row_; }
  ///@}

  ///@{
  /// The row columns' string ids are checked lazily (they are most of the
  /// file, and most searches touch few rows): CheckRows(columns) verifies
  /// the named columns whole and checks their ids once (Corruption when a
  /// block is damaged or an id is past its table); RowOk(r) does the same
  /// for one row. Callers check before using ids of a row.
  static constexpr uint32_t kCmdColumn = 1, kCwdColumn = 2, kSessionColumn = 4, kHostColumn = 8, kAllColumns = 63;
  Status CheckRows(uint32_t columns) const;
  bool RowOk(size_t r) const;
  ///@}

  /// The full record of row `r` (precondition: RowOk(r)).
  HistoryRecord Record(size_t r) const;

 private:
  friend class IndexReader;
  IndexStamp stamp_;
  std::shared_ptr<const void> owner_;
  BlockChecksums blocks_;
  // Verified lazily, per block:
  IndexColumn<int64_t> time_, duration_;
  IndexColumn<uint64_t> seq_, origin_, counter_;
  IndexColumn<uint32_t> cmd_, cwd_, session_, host_, user_, shell_, uses_, failures_, last_row_;
  IndexColumn<int32_t> exit_;
  IndexColumn<uint8_t> flags_;
  IndexColumn<char> folded_;
  // Verified by Open():
  std::span<const uint64_t> running_seq_;
  std::span<const uint32_t> running_row_;
  StringTable tables_[6];         // commands, cwds, sessions, hosts, users, shells (blobs lazily)
  mutable uint32_t checked_ = 0;  // columns CheckRows() found sound
};

/// Collects records (any order; newest first avoids a sort) and serializes
/// the index with its checksums in one pass. Memory: about 70 bytes per
/// record plus the distinct strings.
class IndexBuilder {
 public:
  /// A builder for an index that will carry `stamp`.
  explicit IndexBuilder(IndexStamp stamp) : stamp_(std::move(stamp)) {}
  /// Adds one record (a row; its strings are interned).
  void Add(const HistoryRecord& r);
  /// Records added so far.
  size_t size() const { return time_.size(); }
  ///@{
  /// Sorts and writes the whole index through `sink` (called with
  /// consecutive pieces; 8-byte aligned sections, block checksums and the
  /// footer, docs/formats.md).
  void Serialize(const std::function<void(const char*, size_t)>& sink);
  void Serialize(std::string* out);
  ///@}

 private:
  void SortNewestFirst();
  IndexStamp stamp_;
  std::vector<int64_t> time_, duration_;
  std::vector<uint64_t> seq_, origin_, counter_;
  std::vector<uint32_t> cols_[6];  // commands, cwds, sessions, hosts, users, shells
  std::vector<int32_t> exit_;
  std::vector<uint8_t> flags_;
  StringTableBuilder tables_[6];
};

/// Appends the rows of `index` (with `overlay` applied) to `builder`: the
/// compaction of an overlay into a new index without reading the store.
/// Corruption when the index's rows are damaged (`builder` must then be
/// dropped).
Status AddIndexRecords(const SearchIndex& index, const IndexOverlay& overlay, IndexBuilder* builder);

}  // namespace tb
