/// @file
/// Store: the event log and its views in one RocksDB database.
///
/// Column families (key layout in docs/formats.md):
///   log         u64be(seq) -> Event FlatBuffer      append-only source of truth
///   meta        "head" -> u64be(last seq); "origin" -> u64be(node id);
///               "store_id" -> 32 hex; "view/NAME" -> u64be(version) u64be(applied seq)
///   view_NAME   one per view in core/views/registry.h
///
/// Every Append commits the events, the new head and every view's updates in
/// one WriteBatch, so a crash never leaves a view ahead of or behind the log.
/// A view whose stored version differs from the code's (or whose rebuild was
/// interrupted) is rebuilt by replay when the store is opened for writing.
///
/// Processes: one writer at a time (DIR/lock). Access::kAuto gives a writable
/// store when the lock is free and a read-only one otherwise.
/// Access::kReadPreferred opens read-only (no lock, no file written: cheap
/// for queries) unless the store has work pending (it does not exist yet, a
/// view is behind the log or of another version, or a purge is pending:
/// AppendForgotten); then it behaves as kAuto.
///
/// Thread safety: a Store is used from one thread at a time (a background
/// compaction runs on a thread of its own, see StartBackgroundCompaction).
/// After a failed write the store is in a sticky error state: every later
/// write returns the first error (reopen to recover).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/data_key.h"
#include "core/event.h"
#include "core/status.h"
#include "core/store_reader.h"

namespace tb {

/// Receives what a log scan had to skip. Strict scans stop at the first
/// report; lenient ones continue.
class CorruptionReporter {
 public:
  virtual ~CorruptionReporter() = default;
  /// The entry at `seq` was skipped; `why` says what is wrong with it
  /// (Corruption, naming the seq).
  virtual void Corrupt(uint64_t seq, const Status& why) = 0;
};

/// How Store::Open opens a data dir.
struct StoreOptions {
  std::string data_dir;  ///< the data dir (DIR): TERMBRAIN, lock, db/ ...
  /// How the store is opened (see the file comment): kReadWrite waits up to
  /// lock_wait_ms for the lock (Busy after that); kReadOnly never takes the
  /// lock nor writes a file (NotFound when there is no store); kAuto and
  /// kReadPreferred fall back to read-only when another process writes.
  enum class Access {
    kReadWrite,              ///< a writer, or an error
    kReadOnly,               ///< a reader: no lock, no file written, no view catch-up
    kAuto,                   ///< a writer when the lock is free, else a reader
    kReadPreferred           ///< a reader unless the store has work pending, then as kAuto
  } access = Access::kAuto;  ///< kAuto unless the caller says otherwise
  /// Create the data dir and an empty store when there is none (never for
  /// kReadOnly); false: NotFound instead.
  bool create_if_missing = true;
  uint64_t block_cache_bytes = 32ull << 20;   ///< RocksDB block cache, shared by every column family
  uint64_t write_buffer_bytes = 16ull << 20;  ///< total across column families
  int lock_wait_ms = 2000;                    ///< kReadWrite only
  std::string holder;                         ///< written to DIR/lock, e.g. "pid 12: tb record"
  /// Opens a damaged store for `tb log salvage`: write-ahead log records
  /// that fail their checksum are skipped (not fatal) and the acknowledged
  /// head is not checked. Never for normal use.
  bool salvage = false;
  /// A bulk load (a large import): no background compaction and no write
  /// stall on level-0 files while this instance is open; the writer calls
  /// CompactAll() when done, which writes every family once. (Compacting
  /// while a history that interleaves in time with the stored one goes in
  /// rewrote the whole store again and again: importing 1M commands into a
  /// store holding 1M took 4.4x the time of an empty store.) A crash before
  /// CompactAll() only leaves the compaction to the next writable open.
  bool bulk = false;
  ///@{
  /// Encryption at rest (storage/at_rest.h): with `key_given`, this store's
  /// data key (nullopt: plaintext); without, the process's (ProcessDataKey).
  bool key_given = false;
  std::optional<DataKey> key;
  ///@}
  /// The store id a store created by this open gets; "" = a random one (a
  /// rekey's new database keeps its store's id).
  std::string new_store_id;
  /// Rebuild progress (events done, total). May be empty.
  std::function<void(std::string_view view, uint64_t done, uint64_t total)> progress;
};

/// One view of the store, as Store::Views reports it.
struct ViewInfo {
  std::string name;             ///< the view's name (core/views/registry.h)
  uint32_t code_version = 0;    ///< the version this build's View declares
  uint32_t stored_version = 0;  ///< the version its stored entries were made with
  uint64_t applied_seq = 0;     ///< the last log seq the view has applied
  uint64_t entries = 0;         ///< exact count (iterates the view)
};

/// How a view differs from a fresh replay of the log (Store::VerifyViews).
struct ViewDiff {
  std::string view;           ///< the view's name
  uint64_t missing = 0;       ///< in a fresh replay, not in the live view
  uint64_t extra = 0;         ///< in the live view, not in a fresh replay
  uint64_t different = 0;     ///< same key, different value
  std::string first_key_hex;  ///< the first differing key, in hex
};

/// What Store::VerifyLog found in the log.
struct LogVerifyReport {
  uint64_t events = 0;        ///< log entries read
  uint64_t first_seq = 0;     ///< seq of the first entry (0 when the log is empty)
  uint64_t last_seq = 0;      ///< seq of the last entry (0 when the log is empty)
  uint64_t bad_payloads = 0;  ///< entries whose payload fails verification
  /// Missing seqs between log_floor()+1 and the head that no Forgotten event
  /// or salvage explains (one per run of missing seqs).
  uint64_t gaps = 0;
  uint64_t duplicate_ids = 0;         ///< events whose id an earlier seq already has
  uint64_t seq_mismatches = 0;        ///< envelope seq != key
  std::vector<std::string> problems;  ///< first few, human readable
  /// True when nothing above is wrong.
  bool ok() const { return bad_payloads == 0 && gaps == 0 && duplicate_ids == 0 && seq_mismatches == 0; }
};

/// An overview of an open store (Store::Info, `tb status`).
struct StoreInfo {
  std::string data_dir;     ///< the data dir it was opened from
  std::string store_id;     ///< 32 hex digits, from DIR/TERMBRAIN
  int format = 0;           ///< the store format version of DIR/TERMBRAIN
  uint64_t head = 0;        ///< the last seq appended (0 = empty log)
  uint64_t events = 0;      ///< estimate from RocksDB for the log
  uint64_t disk_bytes = 0;  ///< size of DIR/db (log + views + RocksDB metadata)
  bool read_only = false;   ///< this instance is read-only
  std::string lock_holder;  ///< another process holding the write lock; "" when free
};

/// How a background compaction stands (Store::PollBackgroundCompaction).
struct BackgroundCompaction {
  /// kNone: none running nor unreported; kRunning: one runs; kEnded: one
  /// ended since the last poll (reported once).
  enum class State { kNone, kRunning, kEnded };
  State state = State::kNone;  ///< see State
  Status result;               ///< kEnded: how it went
  uint64_t head_at_start = 0;  ///< the log's head when it started
};

/// True for the error a read-only store gives when a table file it was about
/// to read was deleted by the writer's compaction meanwhile (the store is
/// fine; reopening and reading again succeeds).
bool IsVanishedFileError(const Status& s);

/// The event log and its views of one data dir (see the file comment).
class Store {
 public:
  /// Opens (or, with create_if_missing, creates) the store of
  /// options.data_dir as options.access asks; a writable open catches up
  /// views behind the log and finishes interrupted work first. NotFound when
  /// there is no store, Busy when the lock or the database is held elsewhere,
  /// Incompatible for a foreign or newer store or one under another data key
  /// (storage/at_rest.h, CheckDbKey), Corruption for a damaged one.
  static Status Open(const StoreOptions& options, std::unique_ptr<Store>* out);
  virtual ~Store() = default;

