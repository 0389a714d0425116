/// @file
/// StoreImpl: the RocksDB-backed Store (internal to storage/).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>

#include "core/projector.h"
#include "storage/ack_head.h"
#include "storage/data_dir.h"
#include "storage/removal.h"
#include "storage/rocks_util.h"
#include "storage/store.h"
#include "storage/store_figures.h"

namespace tb {

class StoreImpl final : public Store, public StoreReader {
 public:
  ~StoreImpl() override;

  static Status OpenImpl(const StoreOptions& options, std::unique_ptr<Store>* out);

  // Store
  bool read_only() const override { return read_only_; }
  uint64_t head() const override { return head_; }
  uint64_t origin() const override { return origin_; }
  Status Append(std::span<Event> events, bool sync) override;
  Status AppendWithCheckpoint(std::span<Event> events, bool sync, std::string_view key,
                              std::string_view value) override;
  Status GetCheckpoint(std::string_view key, std::string* value) override;
  Status DeleteCheckpoint(std::string_view key) override;
  Status SyncLog() override;
  Status ListCheckpoints(std::string_view prefix, std::vector<std::string>* keys) override;
  StoreReader& reader() override { return *this; }
  Status ScanLog(uint64_t from, uint64_t to, bool strict, CorruptionReporter* reporter,
                 const std::function<bool(const Event&, std::string_view)>& visit) override;
  Status Rebuild(std::string_view view) override;
  Status VerifyViews(std::vector<ViewDiff>* diffs) override;
  Status VerifyLog(LogVerifyReport* report) override;
  Status Views(std::vector<ViewInfo>* out) override;
  Status Info(StoreInfo* out) override;
  Status CompactAll() override;
  Status StartBackgroundCompaction() override;  ///< storage/background_compaction.cc
  BackgroundCompaction PollBackgroundCompaction() override;
  Status AppendForgotten(Event* forgotten) override;  ///< storage/removal.cc
  const std::string& data_dir() const override { return options_.data_dir; }
  const std::string& store_id() const override { return identity_.store_id; }
  const DataKey* data_key() const override { return key_ ? &*key_ : nullptr; }
  uint64_t log_floor() override;
  Status CreateCheckpoint(const std::string& db_dir) override;
  Status CreateBackup(const std::string& backup_dir, const std::string& app_metadata, uint32_t* id) override;
  Status TruncateLogAfter(uint64_t seq) override;
  Status DropLogThrough(uint64_t seq) override;
  Status AppendPreservingSeq(std::span<Event> events, bool sync) override;

  /// Salvage (storage/salvage.cc): visits every log entry that can still be
  /// read, stepping over table blocks that fail their checksum (counted in
  /// *bad_blocks). `bound` is the highest seq worth seeking to.
  Status SalvageScan(uint64_t bound, uint64_t* bad_blocks,
                     const std::function<void(uint64_t seq, std::string_view raw)>& visit);

  /// `tb metrics`' figures (storage/store_figures.cc).
  Status Figures(bool count_events, StoreFigures* out);

  // StoreReader
  Status GetEvent(uint64_t seq, Event* out) override;
  std::unique_ptr<KvCursor> NewViewCursor(std::string_view view) override;
  Status GetViewValue(std::string_view view, std::string_view key, std::string* out) override;
  std::unique_ptr<KvCursor> NewLogCursor() override;

