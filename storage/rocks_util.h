/// @file
/// Helpers shared by the storage implementation (RocksDB types stay here).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include "core/data_key.h"
#include "core/status.h"
#include "core/store_reader.h"
#include "core/view.h"

namespace tb {

/// Maps a RocksDB status to ours, prefixing `context`.
Status FromRocks(const rocksdb::Status& s, std::string_view context);

/// The same bytes as a RocksDB Slice (no copy: `s` must outlive it).
inline rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
/// The same bytes as a string_view (no copy: valid as long as the Slice's bytes).
inline std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

/// What MakeDBOptions and MakeCFOptions build the RocksDB options from.
struct RocksTuning {
  uint64_t block_cache_bytes = 32ull << 20;   ///< StoreOptions::block_cache_bytes
  uint64_t write_buffer_bytes = 16ull << 20;  ///< StoreOptions::write_buffer_bytes (all families together)
  bool read_only = false;                     ///< a read-only open (quiet info log)
  bool salvage = false;                       ///< skip corrupted write-ahead log records (tb log salvage)
  bool bulk = false;                          ///< StoreOptions::bulk
  /// The data key (storage/at_rest.h); null = plaintext. With a key RocksDB
  /// writes no info log: its lines can name keys, and keys hold command text.
  const DataKey* key = nullptr;
  /// The database directory: RocksDB's info log goes to DB_PATH/LOG
  /// (through InfoLogFile below). Empty = no info log.
  std::string db_path;
};

/// DB-wide options: shared block cache, write buffer manager charged to it,
/// atomic flush (views and meta never diverge across a crash when the WAL is
/// skipped during a rebuild), quiet info log for read-only opens, and for
/// writable ones an info log that never aborts on a full disk (InfoLogFile).
rocksdb::DBOptions MakeDBOptions(const RocksTuning& t, const std::shared_ptr<rocksdb::Cache>& cache);
/// Per column family: LZ4 on upper levels, zstd with a trained dictionary at
/// the bottom level, bloom filters, the view's merge operator when it has one.
rocksdb::ColumnFamilyOptions MakeCFOptions(const RocksTuning& t, const std::shared_ptr<rocksdb::Cache>& cache,
                                           const View* view);

/// RocksDB's info log as a plain file: `path` (rolled to PATH.old past
/// `max_bytes`), one line per message, written with write(2). A line that
/// cannot be written (disk full) is dropped. RocksDB's own file logger writes
/// through a WritableFileWriter, which asserts when used again after a failed
/// write: with an assert-enabled librocksdb a full disk then aborts the
/// process at the next log line (docs/operations.md, "Disk full").
/// Thread safety: Logv may be called from any thread (RocksDB's background
/// threads log too).
std::shared_ptr<rocksdb::Logger> NewInfoLogFile(const std::string& path, uint64_t max_bytes);

/// A KvCursor (core/store_reader.h) over a RocksDB iterator it owns.
class RocksCursor final : public KvCursor {
 public:
  /// Takes ownership of `it`. Not positioned until a Seek*.
  explicit RocksCursor(rocksdb::Iterator* it) : it_(it) {}
  void Seek(std::string_view t) override { it_->Seek(ToSlice(t)); }
  void SeekForPrev(std::string_view t) override { it_->SeekForPrev(ToSlice(t)); }
  void SeekToFirst() override { it_->SeekToFirst(); }
  void SeekToLast() override { it_->SeekToLast(); }
  bool Valid() const override { return it_->Valid(); }
  void Next() override { it_->Next(); }
  void Prev() override { it_->Prev(); }
  std::string_view key() const override { return ToView(it_->key()); }
  std::string_view value() const override { return ToView(it_->value()); }
  Status status() const override { return FromRocks(it_->status(), "reading a view"); }

 private:
  std::unique_ptr<rocksdb::Iterator> it_;
};

/// Writes a view's mutations into a WriteBatch under one column family.
/// A view that folds (View::FoldsOperands) gets its merge operands held until
/// Finish() (or a Put/Delete of the same key, which must come after them) and
/// written one per key, folded by View::PartialMerge: a batch of 16,384 imported
/// commands writes a few hundred `stats` operands instead of 49,152.
class BatchViewWriter final : public ViewWriter {
 public:
  /// Writes into `batch` under `cf`, the family of `view`; none is owned and
  /// all must outlive the writer.
  BatchViewWriter(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* cf, const View* view)
      : batch_(batch), cf_(cf), view_(view), folds_(view->FoldsOperands()) {}
  void Put(std::string_view k, std::string_view v) override;
  void Delete(std::string_view k) override;
  void Merge(std::string_view k, std::string_view v) override;
  /// Writes the held operands; returns the first failure of any write (a
  /// WriteBatch only fails on absurd sizes). Call once, before the batch is
  /// written.
  rocksdb::Status Finish();

 private:
  // Writes the operands held for `key` (folded when the view can).
  void WriteHeld(const std::string& key, std::vector<std::string>* ops);
  void WriteHeldFor(std::string_view key);

  rocksdb::WriteBatch* batch_;
  rocksdb::ColumnFamilyHandle* cf_;
  const View* view_;
  const bool folds_;
  std::unordered_map<std::string, std::vector<std::string>> held_;
  rocksdb::Status status_;
};

}  // namespace tb