  /// True when opened read-only: every write returns Busy.
  virtual bool read_only() const = 0;
  /// The last seq appended (0 = empty log).
  virtual uint64_t head() const = 0;
  /// This store's random 64-bit origin, the origin of the EventIds it assigns.
  virtual uint64_t origin() const = 0;

  /// Appends `events` in order: assigns seq (head+1...) and, to events whose
  /// id is empty, the id (origin, seq). One atomic WriteBatch with the head
  /// and all view updates. `sync` fsyncs the WAL before returning.
  virtual Status Append(std::span<Event> events, bool sync) = 0;
  /// The same, also setting checkpoint `key` (a meta key under "ckpt/") to
  /// `value` in the same WriteBatch: a consumer's progress (e.g. a spool
  /// file's consumed offset) commits exactly when its events do.
  virtual Status AppendWithCheckpoint(std::span<Event> events, bool sync, std::string_view key,
                                      std::string_view value) = 0;
  /// Makes every append before it durable (fsyncs the write-ahead log): for
  /// callers that append several batches with sync=false and need all of
  /// them on disk before they delete their sources.
  virtual Status SyncLog() = 0;
  ///@{
  /// Checkpoints: NotFound when `key` was never set.
  virtual Status GetCheckpoint(std::string_view key, std::string* value) = 0;
  virtual Status DeleteCheckpoint(std::string_view key) = 0;
  ///@}
  /// Keys of all checkpoints starting with `prefix`.
  virtual Status ListCheckpoints(std::string_view prefix, std::vector<std::string>* keys) = 0;

