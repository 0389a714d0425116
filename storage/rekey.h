// Rekey: the store rewritten under another data key (or encrypted, or
// decrypted) the event-sourced way (docs/operations.md, "tb rekey").
//
// With the store's lock held throughout (no other writer; spooled commands
// wait in the spool for the next writer):
//  1. the log is replayed (Replay, storage/admin.h) from the data dir,
//     opened under the process's key (storage/at_rest.h), into a new data
//     dir DIR/rekey.new under `new_key`, keeping the store id, every seq and
//     every event; Replay builds every view;
//  2. the audit entry (`audit`) is appended to it, and it is verified: `tb log verify` and `tb views verify`'s
//     checks pass and its head equals the old one;
//  3. DIR/rekey.new/db and DIR/db are exchanged atomically
//     (admin::SwapInDatabase);
//  4. the old database (now DIR/rekey.new) is deleted, and DIR/search.idx
//     (sealed under the old key) with it;
//  5. with `drop_copies`, the snapshots of DIR and the backups in
//     `backup_dir`, which stay under the old key, are deleted.
// A kill before 3 leaves the old store as it was (the leftover
// DIR/rekey.new* is removed by the next rekey and by the next writable
// open); after 3, the new store, which needs the new key. Deletion is
// unlink(2): on SSDs and journaling or copy-on-write file systems old
// blocks may survive it (docs/security.md says so).
//
// Snapshots and backups: without `drop_copies`, a store that has any is
// refused (InvalidArgument) before anything is written: they would not open
// under the new key.
// Thread safety: no Store of DIR may be open in this process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data_key.h"
#include "core/status.h"
#include "storage/store.h"

namespace tb {

struct RekeyOptions {
  std::string data_dir;
  std::optional<DataKey> new_key;  // nullopt: the new store is plaintext
  std::string backup_dir;          // where the store's backups are
  bool drop_copies = false;
  std::string holder;  // written to DIR/lock
  int lock_wait_ms = 2000;
  StoreOptions store;  // tuning of the new store (data dir, key and access are set here)
  // Appended (synced) to the new store before it is verified: the audit
  // entry of the rekey, in the store only when the swap happens.
  std::optional<Event> audit;
};

struct RekeyResult {
  uint64_t events = 0;
  uint64_t head = 0;
  std::vector<std::string> dropped_snapshots;
  std::vector<uint32_t> dropped_backups;
};

// DIR/rekey.new: where the new store is built.
std::string RekeyDir(const std::string& data_dir);
// Removes DIR/rekey.new and the partial directories of its build.
Status RemoveRekeyLeftovers(const std::string& data_dir);

Status Rekey(const RekeyOptions& options, RekeyResult* out);

}  // namespace tb