 private:
  StoreImpl() = default;
  // Opens the database (creating it when `fresh`), loads meta and checks
  // the log against the acknowledged head (storage/ack_head.h).
  Status OpenExisting(bool fresh);
  // Closes the read-only database and opens it again (OpenExisting).
  Status ReopenReadOnly();
  Status OpenDb(bool create);
  // Marks the store as not yet initialised (a creation in progress or
  // interrupted); NotFound.
  Status HalfCreated();
  bool LogEmpty();
  // A database RocksDB refuses to open as damaged: Corruption saying what
  // was acknowledged and how to recover.
  Status DamagedDb(const rocksdb::Status& rs);
  Status LoadOrInitMeta(bool fresh);
  Status CatchUpViews();
  // True when every view is of the code's version and applied up to head.
  bool ViewsCurrent();
  // True when a purge journal is pending (storage/removal.cc).
  bool PurgePending();
  Status DropScratchFamilies();
  Status ReplayInto(const std::vector<const View*>& views, const std::vector<rocksdb::ColumnFamilyHandle*>& targets,
                    rocksdb::ColumnFamilyHandle* ids_cf, uint64_t from, bool record_progress,
                    const std::vector<uint64_t>& applied = {});
  Status ResetView(const View* view);
  Status GetMeta(std::string_view key, std::string* value);
  rocksdb::ColumnFamilyHandle* ViewFamily(std::string_view name) const;
  Status CheckWritable() const;
  // Flushes every memtable and rewrites every SST file (forced bottommost
  // compaction), then deletes the replaced files at once (no grace period:
  // storage/table_grace.h); used by the purge of forgotten records.
  Status FlushAndCompactAll();
  // Removal (storage/removal.cc): the families a resolver reads, `targets`
  // standing in for `views`; the seqs named by Forgotten events.
  FamilyMap Families(const std::vector<const View*>& views,
                     const std::vector<rocksdb::ColumnFamilyHandle*>& targets) const;
  Status ForgottenSeqs(std::unordered_set<uint64_t>* out);
  // Interrupted work (storage/removal.cc): FinishInterruptedWork finishes a
  // pending purge (the journal, docs/formats.md) and removes the leftovers
  // of interrupted restores and snapshots; called by every writable open.
  // Precondition of the purge: every view is up to date with head.
  Status FinishInterruptedWork();
  Status FinishPendingPurge();
  Status PurgeTargets(std::string_view journal, std::vector<uint64_t>* seqs);
  Status PurgeLogEntries(std::span<const uint64_t> seqs);
  // Adds the purge journal (`value`) to `batch`.
  Status AddPurgeJournal(rocksdb::WriteBatch* batch, std::string_view value);
  // Closes and reopens the database (a fresh MANIFEST); on failure the
  // store is unusable.
  Status ReopenDb();
  // Records a lower acknowledged head before the log is cut (rollback).
  Status LowerAckHead(uint64_t seq);
  // Appends `events` (seqs assigned from head+1, or kept as given when
  // `preserve_seq`: increasing and above head, checked by the caller).
  Status AppendImpl(std::span<Event> events, bool sync, const std::string* ckpt_key, std::string_view ckpt_value,
                    bool preserve_seq = false);

  StoreOptions options_;
  std::optional<DataKey> key_;  // StoreOptions::key, or the process's
  std::string db_path_;
  StoreIdentity identity_;
  DirLock lock_;
  bool read_only_ = false;
  std::shared_ptr<rocksdb::Cache> cache_;
  RocksTuning tuning_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> view_cfs_;
  uint64_t head_ = 0;
  uint64_t origin_ = 0;
  Status sticky_;  // first failed write; every later write returns it
  // Bytes appended through the write-ahead log since open (see ~StoreImpl).
  uint64_t wal_bytes_ = 0;
  bool half_created_ = false;
  bool foreign_db_lock_ = false;  // another program holds DIR/db/LOCK
  AckHeadFile ack_;               // writers only
  Projector projector_;
  // The background compaction (storage/background_compaction.cc). The
  // thread works on a copy of handles_ and touches nothing else of the
  // store; StopBackgroundCompaction() cancels and joins it before anything
  // drops a family or closes the database.
  void StopBackgroundCompaction();
  // Flushes, then compacts `families` one after the other (CompactAll's
  // work); stops early once *canceled (when given) is set.
  Status CompactFamilies(const std::vector<rocksdb::ColumnFamilyHandle*>& families, int subcompactions,
                         std::atomic<bool>* canceled);
  std::thread compaction_thread_;
  std::atomic<bool> compaction_cancel_{false};
  std::mutex compaction_mu_;
  BackgroundCompaction compaction_;  // guarded by compaction_mu_
};

/// Resolves finish -> start through an `ids` column family and the log.
class IdsResolver final : public StartResolver {
 public:
  IdsResolver(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* ids, StoreReader* reader)
      : db_(db), ids_(ids), reader_(reader) {}
  Status FindStart(const EventId& id, uint64_t* seq, Event* start) override;

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* ids_;
  StoreReader* reader_;
};

// Meta keys.
inline constexpr std::string_view kMetaHead = "head";
inline constexpr std::string_view kMetaOrigin = "origin";
inline constexpr std::string_view kMetaStoreId = "store_id";
inline constexpr std::string_view kMetaFormat = "format";
inline constexpr std::string_view kMetaLogFloor = "log_floor";  ///< u64be; absent = 0
std::string ViewMetaKey(std::string_view view);
std::string EncodeViewMeta(uint32_t version, uint64_t applied);
bool DecodeViewMeta(std::string_view v, uint32_t* version, uint64_t* applied);

}  // namespace tb
