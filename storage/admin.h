/// @file
/// Administrative operations on a store: backups (RocksDB BackupEngine),
/// snapshots (RocksDB checkpoints), portable log export and offline replay,
/// rollback and retention. The library never prints; tools/ audits each
/// action as an AdminAction event and talks to the user.
///
/// Files (docs/formats.md):
///   \<backup dir\>/             a RocksDB BackupEngine directory; each backup's
///                               app metadata is BackupMeta as JSON
///   DIR/snapshots/\<name\>/     a complete data dir (TERMBRAIN, db/ as a
///                               checkpoint: SST files hard-linked) plus
///                               SNAPSHOT (JSON: time_ns, head, reason)
///   export file                 docs/formats.md, "Log export"
///
/// Thread safety: functions take a Store used from one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/store.h"

namespace tb {

// ---- backups ---------------------------------------------------------------

/// What tb keeps with each backup (its BackupEngine app metadata, as JSON).
struct BackupMeta {
  std::string store_id;  ///< the backed-up store's id (32 hex digits); a restore refuses another store's
  int format = 0;        ///< store format of the backed-up data dir
  uint64_t head = 0;     ///< last seq at backup time
  uint64_t floor = 0;    ///< retention floor at backup time
  int64_t time_ns = 0;   ///< when it was taken (UTC)
  std::string note;      ///< free text given at creation ("" = none; "automatic" for scheduled backups)
};

/// One backup of a backup dir.
struct BackupEntry {
  uint32_t id = 0;     ///< BackupEngine's id, increasing from 1; what FindBackup and `tb backup restore` take
  uint64_t size = 0;   ///< bytes of its files (shared files counted in each backup)
  uint32_t files = 0;  ///< number of files the backup references
  BackupMeta meta;     ///< the metadata stored with it
};

/// Incremental backup of `store` (writable) into `backup_dir` (created).
Status CreateBackup(Store& store, const std::string& backup_dir, const std::string& note, int64_t now_ns,
                    BackupEntry* out);
/// Backups, oldest first. A missing `backup_dir` is an empty list. Backups
/// whose metadata file is damaged are listed in *corrupt (may be null).
Status ListBackups(const std::string& backup_dir, std::vector<BackupEntry>* out,
                   std::vector<uint32_t>* corrupt = nullptr);
/// Resolves "latest" or a decimal id to an existing backup.
Status FindBackup(const std::string& backup_dir, const std::string& which, BackupEntry* out);
/// Full verification: every file's size and CRC32C. Corruption names the file.
Status VerifyBackup(const std::string& backup_dir, uint32_t id);
/// Deletes all but the newest `keep` backups (and their unshared files).
Status PruneBackups(const std::string& backup_dir, uint32_t keep, std::vector<uint32_t>* deleted);
/// Deletes the backups `ids`, then garbage-collects the backup dir so every
/// shared or private file that only they referenced (and the bytes in it)
/// leaves the disk. An id that does not exist is NotFound; the ones before
/// it in `ids` are already deleted then. Used by `tb forget --purge-backups`.
Status DeleteBackups(const std::string& backup_dir, const std::vector<uint32_t>& ids);
/// Restores backup `id` into `target`, which must be missing or empty: a
/// complete data dir (db/ and TERMBRAIN with the backup's store id) is made.
/// The backup is verified first; a damaged one is refused (Corruption).
Status RestoreBackupTo(const std::string& backup_dir, uint32_t id, const std::string& target);

// ---- snapshots ---------------------------------------------------------------

/// One snapshot of a data dir, as its SNAPSHOT file describes it.
struct SnapshotEntry {
  std::string name;     ///< the directory name under DIR/snapshots
  std::string path;     ///< DIR/snapshots/NAME, itself a data dir
  int64_t time_ns = 0;  ///< when it was taken, UTC ns since the epoch
  uint64_t head = 0;    ///< the log head it holds; 0 when not recorded (see SnapshotHead)
  std::string reason;   ///< why it was taken ("before-rollback", "before-restore", ...; "" = none given)
};

/// DIR/snapshots of `data_dir` (the directory may not exist).
std::string SnapshotsDir(const std::string& data_dir);
/// Checkpoint of the open (writable) store. `name` empty = "TIME-REASON" (UTC time).
/// Names are [A-Za-z0-9._-]+ and may not start with '.'.
Status CreateSnapshot(Store& store, const std::string& name, const std::string& reason, int64_t now_ns,
                      SnapshotEntry* out);
/// The snapshots of `data_dir`, oldest first (by time, then name); none when
/// DIR/snapshots is missing. Leftovers of interrupted work (names starting
/// with '.') are skipped; a missing or unreadable SNAPSHOT file leaves time,
/// head and reason at 0 / "".
Status ListSnapshots(const std::string& data_dir, std::vector<SnapshotEntry>* out);
/// Deletes snapshot `name` (renamed aside first, so a crash never leaves a
/// half-deleted snapshot listed). InvalidArgument for an invalid name,
/// NotFound when there is no such snapshot.
Status DeleteSnapshot(const std::string& data_dir, const std::string& name);
/// The last seq snapshot `s` holds: s.head when its SNAPSHOT file records
/// one (> 0); otherwise (the safety snapshots taken before a restore by
/// older versions record 0, an old or damaged SNAPSHOT none) the head stored
/// in the snapshot's own database, opened read-only (no file is written).
Status SnapshotHead(const SnapshotEntry& s, uint64_t* head);
/// Opens the data dir at `path` (snapshot `name`) read-only: no file is
/// written. Errors name the snapshot.
Status OpenSnapshot(const std::string& path, const std::string& name, std::unique_ptr<Store>* out);

// ---- replacing the live database (restore) -------------------------------------

/// What to put in place of DIR/db.
struct DbSource {
  std::string backup_dir;  ///< restore backup `backup_id` from here, or
  uint32_t backup_id = 0;  ///< the backup of `backup_dir` to restore
  std::string snapshot;    ///< the snapshot of this name
};

/// Where and how ReplaceDatabase works.
struct ReplaceOptions {
  std::string data_dir;     ///< the data dir whose DIR/db is replaced
  std::string holder;       ///< written to DIR/lock
  int lock_wait_ms = 2000;  ///< how long to wait for the store's lock (Busy after that)
  int64_t now_ns = 0;       ///< the clock, UTC ns: names and stamps the safety snapshot
};

/// Takes the store's lock (no Store may be open in this process), saves the
/// current database as a safety snapshot (*safety, "" when there was no
/// database), prepares the new database beside the live one and swaps the
/// two directories atomically (renameat2 RENAME_EXCHANGE): a crash leaves
/// either the old or the new database, never neither. The source's store id
/// must equal the data dir's. A current database that does not open
/// (Corruption: what a restore repairs) is saved all the same, with head 0
/// and reason "before-restore of a damaged store".
Status ReplaceDatabase(const ReplaceOptions& options, const DbSource& source, std::string* safety);

// ---- interrupted work ------------------------------------------------------------------

/// The checkpoint (Store::GetCheckpoint) holding the purge journal
/// (docs/formats.md, storage/removal.cc): present while a purge of forgotten
/// or retired records is pending.
inline constexpr std::string_view kPurgeCheckpoint = "purge/pending";

/// What FindPendingPurge found.
struct PendingPurge {
  bool pending = false;  ///< a purge journal is present (the next writable open finishes it)
  uint64_t records = 0;  ///< forgotten records whose bytes it purges
};

/// Whether `store` has a purge pending (any open store: a read-only one too).
Status FindPendingPurge(Store& store, PendingPurge* out);

/// Removes what interrupted restores and snapshots left in `data_dir`:
/// DIR/db.incoming, DIR/snapshots/.NAME.tmp and .NAME.deleting.
/// Precondition: the caller holds the store lock (none is being built).
Status RemoveInterruptedLeftovers(const std::string& data_dir);

// ---- log export and replay -------------------------------------------------------

/// What ExportLog wrote.
struct ExportStats {
  uint64_t events = 0;     ///< events written
  uint64_t first_seq = 0;  ///< seq of the first event written (0 when none)
  uint64_t last_seq = 0;   ///< seq of the last event written (0 when none)
  uint64_t bytes = 0;      ///< size of the export file
};

/// Writes events from <= seq <= to to `path` atomically (temp + fsync + rename).
Status ExportLog(Store& store, const std::string& path, uint64_t from, uint64_t to, int64_t now_ns, ExportStats* out);

/// The source, the bounds and the target of Replay: `from_file` when not
/// empty, else `from_data_dir`.
struct ReplayOptions {
  std::string from_file;                                        ///< a log export, or
  std::string from_data_dir;                                    ///< a data dir (opened read-only)
  std::optional<uint64_t> until_seq;                            ///< stop after this seq
  std::optional<int64_t> until_time_ns;                         ///< stop before the first event later than this
  std::string into;                                             ///< new data dir: missing or empty
  StoreOptions store;                                           ///< tuning for the new store (data_dir ignored)
  std::function<void(uint64_t done, uint64_t total)> progress;  ///< may be empty
};

/// What Replay built.
struct ReplayStats {
  uint64_t events = 0;          ///< events replayed into the new store
  uint64_t first_seq = 0;       ///< seq of the first event replayed (0 when none)
  uint64_t last_seq = 0;        ///< seq of the last event replayed (0 when none)
  double seconds = 0;           ///< wall time the replay took
  std::string source_store_id;  ///< the store id of the source (the new store keeps it)
};

/// Reads a log export held in memory (`name` is its path, for messages) as
/// Replay reads a file: the magic, the header and its CRC32C, then each
/// record (CRC32C, FlatBuffers verifier, contiguous seqs) handed to `visit`
/// (false stops, OK), then the end marker. Incompatible for another format,
/// Corruption naming the offset and seq of the first damage; *store_id is
/// the header's.
Status ReadLogExport(std::string_view bytes, const std::string& name, std::string* store_id,
                     const std::function<bool(Event&)>& visit);

/// Builds a new store at `into` from the source, verifying every record
/// (CRC32C, FlatBuffers verifier, contiguous seqs); a damaged record is
/// Corruption naming its offset and seq, and nothing is left at `into`.
/// The new store keeps every event's seq and id (so history is identical).
Status Replay(const ReplayOptions& options, ReplayStats* out);

// ---- rollback and retention ----------------------------------------------------------

/// The last seq of the longest log prefix whose events all have
/// time_ns <= t (floor when the first event is later).
Status SeqAtTime(Store& store, int64_t t, uint64_t* seq);

/// What Rollback did; nothing (removed 0, no safety snapshot) when `to_seq`
/// is at or past the head.
struct RollbackResult {
  uint64_t removed = 0;   ///< events removed from the log (old_head - new_head)
  uint64_t old_head = 0;  ///< the head before the rollback
  uint64_t new_head = 0;  ///< the head after it, before the carried audit copies
  SnapshotEntry safety;   ///< the snapshot taken before anything was removed
};

/// Safety snapshot, then removes every event after `to_seq`, rebuilds the
/// views and appends a carried copy of each audit entry removed
/// (CarryAuditEvents): new_head is the head before those copies.
Status Rollback(Store& store, uint64_t to_seq, int64_t now_ns, RollbackResult* out);

/// The limits of retention (the config's retention.*); both 0 = keep everything.
struct RetentionPolicy {
  int64_t max_age_ns = 0;   ///< 0 = off
  uint64_t max_events = 0;  ///< 0 = off
};

/// The log prefix retention removes: events floor_before+1..floor_after.
struct RetentionPlan {
  uint64_t floor_before = 0;  ///< the log floor now (Store::log_floor)
  uint64_t floor_after = 0;   ///< events floor_before+1..floor_after go
  uint64_t by_age = 0;        ///< how many the age limit alone would remove
  uint64_t by_count = 0;      ///< how many the count limit alone would remove
  /// How many events go (0 = nothing to do).
  uint64_t remove() const { return floor_after - floor_before; }
};

/// What the policy removes: always a prefix of the log (retention keeps the
/// log contiguous): by age, the events up to the first one newer than
/// now - max_age; by count, the oldest ones beyond max_events.
Status PlanRetention(Store& store, const RetentionPolicy& policy, int64_t now_ns, RetentionPlan* out);
/// Removes the planned prefix from the log, rebuilds the views and compacts
/// so the bytes leave the disk; the audit entries of the prefix are carried
/// (CarryAuditEvents) to the end of the log.
Status ApplyRetention(Store& store, const RetentionPlan& plan);

// ---- the audit trail across removals (core/audit.h) -----------------------------

/// The audit entries a removal carries (IsCarriedOnRemoval) with
/// after < seq <= up_to, in log order.
Status CollectAuditEvents(Store& store, uint64_t after, uint64_t up_to, std::vector<Event>* out);
/// Appends (synced) the carried copy of each of `removed`, in order, marked
/// `undone_by` ("rollback", "restore", "retention").
Status CarryAuditEvents(Store& store, const std::vector<Event>& removed, std::string_view undone_by);
/// After a restore over the live store: carries the audit entries of the
/// database saved in the safety snapshot `safety` (of `store`'s data dir)
/// that the restored log does not hold (by AuditKey), marked "restore".
/// Nothing is carried from a snapshot of a damaged store (it does not open).
Status CarryAuditFromSnapshot(Store& store, const std::string& safety);

}  // namespace tb