  /// Read access at the current state (not a frozen snapshot).
  virtual StoreReader& reader() = 0;

  /// Visits log events with from <= seq <= to in order. Corrupt payloads are
  /// reported; with `strict` the scan stops with Corruption at the first one.
  /// `raw` is the stored payload. The visitor returns false to stop.
  virtual Status ScanLog(uint64_t from, uint64_t to, bool strict, CorruptionReporter* reporter,
                         const std::function<bool(const Event& ev, std::string_view raw)>& visit) = 0;

  /// Drops and replays `view` (all views when empty). Writable stores only.
  virtual Status Rebuild(std::string_view view) = 0;
  /// Replays every view into a scratch column family and compares it with
  /// the live one. *diffs lists the views that differ.
  virtual Status VerifyViews(std::vector<ViewDiff>* diffs) = 0;
  /// Reads the whole log: payloads verified, seqs contiguous from the floor
  /// to the head (gaps explained by forget or salvage excepted), ids unique.
  /// Problems go to *report; the Status is an error only when the scan fails.
  virtual Status VerifyLog(LogVerifyReport* report) = 0;
  /// Every view of the registry with its versions and progress, in registry order.
  virtual Status Views(std::vector<ViewInfo>* out) = 0;
  /// Fills *out; `events` is RocksDB's estimate, not a count.
  virtual Status Info(StoreInfo* out) = 0;
  /// Flushes memtables and compacts everything (used by benchmarks and
  /// before measuring disk usage).
  virtual Status CompactAll() = 0;
  /// The same, on a thread of its own: returns at once, and appends and
  /// reads go on meanwhile (the daemon compacts this way so frames never
  /// wait for it). Starting one while one runs does nothing. Operations that
  /// drop column families (rebuild, verify, removal) and closing the store
  /// cancel a running one first; a canceled one is forgotten (state kNone).
  virtual Status StartBackgroundCompaction() = 0;
  /// How the background compaction stands. An ended one is reported once
  /// (with its result and the head when it started), then kNone again.
  virtual BackgroundCompaction PollBackgroundCompaction() = 0;
  /// Forgets records (storage/removal.cc): appends `forgotten` (a Forgotten
  /// event naming their seqs; seq and id are assigned as by Append, and
  /// target_ids, when empty, become the ids of the targets still in the
  /// log) so every
  /// view drops them, then purges their bytes from disk: their log entries
  /// are deleted, every memtable is flushed (retiring the WAL that held
  /// them), every column family is compacted through the bottom level, the
  /// database is reopened (a fresh MANIFEST: the old one can hold SST
  /// boundary keys) and DIR/search.idx is removed. Crash-safe: a purge
  /// journal is written first and cleared last; a purge interrupted at any
  /// point is finished by the next writable open (also one asked for with
  /// Access::kReadPreferred). After an error the store is unusable (reopen).
  virtual Status AppendForgotten(Event* forgotten) = 0;

  // --- Administrative operations (storage/backup.cc, snapshot.cc,
  // rollback.cc, log_stream.cc; used through storage/admin.h) ---
  /// The data dir the store was opened from (StoreOptions::data_dir).
  virtual const std::string& data_dir() const = 0;
  /// The store id (32 hex digits), kept by backups, snapshots and replays.
  virtual const std::string& store_id() const = 0;
  /// The data key its files are encrypted under; null when plaintext.
  virtual const DataKey* data_key() const = 0;
  /// Events with seq <= log_floor() were removed by retention (0 = none):
  /// the log holds floor+1..head.
  virtual uint64_t log_floor() = 0;
  /// A RocksDB checkpoint (hard links) of the database into `db_dir`, which
  /// must not exist.
  virtual Status CreateCheckpoint(const std::string& db_dir) = 0;
  /// An incremental backup into the BackupEngine at `backup_dir` with
  /// `app_metadata`; *id is its id.
  virtual Status CreateBackup(const std::string& backup_dir, const std::string& app_metadata, uint32_t* id) = 0;
  ///@{
  /// Removes the events after `seq` (rollback; head becomes `seq`) or up to
  /// and including `seq` (retention; the floor becomes `seq`), then rebuilds
  /// every view. Crash-safe: the log change and a "views stale" mark commit
  /// in one WriteBatch, and an interrupted rebuild is redone on the next open.
  virtual Status TruncateLogAfter(uint64_t seq) = 0;
  virtual Status DropLogThrough(uint64_t seq) = 0;
  ///@}
  /// Appends events that already have seq and id (a replay or a salvage):
  /// seqs must increase and lie above head; when the store is empty and the
  /// first is above 1, the floor becomes first-1. Gaps are kept as they are
  /// (a replay checks its source is contiguous; a salvage records its gaps).
  virtual Status AppendPreservingSeq(std::span<Event> events, bool sync) = 0;
};

}  // namespace tb
