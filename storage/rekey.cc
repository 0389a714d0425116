#include "storage/rekey.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "storage/admin.h"
#include "storage/admin_util.h"
#include "storage/data_dir.h"
#include "storage/search_cache.h"

namespace tb {
namespace fs = std::filesystem;
namespace {

Status RefuseCopies(const RekeyOptions& o, std::vector<SnapshotEntry>* snapshots, std::vector<BackupEntry>* backups) {
  TB_RETURN_IF_ERROR(ListSnapshots(o.data_dir, snapshots));
  TB_RETURN_IF_ERROR(ListBackups(o.backup_dir, backups));
  if (o.drop_copies || (snapshots->empty() && backups->empty())) return Status::OK();
  return Status::InvalidArgument(std::to_string(snapshots->size()) + " snapshot(s) in " + SnapshotsDir(o.data_dir) +
                                 " and " + std::to_string(backups->size()) + " backup(s) in " + o.backup_dir +
                                 " stay under the current key and would not open under the new one. Nothing was "
                                 "changed; pass --drop-copies to delete them once the new store is in place");
}

using Checkpoints = std::vector<std::pair<std::string, std::string>>;

// The old store's checkpoints that the new one keeps.
Status ReadCarried(const RekeyOptions& o, Checkpoints* out) {
  StoreOptions so = o.store;
  so.data_dir = o.data_dir;
  so.access = StoreOptions::Access::kReadOnly;
  so.create_if_missing = false;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(Store::Open(so, &store));
  for (std::string_view prefix : kRekeyCarriedCheckpoints) {
    std::vector<std::string> keys;
    TB_RETURN_IF_ERROR(store->ListCheckpoints(prefix, &keys));
    for (const std::string& k : keys) {
      std::string v;
      TB_RETURN_IF_ERROR(store->GetCheckpoint(k, &v));
      out->emplace_back(k, std::move(v));
    }
  }
  return Status::OK();
}

// The new store must hold what the old one holds (events and `carried`
// checkpoints), and pass the checks of `tb log verify` and `tb views verify`.
Status VerifyNewStore(const RekeyOptions& o, const Checkpoints& carried, uint64_t head) {
  StoreOptions so = o.store;
  so.data_dir = RekeyDir(o.data_dir);
  so.access = StoreOptions::Access::kReadWrite;
  so.create_if_missing = false;
  so.key_given = true;
  so.key = o.new_key;
  std::unique_ptr<Store> store;
  TB_RETURN_IF_ERROR(Store::Open(so, &store));
  if (o.audit) {
    std::vector<Event> evs{*o.audit};
    TB_RETURN_IF_ERROR(store->Append(evs, true));
    ++head;
  }
  for (const auto& [key, value] : carried) TB_RETURN_IF_ERROR(store->AppendWithCheckpoint({}, true, key, value));
  if (store->head() != head) {
    return Status::Corruption("the rekeyed store ends at seq " + std::to_string(store->head()) + ", not " +
                              std::to_string(head) + ". Nothing was changed");
  }
  LogVerifyReport log;
  TB_RETURN_IF_ERROR(store->VerifyLog(&log));
  std::vector<ViewDiff> diffs;
  TB_RETURN_IF_ERROR(store->VerifyViews(&diffs));
  if (!log.ok() || !diffs.empty()) {
    return Status::Corruption("the rekeyed store fails verification (" + std::to_string(diffs.size()) +
                              " view(s) differ). Nothing was changed");
  }
  return Status::OK();
}

Status DropCopies(const RekeyOptions& o, const std::vector<SnapshotEntry>& snapshots,
                  const std::vector<BackupEntry>& backups, RekeyResult* out) {
  for (const SnapshotEntry& s : snapshots) {
    TB_RETURN_IF_ERROR(DeleteSnapshot(o.data_dir, s.name));
    out->dropped_snapshots.push_back(s.name);
  }
  std::vector<uint32_t> ids;
  for (const BackupEntry& b : backups) ids.push_back(b.id);
  TB_RETURN_IF_ERROR(DeleteBackups(o.backup_dir, ids));
  out->dropped_backups = ids;
  return Status::OK();
}

// Step 5 (storage/rekey.h): the wrapped key follows the store.
Status SwapWrappedKey(const RekeyOptions& o) {
  const std::string path = WrappedKeyPath(o.data_dir);
  if (o.wrapped) {
    if (::rename(NewWrappedKeyPath(o.data_dir).c_str(), path.c_str()) != 0) {
      return Status::IOError("cannot rename " + NewWrappedKeyPath(o.data_dir) + " to " + path + ": " +
                             std::strerror(errno) + ". Rename it by hand: the store is under its key");
    }
  } else if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::IOError("cannot remove " + path + " (it wraps the old key): " + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace

std::string NewWrappedKeyPath(const std::string& data_dir) { return WrappedKeyPath(data_dir) + ".new"; }

std::string RekeyDir(const std::string& data_dir) { return data_dir + "/rekey.new"; }

Status RemoveRekeyLeftovers(const std::string& data_dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n != "rekey.new" && !n.starts_with("rekey.new.partial-")) continue;
    fs::remove_all(e.path(), ec);
    if (ec) {
      return Status::IOError("cannot remove " + e.path().string() + " (left by an interrupted rekey): " + ec.message() +
                             ". Remove it by hand");
    }
  }
  return Status::OK();
}

Status Rekey(const RekeyOptions& o, RekeyResult* out) {
  *out = RekeyResult{};
  bool exists = false;
  StoreIdentity identity;
  TB_RETURN_IF_ERROR(InspectDataDir(o.data_dir, &exists, &identity));
  if (!exists) return Status::NotFound("no TermBrain store at " + o.data_dir + " to rekey");
  std::vector<SnapshotEntry> snapshots;
  std::vector<BackupEntry> backups;
  TB_RETURN_IF_ERROR(RefuseCopies(o, &snapshots, &backups));
  DirLock lock;
  TB_RETURN_IF_ERROR(lock.Acquire(o.data_dir, o.holder, o.lock_wait_ms));
  TB_RETURN_IF_ERROR(RemoveRekeyLeftovers(o.data_dir));
  Checkpoints carried;
  TB_RETURN_IF_ERROR(ReadCarried(o, &carried));
  // 1. Replay under the new key.
  ReplayOptions r;
  r.from_data_dir = o.data_dir;
  r.into = RekeyDir(o.data_dir);
  r.store = o.store;
  r.store.key_given = true;
  r.store.key = o.new_key;
  r.store.new_store_id = identity.store_id;
  ReplayStats stats;
  Status s = Replay(r, &stats);
  // 2. Verify.
  if (s.ok()) s = VerifyNewStore(o, carried, stats.last_seq);
  // 3. The new wrapped key, durable before the store needs it.
  if (s.ok() && o.wrapped) s = WriteWrappedKeyFile(NewWrappedKeyPath(o.data_dir), *o.wrapped);
  // 4. Swap.
  if (s.ok()) s = admin::SwapInDatabase(o.data_dir, RekeyDir(o.data_dir) + "/db", o.data_dir + "/db");
  if (!s.ok()) {
    (void)RemoveRekeyLeftovers(o.data_dir);
    return s;
  }
  out->events = stats.events;
  out->head = stats.last_seq + (o.audit ? 1 : 0);
  TB_RETURN_IF_ERROR(SwapWrappedKey(o));
  // 6. The old database and the index sealed under the old key.
  TB_RETURN_IF_ERROR(RemoveRekeyLeftovers(o.data_dir));
  TB_RETURN_IF_ERROR(RemoveSearchCache(o.data_dir));
  SyncDir(o.data_dir);
  // 7. The copies under the old key.
  return o.drop_copies ? DropCopies(o, snapshots, backups, out) : Status::OK();
}

}  // namespace tb
