/// @file
/// Rekey: the store rewritten under another data key (or encrypted, or
/// decrypted) the event-sourced way (docs/operations.md, "tb rekey").
///
/// With the store's lock held throughout (no other writer; spooled commands
/// wait in the spool for the next writer):
///  1. the log is replayed (Replay, storage/admin.h) from the data dir,
///     opened under the process's key (storage/at_rest.h), into a new data
///     dir DIR/rekey.new under `new_key`, keeping the store id, every seq and
///     every event; Replay builds every view;
///  2. the audit entry (`audit`) is appended to it, then the checkpoints
///     the old store keeps under "admin/" (the maintenance marks of
///     storage/scheduled_maintenance.h: last backup, retention check, last
///     compaction) and "spool/" (the spool files' consumed offsets,
///     storage/spool.h), read from the old store before the replay; it is
///     verified: `tb log verify` and `tb views verify`'s checks pass and its
///     head equals the old one;
///  3. with `wrapped` (a passphrase store), the new wrapped key is written
///     to DIR/key.wrapped.new (synced);
///  4. DIR/rekey.new/db and DIR/db are exchanged atomically
///     (admin::SwapInDatabase);
///  5. DIR/key.wrapped.new is renamed over DIR/key.wrapped; without
///     `wrapped`, DIR/key.wrapped (which wraps the old key) is deleted;
///  6. the old database (now DIR/rekey.new) is deleted, and DIR/search.idx
///     (sealed under the old key) with it;
///  7. with `drop_copies`, the snapshots of DIR and the backups in
///     `backup_dir`, which stay under the old key, are deleted.
/// A kill before 4 leaves the old store as it was (the leftover
/// DIR/rekey.new* is removed by the next rekey and by the next writable
/// open; a leftover DIR/key.wrapped.new wraps a key no store is under and
/// is ignored); after 4, the new store, which needs the new key (between 4
/// and 5, `tb unlock` finds it in DIR/key.wrapped.new: storage/passphrase.h).
/// Deletion is
/// unlink(2): on SSDs and journaling or copy-on-write file systems old
/// blocks may survive it (docs/security.md says so).
///
/// Snapshots and backups: without `drop_copies`, a store that has any is
/// refused (InvalidArgument) before anything is written: they would not open
/// under the new key.
/// Thread safety: no Store of DIR may be open in this process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data_key.h"
#include "core/status.h"
#include "core/wrapped_key.h"
#include "storage/store.h"

namespace tb {

/// What Rekey rewrites and under which key (steps in the file comment).
struct RekeyOptions {
  std::string data_dir;            ///< the data dir (DIR) of the store to rekey
  std::optional<DataKey> new_key;  ///< nullopt: the new store is plaintext
  /// The new key wrapped by a passphrase (core/wrapped_key.h), for a store in
  /// passphrase mode; nullopt otherwise.
  std::optional<WrappedKey> wrapped;
  std::string backup_dir;  ///< where the store's backups are
  /// Delete the snapshots and backups (step 7); false: a store that has any
  /// is refused.
  bool drop_copies = false;
  std::string holder;       ///< written to DIR/lock
  int lock_wait_ms = 2000;  ///< how long to wait for the store's lock (Busy after that)
  StoreOptions store;       ///< tuning of the new store (data dir, key and access are set here)
  /// Appended (synced) to the new store before it is verified: the audit
  /// entry of the rekey, in the store only when the swap happens.
  std::optional<Event> audit;
};

/// What Rekey did.
struct RekeyResult {
  uint64_t events = 0;                         ///< events replayed into the new store
  uint64_t head = 0;                           ///< the new store's head (the audit entry included)
  std::vector<std::string> dropped_snapshots;  ///< names of the snapshots deleted (drop_copies)
  std::vector<uint32_t> dropped_backups;       ///< ids of the backups deleted (drop_copies)
};

/// The checkpoint prefixes a rekeyed store keeps (step 2 above).
inline constexpr std::string_view kRekeyCarriedCheckpoints[] = {"admin/", "spool/"};

/// DIR/key.wrapped.new: the new wrapped key until the swap is done.
std::string NewWrappedKeyPath(const std::string& data_dir);

/// DIR/rekey.new: where the new store is built.
std::string RekeyDir(const std::string& data_dir);
/// Removes DIR/rekey.new and the partial directories of its build.
Status RemoveRekeyLeftovers(const std::string& data_dir);

/// Runs the steps of the file comment. NotFound when DIR holds no store,
/// InvalidArgument when snapshots or backups exist without drop_copies, Busy
/// when the lock is held; any error before the swap (step 4) leaves the old
/// store as it was and removes the partial new one.
Status Rekey(const RekeyOptions& options, RekeyResult* out);

}  // namespace tb
